// IAM v1 project custom roles (REST only): the deployer role `ci setup` keeps equal to what the
// enabled phases declare. Deletion is soft: a deleted role can be undeleted for 7 days; its id stays
// taken until 37 days after the deletion.
// https://cloud.google.com/iam/docs/reference/rest/v1/projects.roles
import { type Gcp } from '../call.js';

const API = 'iam.googleapis.com';

export interface CustomRole {
  /** projects/P/roles/ROLE_ID */
  name: string;
  title?: string;
  description?: string;
  includedPermissions?: string[];
  /** Absent for ALPHA, Google's default. */
  stage?: string;
  etag?: string;
  deleted?: boolean;
}

export type RoleFields = Pick<CustomRole, 'title' | 'description' | 'includedPermissions' | 'stage'>;

const rolesOf = (gcp: Gcp, project: string) => `${gcp.factory.restBase('iam')}/v1/projects/${project}/roles`;

/** Every custom role of the project with its permissions, deleted ones that can still be undeleted included. */
export async function listCustomRoles(gcp: Gcp, project: string): Promise<CustomRole[]> {
  const roles: CustomRole[] = [];
  let pageToken: string | undefined;
  do {
    const params: Record<string, string> = { view: 'FULL', showDeleted: 'true', pageSize: '1000', ...(pageToken ? { pageToken } : {}) };
    const page = await gcp.caller.run({ api: API, method: 'ListRoles', resource: `projects/${project}` }, () =>
      gcp.factory.request<{ roles?: CustomRole[]; nextPageToken?: string }>({ url: rolesOf(gcp, project), params }),
    );
    roles.push(...(page.roles ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return roles;
}

export async function createCustomRole(gcp: Gcp, project: string, roleId: string, role: RoleFields): Promise<CustomRole> {
  return gcp.caller.run({ api: API, method: 'CreateRole', resource: `projects/${project}/roles/${roleId}`, mutating: true }, () =>
    gcp.factory.request<CustomRole>({ url: rolesOf(gcp, project), method: 'POST', body: { roleId, role } }),
  );
}

/** `mask`: title, description, included_permissions, stage. `etag` guards against a concurrent change. */
export async function updateCustomRole(gcp: Gcp, name: string, role: RoleFields & { etag?: string }, mask: string[]): Promise<CustomRole> {
  return gcp.caller.run({ api: API, method: 'UpdateRole', resource: name, mutating: true }, () =>
    gcp.factory.request<CustomRole>({
      url: `${gcp.factory.restBase('iam')}/v1/${name}`,
      method: 'PATCH',
      params: { updateMask: mask.join(',') },
      body: role,
    }),
  );
}

export async function deleteCustomRole(gcp: Gcp, name: string): Promise<CustomRole> {
  return gcp.caller.run({ api: API, method: 'DeleteRole', resource: name, mutating: true }, () =>
    gcp.factory.request<CustomRole>({ url: `${gcp.factory.restBase('iam')}/v1/${name}`, method: 'DELETE' }),
  );
}

export async function undeleteCustomRole(gcp: Gcp, name: string, etag?: string): Promise<CustomRole> {
  return gcp.caller.run({ api: API, method: 'UndeleteRole', resource: name, mutating: true }, () =>
    gcp.factory.request<CustomRole>({
      url: `${gcp.factory.restBase('iam')}/v1/${name}:undelete`,
      method: 'POST',
      body: etag ? { etag } : {},
    }),
  );
}
