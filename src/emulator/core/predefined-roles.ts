// The predefined IAM roles the emulator knows: those the tool grants, documents or checks, written by
// hand from Google's IAM roles and permissions reference pages (each role cites its page). Google's
// roles hold many more permissions than listed here: a role lists only the permissions of services
// the emulator serves (Cloud Run services, Cloud Storage buckets and objects, Artifact Registry
// repositories, Secret Manager, IAM service accounts, Cloud Build builds, Cloud Logging entries,
// Memorystore, Filestore, Compute networks, Resource Manager projects, Service Usage), so roles.get
// answers a subset of Google's `includedPermissions`. The basic roles (owner, editor, viewer) are not
// here: Google's hold thousands of permissions (core/iam-catalog.ts says how the emulator treats them).

export interface PredefinedRole {
  name: string;
  title: string;
  description: string;
  includedPermissions: readonly string[];
  stage: 'GA' | 'BETA';
  /** Where the role was read. */
  source: string;
}

const ROLES_PAGE = 'https://cloud.google.com/iam/docs/roles-permissions';
const RUN = `${ROLES_PAGE}/run`;
const STORAGE = 'https://cloud.google.com/storage/docs/access-control/iam-roles';
/** The legacy bucket and object roles' permissions, as Google's Java client documents them. */
const STORAGE_LEGACY = 'https://cloud.google.com/java/docs/reference/google-cloud-storage/latest/com.google.cloud.storage.StorageRoles';
const LOGGING = `${ROLES_PAGE}/logging`;
const ARTIFACT_REGISTRY = `${ROLES_PAGE}/artifactregistry`;
const SECRET_MANAGER = `${ROLES_PAGE}/secretmanager`;
const IAM = `${ROLES_PAGE}/iam`;
const CLOUD_BUILD = `${ROLES_PAGE}/cloudbuild`;
const REDIS = `${ROLES_PAGE}/redis`;
const FILESTORE = `${ROLES_PAGE}/file`;
const COMPUTE = `${ROLES_PAGE}/compute`;
const RESOURCE_MANAGER = `${ROLES_PAGE}/resourcemanager`;
const SERVICE_USAGE = `${ROLES_PAGE}/serviceusage`;

/** `prefix` + each verb: `perms('run.services.', 'get list')`. */
function perms(prefix: string, verbs: string): string[] {
  return verbs.split(' ').map((verb) => `${prefix}${verb}`);
}

/** Most predefined roles also carry these two (the pages list them role by role). */
const PROJECT_READ = perms('resourcemanager.projects.', 'get list');

const RUN_READ = [
  ...perms('run.configurations.', 'get list'),
  'run.locations.list',
  ...perms('run.operations.', 'get list'),
  ...perms('run.revisions.', 'get list'),
  ...perms('run.routes.', 'get list'),
  ...perms('run.services.', 'get getIamPolicy list'),
];
const RUN_WRITE = [
  ...RUN_READ,
  'run.operations.delete',
  'run.revisions.delete',
  'run.routes.invoke',
  ...perms('run.services.', 'create delete update'),
];

const OBJECTS_READ = [...perms('storage.managedFolders.', 'get list'), ...perms('storage.objects.', 'get list')];
const OBJECTS_WRITE = [
  ...perms('storage.managedFolders.', 'create delete get list'),
  ...perms('storage.objects.', 'create delete get list update'),
];
const OBJECTS_ADMIN = [
  ...perms('storage.managedFolders.', 'create delete get getIamPolicy list setIamPolicy'),
  ...perms('storage.objects.', 'create delete get getIamPolicy list setIamPolicy update'),
];

const AR_READ = [
  ...perms('artifactregistry.dockerimages.', 'get list'),
  ...perms('artifactregistry.locations.', 'get list'),
  ...perms('artifactregistry.repositories.', 'downloadArtifacts get list'),
];
const AR_WRITE = [...AR_READ, 'artifactregistry.repositories.uploadArtifacts'];
const AR_REPO_ADMIN = [...AR_WRITE, 'artifactregistry.repositories.deleteArtifacts'];

const SECRETS_ALL = [
  ...perms('secretmanager.locations.', 'get list'),
  ...perms('secretmanager.secrets.', 'create delete get getIamPolicy list setIamPolicy update'),
  ...perms('secretmanager.versions.', 'access add destroy disable enable get list'),
];

const ACCOUNT_TOKENS = perms('iam.serviceAccounts.', 'get getAccessToken getOpenIdToken list');

const REDIS_OPERATIONS = [...perms('redis.locations.', 'get list'), ...perms('redis.operations.', 'get list')];
const NETWORKS = [
  ...perms('compute.networks.', 'create delete get list update'),
  ...perms('compute.subnetworks.', 'create delete get list update'),
  'compute.globalOperations.get',
  'compute.regionOperations.get',
];

function role(
  name: string,
  title: string,
  description: string,
  source: string,
  includedPermissions: string[],
  stage: 'GA' | 'BETA' = 'GA',
): PredefinedRole {
  // Google lists a role's permissions sorted.
  return { name, title, description, source, stage, includedPermissions: [...new Set(includedPermissions)].sort() };
}

export const PREDEFINED_ROLES: readonly PredefinedRole[] = [
  // Cloud Run
  role('roles/run.admin', 'Cloud Run Admin', 'Full control over all Cloud Run resources.', RUN, [
    ...PROJECT_READ,
    ...RUN_WRITE,
    'run.services.setIamPolicy',
  ]),
  role('roles/run.developer', 'Cloud Run Developer', 'Read and write access to all Cloud Run resources.', RUN, [
    ...PROJECT_READ,
    ...RUN_WRITE,
  ]),
  role('roles/run.invoker', 'Cloud Run Invoker', 'Can invoke Cloud Run services and execute Cloud Run jobs.', RUN, ['run.routes.invoke']),
  role('roles/run.builder', 'Cloud Run Builder', 'Can build Cloud Run functions and source deployed services.', RUN, [
    ...perms('artifactregistry.repositories.', 'deleteArtifacts downloadArtifacts uploadArtifacts'),
    'logging.logEntries.create',
    'storage.objects.get',
  ]),
  // Cloud Storage
  role('roles/storage.admin', 'Storage Admin', 'Grants full control of buckets and objects.', STORAGE, [
    ...PROJECT_READ,
    ...perms('storage.buckets.', 'create delete get getIamPolicy list setIamPolicy update'),
    ...OBJECTS_ADMIN,
  ]),
  role(
    'roles/storage.objectAdmin',
    'Storage Object Admin',
    'Grants full control over objects, including listing, creating, viewing, and deleting objects.',
    STORAGE,
    [...PROJECT_READ, ...OBJECTS_ADMIN],
  ),
  role(
    'roles/storage.objectUser',
    'Storage Object User',
    'Grants access to create, view, list, update, and delete objects and managed folders, along with their metadata. Does not give permission to get or set ACLs or IAM policies.',
    STORAGE,
    [...PROJECT_READ, ...OBJECTS_WRITE],
  ),
  role(
    'roles/storage.objectCreator',
    'Storage Object Creator',
    'Allows users to create objects. Does not give permission to view, delete, or replace objects.',
    STORAGE,
    [...PROJECT_READ, 'storage.managedFolders.create', 'storage.objects.create'],
  ),
  role(
    'roles/storage.objectViewer',
    'Storage Object Viewer',
    'Grants access to view objects and their metadata, excluding ACLs. Can also list the objects and managed folders in a bucket.',
    STORAGE,
    [...PROJECT_READ, ...OBJECTS_READ],
  ),
  role(
    'roles/storage.bucketViewer',
    'Storage Bucket Viewer (Beta)',
    'Grants permission to view buckets and their metadata, excluding IAM policies.',
    STORAGE,
    [...PROJECT_READ, ...perms('storage.buckets.', 'get list')],
    'BETA',
  ),
  role(
    'roles/storage.legacyBucketOwner',
    'Storage Legacy Bucket Owner',
    'Read and write access to existing buckets with object listing/creation/deletion.',
    STORAGE_LEGACY,
    [...perms('storage.buckets.', 'get getIamPolicy setIamPolicy update'), ...perms('storage.objects.', 'create delete list')],
  ),
  role(
    'roles/storage.legacyBucketWriter',
    'Storage Legacy Bucket Writer',
    'Read access to buckets with object listing/creation/deletion.',
    STORAGE_LEGACY,
    ['storage.buckets.get', ...perms('storage.objects.', 'create delete list')],
  ),
  role('roles/storage.legacyBucketReader', 'Storage Legacy Bucket Reader', 'Read access to buckets with object listing.', STORAGE_LEGACY, [
    'storage.buckets.get',
    'storage.objects.list',
  ]),
  role(
    'roles/storage.legacyObjectOwner',
    'Storage Legacy Object Owner',
    'Read/write access to existing objects without listing.',
    STORAGE_LEGACY,
    [...perms('storage.objects.', 'get getIamPolicy setIamPolicy update')],
  ),
  role('roles/storage.legacyObjectReader', 'Storage Legacy Object Reader', 'Read access to objects without listing.', STORAGE_LEGACY, [
    'storage.objects.get',
  ]),
  // Cloud Logging
  role('roles/logging.logWriter', 'Logs Writer', 'Provides the permissions to write log entries.', LOGGING, ['logging.logEntries.create']),
  // Artifact Registry
  role('roles/artifactregistry.reader', 'Artifact Registry Reader', 'Access to read repository items.', ARTIFACT_REGISTRY, AR_READ),
  role(
    'roles/artifactregistry.writer',
    'Artifact Registry Writer',
    'Access to read and write repository items.',
    ARTIFACT_REGISTRY,
    AR_WRITE,
  ),
  role(
    'roles/artifactregistry.createOnPushWriter',
    'Artifact Registry Create-on-Push Writer',
    'Access to read and write repository items, and to create a new repository on push.',
    ARTIFACT_REGISTRY,
    [...AR_WRITE, 'artifactregistry.repositories.createOnPush'],
  ),
  role(
    'roles/artifactregistry.repoAdmin',
    'Artifact Registry Repository Administrator',
    'Access to manage artifacts in repositories.',
    ARTIFACT_REGISTRY,
    AR_REPO_ADMIN,
  ),
  role(
    'roles/artifactregistry.createOnPushRepoAdmin',
    'Artifact Registry Create-on-Push Repository Administrator',
    'Access to manage artifacts in repositories, and to create a new repository on push.',
    ARTIFACT_REGISTRY,
    [...AR_REPO_ADMIN, 'artifactregistry.repositories.createOnPush'],
  ),
  role(
    'roles/artifactregistry.admin',
    'Artifact Registry Administrator',
    'Administrator access to create and manage repositories.',
    ARTIFACT_REGISTRY,
    [
      ...PROJECT_READ,
      ...AR_REPO_ADMIN,
      ...perms('artifactregistry.repositories.', 'create createOnPush delete getIamPolicy setIamPolicy update'),
    ],
  ),
  // Secret Manager
  role('roles/secretmanager.secretAccessor', 'Secret Manager Secret Accessor', 'Allows accessing the payload of secrets.', SECRET_MANAGER, [
    ...PROJECT_READ,
    'secretmanager.versions.access',
  ]),
  role('roles/secretmanager.admin', 'Secret Manager Admin', 'Full access to administer Secret Manager resources.', SECRET_MANAGER, [
    ...PROJECT_READ,
    ...SECRETS_ALL,
  ]),
  // IAM
  role('roles/iam.serviceAccountUser', 'Service Account User', 'Run operations as the service account.', IAM, [
    ...PROJECT_READ,
    ...perms('iam.serviceAccounts.', 'actAs get list'),
  ]),
  role(
    'roles/iam.workloadIdentityUser',
    'Workload Identity User',
    'Impersonate service accounts from federated workloads.',
    IAM,
    ACCOUNT_TOKENS,
  ),
  role('roles/iam.serviceAccountAdmin', 'Service Account Admin', 'Create and manage service accounts.', IAM, [
    ...PROJECT_READ,
    ...perms('iam.serviceAccounts.', 'create delete disable enable get getIamPolicy list setIamPolicy undelete update'),
  ]),
  role(
    'roles/iam.serviceAccountTokenCreator',
    'Service Account Token Creator',
    'Impersonate service accounts (create OAuth2 access tokens, sign blobs or JWTs, etc).',
    IAM,
    [...PROJECT_READ, ...ACCOUNT_TOKENS, ...perms('iam.serviceAccounts.', 'implicitDelegation signBlob signJwt')],
  ),
  // Cloud Build
  role('roles/cloudbuild.builds.editor', 'Cloud Build Editor', 'Provides access to create and cancel builds.', CLOUD_BUILD, [
    ...PROJECT_READ,
    ...perms('cloudbuild.builds.', 'create get list update'),
  ]),
  role('roles/cloudbuild.builds.builder', 'Cloud Build Service Account', 'Can perform builds', CLOUD_BUILD, [
    ...PROJECT_READ,
    ...AR_WRITE,
    'artifactregistry.repositories.createOnPush',
    ...perms('cloudbuild.builds.', 'create get list update'),
    'logging.logEntries.create',
    ...perms('storage.buckets.', 'create get list'),
    ...perms('storage.objects.', 'create delete get list update'),
  ]),
  // Memorystore for Redis and Filestore
  role('roles/redis.admin', 'Cloud Memorystore Redis Admin', 'Full control over Cloud Memorystore Redis resources.', REDIS, [
    ...PROJECT_READ,
    ...REDIS_OPERATIONS,
    ...perms('redis.instances.', 'create delete get getAuthString list update'),
  ]),
  role(
    'roles/redis.editor',
    'Cloud Memorystore Redis Editor',
    "Modify Cloud Memorystore Redis instances. Can't create or delete instances.",
    REDIS,
    [...PROJECT_READ, ...REDIS_OPERATIONS, ...perms('redis.instances.', 'get list update')],
  ),
  role('roles/file.editor', 'Cloud Filestore Editor', 'Read-write access to Cloud Filestore instances and related resources.', FILESTORE, [
    ...PROJECT_READ,
    ...perms('file.instances.', 'create delete get list update'),
    ...perms('file.locations.', 'get list'),
    ...perms('file.operations.', 'get list'),
  ]),
  // Compute Engine networking
  role(
    'roles/compute.networkAdmin',
    'Compute Network Admin',
    'Permissions to create, modify, and delete networking resources, except for firewall rules and SSL certificates.',
    COMPUTE,
    [...PROJECT_READ, ...NETWORKS],
  ),
  // Resource Manager and Service Usage
  role('roles/resourcemanager.projectIamAdmin', 'Project IAM Admin', "Access and administer a project's IAM policies.", RESOURCE_MANAGER, [
    ...perms('resourcemanager.projects.', 'get getIamPolicy setIamPolicy'),
  ]),
  role(
    'roles/serviceusage.serviceUsageAdmin',
    'Service Usage Admin',
    'Ability to enable, disable, and inspect service states, inspect operations, and consume quota and billing for a consumer project.',
    SERVICE_USAGE,
    [...perms('serviceusage.operations.', 'get list'), ...perms('serviceusage.services.', 'disable enable get list use')],
  ),
  role(
    'roles/serviceusage.serviceUsageConsumer',
    'Service Usage Consumer',
    'Ability to inspect service states and operations, and consume quota and billing for a consumer project.',
    SERVICE_USAGE,
    [...perms('serviceusage.operations.', 'get list'), ...perms('serviceusage.services.', 'get list use')],
  ),
];
