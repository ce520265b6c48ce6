// Cloud Resource Manager: projects and their IAM policies. v3 (google.cloud.resourcemanager.v3.Projects)
// is what the Node client speaks; v1 is REST-only here and is what `gcloud projects …` uses.
// Both read the same state. The emulator does not create or delete projects: every well-formed
// project id exists (see core/projects.ts).
import { createHash } from 'node:crypto';
import { defineApi, method, restRoute, type MethodBehaviour } from '../core/api.js';
import { ApiError } from '../core/errors.js';
import { isJsonObject, jsonText, type JsonObject } from '../core/json.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';

const API = 'cloudresourcemanager.googleapis.com';
const SERVICE = 'google.cloud.resourcemanager.v3.Projects';
const V1 = 'google.cloudresourcemanager.v1.Projects';

/** What Google answers for a project that does not exist or that the caller may not see. */
function projectNotVisible(): ApiError {
  return new ApiError('PERMISSION_DENIED', 'The caller does not have permission');
}

function projectReferenceOf(resourceName: string): string {
  const match = /^projects\/([^/]+)$/.exec(resourceName);
  if (!match) throw new ApiError('INVALID_ARGUMENT', `Invalid resource name: "${resourceName}". Expected projects/{project}.`);
  return match[1];
}

function findProject(reference: string, services: EmulatorServices): ProjectRecord {
  const project = services.projects.find(reference);
  if (!project) throw projectNotVisible();
  return project;
}

/** The project whose enablement of Resource Manager applies: only one that exists (the handler answers for the others). */
function enablementProject(reference: string, services: EmulatorServices): string | undefined {
  return services.projects.find(reference) ? reference : undefined;
}

/** A project's etag: it changes when the project is updated. */
function projectEtag(project: ProjectRecord): string {
  const version = `${project.projectId}/${project.createTime}/${project.updateTime ?? ''}`;
  return createHash('sha256').update(version).digest().subarray(0, 8).toString('base64');
}

/** google.cloud.resourcemanager.v3.Project. Without a display name of its own a project shows its id (gcloud's default too). */
function projectV3(project: ProjectRecord): JsonObject {
  return {
    name: `projects/${project.projectNumber}`,
    ...(project.parent ? { parent: `${project.parent.type}s/${project.parent.id}` } : {}),
    projectId: project.projectId,
    state: 'ACTIVE',
    displayName: project.displayName ?? project.projectId,
    createTime: project.createTime,
    updateTime: project.updateTime ?? project.createTime,
    etag: projectEtag(project),
    ...(project.labels && Object.keys(project.labels).length > 0 ? { labels: project.labels } : {}),
  };
}

/** The v1 Project shape: numbers and ids, `lifecycleState`, and `name` meaning the display name. */
function projectV1(project: ProjectRecord): JsonObject {
  return {
    projectNumber: project.projectNumber,
    projectId: project.projectId,
    lifecycleState: 'ACTIVE',
    name: project.displayName ?? project.projectId,
    createTime: project.createTime,
    ...(project.labels && Object.keys(project.labels).length > 0 ? { labels: project.labels } : {}),
    ...(project.parent ? { parent: project.parent } : {}),
  };
}

/** v1 display names (Project.name): 4–30 letters, digits, hyphens, quotes, spaces and exclamation points (the v1 reference). */
const DISPLAY_NAME = /^[A-Za-z0-9\-'" !]{4,30}$/;
/** Google's label rules: lowercase keys starting with a letter, ≤ 63 characters of letters, digits, `_` and `-`; at most 64 labels. */
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

/** Only `name`, `labels` and `parent` can be updated; the output fields gcloud sends back as it read them are ignored (wording ours). */
function updateProjectV1(project: ProjectRecord, body: JsonObject, services: EmulatorServices, now: number): JsonObject {
  if (body.projectId !== undefined && body.projectId !== project.projectId)
    throw new ApiError('INVALID_ARGUMENT', `The project id in the body (${jsonText(body.projectId)}) does not match the URL.`);
  const displayName = body.name === undefined ? undefined : jsonText(body.name);
  if (displayName !== undefined && displayName !== '' && !DISPLAY_NAME.test(displayName))
    throw new ApiError(
      'INVALID_ARGUMENT',
      `Project name "${displayName}" is invalid: use 4 to 30 letters, digits, hyphens, quotes, spaces or exclamation points.`,
    );
  const labels = isJsonObject(body.labels)
    ? Object.fromEntries(Object.entries(body.labels).map(([key, value]) => [key, jsonText(value)]))
    : {};
  const badLabel = Object.entries(labels).find(([key, value]) => !LABEL_KEY.test(key) || !LABEL_VALUE.test(value));
  if (badLabel || Object.keys(labels).length > 64)
    throw new ApiError('INVALID_ARGUMENT', `Invalid project labels: ${JSON.stringify(labels)}.`);
  const parent = isJsonObject(body.parent) ? { type: jsonText(body.parent.type), id: jsonText(body.parent.id) } : undefined;
  if (project.parent && parent && (parent.type !== project.parent.type || parent.id !== project.parent.id))
    throw new ApiError('FAILED_PRECONDITION', 'A project that has a parent cannot be moved with projects.update.');
  if (displayName) project.displayName = displayName;
  else delete project.displayName;
  project.labels = labels;
  if (parent) project.parent = parent;
  project.updateTime = new Date(now).toISOString();
  services.store.markDirty();
  return projectV1(project);
}

function policyResource(project: ProjectRecord): string {
  return `projects/${project.projectNumber}`;
}

const SUPPORTED_POLICY_VERSIONS = new Set([0, 1, 3]);

// The IAM methods are the same in v1 and v3; only how the project is named differs.
function iamMethods(resourceOf: (request: { resource: string }) => string): Record<'get' | 'set' | 'test', MethodBehaviour> {
  const project = (request: { resource: string }, services: EmulatorServices) =>
    enablementProject(projectReferenceOf(resourceOf(request)), services);
  return {
    get: method<{ resource: string; options?: { requestedPolicyVersion?: number } }>({
      permission: 'resourcemanager.projects.getIamPolicy',
      resource: resourceOf,
      project,
      handle(request, ctx) {
        const version = request.options?.requestedPolicyVersion ?? 0;
        if (!SUPPORTED_POLICY_VERSIONS.has(version))
          throw new ApiError('INVALID_ARGUMENT', `Invalid requested policy version: ${version}.`);
        return ctx.iamPolicies.get(policyResource(findProject(projectReferenceOf(resourceOf(request)), ctx)));
      },
    }),
    set: method<{ resource: string; policy?: JsonObject; updateMask?: string }>({
      permission: 'resourcemanager.projects.setIamPolicy',
      resource: resourceOf,
      project,
      handle(request, ctx) {
        const target = findProject(projectReferenceOf(resourceOf(request)), ctx);
        return ctx.iamPolicies.set(policyResource(target), request.policy, request.updateMask, ctx.now);
      },
    }),
    test: method<{ resource: string; permissions?: string[] }>({
      resource: resourceOf,
      project,
      handle(request, ctx) {
        findProject(projectReferenceOf(resourceOf(request)), ctx);
        const granted = ctx.iamPolicies.testPermissions(request.permissions ?? []);
        // The response is rendered through its proto type, which drops an empty list as Google does.
        return { permissions: granted };
      },
    }),
  };
}

const v3Iam = iamMethods((request) => request.resource);
// v1 paths carry the bare project id: POST /v1/projects/{resource}:getIamPolicy.
const v1Iam = iamMethods((request) => `projects/${request.resource}`);

export const resourceManagerApi = defineApi({
  service: API,
  title: 'Cloud Resource Manager API',
  protoPackage: '@google-cloud/resource-manager',
  grpcServices: [SERVICE],
  operationPaths: ['/v3/{name=operations/**}', '/v1/{name=operations/**}'],

  methods: {
    [`${SERVICE}/GetProject`]: method<{ name: string }>({
      permission: 'resourcemanager.projects.get',
      resource: (request) => request.name,
      project: (request, services) => enablementProject(projectReferenceOf(request.name), services),
      handle: (request, ctx) => projectV3(findProject(projectReferenceOf(request.name), ctx)),
    }),
    [`${SERVICE}/GetIamPolicy`]: v3Iam.get,
    [`${SERVICE}/SetIamPolicy`]: v3Iam.set,
    [`${SERVICE}/TestIamPermissions`]: v3Iam.test,
  },

  restRoutes: [
    restRoute<{ projectId: string; project?: JsonObject }>({
      verb: 'PUT',
      path: '/v1/projects/{projectId}',
      body: 'project',
      rpcName: `${V1}/UpdateProject`,
      permission: 'resourcemanager.projects.update',
      resource: (request) => `projects/${request.projectId}`,
      project: (request, services) => enablementProject(request.projectId, services),
      handle: (request, ctx) => updateProjectV1(findProject(request.projectId, ctx), request.project ?? {}, ctx, ctx.now),
    }),
    restRoute<{ projectId: string }>({
      verb: 'GET',
      path: '/v1/projects/{projectId}',
      rpcName: `${V1}/GetProject`,
      permission: 'resourcemanager.projects.get',
      resource: (request) => `projects/${request.projectId}`,
      project: (request, services) => enablementProject(request.projectId, services),
      handle: (request, ctx) => projectV1(findProject(request.projectId, ctx)),
    }),
    {
      ...v1Iam.get,
      verb: 'POST',
      path: '/v1/projects/{resource}:getIamPolicy',
      body: '*',
      rpcName: `${V1}/GetIamPolicy`,
      requestType: 'google.iam.v1.GetIamPolicyRequest',
      responseType: 'google.iam.v1.Policy',
    },
    {
      ...v1Iam.set,
      verb: 'POST',
      path: '/v1/projects/{resource}:setIamPolicy',
      body: '*',
      rpcName: `${V1}/SetIamPolicy`,
      requestType: 'google.iam.v1.SetIamPolicyRequest',
      responseType: 'google.iam.v1.Policy',
    },
    {
      ...v1Iam.test,
      verb: 'POST',
      path: '/v1/projects/{resource}:testIamPermissions',
      body: '*',
      rpcName: `${V1}/TestIamPermissions`,
      requestType: 'google.iam.v1.TestIamPermissionsRequest',
      responseType: 'google.iam.v1.TestIamPermissionsResponse',
    },
  ],
});
