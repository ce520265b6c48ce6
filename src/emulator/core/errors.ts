// One error type for every API: handlers throw ApiError, and each transport renders it the way
// Google does (gRPC status + grpc-status-details-bin, or the REST JSON error body).
import { CANONICAL_CODES, HTTP_STATUS_OF_CODE, type CanonicalCode } from '../../gcp/status-codes.js';

/** google.rpc.Code, by name. */
export const Code = Object.fromEntries(CANONICAL_CODES.map((name, number) => [name, number])) as { readonly [K in CanonicalCode]: number };

export type CodeName = keyof typeof Code;

export function isCodeName(value: string): value is CodeName {
  return Object.prototype.hasOwnProperty.call(Code, value);
}

export function httpStatusOf(code: CodeName): number {
  return HTTP_STATUS_OF_CODE[code];
}

/** An error detail in proto3 JSON `Any` form: `{"@type": "type.googleapis.com/google.rpc.ErrorInfo", ...}`. */
export interface ErrorDetail {
  '@type': string;
  [field: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly code: CodeName,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get numericCode(): number {
    return Code[this.code];
  }

  get httpStatus(): number {
    return httpStatusOf(this.code);
  }
}

/** Turns anything thrown inside the emulator into an ApiError; a non-ApiError is an emulator bug → INTERNAL. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError('INTERNAL', `Internal error encountered. (emulator: ${message})`);
}

const TYPE_PREFIX = 'type.googleapis.com/';

export function errorInfo(reason: string, domain: string, metadata: Record<string, string> = {}): ErrorDetail {
  return { '@type': `${TYPE_PREFIX}google.rpc.ErrorInfo`, reason, domain, metadata };
}

export function badRequest(fieldViolations: Array<{ field: string; description: string }>): ErrorDetail {
  return { '@type': `${TYPE_PREFIX}google.rpc.BadRequest`, fieldViolations };
}

export function localizedMessage(message: string): ErrorDetail {
  return { '@type': `${TYPE_PREFIX}google.rpc.LocalizedMessage`, locale: 'en-US', message };
}

export function help(links: Array<{ description: string; url: string }>): ErrorDetail {
  return { '@type': `${TYPE_PREFIX}google.rpc.Help`, links };
}

/** google.rpc.ResourceInfo, which Memorystore attaches to ALREADY_EXISTS. */
export function resourceInfo(resourceName: string): ErrorDetail {
  return { '@type': `${TYPE_PREFIX}google.rpc.ResourceInfo`, resourceName };
}

export function debugInfo(detail: string): ErrorDetail {
  return { '@type': `${TYPE_PREFIX}google.rpc.DebugInfo`, detail };
}

/** The generic message Google's front end uses when a resource does not exist. */
export const ENTITY_NOT_FOUND = 'Requested entity was not found.';

/** `INVALID_ARGUMENT` for a JSON field the request message does not have (Google's wording). */
export function unknownFieldError(name: string, at: string): ApiError {
  const where = at ? ` at '${at}'` : '';
  const message = `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`;
  return new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field: at, description: message }])]);
}

/** `INVALID_ARGUMENT` for a JSON value that does not fit the field's type (Google's wording). */
export function invalidValueError(at: string, typeName: string, value: unknown): ApiError {
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  const message = `Invalid value at '${at}' (${typeName}), ${shown}`;
  return new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field: at, description: message }])]);
}

/** The "legacy" reason word older REST APIs (IAM v1) put in `error.errors[].reason`. */
export function legacyReasonOf(code: CodeName): string {
  switch (code) {
    case 'NOT_FOUND':
      return 'notFound';
    case 'ALREADY_EXISTS':
      return 'alreadyExists';
    case 'PERMISSION_DENIED':
      return 'forbidden';
    case 'UNAUTHENTICATED':
      return 'required';
    case 'ABORTED':
      return 'conflict';
    case 'FAILED_PRECONDITION':
      return 'failedPrecondition';
    case 'RESOURCE_EXHAUSTED':
      return 'rateLimitExceeded';
    case 'UNAVAILABLE':
      return 'backendError';
    case 'UNIMPLEMENTED':
      return 'notImplemented';
    case 'INVALID_ARGUMENT':
    case 'OUT_OF_RANGE':
      return 'badRequest';
    default:
      return 'backendError';
  }
}

/**
 * The REST error body: `{"error": {"code": HTTP, "message", "status", "details"}}`; with
 * `legacyErrors` also the `errors: [{message, domain, reason}]` array that IAM v1 still sends.
 */
export function restErrorBody(error: ApiError, legacyErrors = false): Record<string, unknown> {
  const body: Record<string, unknown> = { code: error.httpStatus, message: error.message };
  if (legacyErrors) body.errors = [{ message: error.message, domain: 'global', reason: legacyReasonOf(error.code) }];
  body.status = error.code;
  if (error.details.length > 0) body.details = error.details;
  return { error: body };
}
