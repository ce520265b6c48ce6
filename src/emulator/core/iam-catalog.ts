// What the emulator knows of Google's IAM catalogue: which permissions exist at project level (for
// custom roles and queryTestablePermissions), how well custom roles support them, their aliases,
// and the definitions of the predefined roles the tool uses (roles.get).
//
// Provenance of ../data/*.ts (generated, then committed):
// - data/predefined-roles.ts: Google's answers to `GET https://iam.googleapis.com/v1/roles/ROLE`, as
//   collected daily by github.com/iann0036/iam-dataset (gcp/roles/*.json, commit 2073fa52ac00,
//   2026-08-22; MIT licence). Only the roles listed there are bundled; basic roles are not.
// - data/iam-permissions.ts: every permission included in some predefined role (same files) whose
//   service prefix belongs to a service of apis/service-catalog.ts, minus those Google does not list
//   as testable on a project. The project-testable list is Google's answer to
//   permissions.queryTestablePermissions for //cloudresourcemanager.googleapis.com/projects/P, as
//   committed by github.com/exe-cut3/gcp-permissions-checker (permissions.txt, commit edce61a9a38e,
//   2026-08-21; the repository states no licence — only the set difference is used, no text of it).
// - Support levels and aliases below: the same repository's permissions_metadata.jsonl (Google's
//   queryTestablePermissions output with `customRolesSupportLevel` and `primaryPermission`), read for
//   the iam, redis, resourcemanager, run, runtimeconfig and secretmanager ranges.
import { PROJECT_PERMISSIONS } from '../data/iam-permissions.js';
import { PREDEFINED_ROLES, type PredefinedRole } from '../data/predefined-roles.js';

export type { PredefinedRole } from '../data/predefined-roles.js';

export type CustomRolesSupportLevel = 'SUPPORTED' | 'TESTING' | 'NOT_SUPPORTED';

export interface PermissionInfo {
  name: string;
  customRolesSupportLevel: CustomRolesSupportLevel;
  /** For an alias: the permission it stands for (Google's `primaryPermission`). */
  primaryPermission?: string;
  /** The API whose enablement the permission belongs to, e.g. `run.googleapis.com`. */
  service: string;
}

/** Permission prefix → the Service Usage name of its API (most are `PREFIX.googleapis.com`). */
const SERVICE_OF_PREFIX: Readonly<Record<string, string>> = {
  billing: 'cloudbilling.googleapis.com',
  cloudsql: 'sqladmin.googleapis.com',
  errorreporting: 'clouderrorreporting.googleapis.com',
  resourcemanager: 'cloudresourcemanager.googleapis.com',
  source: 'sourcerepo.googleapis.com',
};

/** Google lists these as NOT_SUPPORTED in custom roles (queryTestablePermissions on a project). */
const NOT_SUPPORTED = new Set([
  'iam.principalaccessboundarypolicies.bind',
  'iam.principalaccessboundarypolicies.create',
  'iam.principalaccessboundarypolicies.delete',
  'iam.principalaccessboundarypolicies.unbind',
  'iam.principalaccessboundarypolicies.update',
]);

/** Whole families Google lists as TESTING in custom roles. */
const TESTING_PREFIXES = ['runtimeconfig.'];

/** `iam.googleapis.com/workloadIdentityPools.create` is also known as `iam.workloadIdentityPools.create`. */
const IAM_DOMAIN_PREFIX = 'iam.googleapis.com/';

let catalogue: Map<string, PermissionInfo> | undefined;

function serviceOfPrefix(prefix: string): string {
  return SERVICE_OF_PREFIX[prefix] ?? `${prefix}.googleapis.com`;
}

function supportLevelOf(name: string): CustomRolesSupportLevel {
  if (NOT_SUPPORTED.has(name)) return 'NOT_SUPPORTED';
  return TESTING_PREFIXES.some((prefix) => name.startsWith(prefix)) ? 'TESTING' : 'SUPPORTED';
}

function buildCatalogue(): Map<string, PermissionInfo> {
  const built = new Map<string, PermissionInfo>();
  for (const [prefix, suffixes] of Object.entries(PROJECT_PERMISSIONS)) {
    const service = serviceOfPrefix(prefix);
    for (const suffix of suffixes.split(' ')) {
      const name = `${prefix}.${suffix}`;
      built.set(name, { name, customRolesSupportLevel: supportLevelOf(name), service });
      if (name.startsWith(IAM_DOMAIN_PREFIX)) {
        const alias = `iam.${name.slice(IAM_DOMAIN_PREFIX.length)}`;
        if (!built.has(alias))
          built.set(alias, { name: alias, customRolesSupportLevel: supportLevelOf(name), primaryPermission: name, service });
      }
    }
  }
  return built;
}

function permissionCatalogue(): Map<string, PermissionInfo> {
  catalogue ??= buildCatalogue();
  return catalogue;
}

/** The permission as Google knows it at project level, or undefined (unknown, or org/folder-only). */
export function permissionInfo(name: string): PermissionInfo | undefined {
  return permissionCatalogue().get(name);
}

/** Every project-level permission of the catalogue (aliases included), sorted. */
export function projectPermissions(): PermissionInfo[] {
  return [...permissionCatalogue().values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `permissions` with the aliases they imply added (holding a primary permission grants its alias, and back). */
export function withAliases(permissions: Iterable<string>): Set<string> {
  const expanded = new Set(permissions);
  for (const name of [...expanded]) {
    const info = permissionInfo(name);
    if (info?.primaryPermission) expanded.add(info.primaryPermission);
    if (name.startsWith(IAM_DOMAIN_PREFIX)) expanded.add(`iam.${name.slice(IAM_DOMAIN_PREFIX.length)}`);
  }
  return expanded;
}

/** A bundled predefined role (`roles/run.admin`), or undefined. */
export function predefinedRole(name: string): PredefinedRole | undefined {
  return PREDEFINED_ROLES.find((role) => role.name === name);
}

export function predefinedRoles(): readonly PredefinedRole[] {
  return PREDEFINED_ROLES;
}
