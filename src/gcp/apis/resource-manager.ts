// Resource Manager v3: the project (its number) and its IAM policy; testIamPermissions for preflight.
import { IAM_SET } from '../retry.js';
import type { Gcp } from '../call.js';
import type { IamPolicy } from './iam-policy.js';

const API = 'cloudresourcemanager.googleapis.com';

export interface ProjectInfo {
  projectId: string;
  projectNumber: string;
  state: string;
}

export async function getProject(gcp: Gcp, projectId: string): Promise<ProjectInfo> {
  const name = `projects/${projectId}`;
  const client = await gcp.factory.client('projects');
  const [project] = await gcp.caller.run({ api: API, method: 'GetProject', resource: name }, (o) => client.getProject({ name }, o));
  return {
    projectId: project.projectId ?? projectId,
    projectNumber: String(project.name ?? '').replace(/^projects\//, ''),
    state: String(project.state ?? 'STATE_UNSPECIFIED'),
  };
}

/** The subset of `permissions` the caller holds on the project. */
export async function testProjectPermissions(gcp: Gcp, projectId: string, permissions: string[]): Promise<string[]> {
  const resource = `projects/${projectId}`;
  const client = await gcp.factory.client('projects');
  const [response] = await gcp.caller.run({ api: API, method: 'TestIamPermissions', resource }, (o) =>
    client.testIamPermissions({ resource, permissions }, o),
  );
  return response.permissions ?? [];
}

export async function getProjectPolicy(gcp: Gcp, projectId: string): Promise<IamPolicy> {
  const resource = `projects/${projectId}`;
  const client = await gcp.factory.client('projects');
  const [policy] = await gcp.caller.run({ api: API, method: 'GetIamPolicy', resource }, (o) =>
    client.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } }, o),
  );
  return policy;
}

export async function setProjectPolicy(gcp: Gcp, projectId: string, policy: IamPolicy): Promise<IamPolicy> {
  const resource = `projects/${projectId}`;
  const client = await gcp.factory.client('projects');
  const [updated] = await gcp.caller.run({ api: API, method: 'SetIamPolicy', resource, mutating: true, retry: IAM_SET }, (o) =>
    client.setIamPolicy({ resource, policy }, o),
  );
  return updated;
}
