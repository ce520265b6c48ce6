// Turns an HTTP request (path variables, query string, JSON body) into the request message's
// proto3 JSON, following google.api.http transcoding: path variables bind fields, `body: "*"`
// is the whole message, `body: "field"` that field, and query parameters fill the remaining
// fields (`a.b=x` nested, repeated by repetition).
import protobuf from 'protobufjs';
import type { Type } from 'protobufjs';
import { ApiError, badRequest } from './errors.js';
import { fieldByJsonName } from './json-codec.js';
import { camelCase, isJsonObject, type JsonObject, type JsonValue } from './json.js';

/** Google's system parameters: never request fields. Some clients prefix them with `$`. */
const SYSTEM_PARAMETERS = new Set([
  'alt',
  'prettyPrint',
  'fields',
  'key',
  'access_token',
  'oauth_token',
  'quotaUser',
  'userIp',
  'callback',
  'upload_protocol',
  'uploadType',
  '.xgafv',
  'trace',
  'userProject',
]);

export interface QueryParameters {
  /** `$alt=json;enum-encoding=int` (what the Node REST clients send): answer enums as numbers. */
  numericEnums: boolean;
  fields: Array<[string, string]>;
}

export function splitQuery(search: URLSearchParams): QueryParameters {
  let numericEnums = false;
  const fields: Array<[string, string]> = [];
  for (const [rawKey, value] of search) {
    const key = rawKey.startsWith('$') ? rawKey.slice(1) : rawKey;
    if (SYSTEM_PARAMETERS.has(key)) {
      if (key === 'alt' && /enum-encoding=int/.test(value)) numericEnums = true;
      continue;
    }
    fields.push([rawKey, value]);
  }
  return { numericEnums, fields };
}

export function parseJsonBody(raw: string): JsonValue | undefined {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as JsonValue;
  } catch (error) {
    throw new ApiError('INVALID_ARGUMENT', `Invalid JSON payload received. ${(error as Error).message}`);
  }
}

function queryBindingError(key: string, reason: string): ApiError {
  const message = `Invalid JSON payload received. Unknown name "${key}": ${reason}`;
  return new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field: key, description: message }])]);
}

const STRING_FORM_MESSAGES = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
]);

/** A query-string value as the JSON the codec expects for a field of this type. */
function queryValueFor(field: protobuf.Field, value: string, key: string): JsonValue {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    const name = resolved.fullName.replace(/^\./, '');
    if (name === 'google.protobuf.BoolValue') return value === 'true';
    if (STRING_FORM_MESSAGES.has(name)) return value;
    throw queryBindingError(
      key,
      `Cannot bind query parameter. '${key}' is a message type. Parameters can only be bound to primitive types.`,
    );
  }
  if (field.type === 'bool') {
    // gcloud (apitools) sends Python's spelling, `force=True`, and Google accepts it.
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
  }
  return value;
}

function setPath(target: JsonObject, path: string[], value: JsonValue, append: boolean): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (!isJsonObject(next)) node[segment] = {};
    node = node[segment] as JsonObject;
  }
  const last = path[path.length - 1];
  if (append) {
    const existing = node[last];
    node[last] = Array.isArray(existing) ? [...existing, value] : [value];
  } else {
    node[last] = value;
  }
}

/** Binds one query parameter into `target`, checking it against the request type when there is one. */
function bindQueryParameter(type: Type | undefined, target: JsonObject, key: string, value: string): void {
  const segments = key.split('.');
  if (!type) {
    setPath(target, segments.map(camelCase), value, false);
    return;
  }
  const jsonPath: string[] = [];
  let current: Type = type;
  for (const [index, segment] of segments.entries()) {
    const field = fieldByJsonName(current, segment);
    if (!field) throw queryBindingError(key, `Cannot bind query parameter. Field '${segment}' could not be found in request message.`);
    jsonPath.push(field.name);
    const last = index === segments.length - 1;
    if (last) {
      setPath(target, jsonPath, queryValueFor(field, value, key), field.repeated);
      return;
    }
    if (!(field.resolvedType instanceof protobuf.Type) || field.repeated || field.map) {
      throw queryBindingError(key, `Cannot bind query parameter. '${segment}' is not a singular message field.`);
    }
    current = field.resolvedType;
  }
}

export interface HttpRequestParts {
  pathBindings: Map<string, string>;
  query: Array<[string, string]>;
  body: JsonValue | undefined;
  /** The google.api.http `body` rule: `*`, a field name, or undefined. */
  bodyRule: string | undefined;
}

/** The request message as proto3 JSON (not yet validated: the codec does that against `type`). */
export function requestJsonFromHttp(parts: HttpRequestParts, type: Type | undefined): JsonObject {
  let request: JsonObject = {};
  if (parts.bodyRule === '*') {
    if (parts.body !== undefined && parts.body !== '') {
      if (!isJsonObject(parts.body)) throw new ApiError('INVALID_ARGUMENT', 'Invalid JSON payload received. Expected an object.');
      request = { ...parts.body };
    }
  } else if (parts.bodyRule && parts.body !== undefined && parts.body !== '') {
    request[camelCase(parts.bodyRule)] = parts.body;
  }
  for (const [key, value] of parts.query) bindQueryParameter(type, request, key, value);
  for (const [fieldPath, value] of parts.pathBindings) setPath(request, fieldPath.split('.').map(camelCase), value, false);
  return request;
}
