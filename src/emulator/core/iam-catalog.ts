// What the emulator knows of Google's IAM catalogue, from its own small tables (no copy of Google's
// full catalogue): the permissions it knows are those of the predefined roles in ./predefined-roles.ts
// plus those its methods check (core/checked-permissions.ts), less the names it checks that Google
// does not have; a few of those are not valid at project level. Used by custom-role validation,
// permissions.queryTestablePermissions, roles.get/list and denyAllExcept. Not known: permissions of
// services the emulator does not serve, custom-role support levels other than SUPPORTED, aliases.
import { PREDEFINED_ROLES, type PredefinedRole } from './predefined-roles.js';

export type { PredefinedRole } from './predefined-roles.js';

export interface PermissionInfo {
  name: string;
  /** The API whose enablement the permission belongs to, e.g. `run.googleapis.com`. */
  service: string;
}

/**
 * Names the emulator checks that are not Google permissions: Cloud Run's roles "do not apply to
 * Cloud Run domain mappings" (https://cloud.google.com/run/docs/reference/iam/roles), and
 * run.authorizeddomains.list, which the v1 reference names but no role or testable permission has.
 */
const NOT_GOOGLE = /^run\.(domainmappings|authorizeddomains)\./;

/**
 * Permissions Google's roles carry that only apply above projects: a project custom role holding
 * one is refused with `Permission resourcemanager.projects.list is not valid.` (as reported in
 * https://github.com/terraform-google-modules/terraform-google-iam/issues/158).
 */
const NOT_AT_PROJECT_LEVEL = new Set(['resourcemanager.projects.list']);

/** Permission prefix → the Service Usage name of its API (most are `PREFIX.googleapis.com`). */
const SERVICE_OF_PREFIX: Readonly<Record<string, string>> = {
  resourcemanager: 'cloudresourcemanager.googleapis.com',
};

function serviceOf(permission: string): string {
  const prefix = permission.split('.')[0];
  return SERVICE_OF_PREFIX[prefix] ?? `${prefix}.googleapis.com`;
}

/** Whether a name the emulator checks is a Google permission (custom roles could hold it). */
export function isGooglePermission(permission: string): boolean {
  return !NOT_GOOGLE.test(permission);
}

/** Every permission the emulator knows, sorted: the predefined roles' and the checked ones that are Google's. */
export function knownPermissions(checked: Iterable<string>): string[] {
  const known = new Set(PREDEFINED_ROLES.flatMap((role) => role.includedPermissions));
  for (const permission of checked) if (isGooglePermission(permission)) known.add(permission);
  return [...known].sort();
}

/** The permission as a project custom role may hold it, or undefined (unknown to the emulator, or not valid in projects). */
export function permissionInfo(name: string, checked: Iterable<string>): PermissionInfo | undefined {
  if (NOT_AT_PROJECT_LEVEL.has(name) || !knownPermissions(checked).includes(name)) return undefined;
  return { name, service: serviceOf(name) };
}

/** Every project-level permission the emulator knows (what queryTestablePermissions lists for a project), sorted. */
export function projectPermissions(checked: Iterable<string>): PermissionInfo[] {
  return knownPermissions(checked)
    .filter((name) => !NOT_AT_PROJECT_LEVEL.has(name))
    .map((name) => ({ name, service: serviceOf(name) }));
}

/** A predefined role of the table (`roles/run.admin`), or undefined. */
export function predefinedRole(name: string): PredefinedRole | undefined {
  return PREDEFINED_ROLES.find((role) => role.name === name);
}

/** The table's predefined roles, by name (roles.list order). */
export function predefinedRoles(): readonly PredefinedRole[] {
  return [...PREDEFINED_ROLES].sort((a, b) => a.name.localeCompare(b.name));
}
