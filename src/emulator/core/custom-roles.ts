// Project-level custom roles are served by apis/iam-roles.ts, but IAM policies may only bind a
// custom role that exists in the resource's project, so the records and their lookup live here.
// Lifecycle (Google's roles.delete documentation): a deleted role can be undeleted for 7 days; it is
// then permanently deleted, and its id cannot be reused until 37 days after the deletion.
import type { StateStore } from './state.js';

export const ROLES_COLLECTION = 'iam.roles';

export const ROLE_UNDELETE_WINDOW_MS = 7 * 24 * 3600 * 1000;
export const ROLE_ID_RESERVED_MS = 37 * 24 * 3600 * 1000;

export type RoleStage = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED' | 'DISABLED' | 'EAP';

export interface CustomRoleRecord {
  projectId: string;
  roleId: string;
  title?: string;
  description?: string;
  includedPermissions: string[];
  stage: RoleStage;
  etag: string;
  deleted?: boolean;
  /** ms since epoch, set while deleted. */
  deleteTime?: number;
}

export function customRoleKey(projectId: string, roleId: string): string {
  return `projects/${projectId}/roles/${roleId}`;
}

/** Deleted for more than 7 days: gone for every purpose but the reservation of its id. */
export function isPermanentlyDeleted(role: CustomRoleRecord, now: number): boolean {
  return role.deleted === true && role.deleteTime !== undefined && now - role.deleteTime >= ROLE_UNDELETE_WINDOW_MS;
}

/** The role record (deleted ones included until their id is free again, 37 days after deletion). */
export function customRoleRecord(store: StateStore, projectId: string, roleId: string, now: number): CustomRoleRecord | undefined {
  const roles = store.collection<CustomRoleRecord>(ROLES_COLLECTION);
  const key = customRoleKey(projectId, roleId);
  const role = roles.get(key);
  if (role?.deleted && role.deleteTime !== undefined && now - role.deleteTime >= ROLE_ID_RESERVED_MS) {
    roles.delete(key);
    return undefined;
  }
  return role;
}

/** A role that can be bound in a policy now: it exists and is not deleted. */
export function bindableCustomRole(store: StateStore, projectId: string, roleId: string, now: number): CustomRoleRecord | undefined {
  const role = customRoleRecord(store, projectId, roleId, now);
  return role && !role.deleted ? role : undefined;
}
