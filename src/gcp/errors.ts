// One error type for every Google call, whatever the transport: gRPC status codes (google-gax),
// HTTP errors of gax's REST transport, and gaxios errors of google-auth-library's authorized
// requests all become a GcpError with a canonical code. gRPC code 5 and HTTP 404 are one NotFound.
// (No Google library is imported here: the CLI's error handler loads this module cheaply.)
import { permissionHint, rolesGranting } from './roles.js';
import { CANONICAL_CODES, HTTP_STATUS_OF_CODE, type CanonicalCode } from './status-codes.js';

export const GRPC_CODES = CANONICAL_CODES;
export type GcpCode = CanonicalCode;
const HTTP_OF = HTTP_STATUS_OF_CODE;

const CODE_OF_HTTP: Record<number, GcpCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export interface GcpCallContext {
  api?: string;
  method?: string;
  resource?: string;
}

export class GcpError extends Error {
  readonly code: GcpCode;
  readonly httpStatus: number;
  /** ErrorInfo reason, e.g. SERVICE_DISABLED, IAM_PERMISSION_DENIED. */
  readonly reason: string | undefined;
  readonly metadata: Record<string, string>;
  readonly api: string | undefined;
  readonly method: string | undefined;
  readonly resource: string | undefined;
  /** Who made the call, when a permission was missing and it could be told (e-mail). */
  caller: string | undefined;

  constructor(
    code: GcpCode,
    message: string,
    extra: { reason?: string | undefined; metadata?: Record<string, string>; httpStatus?: number; cause?: unknown } & GcpCallContext = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'GcpError';
    this.code = code;
    this.httpStatus = extra.httpStatus ?? HTTP_OF[code];
    this.reason = extra.reason;
    this.metadata = extra.metadata ?? {};
    this.api = extra.api;
    this.method = extra.method;
    this.resource = extra.resource;
  }
}

export function isGcpError(err: unknown): err is GcpError {
  return err instanceof GcpError;
}

interface ErrorInfoLike {
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
}

interface RawError {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  details?: unknown;
  reason?: unknown;
  errorInfoMetadata?: unknown;
  statusDetails?: unknown;
  response?: { status?: number; data?: unknown };
}

/** Normalises anything a Google client threw. Non-API errors (bugs, aborts) pass through unchanged. */
export function toGcpError(err: unknown, context: GcpCallContext = {}): unknown {
  if (err instanceof GcpError) return err;
  if (!err || typeof err !== 'object') return err;
  const raw = err as RawError;

  // gaxios (google-auth-library request()): the body is Google's JSON error.
  if (raw.response && typeof raw.response.status === 'number') {
    // gaxios keeps the parsed body in response.data; gax's REST transport leaves it as the message.
    const data = (raw.response.data ?? parseJson(raw.message)) as
      { error?: { message?: string; status?: string; details?: unknown[]; errors?: { reason?: string }[] } } | undefined;
    const body = data?.error;
    const code = codeFromStatus(body?.status) ?? CODE_OF_HTTP[raw.response.status] ?? 'UNKNOWN';
    const info = findErrorInfo(body?.details) ?? legacyErrorInfo(body?.errors);
    return new GcpError(code, body?.message ?? (typeof raw.message === 'string' ? raw.message : `HTTP ${raw.response.status}`), {
      httpStatus: raw.response.status,
      reason: info?.reason,
      metadata: info?.metadata ?? {},
      cause: err,
      ...context,
    });
  }

  // The connection failed (gaxios, fetch): nothing answered, so the call may or may not have run.
  if (typeof raw.code === 'string' && NETWORK_ERRORS.has(raw.code)) {
    const message = typeof raw.message === 'string' ? raw.message : raw.code;
    return new GcpError('UNAVAILABLE', message, { reason: raw.code, cause: err, ...context });
  }

  if (typeof raw.code === 'number') {
    let code: GcpCode;
    let httpStatus: number | undefined;
    if (raw.code >= 0 && raw.code < GRPC_CODES.length) {
      code = GRPC_CODES[raw.code]!;
    } else if (raw.code >= 100) {
      // gax's REST transport reports the HTTP status; the body's status string is more precise.
      httpStatus = raw.code;
      code = codeFromStatus(raw.status) ?? codeFromStatus(statusFromMessage(raw.message)) ?? CODE_OF_HTTP[raw.code] ?? 'UNKNOWN';
    } else {
      return err;
    }
    const info =
      typeof raw.reason === 'string'
        ? { reason: raw.reason, metadata: (raw.errorInfoMetadata as Record<string, string> | undefined) ?? {} }
        : findErrorInfo(raw.statusDetails);
    const message =
      typeof raw.details === 'string' && raw.details ? raw.details : stripCodePrefix(typeof raw.message === 'string' ? raw.message : code);
    return new GcpError(code, message, {
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      reason: info?.reason,
      metadata: info?.metadata ?? {},
      cause: err,
      ...context,
    });
  }
  return err;
}

/** Node's codes for a connection that failed or broke: what a reset, a closed port or a dead link look like. */
const NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || !text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function codeFromStatus(status: unknown): GcpCode | undefined {
  return typeof status === 'string' && (GRPC_CODES as readonly string[]).includes(status) ? (status as GcpCode) : undefined;
}

function statusFromMessage(message: unknown): string | undefined {
  return typeof message === 'string' ? /\b([A-Z_]{5,})\b/.exec(message)?.[1] : undefined;
}

// "5 NOT_FOUND: Secret [x] not found." → "Secret [x] not found."
function stripCodePrefix(message: string): string {
  return message.replace(/^\d+ [A-Z_]+: /, '');
}

/**
 * The legacy error array of JSON APIs without `details` (Cloud Storage): `accessNotConfigured` is
 * their word for a disabled API. Other legacy reasons (notFound, conflict…) travel as the reason.
 */
function legacyErrorInfo(errors: { reason?: string }[] | undefined): ErrorInfoLike | undefined {
  const reason = errors?.[0]?.reason;
  if (!reason) return undefined;
  return { reason: reason === 'accessNotConfigured' ? 'SERVICE_DISABLED' : reason, metadata: {} };
}

/** A create that found its resource there already: ALREADY_EXISTS, or a 409 of Compute and Storage (alreadyExists, conflict). */
export function isAlreadyExists(err: unknown): err is GcpError {
  return err instanceof GcpError && (err.code === 'ALREADY_EXISTS' || (err.httpStatus === 409 && err.reason !== 'aborted'));
}

function findErrorInfo(details: unknown): ErrorInfoLike | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (d && typeof d === 'object' && typeof (d as ErrorInfoLike).reason === 'string') return d as ErrorInfoLike;
  }
  return undefined;
}

/**
 * The user-facing description: what happened, why, and what to do. `command` is the command that
 * ran (a hint never sends the user to the command they just ran).
 */
export function describeGcpError(err: GcpError, options: { command?: string } = {}): { message: string; hint?: string } {
  // The registry client's messages name the image themselves; its method names are not the user's business.
  const what =
    err.api === 'registry'
      ? undefined
      : err.method
        ? `${err.method}${err.resource ? ` on ${err.resource}` : ''} failed`
        : 'a Google Cloud call failed';
  const prefix = what ? `${what}: ` : '';
  // grpc-js and Node say "connect ECONNREFUSED 127.0.0.1:8085 (…). Resolution note: …": say it in words.
  const refused =
    /ECONNREFUSED\s+(\S+?)(?:[\s,)]|$)/.exec(err.message)?.[1] ?? (err.reason === 'ECONNREFUSED' ? 'the endpoint' : undefined);
  if (refused) {
    return {
      message: `${prefix}nothing answers at ${refused} (connection refused)`,
      hint: 'check the network, a proxy, or ATLANTIS_RUN_EMULATOR_HOST if it is set (then: is `atlantis-run emulator` running?)',
    };
  }
  const missingPermission = err.code === 'PERMISSION_DENIED' && err.reason !== 'SERVICE_DISABLED';
  const message = `${prefix}${err.message}${missingPermission && err.caller ? ` (calling as ${err.caller})` : ''}`;
  if (err.reason === 'SERVICE_DISABLED') {
    const service = err.metadata.service ?? 'the API';
    return { message, hint: `enable ${service} (atlantis-run deploy does this), or: gcloud services enable ${service}` };
  }
  switch (err.code) {
    case 'UNAUTHENTICATED':
      return { message, hint: 'run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS in CI' };
    case 'PERMISSION_DENIED': {
      const permission = err.metadata.permission ?? /Permission '([\w.]+)' denied/.exec(err.message)?.[1];
      const project = /projects\/([a-z][-a-z0-9]{4,28}[a-z0-9])(?:\/|$)/.exec(err.resource ?? '')?.[1];
      if (permission && project && rolesGranting([permission]).roles.length > 0) {
        return { message, hint: permissionHint(project, [permission], err.caller) };
      }
      const elsewhere = options.command === 'plan' ? '' : '; `atlantis-run plan` lists every missing one at once';
      return { message, hint: `the caller${err.caller ? ` (${err.caller})` : ''} lacks ${permission ?? 'a permission'}${elsewhere}` };
    }
    case 'RESOURCE_EXHAUSTED':
      return { message, hint: 'a quota or rate limit was hit; wait a minute and run the command again' };
    case 'UNAVAILABLE':
    case 'DEADLINE_EXCEEDED':
      return { message, hint: 'Google Cloud did not answer in time; run the command again (it resumes where it stopped)' };
    default:
      return { message };
  }
}
