// Who may do what, for the checks the emulated services make on behalf of a service account
// (Cloud Build reading its source and pushing its images, Cloud Run mounting a bucket): which
// permissions a role carries, and whether a member holds a permission through the IAM policies of
// a resource and of its project. Predefined roles' contents come from the emulator's own table
// (core/predefined-roles.ts, written from Google's roles reference pages); the basic roles are below.
import { predefinedRole } from '../core/iam-catalog.js';
import type { Binding } from '../core/iam-policy.js';
import type { EmulatorServices } from '../core/services.js';

/**
 * What the basic roles carry among the permissions these checks look at. Google's basic roles hold
 * thousands of permissions; for Cloud Storage, "Owner and Editor ... do not grant access to objects"
 * by themselves (https://cloud.google.com/storage/docs/access-control/iam-roles, basic roles):
 * project members reach a bucket's objects through the convenience values (`projectEditor:P`, …)
 * in the bucket's policy. Artifact Registry: editors and owners push, viewers pull (the emulator's
 * reading of the basic roles, which are concentric — https://cloud.google.com/iam/docs/understanding-roles;
 * not checked permission by permission).
 */
const BASIC_ROLES: Readonly<Record<string, readonly string[]>> = {
  'roles/owner': [
    'storage.buckets.list',
    'storage.buckets.create',
    'storage.buckets.delete',
    'artifactregistry.repositories.downloadArtifacts',
    'artifactregistry.repositories.uploadArtifacts',
  ],
  'roles/editor': [
    'storage.buckets.list',
    'storage.buckets.create',
    'storage.buckets.delete',
    'artifactregistry.repositories.downloadArtifacts',
    'artifactregistry.repositories.uploadArtifacts',
  ],
  'roles/viewer': ['storage.buckets.list', 'artifactregistry.repositories.downloadArtifacts'],
};

/** Whether a basic or predefined role carries the permission (custom and unknown roles carry nothing here). */
export function roleGrants(role: string, permission: string): boolean {
  const permissions = BASIC_ROLES[role] ?? predefinedRole(role)?.includedPermissions;
  return permissions?.includes(permission) ?? false;
}

const COMPUTE_DEFAULT = /^serviceAccount:(\d+)-compute@developer\.gserviceaccount\.com$/i;
const CLOUD_BUILD_LEGACY = /^serviceAccount:(\d+)@cloudbuild\.gserviceaccount\.com$/i;

/**
 * Roles Google grants some of its own accounts when a project starts using a service: the Compute
 * Engine default account gets Editor, the legacy Cloud Build account the Cloud Build Service
 * Account role. (Organizations created since 2024 turn the first off with the org policy
 * `iam.automaticIamGrantsForDefaultServiceAccounts`; the emulator's projects behave as without it.)
 */
function implicitProjectRoles(member: string, projectNumber: string): string[] {
  if (COMPUTE_DEFAULT.exec(member)?.[1] === projectNumber) return ['roles/editor'];
  if (CLOUD_BUILD_LEGACY.exec(member)?.[1] === projectNumber) return ['roles/cloudbuild.builds.builder'];
  return [];
}

function projectBindings(services: EmulatorServices, projectNumber: string): Binding[] {
  return services.iamPolicies.bindings(`projects/${projectNumber}`);
}

/** The unconditional roles `member` holds on the project itself. */
export function projectRolesOf(services: EmulatorServices, projectNumber: string, member: string): Set<string> {
  const wanted = member.toLowerCase();
  const roles = new Set(implicitProjectRoles(member, projectNumber));
  for (const binding of projectBindings(services, projectNumber)) {
    if (!binding.condition && binding.members.some((candidate) => candidate.toLowerCase() === wanted)) roles.add(binding.role);
  }
  return roles;
}

const CONVENIENCE = /^project(Owner|Editor|Viewer):(.+)$/;

/** Does one binding's member entry stand for `member` (directly, as everyone, or as a project team)? */
function memberMatches(services: EmulatorServices, candidate: string, member: string): boolean {
  if (candidate === 'allUsers' || candidate === 'allAuthenticatedUsers') return true;
  if (candidate.toLowerCase() === member.toLowerCase()) return true;
  const convenience = CONVENIENCE.exec(candidate);
  if (!convenience) return false;
  const project = services.projects.find(convenience[2]);
  if (!project) return false;
  const roles = projectRolesOf(services, project.projectNumber, member);
  const role = `roles/${convenience[1].toLowerCase()}`;
  // Owners are also editors and viewers, editors also viewers (the basic roles nest).
  if (role === 'roles/viewer') return roles.has('roles/viewer') || roles.has('roles/editor') || roles.has('roles/owner');
  if (role === 'roles/editor') return roles.has('roles/editor') || roles.has('roles/owner');
  return roles.has('roles/owner');
}

export interface GrantQuery {
  /** `serviceAccount:EMAIL`, `user:EMAIL`, … */
  member: string;
  permission: string;
  /** IAM policy keys of the resource (and of any parent below the project), most specific first. */
  resourcePolicies: string[];
  /** The project the resource belongs to: its policy applies too. */
  projectNumber: string;
  /** Grants that are not IAM policies but act like them (a bucket's default object ACL). */
  extraBindings?: Binding[];
}

/**
 * Whether `member` holds `permission` through the resource's policies or the project's policy
 * (and the project's implicit grants). Conditional bindings are not evaluated and grant nothing.
 */
export function holdsPermission(services: EmulatorServices, query: GrantQuery): boolean {
  const bindings = [...query.resourcePolicies.flatMap((key) => services.iamPolicies.bindings(key)), ...(query.extraBindings ?? [])];
  const grantedHere = bindings.some(
    (binding) =>
      !binding.condition &&
      roleGrants(binding.role, query.permission) &&
      binding.members.some((candidate) => memberMatches(services, candidate, query.member)),
  );
  if (grantedHere) return true;
  for (const role of projectRolesOf(services, query.projectNumber, query.member)) {
    if (roleGrants(role, query.permission)) return true;
  }
  return false;
}
