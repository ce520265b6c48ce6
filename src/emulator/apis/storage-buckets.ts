// Cloud Storage buckets: Google's naming rules, locations, storage classes, labels, lifecycle
// rules, uniform bucket-level access and public access prevention, the merge semantics of PATCH,
// the JSON resource as Storage renders it (shapes as recorded in KCC's storage-bucket logs, see
// test/emulator/recordings/README.md), and the IAM policy a new bucket starts with.
import { CLOUD_RUN_REGIONS } from '../../config/regions.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { EmulatorServices } from '../core/services.js';
import { invalid, protoEtag } from './storage-wire.js';

export const BUCKETS = 'storage.buckets';
const DAY_MS = 24 * 3600 * 1000;

export interface BucketRecord {
  name: string;
  projectId: string;
  projectNumber: string;
  /** Upper case, as Storage answers: `US`, `US-CENTRAL1`, `EUR4`. */
  location: string;
  locationType: 'multi-region' | 'dual-region' | 'region';
  storageClass: string;
  labels?: Record<string, string>;
  lifecycleRules?: JsonObject[];
  versioning?: boolean;
  uniformAccess: boolean;
  /** ms since epoch: 90 days after uniform access was turned on (after that it cannot be turned off). */
  uniformAccessLockedTime?: number;
  publicAccessPrevention: 'inherited' | 'enforced';
  softDeleteSeconds: string;
  softDeleteEffectiveTime: number;
  metageneration: number;
  /** Buckets have generations too (soft-deleted buckets are restored by generation). */
  generation: string;
  timeCreated: number;
  updated: number;
  /** Settable fields the emulator keeps and echoes without giving them behaviour (cors, website, …). */
  other?: JsonObject;
}

export function buckets(services: EmulatorServices) {
  return services.store.collection<BucketRecord>(BUCKETS);
}

/** The key of a bucket's IAM policy in the shared policy store (Storage's own resource name). */
export function bucketPolicyKey(bucket: string): string {
  return `projects/_/buckets/${bucket}`;
}

// ---------------------------------------------------------------------------------------------
// Names (https://cloud.google.com/storage/docs/buckets#naming)

const NAME_CHARACTERS = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/;
const DOTTED_QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;
/** "google" and close misspellings such as "g00gle" are refused. */
const GOOGLE_LIKE = /g[o0][o0]g[l1]e/;

/** Why the name breaks Google's bucket naming rules, or undefined when it is valid. */
function nameProblem(name: string): string | undefined {
  if (!NAME_CHARACTERS.test(name)) return 'characters';
  const components = name.split('.');
  if (name.length < 3 || name.length > (components.length > 1 ? 222 : 63)) return 'length';
  if (components.some((component) => component.length === 0 || component.length > 63)) return 'length';
  if (DOTTED_QUAD.test(name)) return 'ip';
  if (name.startsWith('goog') || GOOGLE_LIKE.test(name)) return 'google';
  return undefined;
}

export function checkBucketName(name: string): void {
  if (nameProblem(name)) throw invalid(`Invalid bucket name: '${name}'`);
}

// ---------------------------------------------------------------------------------------------
// Locations and storage classes

const MULTI_REGIONS = new Set(['US', 'EU', 'ASIA']);
/** Predefined dual-regions. */
const DUAL_REGIONS = new Set(['NAM4', 'EUR4', 'EUR5', 'EUR7', 'EUR8', 'ASIA1']);
const REGIONS = new Set(CLOUD_RUN_REGIONS.map((region) => region.toUpperCase()));

export function resolveLocation(location: JsonValue | undefined): Pick<BucketRecord, 'location' | 'locationType'> {
  // Storage's default when the request names none (as recorded for `gcloud storage buckets create`).
  const text = typeof location === 'string' && location !== '' ? location.toUpperCase() : 'US';
  if (MULTI_REGIONS.has(text)) return { location: text, locationType: 'multi-region' };
  if (DUAL_REGIONS.has(text)) return { location: text, locationType: 'dual-region' };
  if (REGIONS.has(text)) return { location: text, locationType: 'region' };
  throw invalid('The specified location constraint is not valid.');
}

export const STORAGE_CLASSES = new Set([
  'STANDARD',
  'NEARLINE',
  'COLDLINE',
  'ARCHIVE',
  'MULTI_REGIONAL',
  'REGIONAL',
  'DURABLE_REDUCED_AVAILABILITY',
]);

export function checkStorageClass(value: JsonValue | undefined, field = 'storageClass'): string {
  const text = typeof value === 'string' ? value.toUpperCase() : '';
  if (!STORAGE_CLASSES.has(text)) throw invalid(`Invalid value for ${field}: ${JSON.stringify(value)}`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Labels (https://cloud.google.com/storage/docs/tags-and-labels#bucket-labels)

const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

function checkLabels(labels: Record<string, string>): void {
  if (Object.keys(labels).length > 64) throw invalid('A bucket can have at most 64 labels.');
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key)) throw invalid(`Invalid label key "${key}".`);
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) throw invalid(`Invalid label value "${String(value)}" for key "${key}".`);
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle rules (https://cloud.google.com/storage/docs/lifecycle#configuration)

const ACTIONS = new Set(['Delete', 'SetStorageClass', 'AbortIncompleteMultipartUpload']);
const INTEGER_CONDITIONS = new Set(['age', 'daysSinceCustomTime', 'daysSinceNoncurrentTime', 'numNewerVersions']);
const DATE_CONDITIONS = new Set(['createdBefore', 'customTimeBefore', 'noncurrentTimeBefore']);
const LIST_CONDITIONS = new Set(['matchesStorageClass', 'matchesPrefix', 'matchesSuffix']);
const ABORT_UPLOAD_CONDITIONS = new Set(['age', 'matchesPrefix', 'matchesSuffix']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isNonNegativeInteger(value: JsonValue): boolean {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0;
}

function checkCondition(condition: JsonValue | undefined, action: string, at: string): void {
  if (!isJsonObject(condition) || Object.keys(condition).length === 0) {
    throw invalid(`Invalid lifecycle configuration: ${at}.condition must specify at least one condition.`);
  }
  for (const [key, value] of Object.entries(condition)) {
    const where = `${at}.condition.${key}`;
    if (action === 'AbortIncompleteMultipartUpload' && !ABORT_UPLOAD_CONDITIONS.has(key)) {
      throw invalid(`Invalid lifecycle configuration: ${where} cannot be used with the AbortIncompleteMultipartUpload action.`);
    }
    if (INTEGER_CONDITIONS.has(key)) {
      if (!isNonNegativeInteger(value)) throw invalid(`Invalid lifecycle configuration: ${where} must be a non-negative integer.`);
    } else if (DATE_CONDITIONS.has(key)) {
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
        throw invalid(`Invalid lifecycle configuration: ${where} must be a date in the form YYYY-MM-DD.`);
      }
    } else if (LIST_CONDITIONS.has(key)) {
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
        throw invalid(`Invalid lifecycle configuration: ${where} must be a list of strings.`);
      }
      if (key === 'matchesStorageClass') value.forEach((item) => checkStorageClass(item, where));
    } else if (key === 'isLive') {
      if (typeof value !== 'boolean') throw invalid(`Invalid lifecycle configuration: ${where} must be true or false.`);
    } else {
      throw invalid(`Invalid lifecycle configuration: unknown condition ${where}.`);
    }
  }
}

function checkRule(rule: JsonValue, index: number): JsonObject {
  const at = `lifecycle.rule[${index}]`;
  if (!isJsonObject(rule)) throw invalid(`Invalid lifecycle configuration: ${at} must be an object.`);
  const action = rule.action;
  const type = isJsonObject(action) && typeof action.type === 'string' ? action.type : '';
  if (!ACTIONS.has(type)) {
    throw invalid(
      `Invalid lifecycle configuration: ${at}.action.type must be one of Delete, SetStorageClass, AbortIncompleteMultipartUpload.`,
    );
  }
  const storageClass = isJsonObject(action) ? action.storageClass : undefined;
  if (type === 'SetStorageClass') checkStorageClass(storageClass, `${at}.action.storageClass`);
  else if (storageClass !== undefined) {
    throw invalid(`Invalid lifecycle configuration: ${at}.action.storageClass is only allowed with the SetStorageClass action.`);
  }
  checkCondition(rule.condition, type, at);
  for (const key of Object.keys(rule)) {
    if (key !== 'action' && key !== 'condition') throw invalid(`Invalid lifecycle configuration: unknown field ${at}.${key}.`);
  }
  return rule;
}

/** The rules of a `lifecycle` field (`{rule: [...]}`), checked; Storage allows up to 100. */
function lifecycleRules(lifecycle: JsonValue | undefined): JsonObject[] {
  if (lifecycle === null || lifecycle === undefined) return [];
  if (!isJsonObject(lifecycle)) throw invalid('Invalid lifecycle configuration: lifecycle must be an object with a rule list.');
  const rules = lifecycle.rule ?? [];
  if (!Array.isArray(rules)) throw invalid('Invalid lifecycle configuration: lifecycle.rule must be a list.');
  if (rules.length > 100) throw invalid('Invalid lifecycle configuration: a bucket can have at most 100 lifecycle rules.');
  return rules.map(checkRule);
}

// ---------------------------------------------------------------------------------------------
// Request fields

/** Fields Storage computes; a client sending them back (read-modify-write) is ignored, as at Google. */
const OUTPUT_ONLY = new Set([
  'kind',
  'id',
  'selfLink',
  'projectNumber',
  'metageneration',
  'generation',
  'etag',
  'timeCreated',
  'updated',
  'owner',
  'locationType',
  'satisfiesPZS',
  'satisfiesPZI',
  'softDeleteTime',
  'hardDeleteTime',
  'acl',
  'defaultObjectAcl',
]);

/** Fields kept and echoed without behaviour in the emulator. */
const KEPT_AS_IS = new Set([
  'cors',
  'website',
  'logging',
  'encryption',
  'billing',
  'defaultEventBasedHold',
  'retentionPolicy',
  'autoclass',
  'hierarchicalNamespace',
  'customPlacementConfig',
  'objectRetention',
  'rpo',
  'ipFilter',
]);

const MODELLED = new Set(['name', 'location', 'storageClass', 'labels', 'lifecycle', 'versioning', 'iamConfiguration', 'softDeletePolicy']);

function checkKnownFields(body: JsonObject): void {
  for (const key of Object.keys(body)) {
    if (!OUTPUT_ONLY.has(key) && !KEPT_AS_IS.has(key) && !MODELLED.has(key)) {
      throw invalid(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
    }
  }
}

function softDeleteSeconds(policy: JsonValue | undefined, fallback: string): string {
  if (policy === undefined || policy === null) return fallback;
  const value = isJsonObject(policy) ? policy.retentionDurationSeconds : undefined;
  if (value === undefined) return fallback;
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  // Zero turns soft delete off; otherwise between 7 and 90 days.
  if (typeof seconds !== 'number' || !(seconds === 0 || (seconds >= 7 * 86400 && seconds <= 90 * 86400))) {
    throw invalid(
      'Invalid value for softDeletePolicy.retentionDurationSeconds: it must be 0 or between 604800 (7 days) and 7776000 (90 days).',
    );
  }
  return String(seconds);
}

interface IamSettings {
  uniformAccess?: boolean;
  publicAccessPrevention?: 'inherited' | 'enforced';
}

function iamSettings(value: JsonValue | undefined): IamSettings {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw invalid('Invalid value for iamConfiguration.');
  const settings: IamSettings = {};
  for (const key of ['uniformBucketLevelAccess', 'bucketPolicyOnly'] as const) {
    const entry = value[key];
    if (isJsonObject(entry) && typeof entry.enabled === 'boolean') settings.uniformAccess = entry.enabled;
  }
  const prevention = value.publicAccessPrevention;
  if (prevention !== undefined) {
    // `unspecified` is the older spelling of `inherited`.
    if (prevention === 'enforced') settings.publicAccessPrevention = 'enforced';
    else if (prevention === 'inherited' || prevention === 'unspecified') settings.publicAccessPrevention = 'inherited';
    else throw invalid(`Invalid value for iamConfiguration.publicAccessPrevention: ${JSON.stringify(prevention)}`);
  }
  return settings;
}

function versioningOf(value: JsonValue | undefined): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value) || typeof value.enabled !== 'boolean') throw invalid('Invalid value for versioning.');
  return value.enabled;
}

function labelsOf(value: JsonValue | undefined): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalid('Invalid value for labels.');
  return value as Record<string, string>;
}

function generationNow(now: number): string {
  return String(BigInt(now) * 1000n);
}

export interface NewBucket {
  name: string;
  projectId: string;
  projectNumber: string;
  body: JsonObject;
  now: number;
}

/** A new bucket from an insert request's body (name already checked), or Storage's 400. */
export function newBucketRecord({ name, projectId, projectNumber, body, now }: NewBucket): BucketRecord {
  checkKnownFields(body);
  const iam = iamSettings(body.iamConfiguration);
  const labels = labelsOf(body.labels);
  if (labels) checkLabels(labels);
  const rules = lifecycleRules(body.lifecycle);
  const versioning = versioningOf(body.versioning);
  const other: JsonObject = {};
  for (const key of KEPT_AS_IS) if (body[key] !== undefined && body[key] !== null) other[key] = body[key];
  const uniformAccess = iam.uniformAccess ?? false;
  return {
    name,
    projectId,
    projectNumber,
    ...resolveLocation(body.location),
    storageClass: body.storageClass === undefined ? 'STANDARD' : checkStorageClass(body.storageClass),
    ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
    ...(rules.length > 0 ? { lifecycleRules: rules } : {}),
    ...(versioning !== undefined ? { versioning } : {}),
    uniformAccess,
    ...(uniformAccess ? { uniformAccessLockedTime: now + 90 * DAY_MS } : {}),
    publicAccessPrevention: iam.publicAccessPrevention ?? 'inherited',
    softDeleteSeconds: softDeleteSeconds(body.softDeletePolicy, '604800'),
    softDeleteEffectiveTime: now,
    metageneration: 1,
    generation: generationNow(now),
    timeCreated: now,
    updated: now,
    ...(Object.keys(other).length > 0 ? { other } : {}),
  };
}

/** Labels merge key by key (a null value removes the label), as Storage's PATCH does. */
function mergedLabels(current: Record<string, string> | undefined, patch: JsonValue): Record<string, string> | undefined {
  if (patch === null) return undefined;
  const next: Record<string, string> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(labelsOf(patch) ?? {})) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  checkLabels(next);
  return Object.keys(next).length > 0 ? next : undefined;
}

/**
 * PATCH semantics: fields present replace (objects merge field by field, `null` clears), absent
 * fields stay; the location cannot change. Every patch increments the metageneration.
 */
export function patchedBucket(current: BucketRecord, body: JsonObject, now: number): BucketRecord {
  checkKnownFields(body);
  if (typeof body.name === 'string' && body.name !== current.name) throw invalid('The bucket name cannot be changed.');
  if (body.location !== undefined && body.location !== null && resolveLocation(body.location).location !== current.location) {
    throw invalid("The bucket's location cannot be changed.");
  }
  const next: BucketRecord = { ...current, metageneration: current.metageneration + 1, updated: now };
  if (body.storageClass !== undefined) next.storageClass = checkStorageClass(body.storageClass);
  if (body.labels !== undefined) {
    const labels = mergedLabels(current.labels, body.labels);
    if (labels) next.labels = labels;
    else delete next.labels;
  }
  if (body.lifecycle !== undefined) {
    const rules = lifecycleRules(body.lifecycle);
    if (rules.length > 0) next.lifecycleRules = rules;
    else delete next.lifecycleRules;
  }
  if (body.versioning !== undefined) {
    const versioning = versioningOf(body.versioning);
    if (versioning === undefined) delete next.versioning;
    else next.versioning = versioning;
  }
  const iam = iamSettings(body.iamConfiguration);
  if (iam.uniformAccess !== undefined && iam.uniformAccess !== current.uniformAccess) {
    next.uniformAccess = iam.uniformAccess;
    if (iam.uniformAccess) next.uniformAccessLockedTime = now + 90 * DAY_MS;
    else delete next.uniformAccessLockedTime;
  }
  if (iam.publicAccessPrevention) next.publicAccessPrevention = iam.publicAccessPrevention;
  if (body.softDeletePolicy !== undefined) {
    next.softDeleteSeconds = softDeleteSeconds(body.softDeletePolicy, '604800');
    next.softDeleteEffectiveTime = now;
  }
  const other: JsonObject = { ...(current.other ?? {}) };
  for (const key of KEPT_AS_IS) {
    if (body[key] === null) delete other[key];
    else if (body[key] !== undefined) other[key] = body[key];
  }
  if (Object.keys(other).length > 0) next.other = other;
  else delete next.other;
  return next;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function bucketEtag(bucket: BucketRecord): string {
  return protoEtag(bucket.metageneration);
}

function projectTeam(bucket: BucketRecord, team: 'owners' | 'editors' | 'viewers'): JsonObject {
  return { projectNumber: bucket.projectNumber, team };
}

/** The ACLs every bucket without uniform access shows with `projection=full` (as recorded). */
function aclFields(bucket: BucketRecord): JsonObject {
  const etag = bucketEtag(bucket);
  const teams = [
    ['owners', 'OWNER'],
    ['editors', 'OWNER'],
    ['viewers', 'READER'],
  ] as const;
  return {
    acl: teams.map(([team, role]) => {
      const entity = `project-${team}-${bucket.projectNumber}`;
      return {
        kind: 'storage#bucketAccessControl',
        id: `${bucket.name}/${entity}`,
        selfLink: `https://www.googleapis.com/storage/v1/b/${bucket.name}/acl/${entity}`,
        bucket: bucket.name,
        entity,
        role,
        etag,
        projectTeam: projectTeam(bucket, team),
      };
    }),
    defaultObjectAcl: teams.map(([team, role]) => ({
      kind: 'storage#objectAccessControl',
      entity: `project-${team}-${bucket.projectNumber}`,
      role,
      etag,
      projectTeam: projectTeam(bucket, team),
    })),
    owner: { entity: `project-owners-${bucket.projectNumber}` },
  };
}

function iamConfigurationJson(bucket: BucketRecord): JsonObject {
  const uniform: JsonObject = { enabled: bucket.uniformAccess };
  if (bucket.uniformAccess && bucket.uniformAccessLockedTime) uniform.lockedTime = iso(bucket.uniformAccessLockedTime);
  return { bucketPolicyOnly: { ...uniform }, uniformBucketLevelAccess: uniform, publicAccessPrevention: bucket.publicAccessPrevention };
}

/** The bucket resource; `full` adds the ACLs (never shown with uniform bucket-level access). */
export function bucketJson(bucket: BucketRecord, projection: 'full' | 'noAcl'): JsonObject {
  const json: JsonObject = {
    kind: 'storage#bucket',
    selfLink: `https://www.googleapis.com/storage/v1/b/${bucket.name}`,
    id: bucket.name,
    name: bucket.name,
    projectNumber: bucket.projectNumber,
    generation: bucket.generation,
    metageneration: String(bucket.metageneration),
    location: bucket.location,
    storageClass: bucket.storageClass,
    etag: bucketEtag(bucket),
    timeCreated: iso(bucket.timeCreated),
    updated: iso(bucket.updated),
    // As recorded: a policy turned off (0 seconds) has no effective time.
    softDeletePolicy:
      bucket.softDeleteSeconds === '0'
        ? { retentionDurationSeconds: '0' }
        : { retentionDurationSeconds: bucket.softDeleteSeconds, effectiveTime: iso(bucket.softDeleteEffectiveTime) },
    iamConfiguration: iamConfigurationJson(bucket),
    locationType: bucket.locationType,
  };
  // As recorded: multi- and dual-regions carry an `rpo`, regions `satisfiesPZI`.
  if (bucket.locationType === 'region') json.satisfiesPZI = true;
  else json.rpo = 'DEFAULT';
  if (bucket.labels) json.labels = bucket.labels;
  if (bucket.lifecycleRules) json.lifecycle = { rule: bucket.lifecycleRules };
  if (bucket.versioning !== undefined) json.versioning = { enabled: bucket.versioning };
  Object.assign(json, bucket.other ?? {});
  if (projection === 'full' && !bucket.uniformAccess) Object.assign(json, aclFields(bucket));
  return json;
}

// ---------------------------------------------------------------------------------------------
// IAM

/**
 * The policy a new bucket starts with: the project's owners and editors own it, its viewers read
 * it (convenience values); with uniform access the same teams also get the legacy object roles,
 * since object ACLs no longer apply.
 */
export function defaultBucketBindings(bucket: BucketRecord): Array<{ role: string; members: string[] }> {
  const owners = [`projectEditor:${bucket.projectId}`, `projectOwner:${bucket.projectId}`];
  const readers = [`projectViewer:${bucket.projectId}`];
  const bindings = [
    { role: 'roles/storage.legacyBucketOwner', members: owners },
    { role: 'roles/storage.legacyBucketReader', members: readers },
  ];
  if (bucket.uniformAccess) {
    bindings.push({ role: 'roles/storage.legacyObjectOwner', members: owners });
    bindings.push({ role: 'roles/storage.legacyObjectReader', members: readers });
  }
  return bindings;
}

/**
 * Without uniform access, objects carry the bucket's default object ACL (project owners and
 * editors OWNER, viewers READER): for access checks it acts like these bindings.
 */
export function objectAclBindings(bucket: BucketRecord): Array<{ role: string; members: string[] }> {
  if (bucket.uniformAccess) return [];
  return [
    { role: 'roles/storage.legacyObjectOwner', members: [`projectEditor:${bucket.projectId}`, `projectOwner:${bucket.projectId}`] },
    { role: 'roles/storage.legacyObjectReader', members: [`projectViewer:${bucket.projectId}`] },
  ];
}
