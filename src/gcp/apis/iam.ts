// IAM v1 service accounts and their IAM policies: REST only (no Node client covers them), through
// the factory's authorized requests.
import { orMissing, type Gcp } from '../call.js';
import { IAM_SET } from '../retry.js';
import type { IamPolicy } from './iam-policy.js';

const API = 'iam.googleapis.com';

export interface ServiceAccountInfo {
  email: string;
  uniqueId: string;
  displayName: string;
  description: string;
  disabled: boolean;
}

/** The REST resource, as IAM returns it (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts). */
interface ServiceAccountResource {
  email: string;
  uniqueId?: string;
  displayName?: string;
  description?: string;
  disabled?: boolean;
}

function toInfo(sa: ServiceAccountResource): ServiceAccountInfo {
  return {
    email: sa.email,
    uniqueId: sa.uniqueId ?? '',
    displayName: sa.displayName ?? '',
    description: sa.description ?? '',
    disabled: Boolean(sa.disabled),
  };
}

export async function getServiceAccount(gcp: Gcp, project: string, email: string): Promise<ServiceAccountInfo | undefined> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts/${encodeURIComponent(email)}`;
  const sa = await orMissing(
    gcp.caller.run({ api: API, method: 'GetServiceAccount', resource: email }, () => gcp.factory.request<ServiceAccountResource>({ url })),
  );
  return sa ? toInfo(sa) : undefined;
}

export async function createServiceAccount(
  gcp: Gcp,
  project: string,
  accountId: string,
  fields: { displayName: string; description: string },
): Promise<ServiceAccountInfo> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts`;
  const sa = await gcp.caller.run(
    { api: API, method: 'CreateServiceAccount', resource: `${accountId}@${project}.iam.gserviceaccount.com`, mutating: true },
    () => gcp.factory.request<ServiceAccountResource>({ url, method: 'POST', body: { accountId, serviceAccount: fields } }),
  );
  return toInfo(sa);
}

export async function updateServiceAccount(
  gcp: Gcp,
  project: string,
  email: string,
  fields: { displayName: string; description: string },
): Promise<void> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts/${encodeURIComponent(email)}`;
  await gcp.caller.run({ api: API, method: 'PatchServiceAccount', resource: email, mutating: true }, () =>
    gcp.factory.request({
      url,
      method: 'PATCH',
      body: { serviceAccount: { ...fields }, updateMask: 'displayName,description' },
    }),
  );
}

export async function deleteServiceAccount(gcp: Gcp, project: string, email: string): Promise<boolean> {
  const url = `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts/${encodeURIComponent(email)}`;
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'DeleteServiceAccount', resource: email, mutating: true }, () =>
        gcp.factory.request({ url, method: 'DELETE' }).then(() => true),
      ),
    ),
  );
}

function accountUrl(gcp: Gcp, project: string, email: string): string {
  return `${gcp.factory.restBase('iam')}/v1/projects/${project}/serviceAccounts/${encodeURIComponent(email)}`;
}

/**
 * The subset of `permissions` the caller holds on a service account (its own policy and what the
 * project grants), or undefined when the account does not exist.
 */
export async function testServiceAccountPermissions(
  gcp: Gcp,
  project: string,
  email: string,
  permissions: string[],
): Promise<string[] | undefined> {
  const answer = await orMissing(
    gcp.caller.run({ api: API, method: 'TestIamPermissions', resource: email }, () =>
      gcp.factory.request<{ permissions?: string[] }>({
        url: `${accountUrl(gcp, project, email)}:testIamPermissions`,
        method: 'POST',
        body: { permissions },
      }),
    ),
  );
  return answer ? (answer.permissions ?? []) : undefined;
}

/** Who may act as the account (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/getIamPolicy). */
export async function getServiceAccountPolicy(gcp: Gcp, project: string, email: string): Promise<IamPolicy> {
  return gcp.caller.run({ api: API, method: 'GetIamPolicy', resource: email }, () =>
    gcp.factory.request<IamPolicy>({
      url: `${accountUrl(gcp, project, email)}:getIamPolicy`,
      method: 'POST',
      body: { options: { requestedPolicyVersion: 3 } },
    }),
  );
}

export async function setServiceAccountPolicy(gcp: Gcp, project: string, email: string, policy: IamPolicy): Promise<IamPolicy> {
  return gcp.caller.run({ api: API, method: 'SetIamPolicy', resource: email, mutating: true, retry: IAM_SET }, () =>
    gcp.factory.request<IamPolicy>({ url: `${accountUrl(gcp, project, email)}:setIamPolicy`, method: 'POST', body: { policy } }),
  );
}
