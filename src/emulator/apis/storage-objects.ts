// Cloud Storage objects: the live generation of each object with its bytes, MD5 and CRC32C;
// generations and metagenerations; the preconditions (`ifGenerationMatch` — 0 meaning "must not
// exist yet" —, `ifGenerationNotMatch`, `ifMetagenerationMatch`, `ifMetagenerationNotMatch`);
// listing with prefix, delimiter, offsets, glob and pages; metadata patches; and the bucket's
// lifecycle Delete rules, applied when the bucket's objects are next touched.
import type { RawHttpRequest } from '../core/api.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { EmulatorServices } from '../core/services.js';
import { checkStorageClass, type BucketRecord } from './storage-buckets.js';
import {
  crc32cBase64,
  int64Param,
  invalid,
  md5Base64,
  NotModified,
  objectNotFound,
  preconditionFailed,
  protoEtag,
} from './storage-wire.js';

export const OBJECTS = 'storage.objects';
const CLOCK = 'storage.clock';
const DAY_MS = 24 * 3600 * 1000;

export interface ObjectRecord {
  bucket: string;
  name: string;
  generation: string;
  metageneration: number;
  contentType: string;
  size: number;
  md5Hash: string;
  crc32c: string;
  /** The bytes, base64 (the state is JSON). */
  data: string;
  storageClass: string;
  timeCreated: number;
  updated: number;
  /** Settable metadata: `metadata`, `cacheControl`, `contentDisposition`, `contentEncoding`, `contentLanguage`, `customTime`. */
  fields: JsonObject;
}

export function objects(services: EmulatorServices) {
  return services.store.collection<ObjectRecord>(OBJECTS);
}

function objectKey(bucket: string, name: string): string {
  return `${bucket}/${name}`;
}

export function findObject(services: EmulatorServices, bucket: string, name: string): ObjectRecord | undefined {
  return objects(services).get(objectKey(bucket, name));
}

/** Objects of a bucket in Storage's order (lexicographic by the name's UTF-8 bytes). */
export function objectsIn(services: EmulatorServices, bucket: string): ObjectRecord[] {
  return objects(services)
    .values()
    .filter((object) => object.bucket === bucket)
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

/**
 * A new generation number: microseconds since the epoch, as Storage's are, and strictly greater
 * than any given before (two writes in the same microsecond still differ).
 */
function nextGeneration(services: EmulatorServices, now: number): string {
  const clock = services.store.collection<string>(CLOCK);
  const last = BigInt(clock.get('lastGeneration') ?? '0');
  const candidate = BigInt(now) * 1000n;
  const next = candidate > last ? candidate : last + 1n;
  clock.set('lastGeneration', String(next));
  return String(next);
}

// ---------------------------------------------------------------------------------------------
// Names and metadata

export function checkObjectName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > 1024 || /[\r\n]/.test(name) || name === '.' || name === '..') {
    throw invalid('The specified object name is not valid.');
  }
}

const OUTPUT_ONLY = new Set([
  'kind',
  'id',
  'selfLink',
  'mediaLink',
  'bucket',
  'generation',
  'metageneration',
  'size',
  'etag',
  'timeCreated',
  'updated',
  'timeStorageClassUpdated',
  'timeFinalized',
  'owner',
  'componentCount',
  'acl',
]);
const SETTABLE = new Set(['metadata', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage', 'customTime']);
const ON_INSERT = new Set(['name', 'contentType', 'md5Hash', 'crc32c', 'storageClass']);

function checkMetadataMap(value: JsonValue, allowNull: boolean): void {
  if (!isJsonObject(value)) throw invalid('Invalid value for metadata: expected an object of strings.');
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string' && !(allowNull && item === null)) throw invalid(`Invalid value for metadata.${key}: expected a string.`);
  }
}

function checkFields(body: JsonObject, allowed: Set<string>, patch: boolean): void {
  for (const [key, value] of Object.entries(body)) {
    if (OUTPUT_ONLY.has(key)) continue;
    if (!allowed.has(key)) throw invalid(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
    if (key === 'metadata' && value !== null) checkMetadataMap(value, patch);
    else if (key === 'customTime' && value !== null && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      throw invalid(`Invalid value for customTime: ${JSON.stringify(value)}`);
    } else if (key !== 'metadata' && value !== null && typeof value !== 'string') {
      throw invalid(`Invalid value for ${key}: ${JSON.stringify(value)}`);
    }
  }
}

function settableFields(body: JsonObject): JsonObject {
  const fields: JsonObject = {};
  for (const key of SETTABLE) if (body[key] !== undefined && body[key] !== null) fields[key] = body[key];
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Preconditions

export interface Preconditions {
  ifGenerationMatch?: bigint;
  ifGenerationNotMatch?: bigint;
  ifMetagenerationMatch?: bigint;
  ifMetagenerationNotMatch?: bigint;
}

export function preconditionsOf(request: RawHttpRequest): Preconditions {
  const conditions: Preconditions = {};
  for (const name of ['ifGenerationMatch', 'ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch'] as const) {
    const value = int64Param(request, name);
    if (value !== undefined) conditions[name] = value;
  }
  return conditions;
}

/**
 * Checks the preconditions against the live object (undefined: none). A failed `…Match` is 412
 * conditionNotMet; a failed `…NotMatch` on a read is 304 Not Modified, on a write 412.
 */
export function checkPreconditions(current: ObjectRecord | undefined, conditions: Preconditions, read = false): void {
  const generation = current ? BigInt(current.generation) : 0n;
  if (conditions.ifGenerationMatch !== undefined && conditions.ifGenerationMatch !== generation) throw preconditionFailed();
  if (conditions.ifMetagenerationMatch !== undefined && (!current || conditions.ifMetagenerationMatch !== BigInt(current.metageneration))) {
    throw preconditionFailed();
  }
  const notMatch =
    (conditions.ifGenerationNotMatch !== undefined && conditions.ifGenerationNotMatch === generation) ||
    (conditions.ifMetagenerationNotMatch !== undefined &&
      current &&
      conditions.ifMetagenerationNotMatch === BigInt(current.metageneration));
  if (notMatch) throw read ? new NotModified() : preconditionFailed();
}

/** `generation=N` on a read or delete: only the live generation exists in the emulator. */
export function requireGeneration(request: RawHttpRequest, bucket: string, name: string, current: ObjectRecord | undefined): ObjectRecord {
  const wanted = int64Param(request, 'generation');
  if (!current || (wanted !== undefined && BigInt(current.generation) !== wanted)) throw objectNotFound(bucket, name);
  return current;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface ObjectWrite {
  bucket: BucketRecord;
  /** The object resource sent with the upload (multipart or resumable), `{}` for a media upload. */
  metadata: JsonObject;
  /** `name` query parameter (media uploads, or when the metadata has none). */
  queryName?: string;
  data: Buffer;
  /** The media's own Content-Type, when the metadata names none. */
  mediaType?: string;
  conditions: Preconditions;
  now: number;
}

function checkClientHashes(metadata: JsonObject, md5Hash: string, crc32c: string): void {
  if (typeof metadata.md5Hash === 'string' && metadata.md5Hash !== md5Hash) {
    throw invalid(`Provided MD5 hash "${metadata.md5Hash}" doesn't match calculated MD5 hash "${md5Hash}".`);
  }
  if (typeof metadata.crc32c === 'string' && metadata.crc32c !== crc32c) {
    throw invalid(`Provided CRC32C "${metadata.crc32c}" doesn't match calculated CRC32C "${crc32c}".`);
  }
}

/** The object's name from the upload's metadata or query (Storage's 400 `Required` when neither has one). */
export function uploadName(metadata: JsonObject, queryName: string | undefined): string {
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : queryName;
  if (!name) throw invalid('Required', 'required');
  checkObjectName(name);
  return name;
}

/** Checks an upload's metadata before any byte is taken (resumable sessions check it at the start). */
export function checkUploadMetadata(metadata: JsonObject, bucket: string): void {
  checkFields(metadata, new Set([...SETTABLE, ...ON_INSERT]), false);
  if (typeof metadata.bucket === 'string' && metadata.bucket !== bucket) {
    throw invalid(`The bucket in the object resource ("${metadata.bucket}") does not match the bucket in the URL ("${bucket}").`);
  }
  if (metadata.storageClass !== undefined) checkStorageClass(metadata.storageClass);
}

/**
 * Stores a new generation of an object after checking the preconditions against the live one —
 * atomically, so of two racing "create if absent" writes (`ifGenerationMatch=0`) exactly one wins.
 */
export function writeObject(services: EmulatorServices, write: ObjectWrite): ObjectRecord {
  const { bucket, metadata, data, now } = write;
  checkUploadMetadata(metadata, bucket.name);
  const name = uploadName(metadata, write.queryName);
  sweepLifecycle(services, bucket, now);
  const current = findObject(services, bucket.name, name);
  checkPreconditions(current, write.conditions);
  const md5Hash = md5Base64(data);
  const crc32c = crc32cBase64(data);
  checkClientHashes(metadata, md5Hash, crc32c);
  const contentType =
    typeof metadata.contentType === 'string' && metadata.contentType !== ''
      ? metadata.contentType
      : write.mediaType || 'application/octet-stream';
  const record: ObjectRecord = {
    bucket: bucket.name,
    name,
    generation: nextGeneration(services, now),
    metageneration: 1,
    contentType,
    size: data.length,
    md5Hash,
    crc32c,
    data: data.toString('base64'),
    storageClass: metadata.storageClass === undefined ? bucket.storageClass : checkStorageClass(metadata.storageClass),
    timeCreated: now,
    updated: now,
    fields: settableFields(metadata),
  };
  objects(services).set(objectKey(bucket.name, name), record);
  return record;
}

/** PATCH of an object's metadata: settable fields replace, `metadata` merges key by key (null removes). */
export function patchObject(services: EmulatorServices, current: ObjectRecord, body: JsonObject, now: number): ObjectRecord {
  checkFields(body, new Set([...SETTABLE, 'contentType', 'name', 'storageClass']), true);
  if (typeof body.name === 'string' && body.name !== current.name) throw invalid('The object name cannot be changed by a patch.');
  if (body.storageClass !== undefined && checkStorageClass(body.storageClass) !== current.storageClass) {
    throw invalid('The storage class of an object is changed by rewriting it, not by a patch.');
  }
  const fields: JsonObject = { ...current.fields };
  for (const key of SETTABLE) {
    const value = body[key];
    if (value === undefined) continue;
    if (value === null) delete fields[key];
    else if (key === 'metadata') {
      const merged: JsonObject = { ...((fields.metadata as JsonObject | undefined) ?? {}) };
      for (const [entry, text] of Object.entries(value as JsonObject)) {
        if (text === null) delete merged[entry];
        else merged[entry] = text;
      }
      if (Object.keys(merged).length > 0) fields.metadata = merged;
      else delete fields.metadata;
    } else fields[key] = value;
  }
  const next: ObjectRecord = { ...current, fields, metageneration: current.metageneration + 1, updated: now };
  if (typeof body.contentType === 'string' && body.contentType !== '') next.contentType = body.contentType;
  objects(services).set(objectKey(current.bucket, current.name), next);
  return next;
}

export function deleteObject(services: EmulatorServices, object: ObjectRecord): void {
  objects(services).delete(objectKey(object.bucket, object.name));
}

// ---------------------------------------------------------------------------------------------
// Rendering

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function objectEtag(object: ObjectRecord): string {
  return protoEtag(BigInt(object.generation), object.metageneration);
}

export function objectJson(object: ObjectRecord): JsonObject {
  const encoded = encodeURIComponent(object.name);
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `https://www.googleapis.com/storage/v1/b/${object.bucket}/o/${encoded}`,
    mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${object.bucket}/o/${encoded}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: object.generation,
    metageneration: String(object.metageneration),
    contentType: object.contentType,
    storageClass: object.storageClass,
    size: String(object.size),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: objectEtag(object),
    timeCreated: iso(object.timeCreated),
    updated: iso(object.updated),
    timeStorageClassUpdated: iso(object.timeCreated),
    timeFinalized: iso(object.timeCreated),
    ...object.fields,
  };
}

// ---------------------------------------------------------------------------------------------
// Listing

export interface ListOptions {
  prefix: string;
  delimiter?: string;
  includeTrailingDelimiter: boolean;
  startOffset?: string;
  endOffset?: string;
  matchGlob?: RegExp;
  maxResults: number;
  /** The last name the previous page covered. */
  after?: string;
}

export interface ListPage {
  items: ObjectRecord[];
  prefixes: string[];
  /** The last name this page covered, when more follow. */
  last?: string;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function inRange(name: string, options: ListOptions): boolean {
  if (!name.startsWith(options.prefix)) return false;
  if (options.startOffset !== undefined && byteCompare(name, options.startOffset) < 0) return false;
  if (options.endOffset !== undefined && byteCompare(name, options.endOffset) >= 0) return false;
  if (options.after !== undefined && byteCompare(name, options.after) <= 0) return false;
  return !options.matchGlob || options.matchGlob.test(name);
}

/**
 * One page of a listing: objects and, with a delimiter, the "directories" (prefixes up to and
 * including the delimiter) — both count towards `maxResults`, as at Storage.
 */
export function listObjects(all: ObjectRecord[], options: ListOptions): ListPage {
  const items: ObjectRecord[] = [];
  const prefixes: string[] = [];
  let count = 0;
  let last: string | undefined;
  for (const object of all) {
    if (!inRange(object.name, options)) continue;
    const rest = object.name.slice(options.prefix.length);
    const cut = options.delimiter ? rest.indexOf(options.delimiter) : -1;
    const directory = cut >= 0 ? options.prefix + rest.slice(0, cut + options.delimiter!.length) : undefined;
    if (directory !== undefined && prefixes.at(-1) === directory) {
      last = object.name;
      continue;
    }
    if (count === options.maxResults) return { items, prefixes, ...(last !== undefined ? { last } : {}) };
    count++;
    last = object.name;
    if (directory !== undefined) {
      prefixes.push(directory);
      // A "directory" object whose name ends at the delimiter is listed too when asked.
      if (options.includeTrailingDelimiter && object.name === directory) items.push(object);
    } else items.push(object);
  }
  return { items, prefixes };
}

/**
 * `matchGlob` (https://cloud.google.com/storage/docs/json_api/v1/objects/list#list-object-glob):
 * `*` any characters but `/`, `**` any characters, `?` one character, `[abc]`/`[!abc]` classes,
 * `{a,b}` alternatives.
 */
export function globPattern(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '*') {
      if (glob[i + 1] === '*') {
        pattern += '.*';
        i++;
      } else pattern += '[^/]*';
    } else if (char === '?') pattern += '[^/]';
    else if (char === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) throw invalid(`Invalid matchGlob: ${glob}`);
      const body = glob
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      pattern += `[${body}]`;
      i = end;
    } else if (char === '{') {
      const end = glob.indexOf('}', i + 1);
      if (end < 0) throw invalid(`Invalid matchGlob: ${glob}`);
      pattern += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|')})`;
      i = end;
    } else pattern += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 's');
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

function numberOf(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** Whether a Delete rule's conditions (all of them) hold for a live object. */
function ruleMatches(condition: JsonObject, object: ObjectRecord, now: number): boolean {
  for (const [key, value] of Object.entries(condition)) {
    switch (key) {
      case 'age':
        if ((now - object.timeCreated) / DAY_MS < (numberOf(value) ?? Infinity)) return false;
        break;
      case 'createdBefore':
        if (object.timeCreated >= Date.parse(`${value as string}T00:00:00Z`)) return false;
        break;
      case 'matchesPrefix':
        if (!(value as string[]).some((prefix) => object.name.startsWith(prefix))) return false;
        break;
      case 'matchesSuffix':
        if (!(value as string[]).some((suffix) => object.name.endsWith(suffix))) return false;
        break;
      case 'matchesStorageClass':
        if (!(value as string[]).includes(object.storageClass)) return false;
        break;
      case 'isLive':
        if (value !== true) return false;
        break;
      case 'customTimeBefore': {
        const custom = object.fields.customTime;
        if (typeof custom !== 'string' || Date.parse(custom) >= Date.parse(`${value as string}T00:00:00Z`)) return false;
        break;
      }
      case 'daysSinceCustomTime': {
        const custom = object.fields.customTime;
        if (typeof custom !== 'string' || (now - Date.parse(custom)) / DAY_MS < (numberOf(value) ?? Infinity)) return false;
        break;
      }
      default:
        // Conditions about noncurrent versions never hold for the live object the emulator keeps.
        return false;
    }
  }
  return true;
}

/**
 * Applies the bucket's lifecycle `Delete` rules. Storage runs them asynchronously (within a day
 * or so); the emulator applies them whenever the bucket's objects are next read or written.
 */
export function sweepLifecycle(services: EmulatorServices, bucket: BucketRecord, now: number): void {
  const rules = (bucket.lifecycleRules ?? []).filter((rule) => isJsonObject(rule.action) && rule.action.type === 'Delete');
  if (rules.length === 0) return;
  for (const object of objectsIn(services, bucket.name)) {
    if (rules.some((rule) => ruleMatches(rule.condition as JsonObject, object, now))) deleteObject(services, object);
  }
}
