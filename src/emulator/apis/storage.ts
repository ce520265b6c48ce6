// Cloud Storage JSON API v1 (storage.googleapis.com), REST only: buckets (insert, get, list,
// patch, update, delete), bucket IAM (get/set policy in Storage's own shape, testPermissions),
// and objects (uploads — media, multipart, resumable —, metadata get, download with alt=media or
// the /download path, list, patch, delete) with generations, checksums and preconditions.
// Routes are raw HTTP routes (core/api.ts): Storage answers bytes, 204/304/308/412 statuses and
// its own error body, none of which the JSON transport speaks. Bucket names are global: a name
// taken in any project is taken. Behaviour and shapes follow KCC's recorded exchanges (storage-bucket
// logs, see test/emulator/recordings/README.md) and Google's JSON API reference.
import { randomBytes } from 'node:crypto';
import { defineApi, rawRoute, type CallContext, type RawHttpRequest, type RawHttpResponse, type RawHttpRoute } from '../core/api.js';
import { permissionDeniedError } from '../core/call-pipeline.js';
import { ApiError } from '../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { EmulatorServices } from '../core/services.js';
import {
  bucketEtag,
  bucketJson,
  bucketPolicyKey,
  buckets,
  checkBucketName,
  defaultBucketBindings,
  newBucketRecord,
  patchedBucket,
  type BucketRecord,
} from './storage-buckets.js';
import {
  checkPreconditions,
  checkUploadMetadata,
  deleteObject,
  findObject,
  globPattern,
  listObjects,
  objectEtag,
  objectJson,
  objectsIn,
  patchObject,
  preconditionsOf,
  requireGeneration,
  sweepLifecycle,
  uploadName,
  writeObject,
  type ObjectRecord,
  type Preconditions,
} from './storage-objects.js';
import {
  boolParam,
  bucketNotFound,
  conflict,
  decodePageToken,
  encodePageToken,
  invalid,
  jsonAnswer,
  jsonBody,
  maxResultsParam,
  multipartParts,
  noContent,
  NotModified,
  preconditionFailed,
  projectionParam,
  queryValue,
  renderStorageError,
  required,
  StorageError,
  type ResourceKind,
} from './storage-wire.js';

export const STORAGE_API = 'storage.googleapis.com';
const RPC = 'google.storage.v1.Storage';
const UPLOADS = 'storage.uploads';
const BASE = '/storage/v1/b';

// ---------------------------------------------------------------------------------------------
// Route plumbing

function bucketOf(services: EmulatorServices, name: string): BucketRecord | undefined {
  return buckets(services).get(name);
}

function requireBucket(services: EmulatorServices, name: string): BucketRecord {
  const bucket = bucketOf(services, name);
  if (!bucket) throw bucketNotFound();
  return bucket;
}

/** API enablement is checked in the project that owns the bucket (unknown bucket: the handler answers 404). */
function bucketProject(request: RawHttpRequest, services: EmulatorServices): string | undefined {
  return bucketOf(services, request.params.bucket ?? '')?.projectId;
}

function bucketResource(request: RawHttpRequest): string {
  return `projects/_/buckets/${request.params.bucket ?? ''}`;
}

function objectResource(request: RawHttpRequest): string {
  return `${bucketResource(request)}/objects/${request.params.object ?? queryValue(request, 'name') ?? ''}`;
}

interface StorageRoute {
  verbs: RawHttpRoute['verbs'];
  path: string;
  method: string;
  permission?: string;
  kind: ResourceKind;
  binaryBody?: boolean;
  mutating?: boolean;
  resource?: (request: RawHttpRequest) => string;
  project?: (request: RawHttpRequest, services: EmulatorServices) => string | undefined;
  handle: (request: RawHttpRequest, ctx: CallContext) => RawHttpResponse;
}

function storageRoute(route: StorageRoute): RawHttpRoute {
  return rawRoute({
    verbs: route.verbs,
    path: route.path,
    rpcName: `${RPC}/${route.method}`,
    ...(route.permission ? { permission: route.permission } : {}),
    ...(route.binaryBody ? { binaryBody: true } : {}),
    ...(route.mutating !== undefined ? { mutating: route.mutating } : {}),
    resource: route.resource ?? (route.kind === 'object' ? objectResource : bucketResource),
    project: route.project ?? bucketProject,
    handle: route.handle,
    renderError: (error) => renderStorageError(error, route.permission, route.kind),
  });
}

/** Overwriting an object also needs `storage.objects.delete` (Storage's rule), checked against --deny. */
function checkOverwrite(ctx: CallContext, request: RawHttpRequest, current: ObjectRecord | undefined): void {
  if (current && ctx.options.deny.has('storage.objects.delete'))
    throw permissionDeniedError('storage.objects.delete', objectResource(request));
}

// ---------------------------------------------------------------------------------------------
// Buckets

function metagenerationConditions(request: RawHttpRequest, bucket: BucketRecord, read: boolean): void {
  const conditions = preconditionsOf(request);
  const metageneration = BigInt(bucket.metageneration);
  if (conditions.ifMetagenerationMatch !== undefined && conditions.ifMetagenerationMatch !== metageneration) throw preconditionFailed();
  if (conditions.ifMetagenerationNotMatch !== undefined && conditions.ifMetagenerationNotMatch === metageneration) {
    throw read ? new NotModified() : preconditionFailed();
  }
}

function nameInBody(request: RawHttpRequest): string {
  try {
    const body = JSON.parse(request.body) as { name?: unknown };
    return typeof body.name === 'string' ? body.name : '';
  } catch {
    return '';
  }
}

function insertBucket(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const projectRef = queryValue(request, 'project');
  if (!projectRef) throw required('project');
  const project = ctx.projects.require(projectRef, STORAGE_API);
  const body = jsonBody(request);
  const name = typeof body.name === 'string' ? body.name : '';
  if (!name) throw required('resource.name');
  checkBucketName(name);
  const existing = bucketOf(ctx, name);
  if (existing) {
    throw conflict(
      existing.projectId === project.projectId
        ? 'Your previous request to create the named bucket succeeded and you already own it.'
        : 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
    );
  }
  const bucket = newBucketRecord({ name, projectId: project.projectId, projectNumber: project.projectNumber, body, now: ctx.now });
  buckets(ctx).set(name, bucket);
  ctx.store.data.iamPolicies[bucketPolicyKey(name)] = { version: 1, bindings: defaultBucketBindings(bucket), etag: '' };
  ctx.store.markDirty();
  return jsonAnswer(200, bucketJson(bucket, projectionParam(request, 'noAcl')));
}

function listBuckets(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const projectRef = queryValue(request, 'project');
  if (!projectRef) throw required('project');
  const project = ctx.projects.require(projectRef, STORAGE_API);
  const prefix = queryValue(request, 'prefix') ?? '';
  const after = decodePageToken(queryValue(request, 'pageToken'));
  const max = maxResultsParam(request, 1000);
  const all = buckets(ctx)
    .values()
    .filter(
      (bucket) => bucket.projectId === project.projectId && bucket.name.startsWith(prefix) && (after === undefined || bucket.name > after),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = all.slice(0, max);
  const projection = projectionParam(request, 'noAcl');
  const json: JsonObject = { kind: 'storage#buckets' };
  if (page.length > 0) json.items = page.map((bucket) => bucketJson(bucket, projection));
  if (all.length > max) json.nextPageToken = encodePageToken(page.at(-1)!.name);
  return jsonAnswer(200, json);
}

function getBucket(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const bucket = requireBucket(ctx, request.params.bucket ?? '');
  metagenerationConditions(request, bucket, true);
  return jsonAnswer(200, bucketJson(bucket, projectionParam(request, 'noAcl')));
}

/** PATCH merges; PUT (update) replaces: fields it leaves out go back to their defaults. */
function updateBucket(replace: boolean) {
  return (request: RawHttpRequest, ctx: CallContext): RawHttpResponse => {
    const bucket = requireBucket(ctx, request.params.bucket ?? '');
    metagenerationConditions(request, bucket, false);
    const body = jsonBody(request);
    const cleared: JsonObject = replace
      ? { labels: null, lifecycle: null, versioning: null, storageClass: 'STANDARD', iamConfiguration: {}, ...body }
      : body;
    const next = patchedBucket(bucket, cleared, ctx.now);
    buckets(ctx).set(bucket.name, next);
    return jsonAnswer(200, bucketJson(next, projectionParam(request, 'full')));
  };
}

function deleteBucket(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const bucket = requireBucket(ctx, request.params.bucket ?? '');
  metagenerationConditions(request, bucket, false);
  sweepLifecycle(ctx, bucket, ctx.now);
  if (objectsIn(ctx, bucket.name).length > 0) throw conflict('The bucket you tried to delete is not empty.');
  buckets(ctx).delete(bucket.name);
  delete ctx.store.data.iamPolicies[bucketPolicyKey(bucket.name)];
  for (const [id, session] of uploads(ctx).entries()) if (session.bucket === bucket.name) uploads(ctx).delete(id);
  ctx.store.markDirty();
  return noContent();
}

// ---------------------------------------------------------------------------------------------
// Bucket IAM (Storage's own policy shape: kind, resourceId, version, bindings, etag)

const PUBLIC_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);
const CUSTOM_ROLE = /^(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+$/;

function policyJson(ctx: CallContext, bucket: BucketRecord): JsonObject {
  const policy = ctx.iamPolicies.get(bucketPolicyKey(bucket.name));
  return {
    kind: 'storage#policy',
    resourceId: bucketPolicyKey(bucket.name),
    version: policy.version ?? 1,
    ...(Array.isArray(policy.bindings) ? { bindings: policy.bindings } : {}),
    etag: bucketEtagOf(bucket),
  };
}

/** The policy lives with the bucket's metadata: its etag is the bucket's (metageneration-based), as Storage's. */
function bucketEtagOf(bucket: BucketRecord): string {
  return bucketEtag(bucket);
}

function checkPolicyBindings(bindings: JsonValue[], bucket: BucketRecord): void {
  for (const binding of bindings) {
    if (!isJsonObject(binding)) throw invalid('Invalid value for bindings.');
    const role = typeof binding.role === 'string' ? binding.role : '';
    if (!role.startsWith('roles/storage.') && !CUSTOM_ROLE.test(role))
      throw invalid(`Role ${role || '(empty)'} is not supported for this resource.`);
    const members = Array.isArray(binding.members) ? binding.members : [];
    if (
      bucket.publicAccessPrevention === 'enforced' &&
      members.some((member) => typeof member === 'string' && PUBLIC_MEMBERS.has(member))
    ) {
      throw new StorageError(
        'FAILED_PRECONDITION',
        412,
        'conditionNotMet',
        'The member bindings allUsers and allAuthenticatedUsers are not allowed since public access prevention is enforced.',
      );
    }
    if (binding.condition !== undefined && !bucket.uniformAccess) {
      throw invalid('IAM conditions can only be used on buckets with uniform bucket-level access enabled.');
    }
  }
}

function setBucketPolicy(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const bucket = requireBucket(ctx, request.params.bucket ?? '');
  const body = jsonBody(request);
  if (typeof body.etag === 'string' && body.etag !== '' && body.etag !== bucketEtagOf(bucket)) throw preconditionFailed();
  const bindings = Array.isArray(body.bindings) ? body.bindings : [];
  checkPolicyBindings(bindings, bucket);
  try {
    ctx.iamPolicies.set(bucketPolicyKey(bucket.name), { bindings }, 'bindings', ctx.now, bucket.projectNumber);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'INVALID_ARGUMENT') throw invalid(error.message);
    throw error;
  }
  const next: BucketRecord = { ...bucket, metageneration: bucket.metageneration + 1, updated: ctx.now };
  buckets(ctx).set(bucket.name, next);
  return jsonAnswer(200, policyJson(ctx, next));
}

/** The bucket's storage layout (gcloud asks before recursive operations, to learn about hierarchical namespace). */
function storageLayout(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const bucket = requireBucket(ctx, request.params.bucket ?? '');
  return jsonAnswer(200, {
    kind: 'storage#storageLayout',
    bucket: bucket.name,
    location: bucket.location,
    locationType: bucket.locationType,
    hierarchicalNamespace: { enabled: false },
  });
}

/** Managed folders are not emulated, so a bucket never has any (gcloud lists them before removing a bucket). */
function listManagedFolders(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  requireBucket(ctx, request.params.bucket ?? '');
  return jsonAnswer(200, { kind: 'storage#managedFolders' });
}

function testBucketPermissions(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  requireBucket(ctx, request.params.bucket ?? '');
  const asked = request.query.permissions ?? [];
  if (asked.length === 0) throw required('permissions');
  for (const permission of asked) {
    if (!/^storage\.[a-zA-Z]+\.[a-zA-Z]+$/.test(permission)) throw invalid(`Permission ${permission} is not valid for a bucket.`);
  }
  const held = ctx.iamPolicies.testPermissions(asked);
  return jsonAnswer(200, { kind: 'storage#testIamPermissionsResponse', ...(held.length > 0 ? { permissions: held } : {}) });
}

// ---------------------------------------------------------------------------------------------
// Objects: metadata, download, list, patch, delete

/** The bucket and live object a request names; its preconditions are parsed first (a malformed one is 400 whatever exists). */
function requireObjectOf(
  request: RawHttpRequest,
  ctx: CallContext,
): { bucket: BucketRecord; object: ObjectRecord; conditions: Preconditions } {
  const conditions = preconditionsOf(request);
  const bucket = requireBucket(ctx, request.params.bucket ?? '');
  sweepLifecycle(ctx, bucket, ctx.now);
  const name = request.params.object ?? '';
  const object = requireGeneration(request, bucket.name, name, findObject(ctx, bucket.name, name));
  return { bucket, object, conditions };
}

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** `Range: bytes=a-b | a- | -n` → the inclusive byte span, or undefined for the whole object. */
function rangeOf(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) {
    throw new StorageError('OUT_OF_RANGE', 416, 'requestedRangeNotSatisfiable', 'The requested range cannot be satisfied.', {
      locationType: 'header',
      location: 'Range',
    });
  }
  return { start, end };
}

function download(object: ObjectRecord, rangeHeader: string | undefined): RawHttpResponse {
  const bytes = Buffer.from(object.data, 'base64');
  const range = rangeOf(rangeHeader, bytes.length);
  const body = range ? bytes.subarray(range.start, range.end + 1) : bytes;
  const headers: Record<string, string> = {
    'Content-Type': object.contentType,
    ETag: objectEtag(object),
    'Last-Modified': httpDate(object.updated),
    'X-Goog-Generation': object.generation,
    'X-Goog-Metageneration': String(object.metageneration),
    'X-Goog-Stored-Content-Length': String(object.size),
    'X-Goog-Stored-Content-Encoding': typeof object.fields.contentEncoding === 'string' ? object.fields.contentEncoding : 'identity',
    'X-Goog-Hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
    'X-Goog-Storage-Class': object.storageClass,
    'Accept-Ranges': 'bytes',
  };
  for (const [field, header] of [
    ['cacheControl', 'Cache-Control'],
    ['contentDisposition', 'Content-Disposition'],
    ['contentLanguage', 'Content-Language'],
  ] as const) {
    const value = object.fields[field];
    if (typeof value === 'string') headers[header] = value;
  }
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${bytes.length}`;
  return { status: range ? 206 : 200, headers, body: body.toString('base64'), bodyEncoding: 'base64' };
}

function getObject(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const { object, conditions } = requireObjectOf(request, ctx);
  checkPreconditions(object, conditions, true);
  if (queryValue(request, 'alt') === 'media' || request.path.startsWith('/download/')) return download(object, request.headers.range);
  projectionParam(request, 'noAcl');
  return jsonAnswer(200, objectJson(object));
}

function listObjectsRoute(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const bucket = requireBucket(ctx, request.params.bucket ?? '');
  sweepLifecycle(ctx, bucket, ctx.now);
  projectionParam(request, 'noAcl');
  const glob = queryValue(request, 'matchGlob');
  const delimiter = queryValue(request, 'delimiter');
  const startOffset = queryValue(request, 'startOffset');
  const endOffset = queryValue(request, 'endOffset');
  const after = decodePageToken(queryValue(request, 'pageToken'));
  const page = listObjects(objectsIn(ctx, bucket.name), {
    prefix: queryValue(request, 'prefix') ?? '',
    ...(delimiter ? { delimiter } : {}),
    includeTrailingDelimiter: boolParam(request, 'includeTrailingDelimiter'),
    ...(startOffset ? { startOffset } : {}),
    ...(endOffset ? { endOffset } : {}),
    ...(glob ? { matchGlob: globPattern(glob) } : {}),
    maxResults: maxResultsParam(request, 1000),
    ...(after !== undefined ? { after } : {}),
  });
  const json: JsonObject = { kind: 'storage#objects' };
  if (page.last !== undefined) json.nextPageToken = encodePageToken(page.last);
  if (page.prefixes.length > 0) json.prefixes = page.prefixes;
  if (page.items.length > 0) json.items = page.items.map(objectJson);
  return jsonAnswer(200, json);
}

function patchObjectRoute(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const { object, conditions } = requireObjectOf(request, ctx);
  checkPreconditions(object, conditions);
  return jsonAnswer(200, objectJson(patchObject(ctx, object, jsonBody(request), ctx.now)));
}

function deleteObjectRoute(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const { object, conditions } = requireObjectOf(request, ctx);
  checkPreconditions(object, conditions);
  deleteObject(ctx, object);
  return noContent();
}

// ---------------------------------------------------------------------------------------------
// Uploads

interface UploadSession {
  id: string;
  bucket: string;
  metadata: JsonObject;
  queryName?: string;
  mediaType?: string;
  declaredSize?: number;
  conditions: Record<string, string>;
  /** Bytes received so far, base64. */
  data: string;
  /** Set once the upload finished: the object it made. */
  finished?: { name: string; generation: string };
}

function uploads(services: EmulatorServices) {
  return services.store.collection<UploadSession>(UPLOADS);
}

function conditionsToJson(conditions: Preconditions): Record<string, string> {
  return Object.fromEntries(Object.entries(conditions).map(([key, value]) => [key, String(value)]));
}

function conditionsFromJson(conditions: Record<string, string>): Preconditions {
  const entries: Array<[string, bigint]> = Object.entries(conditions).map(([key, value]) => [key, BigInt(value)]);
  return Object.fromEntries(entries);
}

function mediaUpload(request: RawHttpRequest, ctx: CallContext, bucket: BucketRecord): ObjectRecord {
  const name = queryValue(request, 'name');
  checkOverwrite(ctx, request, name ? findObject(ctx, bucket.name, name) : undefined);
  return writeObject(ctx, {
    bucket,
    metadata: {},
    ...(name ? { queryName: name } : {}),
    data: Buffer.from(request.body, 'base64'),
    ...(request.headers['content-type'] ? { mediaType: request.headers['content-type'] } : {}),
    conditions: preconditionsOf(request),
    now: ctx.now,
  });
}

function multipartUpload(request: RawHttpRequest, ctx: CallContext, bucket: BucketRecord): ObjectRecord {
  const parts = multipartParts(request.headers['content-type'] ?? '', Buffer.from(request.body, 'base64'));
  if (parts.length !== 2) throw invalid('A multipart upload must have exactly two parts: the object metadata and the media.');
  let metadata: JsonValue;
  try {
    metadata = JSON.parse(parts[0].body.toString('utf8')) as JsonValue;
  } catch {
    throw invalid('Parse Error', 'parseError');
  }
  if (!isJsonObject(metadata)) throw invalid('Parse Error', 'parseError');
  const queryName = queryValue(request, 'name');
  checkOverwrite(ctx, request, findObject(ctx, bucket.name, uploadName(metadata, queryName)));
  return writeObject(ctx, {
    bucket,
    metadata,
    ...(queryName ? { queryName } : {}),
    data: parts[1].body,
    ...(parts[1].headers['content-type'] ? { mediaType: parts[1].headers['content-type'] } : {}),
    conditions: preconditionsOf(request),
    now: ctx.now,
  });
}

/** Starts a resumable upload: 200 with the session URI in `Location` (on the emulator's own host). */
function startResumable(request: RawHttpRequest, ctx: CallContext, bucket: BucketRecord): RawHttpResponse {
  // Upload routes take bytes (base64 in `body`); the session's start carries the object's JSON.
  const metadata = jsonBody({ ...request, body: Buffer.from(request.body, 'base64').toString('utf8') });
  checkUploadMetadata(metadata, bucket.name);
  const queryName = queryValue(request, 'name');
  const name = uploadName(metadata, queryName);
  const conditions = preconditionsOf(request);
  // Storage checks the preconditions when the session starts, and again when it completes.
  checkPreconditions(findObject(ctx, bucket.name, name), conditions);
  const declared = request.headers['x-upload-content-length'];
  if (declared !== undefined && !/^\d+$/.test(declared)) throw invalid(`Invalid value for X-Upload-Content-Length: ${declared}`);
  const id = randomBytes(24).toString('base64url');
  uploads(ctx).set(id, {
    id,
    bucket: bucket.name,
    metadata,
    ...(queryName ? { queryName } : {}),
    ...(request.headers['x-upload-content-type'] ? { mediaType: request.headers['x-upload-content-type'] } : {}),
    ...(declared !== undefined ? { declaredSize: Number(declared) } : {}),
    conditions: conditionsToJson(conditions),
    data: '',
  });
  const host = request.headers.host ?? '127.0.0.1';
  const query = new URLSearchParams({ uploadType: 'resumable', name, upload_id: id });
  return {
    status: 200,
    headers: { Location: `http://${host}/upload/storage/v1/b/${bucket.name}/o?${query.toString()}`, 'X-GUploader-UploadID': id },
  };
}

function requireSession(ctx: CallContext, request: RawHttpRequest): UploadSession {
  const session = uploads(ctx).get(queryValue(request, 'upload_id') ?? '');
  if (!session || session.bucket !== request.params.bucket) {
    throw new StorageError('NOT_FOUND', 404, 'notFound', 'No such upload session: the upload ID is unknown, expired or was cancelled.');
  }
  return session;
}

/** `Content-Range: bytes a-b/total`, `bytes a-b/*`, `bytes *\/total`, `bytes *\/*`. */
function contentRangeOf(header: string | undefined): { start?: number; end?: number; total?: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!match) throw invalid(`Invalid Content-Range header: ${header}`);
  return {
    ...(match[1] !== undefined ? { start: Number(match[1]), end: Number(match[2]) } : {}),
    ...(match[3] !== '*' ? { total: Number(match[3]) } : {}),
  };
}

function incomplete(received: number): RawHttpResponse {
  return { status: 308, headers: received > 0 ? { Range: `bytes=0-${received - 1}` } : {} };
}

function finishedAnswer(ctx: CallContext, session: UploadSession): RawHttpResponse {
  const object = findObject(ctx, session.bucket, session.finished!.name);
  if (!object || object.generation !== session.finished!.generation) return jsonAnswer(200, {});
  return jsonAnswer(200, objectJson(object));
}

/** One request of a resumable upload: a chunk, the last chunk, or a status query. */
function continueResumable(request: RawHttpRequest, ctx: CallContext, bucket: BucketRecord): RawHttpResponse {
  const session = requireSession(ctx, request);
  if (session.finished) return finishedAnswer(ctx, session);
  let received = Buffer.from(session.data, 'base64');
  const chunk = Buffer.from(request.body, 'base64');
  const range = contentRangeOf(request.headers['content-range']);
  if (range?.start !== undefined) {
    if (range.start > received.length) {
      throw invalid(
        `Invalid request.  According to the Content-Range header, the upload offset is ${range.start} byte(s), which exceeds already uploaded size of ${received.length} byte(s).`,
      );
    }
    // Bytes the session already holds (a retried chunk) are skipped.
    received = Buffer.concat([received, chunk.subarray(received.length - range.start)]);
  } else if (!range) {
    received = Buffer.concat([received, chunk]);
  }
  const total = range ? range.total : received.length;
  const next: UploadSession = { ...session, data: received.toString('base64') };
  if (total === undefined || received.length < total) {
    uploads(ctx).set(session.id, next);
    return incomplete(received.length);
  }
  if (received.length > total || (session.declaredSize !== undefined && session.declaredSize !== total)) {
    uploads(ctx).delete(session.id);
    throw invalid(`The upload's size (${received.length} bytes) does not match the size it declared (${session.declaredSize ?? total}).`);
  }
  const name = uploadName(session.metadata, session.queryName);
  checkOverwrite(ctx, request, findObject(ctx, bucket.name, name));
  let object: ObjectRecord;
  try {
    object = writeObject(ctx, {
      bucket,
      metadata: session.metadata,
      ...(session.queryName ? { queryName: session.queryName } : {}),
      data: received,
      ...(session.mediaType ? { mediaType: session.mediaType } : {}),
      conditions: conditionsFromJson(session.conditions),
      now: ctx.now,
    });
  } catch (error) {
    // A failed completion (a precondition that no longer holds) ends the session.
    uploads(ctx).delete(session.id);
    throw error;
  }
  uploads(ctx).set(session.id, { ...next, data: '', finished: { name: object.name, generation: object.generation } });
  return jsonAnswer(200, objectJson(object));
}

function upload(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  const bucket = requireBucket(ctx, request.params.bucket ?? '');
  if (queryValue(request, 'upload_id')) return continueResumable(request, ctx, bucket);
  const uploadType = queryValue(request, 'uploadType');
  if (request.method !== 'POST')
    throw invalid('Upload requests must include an uploadType URL parameter and a URL-encoded name parameter.');
  switch (uploadType) {
    case 'media':
      return jsonAnswer(200, objectJson(mediaUpload(request, ctx, bucket)));
    case 'multipart':
      return jsonAnswer(200, objectJson(multipartUpload(request, ctx, bucket)));
    case 'resumable':
      return startResumable(request, ctx, bucket);
    default:
      throw invalid('Upload requests must include an uploadType URL parameter and a URL-encoded name parameter.');
  }
}

function cancelUpload(request: RawHttpRequest, ctx: CallContext): RawHttpResponse {
  requireBucket(ctx, request.params.bucket ?? '');
  const session = requireSession(ctx, request);
  uploads(ctx).delete(session.id);
  // Storage answers a cancelled session with 499 Client Closed Request.
  return { status: 499 };
}

/** The object an upload names: in the query, or in the JSON that starts a resumable session; a session's own path otherwise. */
function uploadResource(request: RawHttpRequest): string {
  const session = queryValue(request, 'upload_id');
  if (session) return `${bucketResource(request)}/uploads/${session}`;
  let name = queryValue(request, 'name') ?? '';
  const uploadType = queryValue(request, 'uploadType');
  if (!name && (uploadType === 'resumable' || uploadType === 'multipart')) {
    try {
      const bytes = Buffer.from(request.body, 'base64');
      const metadata = uploadType === 'multipart' ? multipartParts(request.headers['content-type'] ?? '', bytes)[0]?.body : bytes;
      const parsed = JSON.parse(metadata?.toString('utf8') ?? '') as { name?: unknown };
      if (typeof parsed.name === 'string') name = parsed.name;
    } catch {
      // the handler reports the bad body
    }
  }
  return `${bucketResource(request)}/objects/${name}`;
}

// ---------------------------------------------------------------------------------------------

export const storageApi = defineApi({
  service: STORAGE_API,
  title: 'Cloud Storage API',
  shortName: 'storage',
  rawRoutes: [
    storageRoute({
      verbs: ['POST'],
      path: BASE,
      method: 'InsertBucket',
      permission: 'storage.buckets.create',
      kind: 'bucket',
      resource: (request) => `projects/_/buckets/${nameInBody(request)}`,
      project: (request) => queryValue(request, 'project'),
      handle: insertBucket,
    }),
    storageRoute({
      verbs: ['GET'],
      path: BASE,
      method: 'ListBuckets',
      permission: 'storage.buckets.list',
      kind: 'bucket',
      resource: (request) => `projects/${queryValue(request, 'project') ?? ''}`,
      project: (request) => queryValue(request, 'project'),
      handle: listBuckets,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `${BASE}/{bucket}`,
      method: 'GetBucket',
      permission: 'storage.buckets.get',
      kind: 'bucket',
      handle: getBucket,
    }),
    storageRoute({
      verbs: ['PATCH'],
      path: `${BASE}/{bucket}`,
      method: 'PatchBucket',
      permission: 'storage.buckets.update',
      kind: 'bucket',
      handle: updateBucket(false),
    }),
    storageRoute({
      verbs: ['PUT'],
      path: `${BASE}/{bucket}`,
      method: 'UpdateBucket',
      permission: 'storage.buckets.update',
      kind: 'bucket',
      handle: updateBucket(true),
    }),
    storageRoute({
      verbs: ['DELETE'],
      path: `${BASE}/{bucket}`,
      method: 'DeleteBucket',
      permission: 'storage.buckets.delete',
      kind: 'bucket',
      handle: deleteBucket,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `${BASE}/{bucket}/iam`,
      method: 'GetBucketIamPolicy',
      permission: 'storage.buckets.getIamPolicy',
      kind: 'bucket',
      handle: (request, ctx) => jsonAnswer(200, policyJson(ctx, requireBucket(ctx, request.params.bucket ?? ''))),
    }),
    storageRoute({
      verbs: ['PUT'],
      path: `${BASE}/{bucket}/iam`,
      method: 'SetBucketIamPolicy',
      permission: 'storage.buckets.setIamPolicy',
      kind: 'bucket',
      handle: setBucketPolicy,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `${BASE}/{bucket}/iam/testPermissions`,
      method: 'TestBucketIamPermissions',
      kind: 'bucket',
      mutating: false,
      handle: testBucketPermissions,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `${BASE}/{bucket}/storageLayout`,
      method: 'GetStorageLayout',
      permission: 'storage.objects.list',
      kind: 'bucket',
      handle: storageLayout,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `${BASE}/{bucket}/managedFolders`,
      method: 'ListManagedFolders',
      permission: 'storage.managedFolders.list',
      kind: 'bucket',
      handle: listManagedFolders,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `${BASE}/{bucket}/o`,
      method: 'ListObjects',
      permission: 'storage.objects.list',
      kind: 'bucket',
      handle: listObjectsRoute,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `${BASE}/{bucket}/o/{object=**}`,
      method: 'GetObject',
      permission: 'storage.objects.get',
      kind: 'object',
      handle: getObject,
    }),
    storageRoute({
      verbs: ['GET'],
      path: `/download${BASE}/{bucket}/o/{object=**}`,
      method: 'GetObject',
      permission: 'storage.objects.get',
      kind: 'object',
      handle: getObject,
    }),
    storageRoute({
      verbs: ['PATCH'],
      path: `${BASE}/{bucket}/o/{object=**}`,
      method: 'PatchObject',
      permission: 'storage.objects.update',
      kind: 'object',
      handle: patchObjectRoute,
    }),
    storageRoute({
      verbs: ['DELETE'],
      path: `${BASE}/{bucket}/o/{object=**}`,
      method: 'DeleteObject',
      permission: 'storage.objects.delete',
      kind: 'object',
      handle: deleteObjectRoute,
    }),
    // apitools (gcloud) starts resumable uploads on /resumable/upload/…; other clients on /upload/….
    ...['/upload', '/resumable/upload'].flatMap((prefix) => [
      storageRoute({
        verbs: ['POST', 'PUT'],
        path: `${prefix}${BASE}/{bucket}/o`,
        method: 'InsertObject',
        permission: 'storage.objects.create',
        kind: 'object',
        binaryBody: true,
        resource: uploadResource,
        handle: upload,
      }),
      storageRoute({
        verbs: ['DELETE'],
        path: `${prefix}${BASE}/{bucket}/o`,
        method: 'CancelResumableWrite',
        permission: 'storage.objects.create',
        kind: 'object',
        resource: uploadResource,
        handle: cancelUpload,
      }),
    ]),
  ],
});
