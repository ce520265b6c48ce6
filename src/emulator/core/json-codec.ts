// Proto3 JSON ⇄ protobufjs messages, for any message type. Handlers only ever see proto3 JSON
// (camelCase names, enums by name, int64 as strings, bytes as base64, RFC 3339 timestamps, "300s"
// durations, "a,b.c" field masks, `Any` as {"@type", ...}), so every API is written once and
// serves gRPC and REST alike.
//
// Two walkers do the work, both over protobufjs's "object form" (what Type.fromObject accepts and
// Type.toObject produces): `fromJson` validates JSON against a type exactly as Google's front end
// does (unknown names and ill-typed values → INVALID_ARGUMENT), `toJson` renders object form as
// proto3 JSON. Encoding and decoding on the wire, and normalising REST JSON, compose them.
import protobuf from 'protobufjs';
import type { Field, IConversionOptions, Type, Enum } from 'protobufjs';
import { ApiError, invalidValueError, unknownFieldError } from './errors.js';
import { camelCase, isJsonObject, jsonText, snakeCase, type JsonObject, type JsonValue } from './json.js';
import type { TypeRegistry } from './protos.js';

export interface JsonEncoding {
  /** Render enums as numbers (the REST clients ask for this with `$alt=json;enum-encoding=int`). */
  numericEnums?: boolean;
}

/** protobufjs object form: what Type.fromObject accepts and Type.toObject returns. */
type ObjectForm = Record<string, unknown>;

const TO_OBJECT_OPTIONS: IConversionOptions = {
  longs: String,
  enums: Number,
  bytes: String,
  defaults: false,
  arrays: false,
  objects: false,
  oneofs: false,
  json: false,
};

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Types whose JSON form is not an object, so inside an `Any` they sit under "value". Google's front end also treats Empty this way. */
const ANY_VALUE_WRAPPED = new Set([
  'google.protobuf.Any',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.ListValue',
  'google.protobuf.Struct',
  'google.protobuf.Timestamp',
  'google.protobuf.Value',
  'google.protobuf.Empty',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
]);

const WRAPPER_TYPES = new Set(
  [...ANY_VALUE_WRAPPED].filter((name) => name.endsWith('Value') && !['google.protobuf.Value', 'google.protobuf.ListValue'].includes(name)),
);

const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32_TYPES = new Set(['uint32', 'fixed32']);
const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const FLOAT_TYPES = new Set(['float', 'double']);

function typeNameOf(type: Type | Enum): string {
  return type.fullName.replace(/^\./, '');
}

function scalarTypeLabel(protoType: string): string {
  return `TYPE_${protoType.toUpperCase()}`;
}

/** The JSON names a field answers to: its camelCase name, its original snake_case name, and a json_name option. */
const fieldNameIndexes = new WeakMap<Type, Map<string, Field>>();
export function fieldByJsonName(type: Type, key: string): Field | undefined {
  let index = fieldNameIndexes.get(type);
  if (!index) {
    index = new Map();
    for (const field of type.fieldsArray) {
      index.set(field.name, field);
      index.set(snakeCase(field.name), field);
      index.set(camelCase(field.name), field);
      const jsonName: unknown = field.options?.json_name;
      if (typeof jsonName === 'string') index.set(jsonName, field);
    }
    fieldNameIndexes.set(type, index);
  }
  return index.get(key);
}

function jsonNameOf(field: Field): string {
  const jsonName: unknown = field.options?.json_name;
  return typeof jsonName === 'string' ? jsonName : field.name;
}

/** The reflected name of an Any's fields: descriptor files differ (`type_url` vs `typeUrl`). */
function anyFieldNames(anyType: Type): { typeUrl: string; value: string } {
  return { typeUrl: anyType.fieldsById[1].name, value: anyType.fieldsById[2].name };
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

// ---------------------------------------------------------------------------------------------
// RFC 3339 timestamps and durations

const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

function parseTimestamp(text: string): { seconds: string; nanos: number } | undefined {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match;
  let millis = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(millis)) return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [hours, minutes] = zone.slice(1).split(':').map(Number);
    millis -= sign * ((hours ?? 0) * 60 + (minutes ?? 0)) * 60_000;
  }
  return { seconds: String(Math.floor(millis / 1000)), nanos: Number(fraction.padEnd(9, '0')) };
}

/** Nanoseconds as Google prints them: 0, 3, 6 or 9 fractional digits. */
function fractionOf(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1_000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

export function formatTimestamp(seconds: number | string, nanos = 0): string {
  const base = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${base}${fractionOf(nanos)}Z`;
}

const DURATION_PATTERN = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

function parseDuration(text: string): { seconds: string; nanos: number } | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const [, minus, whole, fraction = ''] = match;
  const sign = minus ? -1 : 1;
  const nanos = Number(fraction.padEnd(9, '0'));
  return { seconds: String(sign * Number(whole)), nanos: sign * nanos };
}

function formatDuration(seconds: number, nanos: number): string {
  const negative = seconds < 0 || nanos < 0;
  return `${negative ? '-' : ''}${Math.abs(seconds)}${fractionOf(Math.abs(nanos))}s`;
}

// ---------------------------------------------------------------------------------------------

function base64Of(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return '';
}

function bytesFromBase64(text: string): Uint8Array | undefined {
  // Google accepts both the standard and the URL-safe alphabet, padded or not.
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Shortest decimal that reads back as the same float32 (so 0.1f prints as 0.1, as Google does). */
function float32ToJson(value: number): number {
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === Math.fround(value)) return candidate;
  }
  return value;
}

function isDefaultScalar(value: unknown): boolean {
  if (value === 0 || value === '' || value === false || value === '0') return true;
  if (value instanceof Uint8Array && value.length === 0) return true;
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const long = value as { low: number; high: number };
    return long.low === 0 && long.high === 0;
  }
  return false;
}

function hasPresence(field: Field): boolean {
  // Members of a oneof (including proto3 `optional`, a synthetic oneof) are emitted even at their default.
  return field.partOf !== null;
}

export class ProtoJsonCodec {
  constructor(private readonly types: TypeRegistry) {}

  /** Binary (gRPC) → proto3 JSON. */
  decode(type: Type, bytes: Uint8Array, encoding: JsonEncoding = {}): JsonObject {
    let message: protobuf.Message;
    try {
      message = type.decode(bytes);
    } catch (error) {
      throw new ApiError('INVALID_ARGUMENT', `Invalid ${typeNameOf(type)} message: ${(error as Error).message}`);
    }
    return this.toJson(type, type.toObject(message, TO_OBJECT_OPTIONS), encoding) as JsonObject;
  }

  /** Proto3 JSON → binary (gRPC). Validates like `fromJson`. */
  encode(type: Type, json: JsonValue): Uint8Array {
    return type.encode(type.fromObject(this.fromJson(type, json, '') as ObjectForm)).finish();
  }

  /** Validates JSON against `type` and re-renders it canonically (names, enums, int64, timestamps…). */
  normalize(type: Type, json: JsonValue, encoding: JsonEncoding = {}): JsonObject {
    return this.toJson(type, this.fromJson(type, json, ''), encoding) as JsonObject;
  }

  // -------------------------------------------------------------------------------------------
  // JSON → object form

  fromJson(type: Type, json: JsonValue, at: string): unknown {
    const name = typeNameOf(type);
    switch (name) {
      case 'google.protobuf.Timestamp': {
        const parsed = typeof json === 'string' ? parseTimestamp(json) : undefined;
        if (!parsed) throw invalidValueError(at, `type.googleapis.com/${name}`, json);
        return parsed;
      }
      case 'google.protobuf.Duration': {
        const parsed = typeof json === 'string' ? parseDuration(json) : undefined;
        if (!parsed) throw invalidValueError(at, `type.googleapis.com/${name}`, json);
        return parsed;
      }
      case 'google.protobuf.FieldMask': {
        if (typeof json !== 'string') throw invalidValueError(at, `type.googleapis.com/${name}`, json);
        const paths = json === '' ? [] : json.split(',').map((p) => p.trim().split('.').map(snakeCase).join('.'));
        return { paths };
      }
      case 'google.protobuf.Struct':
        if (!isJsonObject(json)) throw invalidValueError(at, `type.googleapis.com/${name}`, json);
        return this.structFromJson(json);
      case 'google.protobuf.Value':
        return this.valueFromJson(json);
      case 'google.protobuf.ListValue':
        if (!Array.isArray(json)) throw invalidValueError(at, `type.googleapis.com/${name}`, json);
        return { values: json.map((item) => this.valueFromJson(item)) };
      case 'google.protobuf.Any':
        return this.anyFromJson(type, json, at);
      default:
        break;
    }
    if (WRAPPER_TYPES.has(name)) {
      return { value: this.scalarFromJson(type.fieldsById[1], json, at) };
    }
    if (!isJsonObject(json)) throw invalidValueError(at, `type.googleapis.com/${name}`, json);
    const form: ObjectForm = {};
    for (const [key, value] of Object.entries(json)) {
      const field = fieldByJsonName(type, key);
      if (!field) throw unknownFieldError(key, at);
      const fieldAt = join(at, key);
      if (value === null && !(field.resolvedType && typeNameOf(field.resolvedType) === 'google.protobuf.Value')) continue;
      if (field.map) {
        if (!isJsonObject(value)) throw invalidValueError(fieldAt, 'map', value);
        const entries: ObjectForm = {};
        for (const [mapKey, mapValue] of Object.entries(value))
          entries[mapKey] = this.fieldValueFromJson(field, mapValue, `${fieldAt}[${mapKey}]`);
        form[field.name] = entries;
      } else if (field.repeated) {
        if (!Array.isArray(value)) throw invalidValueError(fieldAt, 'repeated', value);
        form[field.name] = value.map((item, i) => this.fieldValueFromJson(field, item, `${fieldAt}[${i}]`));
      } else {
        form[field.name] = this.fieldValueFromJson(field, value, fieldAt);
      }
    }
    return form;
  }

  private fieldValueFromJson(field: Field, value: JsonValue, at: string): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.fromJson(resolved, value, at);
    if (resolved instanceof protobuf.Enum) return this.enumFromJson(resolved, value, at);
    return this.scalarFromJson(field, value, at);
  }

  private enumFromJson(enumType: Enum, value: JsonValue, at: string): number {
    if (typeNameOf(enumType) === 'google.protobuf.NullValue') return 0;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string') {
      const byName = enumType.values[value];
      if (byName !== undefined) return byName;
      if (/^-?\d+$/.test(value)) return Number(value);
    }
    throw invalidValueError(at, `type.googleapis.com/${typeNameOf(enumType)}`, value);
  }

  private scalarFromJson(field: Field, value: JsonValue, at: string): unknown {
    const protoType = field.type;
    const fail = (): never => {
      throw invalidValueError(at, scalarTypeLabel(protoType), value);
    };
    if (protoType === 'string') return typeof value === 'string' ? value : fail();
    if (protoType === 'bool') return typeof value === 'boolean' ? value : fail();
    if (protoType === 'bytes') return (typeof value === 'string' && bytesFromBase64(value)) || fail();
    if (INT64_TYPES.has(protoType)) {
      const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
      if (typeof text !== 'string' || !/^-?\d+$/.test(text)) return fail();
      if (protoType.startsWith('u') || protoType === 'fixed64') {
        if (text.startsWith('-') || BigInt(text) > 0xffffffffffffffffn) return fail();
      } else if (BigInt(text) > 0x7fffffffffffffffn || BigInt(text) < -0x8000000000000000n) {
        return fail();
      }
      return text;
    }
    if (INT32_TYPES.has(protoType) || UINT32_TYPES.has(protoType)) {
      const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number)) return fail();
      const [min, max] = INT32_TYPES.has(protoType) ? [-2147483648, 2147483647] : [0, 4294967295];
      if (number < min || number > max) return fail();
      return number;
    }
    if (FLOAT_TYPES.has(protoType)) {
      if (typeof value === 'number') return value;
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      return fail();
    }
    return fail();
  }

  private structFromJson(json: JsonObject): ObjectForm {
    const fields: ObjectForm = {};
    for (const [key, value] of Object.entries(json)) fields[key] = this.valueFromJson(value);
    return { fields };
  }

  private valueFromJson(json: JsonValue): ObjectForm {
    if (json === null) return { nullValue: 0 };
    if (typeof json === 'number') return { numberValue: json };
    if (typeof json === 'string') return { stringValue: json };
    if (typeof json === 'boolean') return { boolValue: json };
    if (Array.isArray(json)) return { listValue: { values: json.map((item) => this.valueFromJson(item)) } };
    return { structValue: this.structFromJson(json) };
  }

  private anyFromJson(anyType: Type, json: JsonValue, at: string): ObjectForm {
    if (!isJsonObject(json)) throw invalidValueError(at, 'type.googleapis.com/google.protobuf.Any', json);
    const typeUrl = json['@type'];
    if (typeof typeUrl !== 'string') {
      throw new ApiError('INVALID_ARGUMENT', `Invalid JSON payload received. Missing @type for any field '${at}'.`);
    }
    const innerName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const inner = this.types.findType(innerName);
    if (!inner)
      throw new ApiError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown type "${typeUrl}" in google.protobuf.Any at '${at}'.`);
    let innerJson: JsonValue;
    if (ANY_VALUE_WRAPPED.has(innerName) && 'value' in json) {
      innerJson = json.value;
    } else {
      const { ['@type']: _ignored, ...fields } = json;
      innerJson = fields;
    }
    const innerForm = this.fromJson(inner, innerJson, at);
    const bytes = inner.encode(inner.fromObject(innerForm as ObjectForm)).finish();
    const names = anyFieldNames(anyType);
    return { [names.typeUrl]: typeUrl, [names.value]: bytes };
  }

  // -------------------------------------------------------------------------------------------
  // object form → JSON

  toJson(type: Type, form: unknown, encoding: JsonEncoding = {}): JsonValue {
    const name = typeNameOf(type);
    const object = (form ?? {}) as ObjectForm;
    switch (name) {
      case 'google.protobuf.Timestamp':
        return formatTimestamp(Number(object.seconds ?? 0), Number(object.nanos ?? 0));
      case 'google.protobuf.Duration':
        return formatDuration(Number(object.seconds ?? 0), Number(object.nanos ?? 0));
      case 'google.protobuf.FieldMask':
        return ((object.paths as string[] | undefined) ?? []).map((p) => p.split('.').map(camelCase).join('.')).join(',');
      case 'google.protobuf.Struct':
        return this.structToJson(object);
      case 'google.protobuf.Value':
        return this.valueToJson(object);
      case 'google.protobuf.ListValue':
        return ((object.values as ObjectForm[] | undefined) ?? []).map((v) => this.valueToJson(v));
      case 'google.protobuf.Any':
        return this.anyToJson(type, object, encoding);
      default:
        break;
    }
    if (WRAPPER_TYPES.has(name)) {
      const valueField = type.fieldsById[1];
      return this.scalarToJson(
        valueField,
        object.value ?? (valueField.type === 'string' || valueField.type === 'bytes' ? '' : valueField.type === 'bool' ? false : 0),
      );
    }
    const json: JsonObject = {};
    for (const field of type.fieldsArray) {
      const value = object[field.name];
      if (value === undefined || value === null) continue;
      const key = jsonNameOf(field);
      if (field.map) {
        const entries = Object.entries(value as ObjectForm);
        if (entries.length === 0) continue;
        const rendered: JsonObject = {};
        for (const [mapKey, mapValue] of entries) rendered[mapKey] = this.fieldValueToJson(field, mapValue, encoding);
        json[key] = rendered;
      } else if (field.repeated) {
        const items = value as unknown[];
        if (items.length === 0) continue;
        json[key] = items.map((item) => this.fieldValueToJson(field, item, encoding));
      } else {
        if (!(field.resolvedType instanceof protobuf.Type) && !hasPresence(field) && isDefaultScalar(value)) continue;
        json[key] = this.fieldValueToJson(field, value, encoding);
      }
    }
    return json;
  }

  private fieldValueToJson(field: Field, value: unknown, encoding: JsonEncoding): JsonValue {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.toJson(resolved, value, encoding);
    if (resolved instanceof protobuf.Enum) {
      if (typeNameOf(resolved) === 'google.protobuf.NullValue') return null;
      const number = Number(value);
      if (encoding.numericEnums) return number;
      return resolved.valuesById[number] ?? number;
    }
    return this.scalarToJson(field, value);
  }

  private scalarToJson(field: Field, value: unknown): JsonValue {
    const protoType = field.type;
    if (protoType === 'bytes') return base64Of(value);
    if (INT64_TYPES.has(protoType)) return String(value);
    if (FLOAT_TYPES.has(protoType)) {
      const number = Number(value);
      if (Number.isNaN(number)) return 'NaN';
      if (number === Number.POSITIVE_INFINITY) return 'Infinity';
      if (number === Number.NEGATIVE_INFINITY) return '-Infinity';
      return protoType === 'float' ? float32ToJson(number) : number;
    }
    return value as JsonValue;
  }

  private structToJson(object: ObjectForm): JsonObject {
    const json: JsonObject = {};
    for (const [key, value] of Object.entries((object.fields as ObjectForm | undefined) ?? {}))
      json[key] = this.valueToJson(value as ObjectForm);
    return json;
  }

  private valueToJson(object: ObjectForm): JsonValue {
    if (object.numberValue !== undefined) return Number(object.numberValue);
    if (object.stringValue !== undefined) return jsonText(object.stringValue);
    if (object.boolValue !== undefined) return Boolean(object.boolValue);
    if (object.structValue !== undefined) return this.structToJson(object.structValue as ObjectForm);
    if (object.listValue !== undefined) {
      return (((object.listValue as ObjectForm).values as ObjectForm[] | undefined) ?? []).map((v) => this.valueToJson(v));
    }
    return null;
  }

  private anyToJson(anyType: Type, object: ObjectForm, encoding: JsonEncoding): JsonObject {
    const names = anyFieldNames(anyType);
    const typeUrl = jsonText(object[names.typeUrl]);
    if (!typeUrl) return {};
    const innerName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const inner = this.types.findType(innerName);
    if (!inner) throw new ApiError('INTERNAL', `emulator cannot render google.protobuf.Any of unknown type ${typeUrl}`);
    const raw = object[names.value];
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : ((raw as Uint8Array | undefined) ?? new Uint8Array());
    const innerJson = this.toJson(inner, inner.toObject(inner.decode(bytes), TO_OBJECT_OPTIONS), encoding);
    if (ANY_VALUE_WRAPPED.has(innerName)) return { '@type': typeUrl, value: innerJson };
    return { '@type': typeUrl, ...(innerJson as JsonObject) };
  }
}

/** `type.googleapis.com/` + full name: the type URL Google uses in `Any`. */
export function typeUrlOf(fullName: string): string {
  return `${TYPE_URL_PREFIX}${fullName.replace(/^\./, '')}`;
}
