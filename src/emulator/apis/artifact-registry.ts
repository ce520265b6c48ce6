// Artifact Registry v1 (google.devtools.artifactregistry.v1.ArtifactRegistry): docker
// repositories (standard, remote, virtual), the docker images they hold, their IAM policies, and
// the registry (docker-registry.ts) that serves their manifests. Shapes follow
// test/emulator/recordings/artifactregistry-*.http.log: create and delete are long-running
// operations whose effect lands when the operation is done; the operation's Repository has no
// createTime/updateTime/registryUri, an update's answer no registryUri, Get and List have them all.
//
// Images. A standard repository holds what was pushed — here, what Cloud Build registered with
// `registerImage`. A remote repository answers for its upstream: a tag the upstream has (for the
// images apis/upstream-tags.ts lists, such as ghcr.io/runatlantis/atlantis, exactly those; for
// others any release-like tag: `v1.2.3`, `1.2.3`, `v1.2`, `latest`, each with an optional
// `-suffix`) resolves to a synthesized manifest
// whose bytes, and so whose digest, depend only on the upstream URI, the image path and the tag
// (the same every time, in every emulator process), and is cached once served — it then appears in
// ListDockerImages, as with a real remote repository. Other tags answer MANIFEST_UNKNOWN, so a typo
// in a version fails clearly. A virtual repository resolves through its upstream repositories,
// highest priority first. Manifests are kept by digest in one content-addressed collection.
//
// Public images (see `imageStatus`): Docker Hub, gcr.io, and Artifact Registry paths of
// projects the emulator has no Artifact Registry state for at all (such as
// us-docker.pkg.dev/cloudrun/container/hello); the registry serves the latter like a remote
// repository would (release-like tags, synthesized and stable).
import { createHash, randomUUID } from 'node:crypto';
import { CLOUD_RUN_REGIONS } from '../../config/regions.js';
import { defineApi, method, restRoute, type CallContext } from '../core/api.js';
import { serviceDisabledError } from '../core/call-pipeline.js';
import { ApiError, badRequest, ENTITY_NOT_FOUND } from '../core/errors.js';
import { typeUrlOf } from '../core/json-codec.js';
import { camelCase, cloneJson, isJsonObject, jsonText, type JsonObject, type JsonValue } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';
import type { Collection } from '../core/state.js';
import {
  DIGEST,
  dockerRegistryRoutes,
  RegistryError,
  type RegistrySource,
  type RegistryTarget,
  type ServedManifest,
} from './docker-registry.js';
import { upstreamHasTag, upstreamTags } from './upstream-tags.js';

const API = 'artifactregistry.googleapis.com';
const SERVICE = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
const TITLE = 'Artifact Registry API';

const REPOSITORIES = 'artifactregistry.repositories';
const IMAGES = 'artifactregistry.dockerImages';
const MANIFESTS = 'artifactregistry.manifests';

/** Regions where Artifact Registry keeps repositories, plus its multi-regions. */
const LOCATIONS: ReadonlySet<string> = new Set<string>([...CLOUD_RUN_REGIONS, 'us', 'europe', 'asia']);

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);

/** Tags that look like releases: `v1.2.3`, `1.2.3`, `v1.2`, `1.2`, `latest`, each with an optional `-suffix`. */
const RELEASE_TAG = /^(?:v?\d+\.\d+(?:\.\d+)?|latest)(?:-[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

// ─── Records ─────────────────────────────────────────────────────────────────────────────────

type Mode = 'STANDARD_REPOSITORY' | 'VIRTUAL_REPOSITORY' | 'REMOTE_REPOSITORY';

interface RepositoryRecord {
  name: string;
  projectId: string;
  location: string;
  repositoryId: string;
  format: 'DOCKER';
  mode: Mode;
  /** The settable fields as accepted: description, labels, remoteRepositoryConfig, dockerConfig, … */
  fields: JsonObject;
  /** RFC 3339. */
  createTime: string;
  updateTime: string;
}

interface ImageManifestEntry {
  digest: string;
  mediaType: string;
  architecture: string;
  os: string;
  variant?: string;
}

interface DockerImageRecord {
  /** The repository's resource name. */
  repository: string;
  /** The image path inside the repository: `runatlantis/atlantis`. */
  image: string;
  digest: string;
  tags: string[];
  mediaType: string;
  imageSizeBytes: number;
  uploadTime: string;
  updateTime: string;
  buildTime?: string;
  /** An index's platform manifests. */
  manifests?: ImageManifestEntry[];
}

/** A manifest's exact bytes, kept by digest (content-addressed, so shared by every repository). */
interface ManifestRecord {
  mediaType: string;
  body: string;
}

function repositories(services: EmulatorServices): Collection<RepositoryRecord> {
  return services.store.collection<RepositoryRecord>(REPOSITORIES);
}

function images(services: EmulatorServices): Collection<DockerImageRecord> {
  return services.store.collection<DockerImageRecord>(IMAGES);
}

function manifests(services: EmulatorServices): Collection<ManifestRecord> {
  return services.store.collection<ManifestRecord>(MANIFESTS);
}

function imageKey(repository: string, image: string, digest: string): string {
  return `${repository}/dockerImages/${encodeURIComponent(image)}@${digest}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function digestOf(body: string): string {
  return `sha256:${sha256(body)}`;
}

/** A stable number in [0, modulo) drawn from `seed`. */
function stableNumber(seed: string, modulo: number): number {
  return parseInt(sha256(seed).slice(0, 12), 16) % modulo;
}

function storeManifest(services: EmulatorServices, mediaType: string, body: string): string {
  const digest = digestOf(body);
  const store = manifests(services);
  if (!store.has(digest)) store.set(digest, { mediaType, body });
  return digest;
}

// ─── Names ───────────────────────────────────────────────────────────────────────────────────

const PARENT = /^projects\/([^/]+)\/locations\/([^/]+)$/;
const REPOSITORY_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/;
const DOCKER_IMAGE_NAME = /^(projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/]+)\/dockerImages\/(.+)@(sha256:[a-f0-9]{64})$/;
const REPOSITORY_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

function invalidArgument(field: string, description: string, message = description): ApiError {
  return new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field, description }])]);
}

function notFound(): ApiError {
  return new ApiError('NOT_FOUND', ENTITY_NOT_FOUND);
}

function repositoryName(projectId: string, location: string, repositoryId: string): string {
  return `projects/${projectId}/locations/${location}/repositories/${repositoryId}`;
}

/** `REGION-docker.pkg.dev/PROJECT/REPOSITORY` (the multi-region `us` → `us-docker.pkg.dev`). */
function registryUriOf(repo: RepositoryRecord): string {
  return `${repo.location}-docker.pkg.dev/${repo.projectId}/${repo.repositoryId}`;
}

function checkLocation(location: string, field: string): void {
  if (!LOCATIONS.has(location)) {
    // Google answers an unknown location with its generic message; the detail names the location.
    throw invalidArgument(
      field,
      `Location "${location}" is not a valid Artifact Registry location.`,
      'Request contains an invalid argument.',
    );
  }
}

function parseParent(parent: string, services: EmulatorServices): { project: ProjectRecord; location: string } {
  const match = PARENT.exec(parent ?? '');
  if (!match) throw invalidArgument('parent', `Invalid parent "${parent ?? ''}": expected projects/{project}/locations/{location}.`);
  const project = services.projects.require(match[1], API);
  checkLocation(match[2], 'parent');
  return { project, location: match[2] };
}

/** The canonical name (project id, not number) of a repository name, or undefined when it is malformed. */
function canonicalRepositoryName(name: string, services: EmulatorServices): string | undefined {
  const match = REPOSITORY_NAME.exec(name ?? '');
  if (!match) return undefined;
  const project = services.projects.find(match[1]);
  return project ? repositoryName(project.projectId, match[2], match[3]) : undefined;
}

function findRepository(name: string, services: EmulatorServices): RepositoryRecord | undefined {
  const canonical = canonicalRepositoryName(name, services);
  return canonical ? repositories(services).get(canonical) : undefined;
}

function requireRepository(name: string, services: EmulatorServices): RepositoryRecord {
  if (!REPOSITORY_NAME.test(name ?? '')) {
    throw invalidArgument(
      'name',
      `Invalid repository name "${name ?? ''}": expected projects/{project}/locations/{location}/repositories/{repository}.`,
    );
  }
  const repo = findRepository(name, services);
  if (!repo) throw notFound();
  return repo;
}

function checkRepositoryId(repositoryId: string): void {
  if (!repositoryId) throw invalidArgument('repository_id', 'Repository ID must be specified.');
  if (!REPOSITORY_ID.test(repositoryId)) {
    throw invalidArgument(
      'repository_id',
      `Invalid repository ID "${repositoryId}": it must start with a lowercase letter, contain only lowercase letters, numbers and hyphens, end with a letter or a number, and be at most 63 characters long.`,
    );
  }
}

/**
 * Whether the emulator holds Artifact Registry state for a project: the API was ever enabled there
 * or a repository exists in it. Read from the state directly, so asking never records a project.
 */
// Google-owned projects that publish public images in Artifact Registry (Cloud Run's sample
// `us-docker.pkg.dev/cloudrun/container/hello`, the Google samples). Any other project is the
// caller's own: its API must be enabled and its repositories must exist — even before the emulator
// has seen any call for it, as a real project answers 403/404 to a pull from a repository that is
// not there (a deploy resolves its image while the repository is still being created).
const PUBLIC_PROJECTS = new Set(['cloudrun', 'google-samples', 'serverless-runtimes']);

function isEmulatedProject(_services: EmulatorServices, projectId: string): boolean {
  return !PUBLIC_PROJECTS.has(projectId);
}

// ─── Repository validation ───────────────────────────────────────────────────────────────────

const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;
const SECRET_VERSION = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/;
/** Fields a caller sets; the rest of a Repository is output only (and ignored when sent, as gcloud does in a PATCH). */
const SETTABLE = [
  'description',
  'labels',
  'kmsKeyName',
  'cleanupPolicies',
  'cleanupPolicyDryRun',
  'dockerConfig',
  'remoteRepositoryConfig',
  'virtualRepositoryConfig',
  'vulnerabilityScanningConfig',
  'disallowUnspecifiedMode',
] as const;

function checkLabels(labels: JsonValue | undefined): void {
  if (!isJsonObject(labels)) return;
  const entries = Object.entries(labels);
  if (entries.length > 64) throw invalidArgument('repository.labels', 'A repository can have at most 64 labels.');
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key))
      throw invalidArgument(
        `repository.labels[${key}]`,
        `Invalid label key "${key}": keys must start with a lowercase letter and contain at most 63 lowercase letters, digits, underscores and hyphens.`,
      );
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      throw invalidArgument(
        `repository.labels[${key}]`,
        `Invalid value for label "${key}": values contain at most 63 lowercase letters, digits, underscores and hyphens.`,
      );
    }
  }
}

function isHttpsUrl(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

const AR_URI = /^(?:https:\/\/)?([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\/?$/;

/** A docker remote upstream: DOCKER_HUB, a custom URI (not Artifact Registry), or a common repository URI. */
function checkRemoteConfig(config: JsonObject): void {
  const docker = config.dockerRepository;
  const common = config.commonRepository;
  const other = ['mavenRepository', 'npmRepository', 'pythonRepository', 'aptRepository', 'yumRepository'].find(
    (key) => config[key] !== undefined,
  );
  if (other)
    throw invalidArgument(
      `repository.remote_repository_config.${other}`,
      `Remote repository config ${other} does not match the repository format DOCKER.`,
    );
  if (isJsonObject(docker)) {
    const custom = docker.customRepository;
    if (isJsonObject(custom)) {
      const uri = typeof custom.uri === 'string' ? custom.uri : '';
      if (!isHttpsUrl(uri))
        throw invalidArgument(
          'repository.remote_repository_config.docker_repository.custom_repository.uri',
          `Invalid custom remote repository URI "${uri}": expected an https:// URL.`,
        );
      if (AR_URI.test(uri)) {
        throw invalidArgument(
          'repository.remote_repository_config.docker_repository.custom_repository.uri',
          'Failed to validate remote upstream: generic::invalid_argument: Artifact Registry repositories not supported as custom remote repository URI',
        );
      }
    } else if (docker.publicRepository !== 'DOCKER_HUB') {
      throw invalidArgument(
        'repository.remote_repository_config.docker_repository',
        'A docker remote repository needs an upstream: public_repository DOCKER_HUB or a custom_repository uri.',
      );
    }
  } else if (isJsonObject(common)) {
    const uri = typeof common.uri === 'string' ? common.uri : '';
    if (!isHttpsUrl(uri) && !REPOSITORY_NAME.test(uri)) {
      throw invalidArgument(
        'repository.remote_repository_config.common_repository.uri',
        `Invalid common remote repository URI "${uri}": expected an https:// URL or an Artifact Registry repository name.`,
      );
    }
  } else {
    throw invalidArgument(
      'repository.remote_repository_config',
      'A remote repository needs an upstream: remote_repository_config.docker_repository or common_repository.',
    );
  }
  const credentials = config.upstreamCredentials;
  if (isJsonObject(credentials) && isJsonObject(credentials.usernamePasswordCredentials)) {
    const version = credentials.usernamePasswordCredentials.passwordSecretVersion;
    if (typeof version !== 'string' || !SECRET_VERSION.test(version)) {
      throw invalidArgument(
        'repository.remote_repository_config.upstream_credentials.username_password_credentials.password_secret_version',
        `Invalid secret version "${jsonText(version)}": expected projects/{project}/secrets/{secret}/versions/{version}.`,
      );
    }
  }
}

function checkVirtualConfig(config: JsonObject, project: ProjectRecord, location: string, services: EmulatorServices): void {
  const policies = Array.isArray(config.upstreamPolicies) ? (config.upstreamPolicies as JsonObject[]) : [];
  const ids = new Set<string>();
  for (const [index, policy] of policies.entries()) {
    const field = `repository.virtual_repository_config.upstream_policies[${index}]`;
    const id = typeof policy.id === 'string' ? policy.id : '';
    if (!id || ids.has(id)) throw invalidArgument(`${field}.id`, `Upstream policy ids must be set and unique; got "${id}".`);
    ids.add(id);
    const upstream = typeof policy.repository === 'string' ? findRepository(policy.repository, services) : undefined;
    if (!upstream || upstream.projectId !== project.projectId || upstream.location !== location) {
      throw invalidArgument(
        `${field}.repository`,
        `Upstream repository "${jsonText(policy.repository)}" does not exist in projects/${project.projectId}/locations/${location}.`,
      );
    }
    if (upstream.mode === 'VIRTUAL_REPOSITORY')
      throw invalidArgument(`${field}.repository`, `Upstream repository "${upstream.name}" is a virtual repository.`);
  }
}

/** Mode-specific and field-level rules, for a new repository or the result of an update. */
function checkRepositoryFields(mode: Mode, fields: JsonObject, project: ProjectRecord, location: string, services: EmulatorServices): void {
  checkLabels(fields.labels);
  if (fields.remoteRepositoryConfig !== undefined && mode !== 'REMOTE_REPOSITORY') {
    throw invalidArgument(
      'repository.remote_repository_config',
      'remote_repository_config can only be set for repositories in mode REMOTE_REPOSITORY.',
    );
  }
  if (fields.virtualRepositoryConfig !== undefined && mode !== 'VIRTUAL_REPOSITORY') {
    throw invalidArgument(
      'repository.virtual_repository_config',
      'virtual_repository_config can only be set for repositories in mode VIRTUAL_REPOSITORY.',
    );
  }
  if (mode === 'REMOTE_REPOSITORY') {
    if (!isJsonObject(fields.remoteRepositoryConfig))
      throw invalidArgument(
        'repository.remote_repository_config',
        'A repository in mode REMOTE_REPOSITORY needs a remote_repository_config.',
      );
    checkRemoteConfig(fields.remoteRepositoryConfig);
  }
  if (mode === 'VIRTUAL_REPOSITORY')
    checkVirtualConfig(isJsonObject(fields.virtualRepositoryConfig) ? fields.virtualRepositoryConfig : {}, project, location, services);
  if (typeof fields.kmsKeyName === 'string' && !KMS_KEY.test(fields.kmsKeyName)) {
    throw invalidArgument(
      'repository.kms_key_name',
      `Invalid KMS key name "${fields.kmsKeyName}": expected projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}.`,
    );
  }
}

/** The accepted settable fields of a request's Repository (output-only and input-only fields dropped). */
function settableFields(repository: JsonObject): JsonObject {
  const fields: JsonObject = {};
  for (const key of SETTABLE) {
    if (repository[key] !== undefined) fields[key] = cloneJson(repository[key]!);
  }
  const remote = fields.remoteRepositoryConfig;
  if (isJsonObject(remote)) delete remote.disableUpstreamValidation; // INPUT_ONLY
  const scanning = fields.vulnerabilityScanningConfig;
  if (isJsonObject(scanning)) {
    // Only enablementConfig is the caller's; the rest is output.
    if (scanning.enablementConfig === undefined) delete fields.vulnerabilityScanningConfig;
    else fields.vulnerabilityScanningConfig = { enablementConfig: scanning.enablementConfig };
  }
  return fields;
}

function newRepository(
  request: { parent: string; repositoryId?: string; repository?: JsonObject },
  services: EmulatorServices,
  now: number,
): RepositoryRecord {
  const { project, location } = parseParent(request.parent, services);
  const repositoryId = request.repositoryId ?? '';
  checkRepositoryId(repositoryId);
  const repository = request.repository ?? {};
  const format = (repository.format as string | undefined) ?? 'FORMAT_UNSPECIFIED';
  if (format === 'FORMAT_UNSPECIFIED') throw invalidArgument('repository.format', 'Repository format must be specified.');
  if (format !== 'DOCKER') {
    throw new ApiError('UNIMPLEMENTED', `Repository format ${format} is not emulated: the emulator serves DOCKER repositories only.`);
  }
  let mode = ((repository.mode as string | undefined) ?? 'MODE_UNSPECIFIED') as Mode | 'MODE_UNSPECIFIED';
  if (mode === 'MODE_UNSPECIFIED') {
    if (repository.disallowUnspecifiedMode === true)
      throw invalidArgument('repository.mode', 'Repository mode must be specified (disallow_unspecified_mode is set).');
    mode = 'STANDARD_REPOSITORY';
  }
  const fields = settableFields(repository);
  checkRepositoryFields(mode, fields, project, location, services);
  const time = new Date(now).toISOString();
  return {
    name: repositoryName(project.projectId, location, repositoryId),
    projectId: project.projectId,
    location,
    repositoryId,
    format: 'DOCKER',
    mode,
    fields,
    createTime: time,
    updateTime: time,
  };
}

// ─── Rendering ───────────────────────────────────────────────────────────────────────────────

type RepositoryView = 'full' | 'operation' | 'update';

function scanningConfig(repo: RepositoryRecord): JsonObject {
  const enablementConfig = (repo.fields.vulnerabilityScanningConfig as JsonObject | undefined)?.enablementConfig;
  const json: JsonObject = enablementConfig ? { enablementConfig } : {};
  json.lastEnableTime = repo.createTime;
  if (repo.mode === 'VIRTUAL_REPOSITORY') {
    json.enablementState = 'SCANNING_UNSUPPORTED';
    json.enablementStateReason = 'Repository mode VIRTUAL_REPOSITORY is not supported.';
  } else if (enablementConfig === 'DISABLED') {
    json.enablementState = 'SCANNING_DISABLED';
    json.enablementStateReason = 'Scanning is disabled for this repository.';
  } else {
    // Container Scanning is not emulated, so it is never enabled.
    json.enablementState = 'SCANNING_DISABLED';
    json.enablementStateReason = 'API containerscanning.googleapis.com is not enabled.';
  }
  return json;
}

function repositorySize(repo: RepositoryRecord, services: EmulatorServices): number {
  return images(services)
    .values()
    .filter((image) => image.repository === repo.name)
    .reduce((total, image) => total + image.imageSizeBytes, 0);
}

/** google.devtools.artifactregistry.v1.Repository as Google renders it in each kind of answer. */
function repositoryJson(repo: RepositoryRecord, services: EmulatorServices, view: RepositoryView): JsonObject {
  const json: JsonObject = { name: repo.name, format: repo.format, mode: repo.mode };
  for (const [key, value] of Object.entries(repo.fields)) {
    if (key !== 'vulnerabilityScanningConfig') json[key] = cloneJson(value);
  }
  if (view !== 'operation') {
    json.createTime = repo.createTime;
    json.updateTime = repo.updateTime;
    const size = repositorySize(repo, services);
    if (size > 0) json.sizeBytes = String(size);
  }
  json.satisfiesPzi = true;
  json.vulnerabilityScanningConfig = scanningConfig(repo);
  if (view === 'full') json.registryUri = registryUriOf(repo);
  return json;
}

function dockerImageJson(image: DockerImageRecord): JsonObject {
  const repo = REPOSITORY_NAME.exec(image.repository)!;
  const json: JsonObject = {
    name: `${image.repository}/dockerImages/${encodeURIComponent(image.image)}@${image.digest}`,
    uri: `${repo[2]}-docker.pkg.dev/${repo[1]}/${repo[3]}/${image.image}@${image.digest}`,
    tags: [...image.tags],
    imageSizeBytes: String(image.imageSizeBytes),
    uploadTime: image.uploadTime,
    mediaType: image.mediaType,
    updateTime: image.updateTime,
  };
  if (image.buildTime) json.buildTime = image.buildTime;
  if (image.manifests?.length) {
    json.imageManifests = image.manifests.map((entry) => ({
      architecture: entry.architecture,
      os: entry.os,
      digest: entry.digest,
      mediaType: entry.mediaType,
      ...(entry.variant ? { variant: entry.variant } : {}),
    }));
  }
  return json;
}

const OPERATION_METADATA: JsonObject = { '@type': typeUrlOf('google.devtools.artifactregistry.v1.OperationMetadata') };

function startOperation(ctx: CallContext, repo: { projectId: string; location: string }, action: string, payload: JsonValue): JsonObject {
  const record = ctx.operations.start({
    name: `projects/${repo.projectId}/locations/${repo.location}/operations/${randomUUID()}`,
    api: API,
    metadata: OPERATION_METADATA,
    completion: { action, payload },
  });
  return ctx.operations.toJson(record);
}

function pendingCreate(services: EmulatorServices, name: string): boolean {
  return Object.values(services.store.data.operations).some(
    (operation) =>
      !operation.done &&
      operation.api === API &&
      operation.completion?.action === 'createRepository' &&
      (operation.completion.payload as { name?: string }).name === name,
  );
}

// ─── Updates ─────────────────────────────────────────────────────────────────────────────────

/** Update-mask paths that may change, per mode (`*` = every mode). Others are immutable or output only. */
const MUTABLE_PATHS: Record<string, Mode | '*'> = {
  description: '*',
  labels: '*',
  cleanupPolicies: '*',
  cleanupPolicyDryRun: '*',
  dockerConfig: '*',
  'dockerConfig.immutableTags': '*',
  vulnerabilityScanningConfig: '*',
  'vulnerabilityScanningConfig.enablementConfig': '*',
  disallowUnspecifiedMode: '*',
  virtualRepositoryConfig: 'VIRTUAL_REPOSITORY',
  'virtualRepositoryConfig.upstreamPolicies': 'VIRTUAL_REPOSITORY',
  'remoteRepositoryConfig.description': 'REMOTE_REPOSITORY',
  'remoteRepositoryConfig.upstreamCredentials': 'REMOTE_REPOSITORY',
};

function getPath(object: JsonObject, path: string[]): JsonValue | undefined {
  let node: JsonValue | undefined = object;
  for (const segment of path) node = isJsonObject(node) ? node[segment] : undefined;
  return node;
}

function setPath(object: JsonObject, path: string[], value: JsonValue | undefined): void {
  let node = object;
  for (const segment of path.slice(0, -1)) {
    if (!isJsonObject(node[segment])) node[segment] = {};
    node = node[segment];
  }
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = cloneJson(value);
}

function updatedRepository(
  repo: RepositoryRecord,
  requested: JsonObject,
  updateMask: string | undefined,
  services: EmulatorServices,
  now: number,
): RepositoryRecord {
  const given = settableFields(requested);
  let paths = (updateMask ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)
    .map((path) => path.split('.').map(camelCase).join('.'));
  // No mask: every settable field the request carries (output-only fields sent back are ignored).
  if (paths.length === 0) paths = Object.keys(given).filter((key) => MUTABLE_PATHS[key] !== undefined);
  const fields = cloneJson(repo.fields);
  for (const path of paths) {
    const allowed = MUTABLE_PATHS[path];
    if (allowed === undefined) {
      const top = path.split('.')[0];
      const known = [
        'name',
        'format',
        'mode',
        'kmsKeyName',
        'remoteRepositoryConfig',
        'createTime',
        'updateTime',
        'sizeBytes',
        'satisfiesPzs',
        'satisfiesPzi',
        'registryUri',
        'mavenConfig',
      ].includes(top);
      throw invalidArgument('update_mask', known ? `Field "${path}" cannot be updated.` : `Invalid update_mask path "${path}".`);
    }
    if (allowed !== '*' && allowed !== repo.mode)
      throw invalidArgument('update_mask', `Field "${path}" can only be updated on repositories in mode ${allowed}.`);
    const segments = path.split('.');
    setPath(fields, segments, getPath(given, segments));
  }
  const project = services.projects.require(repo.projectId, API);
  checkRepositoryFields(repo.mode, fields, project, repo.location, services);
  return { ...repo, fields, updateTime: new Date(now).toISOString() };
}

// ─── Images: resolution, caching, synthesis ──────────────────────────────────────────────────

interface Resolved {
  digest: string;
  mediaType: string;
  /** Undefined for an image registered by digest alone (its bytes were never seen). */
  body: string | undefined;
}

interface Synthesized {
  digest: string;
  mediaType: string;
  body: string;
  buildTime: string;
}

const PLATFORMS: Array<{ architecture: string; os: string; variant?: string }> = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux', variant: 'v8' },
];

/** An image manifest whose config and layer digests and sizes are drawn from `seed`. */
function manifestBody(seed: string, kind: 'oci' | 'docker'): string {
  const types =
    kind === 'oci'
      ? [MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociConfig, MEDIA_TYPES.ociLayer]
      : [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerConfig, MEDIA_TYPES.dockerLayer];
  const config = { mediaType: types[1], digest: `sha256:${sha256(`${seed}|config`)}`, size: 1_000 + stableNumber(`${seed}|config`, 8_000) };
  const layers = [0, 1, 2].map((i) => ({
    mediaType: types[2],
    digest: `sha256:${sha256(`${seed}|layer|${i}`)}`,
    size: 500_000 + stableNumber(`${seed}|layer|${i}`, 40_000_000),
  }));
  return JSON.stringify({ schemaVersion: 2, mediaType: types[0], config, layers });
}

/**
 * A multi-platform image (an OCI index of linux/amd64 and linux/arm64 manifests) whose bytes depend
 * only on `seed`, stored by digest. The same seed gives the same digest in every emulator process.
 */
function synthesizeIndex(services: EmulatorServices, seed: string): Synthesized {
  const entries = PLATFORMS.map((platform) => {
    const body = manifestBody(`${seed}|${platform.os}/${platform.architecture}`, 'oci');
    const digest = storeManifest(services, MEDIA_TYPES.ociManifest, body);
    return { mediaType: MEDIA_TYPES.ociManifest, digest, size: Buffer.byteLength(body), platform };
  });
  const body = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: entries });
  const digest = storeManifest(services, MEDIA_TYPES.ociIndex, body);
  // A stable build time within 2024–2025, as the upstream's config would say.
  const buildTime = new Date(Date.UTC(2024, 0, 1) + stableNumber(`${seed}|created`, 730 * 86_400) * 1000).toISOString();
  return { digest, mediaType: MEDIA_TYPES.ociIndex, body, buildTime };
}

function parseJson(body: string): JsonObject | undefined {
  try {
    const parsed = JSON.parse(body) as JsonValue;
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Config plus layer sizes of a manifest; for an index, of every platform manifest it lists. */
function imageSize(services: EmulatorServices, mediaType: string, body: string | undefined, digest: string): number {
  const parsed = body === undefined ? undefined : parseJson(body);
  if (!parsed) return 5_000_000 + stableNumber(digest, 100_000_000); // bytes never seen: a stable stand-in
  if (INDEX_TYPES.has(mediaType)) {
    const children = Array.isArray(parsed.manifests) ? (parsed.manifests as JsonObject[]) : [];
    return children.reduce((total, child) => {
      const stored = manifests(services).get(jsonText(child.digest));
      return total + (stored ? imageSize(services, stored.mediaType, stored.body, jsonText(child.digest)) : Number(child.size ?? 0));
    }, 0);
  }
  const blobs = [parsed.config, ...(Array.isArray(parsed.layers) ? parsed.layers : [])] as JsonObject[];
  return blobs.reduce((total, blob) => total + Number(blob?.size ?? 0), 0);
}

function platformEntries(mediaType: string, body: string | undefined): ImageManifestEntry[] | undefined {
  if (!INDEX_TYPES.has(mediaType) || body === undefined) return undefined;
  const parsed = parseJson(body);
  const children = Array.isArray(parsed?.manifests) ? (parsed.manifests as JsonObject[]) : [];
  return children.map((child) => {
    const platform = (isJsonObject(child.platform) ? child.platform : {}) as { architecture?: string; os?: string; variant?: string };
    return {
      digest: jsonText(child.digest),
      mediaType: jsonText(child.mediaType),
      architecture: platform.architecture ?? '',
      os: platform.os ?? '',
      ...(platform.variant ? { variant: platform.variant } : {}),
    };
  });
}

function imagesOf(services: EmulatorServices, repository: string, image?: string): DockerImageRecord[] {
  return images(services)
    .values()
    .filter((record) => record.repository === repository && (image === undefined || record.image === image));
}

/**
 * Records that `image@digest` is in the repository and moves `tag` (if any) to it: a pushed or
 * built image, or one a remote repository served and now caches.
 */
function recordImage(
  services: EmulatorServices,
  repo: RepositoryRecord,
  image: string,
  found: { digest: string; mediaType: string; body: string | undefined; buildTime?: string },
  tag: string | undefined,
  now: number,
): DockerImageRecord {
  const time = new Date(now).toISOString();
  const store = images(services);
  if (tag) {
    for (const other of imagesOf(services, repo.name, image)) {
      if (other.digest === found.digest || !other.tags.includes(tag)) continue;
      if ((repo.fields.dockerConfig as JsonObject | undefined)?.immutableTags === true) {
        throw new ApiError(
          'FAILED_PRECONDITION',
          `Tag "${tag}" of image "${image}" is immutable in repository ${repo.name}; it already points to ${other.digest}.`,
        );
      }
      store.set(imageKey(repo.name, image, other.digest), { ...other, tags: other.tags.filter((t) => t !== tag), updateTime: time });
    }
  }
  const key = imageKey(repo.name, image, found.digest);
  const existing = store.get(key);
  if (existing) {
    if (tag && !existing.tags.includes(tag)) store.set(key, { ...existing, tags: [...existing.tags, tag], updateTime: time });
    return store.get(key)!;
  }
  const manifestsOfIndex = platformEntries(found.mediaType, found.body);
  const record: DockerImageRecord = {
    repository: repo.name,
    image,
    digest: found.digest,
    tags: tag ? [tag] : [],
    mediaType: found.mediaType,
    imageSizeBytes: imageSize(services, found.mediaType, found.body, found.digest),
    uploadTime: time,
    updateTime: time,
    ...(found.buildTime ? { buildTime: found.buildTime } : {}),
    ...(manifestsOfIndex ? { manifests: manifestsOfIndex } : {}),
  };
  store.set(key, record);
  return record;
}

/** The manifest an image record (or one of its platform manifests) has for `digest`. */
function knownDigest(services: EmulatorServices, repository: string, image: string, digest: string): Resolved | undefined {
  for (const record of imagesOf(services, repository, image)) {
    if (record.digest === digest) return { digest, mediaType: record.mediaType, body: manifests(services).get(digest)?.body };
    const child = record.manifests?.find((entry) => entry.digest === digest);
    const stored = child && manifests(services).get(digest);
    if (stored) return { digest, mediaType: stored.mediaType, body: stored.body };
  }
  return undefined;
}

function knownTag(services: EmulatorServices, repository: string, image: string, tag: string): Resolved | undefined {
  const record = imagesOf(services, repository, image).find((candidate) => candidate.tags.includes(tag));
  return record ? { digest: record.digest, mediaType: record.mediaType, body: manifests(services).get(record.digest)?.body } : undefined;
}

/** A remote repository's upstream: another repository of the emulator, or a base URL seeds are drawn under. */
function upstreamOf(repo: RepositoryRecord, services: EmulatorServices): { repository?: RepositoryRecord; base: string } {
  const config = (repo.fields.remoteRepositoryConfig ?? {}) as JsonObject;
  const docker = (config.dockerRepository ?? {}) as JsonObject;
  const custom = (docker.customRepository ?? {}) as JsonObject;
  if (docker.publicRepository === 'DOCKER_HUB') return { base: 'https://docker.io' };
  if (typeof custom.uri === 'string') return { base: custom.uri.replace(/\/+$/, '') };
  const uri = jsonText(((config.commonRepository ?? {}) as JsonObject).uri).replace(/\/+$/, '');
  const byName = REPOSITORY_NAME.exec(uri);
  const byUri = AR_URI.exec(uri);
  const parts = byName
    ? { project: byName[1], location: byName[2], repository: byName[3] }
    : byUri
      ? { location: byUri[1], project: byUri[2], repository: byUri[3] }
      : undefined;
  if (!parts) return { base: uri };
  const upstream = repositories(services).get(repositoryName(parts.project, parts.location, parts.repository));
  return {
    ...(upstream ? { repository: upstream } : {}),
    base: `https://${parts.location}-docker.pkg.dev/${parts.project}/${parts.repository}`,
  };
}

/** The seed of an upstream image: the same for a remote repository's upstream and for that upstream reached directly. */
function upstreamSeed(base: string, image: string, tag: string): string {
  // Docker Hub's official images live under library/.
  const path = base === 'https://docker.io' && !image.includes('/') ? `library/${image}` : image;
  return `${base}/${path}:${tag}`;
}

interface ResolveOptions {
  /** Whether a remote repository records what it serves (a pull does; a readiness check does not). */
  cache: boolean;
  now: number;
  depth?: number;
}

/** What `reference` (a tag or a digest) of `image` names in the repository, or undefined. */
function resolveInRepository(
  services: EmulatorServices,
  repo: RepositoryRecord,
  image: string,
  reference: string,
  options: ResolveOptions,
): Resolved | undefined {
  const depth = options.depth ?? 0;
  if (depth > 4) return undefined; // a cycle of remote/virtual repositories
  const isDigest = DIGEST.test(reference);
  const local = isDigest ? knownDigest(services, repo.name, image, reference) : knownTag(services, repo.name, image, reference);
  if (local || repo.mode === 'STANDARD_REPOSITORY') return local;
  if (repo.mode === 'VIRTUAL_REPOSITORY') {
    const policies = (((repo.fields.virtualRepositoryConfig ?? {}) as JsonObject).upstreamPolicies ?? []) as JsonObject[];
    // Artifact Registry pulls from the upstream with the greatest priority value first.
    const ordered = [...policies].sort((a, b) => Number(b.priority ?? 0) - Number(a.priority ?? 0));
    for (const policy of ordered) {
      const upstream = findRepository(jsonText(policy.repository), services);
      const found = upstream && resolveInRepository(services, upstream, image, reference, { ...options, depth: depth + 1 });
      if (found) return found;
    }
    return undefined;
  }
  const upstream = upstreamOf(repo, services);
  let found: (Resolved & { buildTime?: string }) | undefined;
  if (upstream.repository) {
    found = resolveInRepository(services, upstream.repository, image, reference, { ...options, depth: depth + 1 });
  } else if (isDigest) {
    // An upstream digest is known once this emulator has synthesized it (content-addressed store).
    const stored = manifests(services).get(reference);
    found = stored ? { digest: reference, mediaType: stored.mediaType, body: stored.body } : undefined;
  } else if (upstreamServes(services, upstream.base, image, reference)) {
    found = synthesizeIndex(services, upstreamSeed(upstream.base, image, reference));
  }
  if (found && options.cache) recordImage(services, repo, image, found, isDigest ? undefined : reference, options.now);
  return found;
}

/** Whether an upstream has the tag: exactly its known tags when the emulator lists them, else any release-like tag. */
function upstreamServes(services: EmulatorServices, base: string, image: string, tag: string): boolean {
  return upstreamHasTag(services, base, image, tag) ?? RELEASE_TAG.test(tag);
}

/** An image of a project the emulator does not hold: served like a public upstream (release-like tags, stable). */
function resolvePublic(services: EmulatorServices, target: RegistryTarget, reference: string): Resolved | undefined {
  if (DIGEST.test(reference)) {
    const stored = manifests(services).get(reference);
    return stored ? { digest: reference, mediaType: stored.mediaType, body: stored.body } : undefined;
  }
  return RELEASE_TAG.test(reference)
    ? synthesizeIndex(services, upstreamSeed(`https://${target.host}`, target.name, reference))
    : undefined;
}

/** Picks what to send for an Accept header: an index to a client that takes no index gets the linux/amd64 manifest, as Distribution does. */
function negotiate(services: EmulatorServices, found: Resolved, accept: string[]): ServedManifest {
  const body = found.body ?? standInBody(found.digest);
  const acceptsAll = accept.length === 0 || accept.includes('*/*') || accept.includes(found.mediaType);
  if (!acceptsAll && INDEX_TYPES.has(found.mediaType)) {
    const amd64 = platformEntries(found.mediaType, body)?.find((entry) => entry.os === 'linux' && entry.architecture === 'amd64');
    const stored = amd64 && manifests(services).get(amd64.digest);
    if (stored && accept.includes(stored.mediaType)) return { digest: amd64.digest, mediaType: stored.mediaType, body: stored.body };
  }
  return { digest: found.digest, mediaType: found.mediaType, body };
}

/**
 * The bytes served for an image registered by digest alone (no manifest was ever seen for it). The
 * registry still answers HEAD exactly; a GET then carries these stand-in bytes, which do not hash
 * to the digest (see the README: use `builtImageDigest` to register images whose bytes are known).
 */
function standInBody(digest: string): string {
  return manifestBody(`registered|${digest}`, 'docker');
}

function manifestUnknown(target: RegistryTarget, reference: string): RegistryError {
  return new RegistryError(
    'NOT_FOUND',
    'MANIFEST_UNKNOWN',
    `Failed to fetch "${reference}" from request "/v2/${target.name}/manifests/${reference}".`,
  );
}

function repositoryUnknown(target: RegistryTarget): RegistryError {
  return new RegistryError('NOT_FOUND', 'NAME_UNKNOWN', `Repository "${target.repository}" not found`);
}

const registrySource: RegistrySource = {
  enablementProject: (services, project) => (isEmulatedProject(services, project) ? project : undefined),

  manifest(ctx, target, reference, accept) {
    if (!isEmulatedProject(ctx, target.project)) {
      const found = resolvePublic(ctx, target, reference);
      if (!found) throw manifestUnknown(target, reference);
      return negotiate(ctx, found, accept);
    }
    const repo = repositories(ctx).get(repositoryName(target.project, target.location, target.repository));
    if (!repo) throw repositoryUnknown(target);
    const found = resolveInRepository(ctx, repo, target.image, reference, { cache: true, now: ctx.now });
    if (!found) throw manifestUnknown(target, reference);
    return negotiate(ctx, found, accept);
  },

  tags(ctx, target) {
    if (!isEmulatedProject(ctx, target.project)) return [];
    const repo = repositories(ctx).get(repositoryName(target.project, target.location, target.repository));
    if (!repo) throw repositoryUnknown(target);
    const known = imagesOf(ctx, repo.name, target.image);
    // A standard repository knows every image it has; a virtual one lists what it holds so far.
    if (known.length === 0 && repo.mode === 'STANDARD_REPOSITORY') {
      throw new RegistryError('NOT_FOUND', 'NAME_UNKNOWN', `Image "${target.image}" not found in repository "${target.repository}"`);
    }
    const cached = known.flatMap((record) => record.tags);
    // A remote repository proxies the tag list of an external upstream too (upstream-tags.ts), so
    // versions nobody pulled yet are listed; an upstream that is another repository of the
    // emulator lists what that repository holds.
    if (repo.mode === 'REMOTE_REPOSITORY') {
      const upstream = upstreamOf(repo, ctx);
      const proxied = upstream.repository
        ? imagesOf(ctx, upstream.repository.name, target.image).flatMap((record) => record.tags)
        : upstreamTags(ctx, upstream.base, target.image);
      return [...new Set([...cached, ...proxied])];
    }
    return [...new Set(cached)];
  },
};

// ─── Cross-API functions ─────────────────────────────────────────────────────────────────────

interface ParsedImage {
  /** Registry host; `docker.io` for Docker Hub references without one. */
  host: string;
  /** Everything between the host and the tag/digest. */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
}

function parseImage(image: string): ParsedImage | undefined {
  let rest = image.trim();
  if (!rest || /\s/.test(rest)) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  // Like Docker: the first component is a registry host only if it has a dot or a port, or is localhost.
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  const path = hasHost ? rest.slice(slash + 1) : rest;
  if (!path) return undefined;
  return { host, path, tag, digest };
}

const AR_HOST = /^([a-z0-9-]+)-docker\.pkg\.dev$/;
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Registries Cloud Run deploys from directly ([region.]gcr.io, docker.io); ghcr.io is not one (a remote repository proxies it). */
function isPublicRegistry(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host) || host === 'gcr.io' || host.endsWith('.gcr.io');
}

/**
 * Cloud Build registers what it "built". Throws ApiError NOT_FOUND if the repository does not exist.
 * `image` is `REGION-docker.pkg.dev/PROJECT/REPOSITORY/PATH[:TAG][@sha256:…]`; `digest` is `sha256:…`.
 */
export function registerImage(services: EmulatorServices, image: string, digest: string): void {
  const parsed = parseImage(image);
  const location = parsed && AR_HOST.exec(parsed.host)?.[1];
  const segments = parsed?.path.split('/') ?? [];
  if (!parsed || !location || segments.length < 3) {
    throw new ApiError('INVALID_ARGUMENT', `Invalid image "${image}": expected REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE[:TAG].`);
  }
  if (!DIGEST.test(digest))
    throw new ApiError('INVALID_ARGUMENT', `Invalid digest "${digest}": expected sha256: and 64 lowercase hex digits.`);
  if (parsed.digest && parsed.digest !== digest)
    throw new ApiError('INVALID_ARGUMENT', `Image "${image}" names digest ${parsed.digest}, not ${digest}.`);
  const [projectRef, repositoryId, ...rest] = segments as [string, string, ...string[]];
  const projectId = services.projects.find(projectRef)?.projectId ?? projectRef;
  const repo = repositories(services).get(repositoryName(projectId, location, repositoryId));
  if (!repo) throw new ApiError('NOT_FOUND', `Repository "${repositoryId}" not found in projects/${projectId}/locations/${location}.`);
  if (repo.mode !== 'STANDARD_REPOSITORY') {
    throw new ApiError(
      'FAILED_PRECONDITION',
      `Repository ${repo.name} is a ${repo.mode === 'REMOTE_REPOSITORY' ? 'remote' : 'virtual'} repository: images cannot be pushed to it.`,
    );
  }
  const stored = manifests(services).get(digest);
  recordImage(
    services,
    repo,
    rest.join('/'),
    { digest, mediaType: stored?.mediaType ?? MEDIA_TYPES.dockerManifest, body: stored?.body, buildTime: new Date().toISOString() },
    parsed.tag,
    Date.now(),
  );
}

/**
 * A digest whose manifest bytes the registry knows (a single-platform docker manifest drawn from
 * `seed`, e.g. a build id), for Cloud Build to pass to `registerImage`: the registry then serves
 * the image byte-exact on GET as well as HEAD.
 */
export function builtImageDigest(services: EmulatorServices, image: string, seed: string): string {
  return storeManifest(services, MEDIA_TYPES.dockerManifest, manifestBody(`built|${image}|${seed}`, 'docker'));
}

/**
 * For Cloud Run's revision readiness: can this image reference be pulled?
 *
 *  - Docker Hub (no registry host, or docker.io) and gcr.io (and its regional hosts): public, pullable.
 *    Not ghcr.io or any other registry: Cloud Run refuses them with the request (400 "Expected an
 *    image path like …"; public reports, e.g. ko-build/terraform-provider-ko#205 for ghcr.io).
 *  - REGION-docker.pkg.dev/PROJECT/… of a Google-owned project that publishes public images
 *    (`cloudrun`, `google-samples`, `serverless-runtimes`; e.g. us-docker.pkg.dev/cloudrun/container/hello):
 *    pullable (release-like tags, or digests served before).
 *  - REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE of an emulated project: pullable if the
 *    repository exists, the API is enabled, and the tag or digest is known there: pushed or built
 *    (standard), served or servable by a remote repository (any release-like tag, or a digest it
 *    has served), or by an upstream of a virtual repository. Otherwise not: "Image '…' not found."
 *  - Any other registry host: not pullable (Cloud Run deploys from the hosts above only).
 * Asking has no side effect: a remote repository caches nothing on behalf of this check.
 */
export function imageStatus(services: EmulatorServices, image: string): { pullable: boolean; reason?: string } {
  const notFoundReason = { pullable: false, reason: `Image '${image}' not found.` };
  const parsed = parseImage(image);
  if (!parsed) return { pullable: false, reason: `Invalid image reference '${image}'.` };
  if (isPublicRegistry(parsed.host)) return { pullable: true };
  const location = AR_HOST.exec(parsed.host)?.[1];
  if (!location) {
    return {
      pullable: false,
      reason: `Expected an image path like [host/]repo-path[:tag and/or @digest], where host is one of [region.]gcr.io, [region-]docker.pkg.dev or docker.io but obtained ${image}`,
    };
  }
  const segments = parsed.path.split('/');
  const [projectRef, repositoryId] = segments as [string, string | undefined];
  if (!isEmulatedProject(services, projectRef)) return { pullable: true };
  if (!repositoryId || segments.length < 3) return notFoundReason;
  const repo = repositories(services).get(repositoryName(projectRef, location, repositoryId));
  if (!repo) return notFoundReason;
  const project = services.store.data.projects[projectRef];
  if (project && services.projects.serviceState(project, API) !== 'ENABLED') {
    return { pullable: false, reason: serviceDisabledError(API, TITLE, project.projectNumber).message };
  }
  const reference = parsed.digest ?? parsed.tag ?? 'latest';
  const found = resolveInRepository(services, repo, segments.slice(2).join('/'), reference, { cache: false, now: Date.now() });
  return found ? { pullable: true } : notFoundReason;
}

// ─── The API ─────────────────────────────────────────────────────────────────────────────────

const LIST_FILTER = /^name\s*=\s*"([^"]*)"$/;

function globMatcher(pattern: string): (name: string) => boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (name) => regex.test(name);
}

const IMAGE_ORDER_FIELDS: Record<string, keyof DockerImageRecord> = {
  name: 'image',
  upload_time: 'uploadTime',
  uploadTime: 'uploadTime',
  update_time: 'updateTime',
  updateTime: 'updateTime',
  build_time: 'buildTime',
  buildTime: 'buildTime',
  image_size_bytes: 'imageSizeBytes',
  imageSizeBytes: 'imageSizeBytes',
};

function sortImages(list: DockerImageRecord[], orderBy: string | undefined): DockerImageRecord[] {
  const text = (orderBy ?? '').trim();
  if (!text) return [...list].sort((a, b) => (a.image === b.image ? a.digest.localeCompare(b.digest) : a.image.localeCompare(b.image)));
  const match = /^(\w+)(?:\s+(asc|desc))?$/i.exec(text);
  const field = match ? IMAGE_ORDER_FIELDS[match[1]] : undefined;
  if (!match || !field)
    throw invalidArgument(
      'order_by',
      `Invalid order_by "${text}": supported fields are name, upload_time, update_time, build_time and image_size_bytes, optionally followed by desc.`,
    );
  const direction = match[2]?.toLowerCase() === 'desc' ? -1 : 1;
  return [...list].sort((a, b) => {
    const x = a[field] ?? '';
    const y = b[field] ?? '';
    return (x < y ? -1 : x > y ? 1 : a.digest.localeCompare(b.digest)) * direction;
  });
}

function iamResource(request: { resource: string }): string {
  return request.resource;
}

// -------------------------------------------------------------------------------------------
// Locations (the google.cloud.location.Locations mixin): where repositories may live. `gcloud
// artifacts repositories list` without --location lists them (on v1beta2) and then each one's
// repositories.

const LOCATIONS_SERVICE = 'google.cloud.location.Locations';
const PROJECT_NAME = /^projects\/([^/]+)$/;
const LOCATION_NAME = /^projects\/([^/]+)\/locations\/([^/]+)$/;

function locationJson(projectReference: string, locationId: string): JsonObject {
  return { name: `projects/${projectReference}/locations/${locationId}`, locationId };
}

function listLocations(request: { name: string; filter?: string; pageSize?: number; pageToken?: string }, ctx: CallContext): JsonObject {
  const match = PROJECT_NAME.exec(request.name);
  if (!match) throw new ApiError('INVALID_ARGUMENT', `Invalid resource name "${request.name}": expected projects/{project}.`);
  ctx.projects.require(match[1], API);
  // Wording ours: the emulator lists every location and filters none.
  if ((request.filter ?? '').trim() !== '') throw new ApiError('INVALID_ARGUMENT', 'Location filters are not emulated.');
  const page = paginate([...LOCATIONS].sort(), request.pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
  return {
    locations: page.items.map((locationId) => locationJson(match[1], locationId)),
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  };
}

function getLocation(request: { name: string }, ctx: CallContext): JsonObject {
  const match = LOCATION_NAME.exec(request.name);
  if (!match)
    throw new ApiError('INVALID_ARGUMENT', `Invalid resource name "${request.name}": expected projects/{project}/locations/{location}.`);
  ctx.projects.require(match[1], API);
  if (!LOCATIONS.has(match[2])) throw new ApiError('NOT_FOUND', ENTITY_NOT_FOUND);
  return locationJson(match[1], match[2]);
}

const listLocationsBehaviour = {
  permission: 'artifactregistry.locations.list',
  resource: (request: { name: string }) => request.name,
  handle: listLocations,
};

export const artifactRegistryApi = defineApi({
  service: API,
  title: TITLE,
  protoPackage: '@google-cloud/artifact-registry',
  mixinProtos: [{ package: 'google-gax', file: 'build/protos/locations.json' }],
  grpcServices: [SERVICE, LOCATIONS_SERVICE],
  operationPaths: ['/v1/{name=projects/*/locations/*/operations/*}'],
  rawRoutes: dockerRegistryRoutes(registrySource),
  // gcloud lists locations on v1beta2 (the same messages).
  restRoutes: [
    restRoute<{ name: string }>({
      verb: 'GET',
      path: '/v1beta2/{name=projects/*}/locations',
      rpcName: `${LOCATIONS_SERVICE}/ListLocations`,
      requestType: 'google.cloud.location.ListLocationsRequest',
      responseType: 'google.cloud.location.ListLocationsResponse',
      ...listLocationsBehaviour,
    }),
  ],

  methods: {
    [`${LOCATIONS_SERVICE}/ListLocations`]: method<{ name: string; filter?: string; pageSize?: number; pageToken?: string }>(
      listLocationsBehaviour,
    ),
    [`${LOCATIONS_SERVICE}/GetLocation`]: method<{ name: string }>({
      permission: 'artifactregistry.locations.get',
      resource: (request) => request.name,
      handle: getLocation,
    }),
    [`${SERVICE}/CreateRepository`]: method<{ parent: string; repositoryId?: string; repository?: JsonObject }>({
      permission: 'artifactregistry.repositories.create',
      resource: (request) => `${request.parent}/repositories/${request.repositoryId ?? ''}`,
      handle(request, ctx) {
        const repo = newRepository(request, ctx, ctx.now);
        if (repositories(ctx).has(repo.name) || pendingCreate(ctx, repo.name))
          throw new ApiError('ALREADY_EXISTS', 'the repository already exists');
        return startOperation(ctx, repo, 'createRepository', repo as unknown as JsonObject);
      },
    }),

    [`${SERVICE}/GetRepository`]: method<{ name: string }>({
      permission: 'artifactregistry.repositories.get',
      resource: (request) => request.name,
      handle: (request, ctx) => repositoryJson(requireRepository(request.name, ctx), ctx, 'full'),
    }),

    [`${SERVICE}/ListRepositories`]: method<{ parent: string; pageSize?: number; pageToken?: string; filter?: string; orderBy?: string }>({
      permission: 'artifactregistry.repositories.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const { project, location } = parseParent(request.parent, ctx);
        const filter = (request.filter ?? '').trim();
        const nameFilter = LIST_FILTER.exec(filter)?.[1];
        if (filter && nameFilter === undefined)
          throw invalidArgument('filter', `Invalid filter "${filter}": supported is name="…" with * wildcards.`);
        const orderBy = (request.orderBy ?? '').trim();
        if (orderBy && !/^name(\s+(asc|desc))?$/i.test(orderBy))
          throw invalidArgument('order_by', `Invalid order_by "${orderBy}": supported is name, optionally followed by desc.`);
        const matches = nameFilter === undefined ? () => true : globMatcher(nameFilter);
        const listed = repositories(ctx)
          .values()
          .filter((repo) => repo.projectId === project.projectId && repo.location === location && matches(repo.name))
          .sort((a, b) => a.name.localeCompare(b.name));
        if (/desc$/i.test(orderBy)) listed.reverse();
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
        return {
          repositories: page.items.map((repo) => repositoryJson(repo, ctx, 'full')),
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        };
      },
    }),

    [`${SERVICE}/UpdateRepository`]: method<{ repository?: JsonObject; updateMask?: string }>({
      permission: 'artifactregistry.repositories.update',
      resource: (request) => jsonText(request.repository?.name),
      handle(request, ctx) {
        const repo = requireRepository(jsonText(request.repository?.name), ctx);
        const updated = updatedRepository(repo, request.repository ?? {}, request.updateMask, ctx, ctx.now);
        repositories(ctx).set(repo.name, updated);
        return repositoryJson(updated, ctx, 'update');
      },
    }),

    [`${SERVICE}/DeleteRepository`]: method<{ name: string }>({
      permission: 'artifactregistry.repositories.delete',
      resource: (request) => request.name,
      handle(request, ctx) {
        const repo = requireRepository(request.name, ctx);
        return startOperation(ctx, repo, 'deleteRepository', { name: repo.name });
      },
    }),

    [`${SERVICE}/GetIamPolicy`]: method<{ resource: string }>({
      permission: 'artifactregistry.repositories.getIamPolicy',
      resource: iamResource,
      handle: (request, ctx) => ctx.iamPolicies.get(requireRepository(request.resource, ctx).name),
    }),

    [`${SERVICE}/SetIamPolicy`]: method<{ resource: string; policy?: JsonObject; updateMask?: string }>({
      permission: 'artifactregistry.repositories.setIamPolicy',
      resource: iamResource,
      handle: (request, ctx) =>
        ctx.iamPolicies.set(requireRepository(request.resource, ctx).name, request.policy, request.updateMask, ctx.now),
    }),

    [`${SERVICE}/TestIamPermissions`]: method<{ resource: string; permissions?: string[] }>({
      resource: iamResource,
      handle(request, ctx) {
        requireRepository(request.resource, ctx);
        return { permissions: ctx.iamPolicies.testPermissions(request.permissions ?? []) };
      },
    }),

    [`${SERVICE}/ListDockerImages`]: method<{ parent: string; pageSize?: number; pageToken?: string; orderBy?: string }>({
      permission: 'artifactregistry.dockerimages.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const repo = requireRepository(request.parent, ctx);
        const sorted = sortImages(imagesOf(ctx, repo.name), request.orderBy);
        const page = paginate(sorted, request.pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
        return {
          dockerImages: page.items.map(dockerImageJson),
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        };
      },
    }),

    [`${SERVICE}/GetDockerImage`]: method<{ name: string }>({
      permission: 'artifactregistry.dockerimages.get',
      resource: (request) => request.name,
      handle(request, ctx) {
        const match = DOCKER_IMAGE_NAME.exec(request.name ?? '');
        if (!match) {
          throw invalidArgument(
            'name',
            `Invalid docker image name "${request.name ?? ''}": expected projects/{project}/locations/{location}/repositories/{repository}/dockerImages/{image}@sha256:{digest}.`,
          );
        }
        const repo = requireRepository(match[1], ctx);
        // The image part arrives URL-escaped (runatlantis%2Fatlantis), as Google names it, or plain.
        const image = decodeURIComponent(match[2]);
        const record = images(ctx).get(imageKey(repo.name, image, match[3]));
        if (!record) throw notFound();
        return dockerImageJson(record);
      },
    }),
  },

  operationCompleters: {
    createRepository(payload, services) {
      const repo = payload as unknown as RepositoryRecord;
      repositories(services).set(repo.name, repo);
      return {
        metadata: OPERATION_METADATA,
        response: { '@type': typeUrlOf('google.devtools.artifactregistry.v1.Repository'), ...repositoryJson(repo, services, 'operation') },
      };
    },
    deleteRepository(payload, services) {
      const { name } = payload as { name: string };
      repositories(services).delete(name);
      for (const [key, record] of images(services).entries()) if (record.repository === name) images(services).delete(key);
      delete services.store.data.iamPolicies[name];
      services.store.markDirty();
      return { metadata: OPERATION_METADATA, response: { '@type': typeUrlOf('google.protobuf.Empty'), value: {} } };
    },
  },
});
