// The Cloud Storage JSON API's wire details, shared by its bucket and object routes: its own
// error body (`{"error": {"code", "message", "errors": [{"message", "domain", "reason", …}]}}`,
// no `status`/`details`, HTTP statuses such as 412 and 304 that no google.rpc.Code maps to),
// checksums as Google encodes them (MD5 and CRC32C, base64), etags (the base64 protobuf encoding
// of generation and metageneration), query parameters, and multipart/related bodies.
import { createHash } from 'node:crypto';
import type { RawHttpRequest, RawHttpResponse } from '../core/api.js';
import { ApiError, legacyReasonOf, type CodeName, type ErrorDetail } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/** The emulated caller, as Cloud Run's `creator` names it: the emulator cannot tell who holds the token. */
export const EMULATED_CALLER = 'user@example.com';

/** A Storage error with its HTTP status and legacy reason, rendered in Storage's own error body. */
export class StorageError extends ApiError {
  constructor(
    code: CodeName,
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly where?: { locationType: string; location: string },
  ) {
    super(code, message);
  }
}

export function bucketNotFound(): StorageError {
  return new StorageError('NOT_FOUND', 404, 'notFound', 'The specified bucket does not exist.');
}

export function objectNotFound(bucket: string, name: string): StorageError {
  return new StorageError('NOT_FOUND', 404, 'notFound', `No such object: ${bucket}/${name}`);
}

export function preconditionFailed(): StorageError {
  return new StorageError('FAILED_PRECONDITION', 412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.', {
    locationType: 'header',
    location: 'If-Match',
  });
}

export function invalid(message: string, reason = 'invalid'): StorageError {
  return new StorageError('INVALID_ARGUMENT', 400, reason, message);
}

export function required(parameter: string): StorageError {
  return new StorageError('INVALID_ARGUMENT', 400, 'required', `Required parameter: ${parameter}`, {
    locationType: 'parameter',
    location: parameter,
  });
}

export function conflict(message: string): StorageError {
  return new StorageError('ALREADY_EXISTS', 409, 'conflict', message);
}

/** Marker thrown for a GET whose `if…NotMatch` precondition failed: Storage answers 304 with no body. */
export class NotModified extends StorageError {
  constructor() {
    super('FAILED_PRECONDITION', 304, 'notModified', 'Not Modified');
  }
}

/** What the resource of a route is, for Storage's "does not have P access to the Google Cloud Storage bucket|object" texts. */
export type ResourceKind = 'bucket' | 'object';

function detailOf(error: ApiError, type: string): ErrorDetail | undefined {
  return error.details.find((detail) => detail['@type'].endsWith(type));
}

/** Storage's 403/401 text for a caller without a permission (as `gcloud builds submit` users quote it). */
export function storageAccessMessage(who: string, permission: string, kind: ResourceKind): string {
  return `${who} does not have ${permission} access to the Google Cloud Storage ${kind}. Permission '${permission}' denied on resource (or it may not exist).`;
}

function errorBody(status: number, message: string, item: JsonObject): JsonObject {
  return { error: { code: status, message, errors: [{ message, domain: 'global', ...item }] } };
}

/**
 * Any error of a Storage call in Storage's form: its own errors as they are; the pipeline's
 * (no token, API disabled, `--deny`, injected faults) translated into the texts Storage uses.
 */
export function renderStorageError(error: ApiError, permission: string | undefined, kind: ResourceKind): RawHttpResponse {
  if (error instanceof NotModified) return { status: 304 };
  if (error instanceof StorageError) {
    return jsonAnswer(error.status, errorBody(error.status, error.message, { reason: error.reason, ...(error.where ?? {}) }));
  }
  if (error.code === 'UNAUTHENTICATED') {
    const message = storageAccessMessage('Anonymous caller', permission ?? 'storage.buckets.get', kind);
    return jsonAnswer(401, errorBody(401, message, { reason: 'required', locationType: 'header', location: 'Authorization' }), {
      'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"',
    });
  }
  const info = detailOf(error, 'google.rpc.ErrorInfo');
  if (error.code === 'PERMISSION_DENIED' && info?.reason === 'SERVICE_DISABLED') {
    const metadata = (info.metadata ?? {}) as Record<string, string>;
    const body = errorBody(403, error.message, { reason: 'accessNotConfigured', extendedHelp: metadata.activationUrl ?? '' });
    (body.error as { errors: JsonObject[] }).errors[0].domain = 'usageLimits';
    return jsonAnswer(403, body);
  }
  if (error.code === 'PERMISSION_DENIED' && info?.reason === 'IAM_PERMISSION_DENIED') {
    const metadata = (info.metadata ?? {}) as Record<string, string>;
    const message = storageAccessMessage(EMULATED_CALLER, metadata.permission ?? permission ?? '', kind);
    return jsonAnswer(403, errorBody(403, message, { reason: 'forbidden' }));
  }
  if (error.code === 'PERMISSION_DENIED' && info?.reason === 'CONSUMER_INVALID') {
    const consumer = String((info.metadata as Record<string, string> | undefined)?.consumer ?? '').replace(/^projects\//, '');
    return jsonAnswer(400, errorBody(400, `Unknown project id: ${consumer}`, { reason: 'invalid' }));
  }
  return jsonAnswer(error.httpStatus, errorBody(error.httpStatus, error.message, { reason: legacyReasonOf(error.code) }));
}

export function jsonAnswer(status: number, body: JsonValue, headers: Record<string, string> = {}): RawHttpResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=UTF-8', ...headers }, body: JSON.stringify(body) };
}

/** Storage's answer to a delete: 204 with an empty body (and, as recorded, a JSON content type). */
export function noContent(): RawHttpResponse {
  return { status: 204, headers: { 'Content-Type': 'application/json' } };
}

// ---------------------------------------------------------------------------------------------
// Checksums and etags

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // Castagnoli polynomial, reflected.
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC32C as Storage shows it: the 4 bytes big-endian, base64. */
export function crc32cBase64(bytes: Uint8Array): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32c(bytes));
  return out.toString('base64');
}

export function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    out.push(byte);
  } while (rest > 0n);
  return out;
}

/**
 * Storage's etags are base64 protobuf: field 1 = (meta)generation, field 2 = metageneration for
 * objects — a bucket at metageneration 1 is `CAE=`, as recorded.
 */
export function protoEtag(...fields: Array<bigint | number>): string {
  const bytes: number[] = [];
  fields.forEach((value, index) => bytes.push(((index + 1) << 3) | 0, ...varint(BigInt(value))));
  return Buffer.from(bytes).toString('base64');
}

// ---------------------------------------------------------------------------------------------
// Query parameters

export function queryValue(request: RawHttpRequest, name: string): string | undefined {
  return request.query[name]?.[0];
}

/** An int64 query parameter (generations, preconditions), as a bigint; undefined when absent. */
export function int64Param(request: RawHttpRequest, name: string): bigint | undefined {
  const text = queryValue(request, name);
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d+$/.test(text)) throw invalid(`Invalid value for ${name}: ${text}`);
  return BigInt(text);
}

export function boolParam(request: RawHttpRequest, name: string): boolean {
  const text = queryValue(request, name);
  return text === 'true' || text === 'True' || text === '1';
}

/** `maxResults` within [1, cap]; absent → the default. */
export function maxResultsParam(request: RawHttpRequest, fallback: number): number {
  const text = queryValue(request, 'maxResults');
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw invalid(`Invalid value for maxResults: ${text}`);
  return Math.min(value || fallback, fallback);
}

export function projectionParam(request: RawHttpRequest, fallback: 'full' | 'noAcl'): 'full' | 'noAcl' {
  const text = queryValue(request, 'projection');
  if (text === undefined || text === '') return fallback;
  if (text !== 'full' && text !== 'noAcl') throw invalid(`Invalid value for projection: ${text}`);
  return text;
}

/** Page tokens are opaque to clients: here, the last name a page covered. */
export function encodePageToken(lastName: string): string {
  return Buffer.from(lastName, 'utf8').toString('base64url');
}

export function decodePageToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  return Buffer.from(token, 'base64url').toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Request bodies

/** The JSON body of a metadata call (empty → `{}`); Storage's 400 for anything that is not an object. */
export function jsonBody(request: RawHttpRequest): JsonObject {
  if (request.body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw invalid('Parse Error', 'parseError');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('Parse Error', 'parseError');
  return parsed as JsonObject;
}

export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? match?.[3];
}

/** One part: headers, a blank line, the content. Python's email generator (gcloud) ends lines with LF, others CRLF. */
function partOf(raw: Buffer): MultipartPart {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const useLf = lf >= 0 && (crlf < 0 || lf < crlf);
  const split = useLf ? lf : crlf;
  const headerText = split < 0 ? '' : raw.subarray(0, split).toString('utf8');
  const headers: Record<string, string> = {};
  for (const line of headerText.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: split < 0 ? raw : raw.subarray(split + (useLf ? 2 : 4)) };
}

/** The parts of a multipart/related body (RFC 2387), as the JSON API's multipart upload sends them. */
export function multipartParts(contentType: string, body: Buffer): MultipartPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw invalid('Missing boundary in multipart request.');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    let contentStart = start + delimiter.length;
    if (body.subarray(contentStart, contentStart + 2).toString() === '--') break;
    if (body.subarray(contentStart, contentStart + 2).toString() === '\r\n') contentStart += 2;
    else if (body[contentStart] === 0x0a) contentStart += 1;
    const next = body.indexOf(delimiter, contentStart);
    if (next < 0) break;
    // The CRLF before the next delimiter belongs to the delimiter.
    let contentEnd = next;
    if (body[contentEnd - 1] === 0x0a) contentEnd -= body[contentEnd - 2] === 0x0d ? 2 : 1;
    parts.push(partOf(body.subarray(contentStart, contentEnd)));
    start = next;
  }
  return parts;
}
