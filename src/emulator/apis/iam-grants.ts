// Who may do what, for the checks the emulated services make on behalf of a service account
// (Cloud Build reading its source and pushing its images, Cloud Run mounting a bucket): which
// permissions a predefined role carries, and whether a member holds a permission through the IAM
// policies of a resource and of its project. Role contents are Google's, as the IAM roles API
// lists them (dump of roles.get in github.com/iann0036/iam-dataset, gcp/roles/*.json, Aug 2026),
// cut down to the permissions the emulator checks.
import type { Binding } from '../core/iam-policy.js';
import type { EmulatorServices } from '../core/services.js';

const OBJECT_READ = ['storage.objects.get', 'storage.objects.list'];
const OBJECT_WRITE = [...OBJECT_READ, 'storage.objects.create', 'storage.objects.delete', 'storage.objects.update'];
const BUCKET_ADMIN = [
  'storage.buckets.get',
  'storage.buckets.list',
  'storage.buckets.create',
  'storage.buckets.delete',
  'storage.buckets.update',
  'storage.buckets.getIamPolicy',
  'storage.buckets.setIamPolicy',
];
const AR_READ = ['artifactregistry.repositories.downloadArtifacts'];
const AR_WRITE = [...AR_READ, 'artifactregistry.repositories.uploadArtifacts'];

/**
 * The checked permissions each predefined role carries. Note what the basic roles lack: Owner and
 * Editor carry no `storage.objects.*` and no `storage.buckets.get` — project members reach a
 * bucket's objects through the convenience values (`projectEditor:P`, …) in the bucket's policy.
 */
const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/owner': ['storage.buckets.list', 'storage.buckets.create', 'storage.buckets.delete', ...AR_WRITE],
  'roles/editor': ['storage.buckets.list', 'storage.buckets.create', 'storage.buckets.delete', ...AR_WRITE],
  'roles/viewer': ['storage.buckets.list', ...AR_READ],
  'roles/storage.admin': [...OBJECT_WRITE, ...BUCKET_ADMIN],
  'roles/storage.objectAdmin': OBJECT_WRITE,
  'roles/storage.objectUser': OBJECT_WRITE,
  'roles/storage.objectCreator': ['storage.objects.create'],
  'roles/storage.objectViewer': OBJECT_READ,
  'roles/storage.bucketViewer': ['storage.buckets.get', 'storage.buckets.list'],
  'roles/storage.legacyBucketOwner': [
    'storage.objects.list',
    'storage.objects.create',
    'storage.objects.delete',
    'storage.buckets.get',
    'storage.buckets.update',
    'storage.buckets.getIamPolicy',
    'storage.buckets.setIamPolicy',
  ],
  'roles/storage.legacyBucketWriter': ['storage.objects.list', 'storage.objects.create', 'storage.objects.delete', 'storage.buckets.get'],
  'roles/storage.legacyBucketReader': ['storage.objects.list', 'storage.buckets.get'],
  'roles/storage.legacyObjectOwner': ['storage.objects.get', 'storage.objects.update'],
  'roles/storage.legacyObjectReader': ['storage.objects.get'],
  'roles/artifactregistry.admin': AR_WRITE,
  'roles/artifactregistry.repoAdmin': AR_WRITE,
  'roles/artifactregistry.writer': AR_WRITE,
  'roles/artifactregistry.createOnPushWriter': AR_WRITE,
  'roles/artifactregistry.createOnPushRepoAdmin': AR_WRITE,
  'roles/artifactregistry.reader': AR_READ,
  'roles/cloudbuild.builds.builder': [
    ...OBJECT_WRITE,
    'storage.buckets.get',
    'storage.buckets.list',
    'storage.buckets.create',
    ...AR_WRITE,
  ],
  'roles/run.builder': ['storage.objects.get', ...AR_WRITE],
};

/** Whether a predefined role carries the permission (custom and unknown roles carry nothing here). */
export function roleGrants(role: string, permission: string): boolean {
  return ROLE_PERMISSIONS[role]?.includes(permission) ?? false;
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
