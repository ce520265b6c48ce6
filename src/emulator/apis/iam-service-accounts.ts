// IAM v1 service accounts (part of the IAM API, assembled in ./iam.ts): REST only (no Node client
// exists; the tool calls it through google-auth-library's authClient.request()). Shapes and errors
// follow test/emulator/recordings/iam-service-account*.http.log, including the legacy `errors` array
// in IAM's error bodies, PATCH answering only the changed fields, and :disable/:enable answering {}.
import { randomInt } from 'node:crypto';
import { restRoute, type RestRoute } from '../core/api.js';
import { ApiError, debugInfo, errorInfo } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { EmulatorServices } from '../core/services.js';
import { projectOfServiceAccountEmail, serviceAccountEmail, type ServiceAccountRecord } from '../core/service-accounts.js';

const RPC = 'google.iam.admin.v1.IAM';

/** Google gives every service account this etag (it is base64 for "01021920"). */
const SERVICE_ACCOUNT_ETAG = 'MDEwMjE5MjA=';
const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
const ACCOUNT_NAME = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/;

function unknownServiceAccount(): ApiError {
  return new ApiError('NOT_FOUND', 'Unknown service account');
}

/** A 21-digit id starting with 1, like Google's. */
function newUniqueId(): string {
  let digits = '1';
  while (digits.length < 21) digits += String(randomInt(10));
  return digits;
}

function accountJson(account: ServiceAccountRecord): JsonObject {
  const json: JsonObject = {
    name: `projects/${account.projectId}/serviceAccounts/${account.email}`,
    projectId: account.projectId,
    uniqueId: account.uniqueId,
    email: account.email,
  };
  if (account.displayName) json.displayName = account.displayName;
  if (account.description) json.description = account.description;
  json.etag = account.etag;
  json.oauth2ClientId = account.uniqueId;
  if (account.disabled) json.disabled = true;
  return json;
}

/** `projects/{P|-}/serviceAccounts/{EMAIL|UNIQUE_ID}` → the account, or Google's 404. */
function findAccount(name: string, services: EmulatorServices): ServiceAccountRecord {
  const match = ACCOUNT_NAME.exec(name);
  if (!match) throw new ApiError('INVALID_ARGUMENT', `Invalid service account name: ${name}.`);
  const account = services.serviceAccounts.find(match[2]);
  if (!account) throw unknownServiceAccount();
  return account;
}

/** The project whose enablement of IAM applies: the one in the name, or for `projects/-` the account's. */
function projectOfAccountName(name: string, services: EmulatorServices): string | undefined {
  const match = ACCOUNT_NAME.exec(name);
  if (!match) return undefined;
  if (match[1] !== '-') return match[1];
  return projectOfServiceAccountEmail(match[2]) ?? services.serviceAccounts.find(match[2])?.projectId;
}

function projectIdOfParent(parent: string, services: EmulatorServices): string {
  const match = /^projects\/([^/]+)$/.exec(parent);
  const project = match && match[1] !== '-' ? services.projects.find(match[1]) : undefined;
  if (!project) throw new ApiError('INVALID_ARGUMENT', `Invalid project name: ${parent}.`);
  return project.projectId;
}

function checkAccountId(accountId: string): void {
  if (accountId.length < 6 || accountId.length > 30) {
    const message = `The account ID "${accountId}" does not have a length between 6 and 30.`;
    throw new ApiError('INVALID_ARGUMENT', message, [debugInfo(message)]);
  }
  if (!ACCOUNT_ID.test(accountId)) {
    const message = `The account ID "${accountId}" is invalid: it must match [a-z]([-a-z0-9]*[a-z0-9]).`;
    throw new ApiError('INVALID_ARGUMENT', message, [debugInfo(message)]);
  }
}

function checkLengths(fields: { displayName?: string; description?: string }): void {
  if ((fields.displayName ?? '').length > 100) throw new ApiError('INVALID_ARGUMENT', 'The display name must not exceed 100 characters.');
  if ((fields.description ?? '').length > 256) throw new ApiError('INVALID_ARGUMENT', 'The description must not exceed 256 characters.');
}

const PATCHABLE = new Map([
  ['display_name', 'displayName'],
  ['displayName', 'displayName'],
  ['description', 'description'],
]);

/**
 * The account whose IAM policy is asked for. A missing account answers PERMISSION_DENIED, as gcloud
 * documents ("If the service account does not exist, this command returns a PERMISSION_DENIED error")
 * and as Google words it (the resource is not named).
 */
function policyAccount(name: string, permission: string, services: EmulatorServices): ServiceAccountRecord {
  try {
    return findAccount(name, services);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'NOT_FOUND') throw error;
    throw new ApiError('PERMISSION_DENIED', `Permission '${permission}' denied on resource (or it may not exist).`, [
      errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', { permission }),
    ]);
  }
}

// IAM policies on a service account (who may act as it): the shared IAM policy rules apply.
function accountPolicyRoutes(): RestRoute[] {
  const resourceOf = (request: { resource: string }) => request.resource;
  const project = (request: { resource: string }, services: EmulatorServices) => projectOfAccountName(request.resource, services);
  const policyKey = (account: ServiceAccountRecord) => `projects/${account.projectId}/serviceAccounts/${account.email}`;
  const common = { body: '*', verb: 'POST' as const };
  const get = restRoute<{ resource: string }>({
    ...common,
    path: '/v1/{resource=projects/*/serviceAccounts/*}:getIamPolicy',
    rpcName: `${RPC}/GetIamPolicy`,
    requestType: 'google.iam.v1.GetIamPolicyRequest',
    responseType: 'google.iam.v1.Policy',
    permission: 'iam.serviceAccounts.getIamPolicy',
    resource: resourceOf,
    project,
    handle: (request, ctx) => ctx.iamPolicies.get(policyKey(policyAccount(request.resource, 'iam.serviceAccounts.getIamPolicy', ctx))),
  });
  const set = restRoute<{ resource: string; policy?: JsonObject; updateMask?: string }>({
    ...common,
    path: '/v1/{resource=projects/*/serviceAccounts/*}:setIamPolicy',
    rpcName: `${RPC}/SetIamPolicy`,
    requestType: 'google.iam.v1.SetIamPolicyRequest',
    responseType: 'google.iam.v1.Policy',
    permission: 'iam.serviceAccounts.setIamPolicy',
    resource: resourceOf,
    project,
    handle: (request, ctx) =>
      ctx.iamPolicies.set(
        policyKey(policyAccount(request.resource, 'iam.serviceAccounts.setIamPolicy', ctx)),
        request.policy,
        request.updateMask,
        ctx.now,
      ),
  });
  const test = restRoute<{ resource: string; permissions?: string[] }>({
    ...common,
    path: '/v1/{resource=projects/*/serviceAccounts/*}:testIamPermissions',
    rpcName: `${RPC}/TestIamPermissions`,
    requestType: 'google.iam.v1.TestIamPermissionsRequest',
    responseType: 'google.iam.v1.TestIamPermissionsResponse',
    resource: resourceOf,
    project,
    handle(request, ctx) {
      findAccount(request.resource, ctx);
      const granted = ctx.iamPolicies.testPermissions(request.permissions ?? []);
      // The response is rendered through its proto type, which drops an empty list as Google does.
      return { permissions: granted };
    },
  });
  return [get, set, test];
}

/** :disable and :enable (body `{}`, answer `{}`, as recorded); enabling an enabled account changes nothing. */
function enablementRoutes(): RestRoute[] {
  return (['disable', 'enable'] as const).map((verb) =>
    restRoute<{ name: string }>({
      verb: 'POST',
      path: `/v1/{name=projects/*/serviceAccounts/*}:${verb}`,
      body: '*',
      rpcName: `${RPC}/${verb === 'disable' ? 'Disable' : 'Enable'}ServiceAccount`,
      permission: `iam.serviceAccounts.${verb}`,
      resource: (request) => request.name,
      project: (request, services) => projectOfAccountName(request.name, services),
      handle(request, ctx) {
        const account = findAccount(request.name, ctx);
        const updated: ServiceAccountRecord = { ...account };
        if (verb === 'disable') updated.disabled = true;
        else delete updated.disabled;
        ctx.serviceAccounts.save(updated);
        return {};
      },
    }),
  );
}

/** The service-account routes of the IAM API. */
export function serviceAccountRoutes(): RestRoute[] {
  return [
    restRoute<{ name: string; accountId?: string; serviceAccount?: { displayName?: string; description?: string } }>({
      verb: 'POST',
      path: '/v1/{name=projects/*}/serviceAccounts',
      body: '*',
      rpcName: `${RPC}/CreateServiceAccount`,
      permission: 'iam.serviceAccounts.create',
      resource: (request) => request.name,
      handle(request, ctx) {
        const projectId = projectIdOfParent(request.name, ctx);
        const accountId = request.accountId ?? '';
        checkAccountId(accountId);
        const fields = request.serviceAccount ?? {};
        checkLengths(fields);
        const email = serviceAccountEmail(accountId, projectId);
        if (ctx.serviceAccounts.find(email)) {
          throw new ApiError('ALREADY_EXISTS', `Service account ${accountId} already exists within project projects/${projectId}.`);
        }
        const account: ServiceAccountRecord = {
          projectId,
          accountId,
          email,
          uniqueId: newUniqueId(),
          ...(fields.displayName ? { displayName: fields.displayName } : {}),
          ...(fields.description ? { description: fields.description } : {}),
          etag: SERVICE_ACCOUNT_ETAG,
          createTime: ctx.now,
        };
        ctx.serviceAccounts.save(account);
        return accountJson(account);
      },
    }),

    restRoute<{ name: string }>({
      verb: 'GET',
      path: '/v1/{name=projects/*/serviceAccounts/*}',
      rpcName: `${RPC}/GetServiceAccount`,
      permission: 'iam.serviceAccounts.get',
      resource: (request) => request.name,
      project: (request, services) => projectOfAccountName(request.name, services),
      handle: (request, ctx) => accountJson(findAccount(request.name, ctx)),
    }),

    restRoute<{ name: string; pageSize?: string; pageToken?: string }>({
      verb: 'GET',
      path: '/v1/{name=projects/*}/serviceAccounts',
      rpcName: `${RPC}/ListServiceAccounts`,
      permission: 'iam.serviceAccounts.list',
      resource: (request) => request.name,
      handle(request, ctx) {
        const projectId = projectIdOfParent(request.name, ctx);
        const pageSize = request.pageSize === undefined ? undefined : Number(request.pageSize);
        if (pageSize !== undefined && !Number.isInteger(pageSize))
          throw new ApiError('INVALID_ARGUMENT', `Invalid value for pageSize: ${request.pageSize}`);
        const page = paginate(ctx.serviceAccounts.listInProject(projectId), pageSize, request.pageToken, {
          defaultSize: 100,
          maxSize: 100,
        });
        const json: JsonObject = {};
        if (page.items.length > 0) json.accounts = page.items.map(accountJson);
        if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
        return json;
      },
    }),

    restRoute<{ serviceAccount: { name: string; displayName?: string; description?: string }; updateMask?: string }>({
      verb: 'PATCH',
      path: '/v1/{serviceAccount.name=projects/*/serviceAccounts/*}',
      body: '*',
      rpcName: `${RPC}/PatchServiceAccount`,
      permission: 'iam.serviceAccounts.update',
      resource: (request) => request.serviceAccount.name,
      project: (request, services) => projectOfAccountName(request.serviceAccount.name, services),
      handle(request, ctx) {
        const account = findAccount(request.serviceAccount.name, ctx);
        const paths = (request.updateMask ?? '')
          .split(',')
          .map((path) => path.trim())
          .filter(Boolean);
        if (paths.length === 0) throw new ApiError('INVALID_ARGUMENT', 'The update_mask must be set.');
        const changed: JsonObject = { name: `projects/${account.projectId}/serviceAccounts/${account.email}` };
        const updated: ServiceAccountRecord = { ...account };
        for (const path of paths) {
          const field = PATCHABLE.get(path) as 'displayName' | 'description' | undefined;
          if (!field)
            throw new ApiError('INVALID_ARGUMENT', `Invalid update_mask path: ${path}. Only display_name and description can be updated.`);
          const value = request.serviceAccount[field];
          if (value) {
            updated[field] = value;
            changed[field] = value;
          } else {
            delete updated[field];
          }
        }
        checkLengths(updated);
        ctx.serviceAccounts.save(updated);
        // Google answers a PATCH with the name and the changed fields only.
        return changed;
      },
    }),

    restRoute<{ name: string }>({
      verb: 'DELETE',
      path: '/v1/{name=projects/*/serviceAccounts/*}',
      rpcName: `${RPC}/DeleteServiceAccount`,
      permission: 'iam.serviceAccounts.delete',
      resource: (request) => request.name,
      project: (request, services) => projectOfAccountName(request.name, services),
      handle(request, ctx) {
        const account = findAccount(request.name, ctx);
        ctx.serviceAccounts.delete(account.email);
        delete ctx.store.data.iamPolicies[`projects/${account.projectId}/serviceAccounts/${account.email}`];
        ctx.iamPolicies.markServiceAccountDeleted(account.email, String(account.uniqueId));
        ctx.store.markDirty();
        return {};
      },
    }),

    ...enablementRoutes(),
    ...accountPolicyRoutes(),
  ];
}
