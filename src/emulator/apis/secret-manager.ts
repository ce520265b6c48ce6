// Secret Manager v1 (google.cloud.secretmanager.v1.SecretManagerService): secrets, their versions
// and their IAM policies. Shapes follow test/emulator/recordings/secretmanager-*.http.log and
// iam-policy-secretmanager-secret.http.log: names use the project number, etags are quoted hex
// strings, a version's `replicationStatus` mirrors its secret's replication. `latest` names the
// most recently created version whatever its state, as at Google (accessing it when it is disabled
// fails; Google does not fall back to an older enabled version).
//
// Two functions are exported for the Cloud Run emulator: `secretVersionStatus` (does a revision's
// secret reference resolve to an enabled version?) and `canAccessSecret` (may its service account
// read the payload?).
import CRC32C from 'crc-32/crc32c.js';
import { defineApi, method, type CallContext } from '../core/api.js';
import { ApiError, badRequest } from '../core/errors.js';
import { isJsonObject, jsonText, snakeCase, type JsonObject, type JsonValue } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';
import type { Binding } from '../core/iam-policy.js';

const API = 'secretmanager.googleapis.com';
const SERVICE = 'google.cloud.secretmanager.v1.SecretManagerService';
const SECRETS = 'secretmanager.secrets';

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const PARENT_NAME = /^projects\/([^/]+)$/;
const SECRET_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)$/;
const VERSION_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/]+)$/;
const REGIONAL_NAME = /^projects\/[^/]+\/locations\//;
const VERSION_NUMBER = /^[1-9][0-9]*$/;
const ALIAS = /^[A-Za-z0-9_-]{1,63}$/;
// Google's label rules: keys start with a lowercase letter; keys and values use lowercase letters, digits, `_` and `-`, ≤ 63 characters.
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const ANNOTATION_KEY = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LOCATION = /^[a-z]+(-[a-z]+)+[0-9]+$/;
const TOPIC = /^projects\/[^/]+\/topics\/[^/]+$/;
const KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;
const DURATION = /^(\d+)(?:\.(\d{1,9}))?s$/;

const MAX_LABELS = 64;
const MAX_ANNOTATIONS_BYTES = 16 * 1024;
const MAX_TOPICS = 10;
const MAX_ALIASES = 50;
const MAX_PAYLOAD_BYTES = 64 * 1024;
const MIN_ROTATION_PERIOD_MS = 3600 * 1000;

/** Roles whose permissions include `secretmanager.versions.access` (Editor's and Viewer's do not). */
const ACCESS_ROLES = new Set(['roles/secretmanager.secretAccessor', 'roles/secretmanager.admin', 'roles/owner']);

type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

interface VersionRecord {
  number: number;
  createTime: string;
  state: VersionState;
  etag: string;
  /** base64; removed when the version is destroyed. */
  data?: string;
  /** Decimal CRC32C of the payload, computed by the emulator on add (as Google stores one). */
  crc32c?: string;
  clientSpecifiedPayloadChecksum?: boolean;
  destroyTime?: string;
  /** Delayed destruction (the secret's versionDestroyTtl): DISABLED until then, DESTROYED after. */
  scheduledDestroyTime?: string;
}

interface SecretRecord {
  projectId: string;
  projectNumber: string;
  secretId: string;
  createTime: string;
  etag: string;
  replication: JsonObject;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  topics?: JsonObject[];
  expireTime?: string;
  rotation?: JsonObject;
  versionAliases?: Record<string, string>;
  versionDestroyTtl?: string;
  secretType?: JsonValue;
  /** Oldest first. Numbers are never reused, even after a version is destroyed. */
  versions: VersionRecord[];
  nextVersion: number;
}

// ---------------------------------------------------------------------------------------------
// Names, lookups and state

function secretKey(projectNumber: string, secretId: string): string {
  return `projects/${projectNumber}/secrets/${secretId}`;
}

function keyOf(secret: SecretRecord): string {
  return secretKey(secret.projectNumber, secret.secretId);
}

function versionNameOf(secret: SecretRecord, version: VersionRecord): string {
  return `${keyOf(secret)}/versions/${version.number}`;
}

function collection(services: EmulatorServices) {
  return services.store.collection<SecretRecord>(SECRETS);
}

function invalidArgument(message: string, field?: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', message, field ? [badRequest([{ field, description: message }])] : []);
}

function regionalNotEmulated(name: string): ApiError {
  return invalidArgument(`Regional secrets are not emulated: ${name}. Use the global form projects/*/secrets/*.`);
}

function secretNotFound(key: string): ApiError {
  return new ApiError('NOT_FOUND', `Secret [${key}] not found.`);
}

/** Quoted hex of the modification time in microseconds, like Google's (`"1615..."`); strictly increasing per resource. */
function nextEtag(previous?: string): string {
  const micros = BigInt(Date.now()) * 1000n;
  const digits = previous?.replace(/"/g, '') ?? '';
  const last = /^[0-9a-f]+$/.test(digits) ? BigInt(`0x${digits}`) : 0n;
  return `"${(micros > last ? micros : last + 1n).toString(16)}"`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function durationMs(text: string | undefined): number | undefined {
  const match = text === undefined ? null : DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0').slice(0, 3));
}

function removeSecret(services: EmulatorServices, secret: SecretRecord): void {
  const key = keyOf(secret);
  collection(services).delete(key);
  // A secret created again under the same name starts with a fresh policy, as at Google.
  if (services.store.data.iamPolicies[key]) {
    delete services.store.data.iamPolicies[key];
    services.store.markDirty();
  }
}

/**
 * The secret as it is at `now`: an expired secret is gone (Google deletes it at `expireTime`), and
 * versions whose delayed destruction is due are destroyed. Both happen lazily, on the next look.
 */
function lookupSecret(services: EmulatorServices, project: ProjectRecord, secretId: string, now: number): SecretRecord | undefined {
  const secrets = collection(services);
  const key = secretKey(project.projectNumber, secretId);
  const secret = secrets.get(key);
  if (!secret) return undefined;
  if (secret.expireTime && Date.parse(secret.expireTime) <= now) {
    removeSecret(services, secret);
    return undefined;
  }
  let changed = false;
  for (const version of secret.versions) {
    if (version.scheduledDestroyTime && Date.parse(version.scheduledDestroyTime) <= now) {
      destroyNow(version, version.scheduledDestroyTime);
      changed = true;
    }
  }
  if (changed) secrets.set(key, secret);
  return secret;
}

function destroyNow(version: VersionRecord, when: string): void {
  version.state = 'DESTROYED';
  version.destroyTime = when;
  delete version.scheduledDestroyTime;
  delete version.data;
  version.etag = nextEtag(version.etag);
}

function save(ctx: EmulatorServices, secret: SecretRecord): void {
  collection(ctx).set(keyOf(secret), secret);
}

function parseParent(parent: string, ctx: CallContext): ProjectRecord {
  if (REGIONAL_NAME.test(parent)) throw regionalNotEmulated(parent);
  const match = PARENT_NAME.exec(parent ?? '');
  if (!match) throw invalidArgument(`Invalid parent: "${parent}". Expected projects/{project}.`, 'parent');
  return ctx.projects.require(match[1], API);
}

function parseSecretName(name: string, ctx: CallContext, field = 'name'): { project: ProjectRecord; secretId: string } {
  if (REGIONAL_NAME.test(name ?? '')) throw regionalNotEmulated(name);
  const match = SECRET_NAME.exec(name ?? '');
  if (!match) throw invalidArgument(`Invalid resource name: "${name}". Expected projects/{project}/secrets/{secret}.`, field);
  return { project: ctx.projects.require(match[1], API), secretId: match[2] };
}

function requireSecret(ctx: CallContext, name: string, field = 'name'): SecretRecord {
  const { project, secretId } = parseSecretName(name, ctx, field);
  const secret = lookupSecret(ctx, project, secretId, ctx.now);
  if (!secret) throw secretNotFound(secretKey(project.projectNumber, secretId));
  return secret;
}

/** A version by number, alias, or `latest` (the most recently created version, whatever its state). */
function resolveVersion(secret: SecretRecord, reference: string): VersionRecord | undefined {
  if (reference === 'latest') return secret.versions.at(-1);
  const number = VERSION_NUMBER.test(reference) ? reference : secret.versionAliases?.[reference];
  return number === undefined ? undefined : secret.versions.find((version) => String(version.number) === number);
}

function requireVersion(ctx: CallContext, name: string): { secret: SecretRecord; version: VersionRecord } {
  if (REGIONAL_NAME.test(name ?? '')) throw regionalNotEmulated(name);
  const match = VERSION_NAME.exec(name ?? '');
  if (!match)
    throw invalidArgument(`Invalid resource name: "${name}". Expected projects/{project}/secrets/{secret}/versions/{version}.`, 'name');
  const project = ctx.projects.require(match[1], API);
  const [, , secretId, reference] = match as unknown as [string, string, string, string];
  const key = secretKey(project.projectNumber, secretId);
  const secret = lookupSecret(ctx, project, secretId, ctx.now);
  const version = secret && resolveVersion(secret, reference);
  if (!secret || !version) {
    // Google's wording for `latest` cannot tell a missing secret from an empty one.
    if (reference === 'latest') throw new ApiError('NOT_FOUND', `Secret [${key}] not found or has no versions.`);
    throw new ApiError('NOT_FOUND', `Secret Version [${key}/versions/${reference}] not found.`);
  }
  return { secret, version };
}

/**
 * Optional etags on delete/update/enable/disable/destroy: a stale one fails the call with
 * FAILED_PRECONDITION (HTTP 400), as Secret Manager documents it ("Use etags for optimistic
 * concurrency control") — not AIP-154's later ABORTED. The message is ours (not recorded).
 */
function checkEtag(given: unknown, current: string, name: string): void {
  if (typeof given !== 'string' || given === '') return;
  if (given !== current) {
    throw new ApiError('FAILED_PRECONDITION', `The etag provided in the request does not match the current etag of [${name}].`);
  }
}

function notInState(secret: SecretRecord, version: VersionRecord): ApiError {
  return new ApiError('FAILED_PRECONDITION', `Secret Version [${versionNameOf(secret, version)}] is in ${version.state} state.`);
}

// ---------------------------------------------------------------------------------------------
// Rendering

function replicationStatusOf(replication: JsonObject): JsonObject {
  const cmekStatus = (cmek: JsonValue | undefined): JsonObject =>
    isJsonObject(cmek) && typeof cmek.kmsKeyName === 'string'
      ? { customerManagedEncryption: { kmsKeyVersionName: `${cmek.kmsKeyName}/cryptoKeyVersions/1` } }
      : {};
  if (isJsonObject(replication.userManaged)) {
    const replicas = (replication.userManaged.replicas as JsonObject[] | undefined) ?? [];
    return {
      userManaged: {
        replicas: replicas.map((replica) => ({ location: replica.location ?? '', ...cmekStatus(replica.customerManagedEncryption) })),
      },
    };
  }
  const automatic = isJsonObject(replication.automatic) ? replication.automatic : {};
  return { automatic: cmekStatus(automatic.customerManagedEncryption) };
}

function secretJson(secret: SecretRecord): JsonObject {
  const json: JsonObject = {
    name: keyOf(secret),
    replication: secret.replication,
    createTime: secret.createTime,
  };
  if (secret.labels && Object.keys(secret.labels).length > 0) json.labels = secret.labels;
  if (secret.topics && secret.topics.length > 0) json.topics = secret.topics;
  if (secret.expireTime) json.expireTime = secret.expireTime;
  json.etag = secret.etag;
  if (secret.rotation) json.rotation = secret.rotation;
  if (secret.versionAliases && Object.keys(secret.versionAliases).length > 0) json.versionAliases = secret.versionAliases;
  if (secret.annotations && Object.keys(secret.annotations).length > 0) json.annotations = secret.annotations;
  if (secret.versionDestroyTtl) json.versionDestroyTtl = secret.versionDestroyTtl;
  if (secret.secretType !== undefined) json.secretType = secret.secretType;
  return json;
}

function versionJson(secret: SecretRecord, version: VersionRecord): JsonObject {
  const json: JsonObject = { name: versionNameOf(secret, version), createTime: version.createTime };
  if (version.destroyTime) json.destroyTime = version.destroyTime;
  json.state = version.state;
  json.replicationStatus = replicationStatusOf(secret.replication);
  json.etag = version.etag;
  if (version.clientSpecifiedPayloadChecksum) json.clientSpecifiedPayloadChecksum = true;
  if (version.scheduledDestroyTime) json.scheduledDestroyTime = version.scheduledDestroyTime;
  return json;
}

// ---------------------------------------------------------------------------------------------
// Validation of the secret's fields

function validReplication(replication: unknown): JsonObject {
  if (!isJsonObject(replication) || (!isJsonObject(replication.automatic) && !isJsonObject(replication.userManaged))) {
    throw invalidArgument('Secret.replication must be set: automatic or user_managed.', 'secret.replication');
  }
  const checkKms = (cmek: JsonValue | undefined, field: string): void => {
    if (cmek === undefined) return;
    const key = isJsonObject(cmek) ? cmek.kmsKeyName : undefined;
    if (typeof key !== 'string' || !KMS_KEY.test(key)) throw invalidArgument(`Invalid kms_key_name: "${jsonText(key)}".`, field);
  };
  if (isJsonObject(replication.userManaged)) {
    const replicas = replication.userManaged.replicas;
    if (!Array.isArray(replicas) || replicas.length === 0) {
      throw invalidArgument(
        'Secret.replication.user_managed.replicas must contain at least one replica.',
        'secret.replication.user_managed.replicas',
      );
    }
    const seen = new Set<string>();
    replicas.forEach((replica, index) => {
      const location = isJsonObject(replica) ? replica.location : undefined;
      const field = `secret.replication.user_managed.replicas[${index}].location`;
      if (typeof location !== 'string' || !LOCATION.test(location))
        throw invalidArgument(`Invalid replica location: "${jsonText(location)}".`, field);
      if (seen.has(location)) throw invalidArgument(`Duplicate replica location: "${location}".`, field);
      seen.add(location);
      checkKms(
        (replica as JsonObject).customerManagedEncryption,
        `secret.replication.user_managed.replicas[${index}].customer_managed_encryption`,
      );
    });
  } else {
    checkKms((replication.automatic as JsonObject).customerManagedEncryption, 'secret.replication.automatic.customer_managed_encryption');
  }
  return replication;
}

function validLabels(labels: unknown): Record<string, string> | undefined {
  if (!isJsonObject(labels)) return undefined;
  const entries = Object.entries(labels) as Array<[string, string]>;
  if (entries.length > MAX_LABELS) throw invalidArgument(`A secret can have at most ${MAX_LABELS} labels.`, 'secret.labels');
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      throw invalidArgument(
        `Invalid label key "${key}": keys must start with a lowercase letter and contain only lowercase letters, digits, underscores and dashes (at most 63 characters).`,
        'secret.labels',
      );
    }
    if (!LABEL_VALUE.test(String(value))) {
      throw invalidArgument(
        `Invalid label value "${value}" for key "${key}": values may contain only lowercase letters, digits, underscores and dashes (at most 63 characters).`,
        'secret.labels',
      );
    }
  }
  return entries.length > 0 ? (labels as Record<string, string>) : undefined;
}

function validAnnotations(annotations: unknown): Record<string, string> | undefined {
  if (!isJsonObject(annotations)) return undefined;
  const entries = Object.entries(annotations) as Array<[string, string]>;
  let size = 0;
  for (const [key, value] of entries) {
    if (!ANNOTATION_KEY.test(key)) {
      throw invalidArgument(
        `Invalid annotation key "${key}": keys must be 1 to 63 characters, begin and end with a letter or digit, and contain only letters, digits, dashes, underscores and dots.`,
        'secret.annotations',
      );
    }
    size += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (size > MAX_ANNOTATIONS_BYTES)
    throw invalidArgument(
      `The total size of annotation keys and values must not exceed ${MAX_ANNOTATIONS_BYTES} bytes.`,
      'secret.annotations',
    );
  return entries.length > 0 ? (annotations as Record<string, string>) : undefined;
}

function validTopics(topics: unknown): JsonObject[] | undefined {
  if (!Array.isArray(topics) || topics.length === 0) return undefined;
  if (topics.length > MAX_TOPICS) throw invalidArgument(`A secret can have at most ${MAX_TOPICS} topics.`, 'secret.topics');
  topics.forEach((topic, index) => {
    const name = isJsonObject(topic) ? topic.name : undefined;
    if (typeof name !== 'string' || !TOPIC.test(name))
      throw invalidArgument(
        `Invalid topic name: "${jsonText(name)}". Expected projects/{project}/topics/{topic}.`,
        `secret.topics[${index}].name`,
      );
  });
  return topics as JsonObject[];
}

function validExpireTime(expireTime: unknown, ttl: unknown, now: number): string | undefined {
  if (typeof ttl === 'string') {
    const ms = durationMs(ttl);
    if (ms === undefined || ms <= 0) throw invalidArgument(`Invalid ttl: "${ttl}". It must be positive.`, 'secret.ttl');
    return iso(now + ms);
  }
  if (typeof expireTime === 'string') {
    if (Date.parse(expireTime) <= now) throw invalidArgument(`expire_time must be in the future: ${expireTime}.`, 'secret.expire_time');
    return expireTime;
  }
  return undefined;
}

function validRotation(rotation: unknown, now: number): JsonObject | undefined {
  if (!isJsonObject(rotation) || Object.keys(rotation).length === 0) return undefined;
  const result: JsonObject = {};
  if (typeof rotation.nextRotationTime === 'string') {
    if (Date.parse(rotation.nextRotationTime) <= now)
      throw invalidArgument('rotation.next_rotation_time must be in the future.', 'secret.rotation.next_rotation_time');
    result.nextRotationTime = rotation.nextRotationTime;
  }
  if (typeof rotation.rotationPeriod === 'string') {
    const ms = durationMs(rotation.rotationPeriod);
    if (ms === undefined || ms < MIN_ROTATION_PERIOD_MS)
      throw invalidArgument('rotation.rotation_period must be at least 3600s.', 'secret.rotation.rotation_period');
    if (!result.nextRotationTime)
      throw invalidArgument(
        'rotation.next_rotation_time must be set when rotation.rotation_period is set.',
        'secret.rotation.next_rotation_time',
      );
    result.rotationPeriod = rotation.rotationPeriod;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function validAliases(aliases: unknown, secret: SecretRecord): Record<string, string> | undefined {
  if (!isJsonObject(aliases)) return undefined;
  const entries = Object.entries(aliases);
  if (entries.length > MAX_ALIASES)
    throw invalidArgument(`A secret can have at most ${MAX_ALIASES} version aliases.`, 'secret.version_aliases');
  const result: Record<string, string> = {};
  for (const [alias, value] of entries) {
    if (!ALIAS.test(alias) || alias === 'latest' || VERSION_NUMBER.test(alias))
      throw invalidArgument(`Invalid version alias: "${alias}".`, 'secret.version_aliases');
    const version = secret.versions.find((candidate) => jsonText(candidate.number) === jsonText(value));
    if (!version || version.state === 'DESTROYED') {
      throw invalidArgument(
        `Version alias "${alias}" refers to version ${jsonText(value)}, which does not exist or is destroyed.`,
        'secret.version_aliases',
      );
    }
    result[alias] = jsonText(value);
  }
  return entries.length > 0 ? result : undefined;
}

function validDestroyTtl(ttl: unknown): string | undefined {
  if (typeof ttl !== 'string') return undefined;
  const ms = durationMs(ttl);
  if (ms === undefined || ms <= 0) throw invalidArgument(`Invalid version_destroy_ttl: "${ttl}".`, 'secret.version_destroy_ttl');
  return ttl;
}

/** Rotation sends notifications to the secret's topics, so Google refuses rotation without one. */
function checkRotationTopics(secret: SecretRecord): void {
  if (secret.rotation && !(secret.topics && secret.topics.length > 0)) {
    throw invalidArgument('A secret with rotation must have at least one topic.', 'secret.topics');
  }
}

/** Applies one update_mask path (snake_case) from `input` onto `secret`. */
function applyUpdatePath(secret: SecretRecord, input: JsonObject, path: string, now: number): void {
  switch (path) {
    case 'labels':
      secret.labels = validLabels(input.labels);
      return;
    case 'annotations':
      secret.annotations = validAnnotations(input.annotations);
      return;
    case 'topics':
      secret.topics = validTopics(input.topics);
      return;
    case 'expire_time':
    case 'ttl':
      secret.expireTime = validExpireTime(
        path === 'expire_time' ? input.expireTime : undefined,
        path === 'ttl' ? input.ttl : undefined,
        now,
      );
      return;
    case 'rotation':
      secret.rotation = validRotation(input.rotation, now);
      return;
    case 'rotation.next_rotation_time':
    case 'rotation.rotation_period': {
      const field = path === 'rotation.next_rotation_time' ? 'nextRotationTime' : 'rotationPeriod';
      const given = isJsonObject(input.rotation) ? input.rotation[field] : undefined;
      const merged: JsonObject = { ...(secret.rotation ?? {}) };
      if (given === undefined) delete merged[field];
      else merged[field] = given;
      secret.rotation = validRotation(merged, now);
      return;
    }
    case 'version_aliases':
      secret.versionAliases = validAliases(input.versionAliases, secret);
      return;
    case 'version_destroy_ttl':
      secret.versionDestroyTtl = validDestroyTtl(input.versionDestroyTtl);
      return;
    case 'replication':
    case 'name':
    case 'create_time':
    case 'secret_type':
    case 'etag':
      throw invalidArgument(`The field "${path}" cannot be updated.`, 'update_mask');
    default:
      if (path.startsWith('replication.')) throw invalidArgument(`The field "${path}" cannot be updated.`, 'update_mask');
      throw invalidArgument(`Invalid update_mask path: "${path}".`, 'update_mask');
  }
}

function maskPaths(mask: unknown): string[] {
  if (typeof mask !== 'string') return [];
  return mask
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)
    .map((path) => path.split('.').map(snakeCase).join('.'));
}

// ---------------------------------------------------------------------------------------------
// List filters (https://cloud.google.com/secret-manager/docs/filtering): the subset the tool and
// common scripts use — `labels.KEY=VALUE`, `labels.KEY:VALUE`, `labels.KEY:*`, `name:TEXT` for
// secrets, `state:STATE` / `state=STATE` for versions — joined by spaces or AND.

type Predicate<T> = (item: T) => boolean;

function unquote(text: string): string {
  return /^".*"$/.test(text) ? text.slice(1, -1) : text;
}

function parseFilter<T>(
  filter: string | undefined,
  term: (field: string, operator: string, value: string) => Predicate<T> | undefined,
): Predicate<T> {
  const text = (filter ?? '').trim();
  if (text === '') return () => true;
  const terms = text.split(/\s+(?:AND\s+)?/).filter((part) => part !== 'AND');
  const predicates = terms.map((part) => {
    const match = /^([A-Za-z0-9_.-]+)(=|:)(.+)$/.exec(part);
    const predicate = match && term(match[1], match[2], unquote(match[3]));
    if (!predicate)
      throw invalidArgument(
        `Invalid filter: "${text}". The emulator supports labels.KEY=VALUE, labels.KEY:VALUE, labels.KEY:*, name:TEXT and state:STATE terms joined by AND.`,
        'filter',
      );
    return predicate;
  });
  return (item) => predicates.every((predicate) => predicate(item));
}

function secretFilter(filter: string | undefined): Predicate<SecretRecord> {
  return parseFilter<SecretRecord>(filter, (field, operator, value) => {
    if (field.startsWith('labels.')) {
      const key = field.slice('labels.'.length);
      if (operator === ':' && value === '*') return (secret) => secret.labels?.[key] !== undefined;
      return (secret) =>
        secret.labels?.[key] !== undefined && (operator === '=' ? secret.labels[key] === value : secret.labels[key].includes(value));
    }
    if (field === 'name') return (secret) => (operator === '=' ? secret.secretId === value : secret.secretId.includes(value));
    return undefined;
  });
}

function versionFilter(filter: string | undefined): Predicate<VersionRecord> {
  return parseFilter<VersionRecord>(filter, (field, _operator, value) => {
    const state = value.toUpperCase();
    if (field !== 'state' || !['ENABLED', 'DISABLED', 'DESTROYED'].includes(state)) return undefined;
    return (version) => version.state === state;
  });
}

// ---------------------------------------------------------------------------------------------
// IAM on secrets

// Google only accepts roles that apply to secrets on a secret's policy (basic roles, Secret Manager
// roles, and custom roles, whose permissions the emulator does not know).
const SECRET_ROLE = /^(roles\/(owner|editor|viewer|secretmanager\.[A-Za-z]+)|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;

function checkSecretRoles(policy: JsonValue | undefined): void {
  const bindings = isJsonObject(policy) && Array.isArray(policy.bindings) ? policy.bindings : [];
  bindings.forEach((binding, index) => {
    const role = isJsonObject(binding) ? binding.role : undefined;
    if (typeof role === 'string' && /^roles\//.test(role) && !SECRET_ROLE.test(role)) {
      const message = `Role ${role} is not supported for this resource.`;
      throw new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field: `policy.bindings[${index}].role`, description: message }])]);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Cross-API functions (used by the Cloud Run emulator)

/** `S` (in `project`) or `projects/P/secrets/S` (P overrides `project`) → the project reference and secret id. */
function secretReference(project: string, secret: string): { project: string; secretId: string } {
  const match = SECRET_NAME.exec(secret);
  return match ? { project: match[1], secretId: match[2] } : { project, secretId: secret };
}

/** For Cloud Run's revision readiness: does `secret` (an id in `project`, or projects/P/secrets/S) have `version` (a number or "latest"), and is it ENABLED? */
export function secretVersionStatus(
  services: EmulatorServices,
  project: string,
  secret: string,
  version: string,
): { exists: boolean; enabled: boolean; name: string /* projects/NUMBER/secrets/S/versions/N */ } {
  const reference = secretReference(project, secret);
  const projectRecord = services.projects.find(reference.project);
  const unresolved = `projects/${projectRecord?.projectNumber ?? reference.project}/secrets/${reference.secretId}/versions/${version}`;
  const record = projectRecord && lookupSecret(services, projectRecord, reference.secretId, Date.now());
  const found = record && resolveVersion(record, String(version));
  if (!record || !found) return { exists: false, enabled: false, name: unresolved };
  return { exists: true, enabled: found.state === 'ENABLED', name: versionNameOf(record, found) };
}

/**
 * Can `member` (e.g. "serviceAccount:sa@p.iam.gserviceaccount.com") access the secret's payloads:
 * roles/secretmanager.secretAccessor, roles/secretmanager.admin or roles/owner on the secret's
 * policy or on the project's policy? (roles/editor and roles/viewer do not carry
 * secretmanager.versions.access.) Conditional bindings are not evaluated and grant nothing here.
 */
export function canAccessSecret(services: EmulatorServices, project: string, secret: string, member: string): boolean {
  const reference = secretReference(project, secret);
  const projectRecord = services.projects.find(reference.project);
  const record = projectRecord && lookupSecret(services, projectRecord, reference.secretId, Date.now());
  if (!projectRecord || !record) return false;
  const wanted = member.toLowerCase();
  const grants = (binding: Binding): boolean =>
    ACCESS_ROLES.has(binding.role) &&
    !binding.condition &&
    binding.members.some((candidate) => {
      const lower = candidate.toLowerCase();
      return lower === wanted || candidate === 'allUsers' || candidate === 'allAuthenticatedUsers';
    });
  return [
    ...services.iamPolicies.bindings(keyOf(record)),
    ...services.iamPolicies.bindings(`projects/${projectRecord.projectNumber}`),
  ].some(grants);
}

// ---------------------------------------------------------------------------------------------

interface VersionRequest {
  name: string;
  etag?: string;
}

const byName = (request: { name: string }) => request.name;
const byParent = (request: { parent: string }) => request.parent;
const byResource = (request: { resource: string }) => request.resource;

export const secretManagerApi = defineApi({
  service: API,
  title: 'Secret Manager API',
  protoPackage: '@google-cloud/secret-manager',
  grpcServices: [SERVICE],

  methods: {
    [`${SERVICE}/CreateSecret`]: method<{ parent: string; secretId?: string; secret?: JsonObject }>({
      permission: 'secretmanager.secrets.create',
      resource: (request) => `${request.parent}/secrets/${request.secretId ?? ''}`,
      handle(request, ctx) {
        const project = parseParent(request.parent, ctx);
        const secretId = request.secretId ?? '';
        if (!SECRET_ID.test(secretId)) {
          throw invalidArgument(
            `Invalid secret ID "${secretId}": a secret ID must be 1 to 255 characters and contain only letters, digits, underscores and hyphens.`,
            'secret_id',
          );
        }
        const input = request.secret ?? {};
        if (input.customerManagedEncryption !== undefined)
          throw invalidArgument(
            'Secret.customer_managed_encryption is only for regional secrets; set it in replication instead.',
            'secret.customer_managed_encryption',
          );
        const key = secretKey(project.projectNumber, secretId);
        const secret: SecretRecord = {
          projectId: project.projectId,
          projectNumber: project.projectNumber,
          secretId,
          createTime: iso(ctx.now),
          etag: nextEtag(),
          replication: validReplication(input.replication),
          versions: [],
          nextVersion: 1,
        };
        const labels = validLabels(input.labels);
        const annotations = validAnnotations(input.annotations);
        const topics = validTopics(input.topics);
        const expireTime = validExpireTime(input.expireTime, input.ttl, ctx.now);
        const rotation = validRotation(input.rotation, ctx.now);
        const versionAliases = validAliases(input.versionAliases, secret);
        const versionDestroyTtl = validDestroyTtl(input.versionDestroyTtl);
        Object.assign(secret, {
          ...(labels ? { labels } : {}),
          ...(annotations ? { annotations } : {}),
          ...(topics ? { topics } : {}),
          ...(expireTime ? { expireTime } : {}),
          ...(rotation ? { rotation } : {}),
          ...(versionAliases ? { versionAliases } : {}),
          ...(versionDestroyTtl ? { versionDestroyTtl } : {}),
          ...(input.secretType !== undefined ? { secretType: input.secretType } : {}),
        });
        checkRotationTopics(secret);
        if (lookupSecret(ctx, project, secretId, ctx.now)) throw new ApiError('ALREADY_EXISTS', `Secret [${key}] already exists.`);
        save(ctx, secret);
        return secretJson(secret);
      },
    }),

    [`${SERVICE}/GetSecret`]: method<{ name: string }>({
      permission: 'secretmanager.secrets.get',
      resource: byName,
      handle: (request, ctx) => secretJson(requireSecret(ctx, request.name)),
    }),

    [`${SERVICE}/ListSecrets`]: method<{ parent: string; pageSize?: number; pageToken?: string; filter?: string }>({
      permission: 'secretmanager.secrets.list',
      resource: byParent,
      handle(request, ctx) {
        const project = parseParent(request.parent, ctx);
        const matches = secretFilter(request.filter);
        const all = collection(ctx)
          .values()
          .filter((secret) => secret.projectNumber === project.projectNumber)
          .map((secret) => lookupSecret(ctx, project, secret.secretId, ctx.now))
          .filter((secret): secret is SecretRecord => secret !== undefined)
          .sort((a, b) => (a.secretId < b.secretId ? -1 : a.secretId > b.secretId ? 1 : 0));
        const listed = all.filter(matches);
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 25000, maxSize: 25000 });
        const json: JsonObject = { secrets: page.items.map(secretJson) };
        if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
        // Google's total_size counts every secret, and is 0 (omitted) when a filter is set.
        if (!request.filter) json.totalSize = all.length;
        return json;
      },
    }),

    [`${SERVICE}/UpdateSecret`]: method<{ secret?: JsonObject; updateMask?: string }>({
      permission: 'secretmanager.secrets.update',
      resource: (request) => jsonText(request.secret?.name),
      handle(request, ctx) {
        const input = request.secret ?? {};
        const current = requireSecret(ctx, jsonText(input.name), 'secret.name');
        checkEtag(input.etag, current.etag, keyOf(current));
        const paths = maskPaths(request.updateMask);
        if (paths.length === 0) throw invalidArgument('update_mask must be set and list the fields to update.', 'update_mask');
        // Work on a copy so a rejected path leaves the stored secret untouched.
        const updated: SecretRecord = JSON.parse(JSON.stringify(current)) as SecretRecord;
        for (const path of paths) applyUpdatePath(updated, input, path, ctx.now);
        checkRotationTopics(updated);
        updated.etag = nextEtag(current.etag);
        save(ctx, updated);
        return secretJson(updated);
      },
    }),

    [`${SERVICE}/DeleteSecret`]: method<{ name: string; etag?: string }>({
      permission: 'secretmanager.secrets.delete',
      resource: byName,
      handle(request, ctx) {
        const secret = requireSecret(ctx, request.name);
        checkEtag(request.etag, secret.etag, keyOf(secret));
        removeSecret(ctx, secret);
        return {};
      },
    }),

    [`${SERVICE}/AddSecretVersion`]: method<{ parent: string; payload?: { data?: string; dataCrc32c?: string | number } }>({
      permission: 'secretmanager.versions.add',
      resource: byParent,
      handle(request, ctx) {
        const secret = requireSecret(ctx, request.parent, 'parent');
        const payload = request.payload;
        const data = Buffer.from(payload?.data ?? '', 'base64');
        if (data.length === 0) throw invalidArgument('Secret Payload cannot be empty.', 'payload.data');
        if (data.length > MAX_PAYLOAD_BYTES)
          throw invalidArgument(`Secret Payload cannot exceed ${MAX_PAYLOAD_BYTES} bytes.`, 'payload.data');
        const crc32c = String(CRC32C.buf(data) >>> 0);
        const given = payload?.dataCrc32c;
        const checked = given !== undefined && given !== null;
        if (checked && String(given) !== crc32c) {
          throw invalidArgument(
            `Checksum mismatch: the data_crc32c given (${String(given)}) does not match the CRC32C of the payload data.`,
            'payload.data_crc32c',
          );
        }
        const version: VersionRecord = {
          number: secret.nextVersion,
          createTime: iso(ctx.now),
          state: 'ENABLED',
          etag: nextEtag(),
          data: data.toString('base64'),
          crc32c,
          ...(checked ? { clientSpecifiedPayloadChecksum: true } : {}),
        };
        secret.versions.push(version);
        secret.nextVersion += 1;
        save(ctx, secret);
        return versionJson(secret, version);
      },
    }),

    [`${SERVICE}/GetSecretVersion`]: method<{ name: string }>({
      permission: 'secretmanager.versions.get',
      resource: byName,
      handle(request, ctx) {
        const { secret, version } = requireVersion(ctx, request.name);
        return versionJson(secret, version);
      },
    }),

    [`${SERVICE}/ListSecretVersions`]: method<{ parent: string; pageSize?: number; pageToken?: string; filter?: string }>({
      permission: 'secretmanager.versions.list',
      resource: byParent,
      handle(request, ctx) {
        const secret = requireSecret(ctx, request.parent, 'parent');
        const newestFirst = [...secret.versions].reverse();
        const listed = newestFirst.filter(versionFilter(request.filter));
        const page = paginate(listed, request.pageSize, request.pageToken, { defaultSize: 25000, maxSize: 25000 });
        const json: JsonObject = { versions: page.items.map((version) => versionJson(secret, version)) };
        if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
        if (!request.filter) json.totalSize = newestFirst.length;
        return json;
      },
    }),

    [`${SERVICE}/AccessSecretVersion`]: method<{ name: string }>({
      permission: 'secretmanager.versions.access',
      resource: byName,
      handle(request, ctx) {
        const { secret, version } = requireVersion(ctx, request.name);
        if (version.state !== 'ENABLED') throw notInState(secret, version);
        return { name: versionNameOf(secret, version), payload: { data: version.data ?? '', dataCrc32c: version.crc32c ?? '0' } };
      },
    }),

    [`${SERVICE}/EnableSecretVersion`]: method<VersionRequest>({
      permission: 'secretmanager.versions.enable',
      resource: byName,
      handle: (request, ctx) => changeState(ctx, request, 'ENABLED'),
    }),

    [`${SERVICE}/DisableSecretVersion`]: method<VersionRequest>({
      permission: 'secretmanager.versions.disable',
      resource: byName,
      handle: (request, ctx) => changeState(ctx, request, 'DISABLED'),
    }),

    [`${SERVICE}/DestroySecretVersion`]: method<VersionRequest>({
      permission: 'secretmanager.versions.destroy',
      resource: byName,
      handle(request, ctx) {
        const { secret, version } = requireVersion(ctx, request.name);
        checkEtag(request.etag, version.etag, versionNameOf(secret, version));
        if (version.state === 'DESTROYED' || version.scheduledDestroyTime) throw notInState(secret, version);
        const delay = durationMs(secret.versionDestroyTtl);
        if (delay) {
          // Delayed destruction: the version is disabled now and destroyed when the delay has passed.
          version.state = 'DISABLED';
          version.scheduledDestroyTime = iso(ctx.now + delay);
          version.etag = nextEtag(version.etag);
        } else {
          destroyNow(version, iso(ctx.now));
        }
        save(ctx, secret);
        return versionJson(secret, version);
      },
    }),

    [`${SERVICE}/GetIamPolicy`]: method<{ resource: string; options?: { requestedPolicyVersion?: number } }>({
      permission: 'secretmanager.secrets.getIamPolicy',
      resource: byResource,
      handle(request, ctx) {
        const version = request.options?.requestedPolicyVersion ?? 0;
        if (![0, 1, 3].includes(version))
          throw invalidArgument(`Invalid requested policy version: ${version}.`, 'options.requested_policy_version');
        return ctx.iamPolicies.get(keyOf(requireSecret(ctx, request.resource, 'resource')));
      },
    }),

    [`${SERVICE}/SetIamPolicy`]: method<{ resource: string; policy?: JsonObject; updateMask?: string }>({
      permission: 'secretmanager.secrets.setIamPolicy',
      resource: byResource,
      handle(request, ctx) {
        const secret = requireSecret(ctx, request.resource, 'resource');
        checkSecretRoles(request.policy);
        return ctx.iamPolicies.set(keyOf(secret), request.policy, request.updateMask, ctx.now);
      },
    }),

    [`${SERVICE}/TestIamPermissions`]: method<{ resource: string; permissions?: string[] }>({
      resource: byResource,
      handle(request, ctx) {
        requireSecret(ctx, request.resource, 'resource');
        return { permissions: ctx.iamPolicies.testPermissions(request.permissions ?? []) };
      },
    }),
  },
});

function changeState(ctx: CallContext, request: VersionRequest, target: 'ENABLED' | 'DISABLED'): JsonObject {
  const { secret, version } = requireVersion(ctx, request.name);
  checkEtag(request.etag, version.etag, versionNameOf(secret, version));
  if (version.state === 'DESTROYED') throw notInState(secret, version);
  // Enabling or disabling a version scheduled for destruction cancels the destruction.
  if (version.state !== target || version.scheduledDestroyTime) {
    version.state = target;
    delete version.scheduledDestroyTime;
    version.etag = nextEtag(version.etag);
    save(ctx, secret);
  }
  return versionJson(secret, version);
}
