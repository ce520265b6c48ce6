// Cloud Logging v2, REST only: `POST /v2/entries:list` over the entries the emulated services write
// (services.logs; see logging-entries.ts for what they write) with resourceNames, filter
// (logging-filter.ts), orderBy and paging. No Node logging client is installed, so there are no
// protos to serve gRPC with (and entries:tail, bidirectional streaming, could not be served by the
// unary gRPC transport anyway): a `--follow` polls entries:list with a moving timestamp.
// Emulator-only (not Google's API, namespaced under /emulator/): appending container output lines
// to a Cloud Run service, so tests and rehearsals can make "Atlantis" speak.
import { defineApi, restRoute, type CallContext } from '../core/api.js';
import { serviceDisabledError } from '../core/call-pipeline.js';
import { ApiError, unknownFieldError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { EmulatorServices } from '../core/services.js';
import { findRunService } from './cloud-run.js';
import { containerLogEntries, type RunServiceRef } from './logging-entries.js';
import { matches, parseFilter } from './logging-filter.js';

export const LOGGING_API = 'logging.googleapis.com';
const TITLE = 'Cloud Logging API';
const RPC = 'google.logging.v2.LoggingServiceV2';

const LIST_FIELDS = new Set([
  'resourceNames',
  'resource_names',
  'filter',
  'orderBy',
  'order_by',
  'pageSize',
  'page_size',
  'pageToken',
  'page_token',
]);
const PROJECT_RESOURCE = /^projects\/([^/]+)$/;
/** LogEntry fields in proto field-number order, the order Google's JSON answers use. */
const ENTRY_FIELD_ORDER = [
  'protoPayload',
  'textPayload',
  'insertId',
  'jsonPayload',
  'httpRequest',
  'resource',
  'timestamp',
  'severity',
  'labels',
  'logName',
  'operation',
  'trace',
  'sourceLocation',
  'receiveTimestamp',
  'spanId',
  'traceSampled',
  'split',
];

interface ListRequest {
  resourceNames?: string[];
  resource_names?: string[];
  filter?: string;
  orderBy?: string;
  order_by?: string;
  pageSize?: number | string;
  page_size?: number | string;
  pageToken?: string;
  page_token?: string;
}

/**
 * Logging is enabled by default in projects made with the console or gcloud (Service Usage docs,
 * "Enabled services"), unlike the emulator's fresh projects: only an explicit disable turns it off.
 */
function checkLoggingEnabled(ctx: EmulatorServices, projectReference: string): string {
  const project = ctx.projects.require(projectReference, LOGGING_API);
  if (project.services[LOGGING_API] === 'DISABLED') {
    throw serviceDisabledError(LOGGING_API, TITLE, project.projectNumber);
  }
  return project.projectId;
}

function pageSizeOf(request: ListRequest): number | undefined {
  const raw = request.pageSize ?? request.page_size;
  if (raw === undefined) return undefined;
  const size = Number(raw);
  if (!Number.isInteger(size)) throw new ApiError('INVALID_ARGUMENT', `Invalid value at 'page_size' (TYPE_INT32), "${String(raw)}"`);
  // The API reference: "If the value is negative or exceeds 1000, the request is rejected."
  if (size < 0 || size > 1000) throw new ApiError('INVALID_ARGUMENT', `page_size must be between 0 and 1000, got ${size}.`);
  return size;
}

function descendingOf(request: ListRequest): boolean {
  const orderBy = (request.orderBy ?? request.order_by ?? '').trim().replace(/\s+/g, ' ');
  if (orderBy === '' || orderBy === 'timestamp asc' || orderBy === 'timestamp') return false;
  if (orderBy === 'timestamp desc') return true;
  throw new ApiError('INVALID_ARGUMENT', `Invalid order_by "${orderBy}": only "timestamp asc" and "timestamp desc" are supported.`);
}

function projectsOf(request: ListRequest, ctx: EmulatorServices): string[] {
  const names = request.resourceNames ?? request.resource_names ?? [];
  if (!Array.isArray(names) || names.length === 0)
    throw new ApiError('INVALID_ARGUMENT', 'resource_names must contain at least one resource.');
  return names.map((name) => {
    const match = PROJECT_RESOURCE.exec(String(name));
    if (!match) {
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Unsupported resource name "${String(name)}": the emulator lists entries of projects/PROJECT_ID only (no organizations, folders, billing accounts or log views).`,
      );
    }
    return checkLoggingEnabled(ctx, match[1]);
  });
}

/** The entry as Google renders it: fields in proto order, DEFAULT severity omitted (proto3 JSON). */
function renderEntry(entry: JsonObject): JsonObject {
  const rendered: JsonObject = {};
  for (const field of ENTRY_FIELD_ORDER) {
    const value = entry[field];
    if (value === undefined || (field === 'severity' && value === 'DEFAULT')) continue;
    rendered[field] = value;
  }
  return rendered;
}

function projectOfEntry(entry: JsonObject): string | undefined {
  return /^projects\/([^/]+)\/logs\//.exec(typeof entry.logName === 'string' ? entry.logName : '')?.[1];
}

function listEntries(request: ListRequest, ctx: CallContext): JsonObject {
  for (const key of Object.keys(request)) if (!LIST_FIELDS.has(key)) throw unknownFieldError(key, '');
  const projects = new Set(projectsOf(request, ctx));
  const filter = parseFilter(String(request.filter ?? ''));
  const descending = descendingOf(request);
  const pageSize = pageSizeOf(request);
  const selected = ctx.logs
    .all()
    .map((entry, index) => ({ entry, index, time: typeof entry.timestamp === 'string' ? Date.parse(entry.timestamp) : 0 }))
    .filter(({ entry }) => projects.has(projectOfEntry(entry) ?? '') && matches(entry, filter))
    // Stable by time, then by the order written (insertId order within a timestamp, as Google documents).
    .sort((a, b) => (descending ? b.time - a.time || b.index - a.index : a.time - b.time || a.index - b.index))
    .map(({ entry }) => renderEntry(entry));
  const page = paginate(selected, pageSize, request.pageToken ?? request.page_token, { defaultSize: 50, maxSize: 1000 });
  return {
    ...(page.items.length > 0 ? { entries: page.items } : {}),
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Emulator-only: container output of a Cloud Run service

export interface AppendContainerLogs {
  /** `projects/P/locations/L/services/S`. */
  service: string;
  lines: string[];
  /** Default: the service's latest ready revision, else its latest created one. */
  revision?: string;
  stream?: 'stdout' | 'stderr';
  /** RFC 3339; default now, never before an earlier append's last line. Each following line is 1 ms later. */
  timestamp?: string;
}

/**
 * Appends lines a Cloud Run service's container "printed" (JSON lines become jsonPayload, as
 * Cloud Run's logging agent does). Callable from tests: `emulator.mutate((s) => appendContainerLogs(s, …))`.
 * Returns the entries written.
 */
export function appendContainerLogs(services: EmulatorServices, input: AppendContainerLogs): JsonObject[] {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/.exec(input.service);
  if (!match)
    throw new ApiError('INVALID_ARGUMENT', `Invalid service name "${input.service}": expected projects/P/locations/L/services/S.`);
  const project = services.projects.require(match[1], LOGGING_API);
  const record = findRunService(services, project.projectId, match[2], match[3]);
  if (!record) throw new ApiError('NOT_FOUND', `service "${input.service}" not found`);
  const revisionId = input.revision ?? record.latestReadyRevision ?? record.latestCreatedRevision;
  if (!revisionId) throw new ApiError('FAILED_PRECONDITION', `service "${input.service}" has no revision to write logs for.`);
  if (!Array.isArray(input.lines) || input.lines.some((line) => typeof line !== 'string')) {
    throw new ApiError('INVALID_ARGUMENT', 'lines must be a list of strings.');
  }
  const startTime = input.timestamp === undefined ? services.logs.clock(input.lines.length) : Date.parse(input.timestamp);
  if (Number.isNaN(startTime)) throw new ApiError('INVALID_ARGUMENT', `Invalid timestamp "${input.timestamp}".`);
  const ref: RunServiceRef = {
    projectId: project.projectId,
    projectNumber: project.projectNumber,
    location: match[2],
    serviceId: match[3],
  };
  const entries = containerLogEntries({
    ref,
    revisionId,
    lines: input.lines,
    stream: input.stream === 'stderr' ? 'stderr' : 'stdout',
    startTime,
  });
  return services.logs.write(entries);
}

export const loggingApi = defineApi({
  service: LOGGING_API,
  title: TITLE,
  restRoutes: [
    restRoute<ListRequest>({
      verb: 'POST',
      path: '/v2/entries:list',
      body: '*',
      rpcName: `${RPC}/ListLogEntries`,
      permission: 'logging.logEntries.list',
      resource: (request) => (Array.isArray(request.resourceNames) ? request.resourceNames.join(',') : ''),
      // Checked per resource name in the handler (Logging is on by default, see checkLoggingEnabled).
      project: () => undefined,
      handle: listEntries,
    }),
    restRoute<AppendContainerLogs & JsonObject>({
      verb: 'POST',
      path: '/emulator/v1/{service=projects/*/locations/*/services/*}:appendContainerLogs',
      body: '*',
      rpcName: 'emulator.logging/AppendContainerLogs',
      resource: (request) => String(request.service ?? ''),
      project: () => undefined,
      mutating: true,
      handle(request, ctx) {
        const entries = appendContainerLogs(ctx, request);
        return { entries: entries.map(renderEntry) };
      },
    }),
  ],
});
