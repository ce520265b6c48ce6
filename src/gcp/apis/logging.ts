// Cloud Logging v2 entries.list: REST only (no Node client of Logging is installed; the tool reads
// logs, it never writes them), through the factory's authorized requests.
// Reference: https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list
import type { Gcp } from '../call.js';

const API = 'logging.googleapis.com';

/** A LogEntry as the REST API returns it (proto3 JSON); only the fields the tool reads are named. */
export interface LogEntry {
  logName?: string;
  resource?: { type?: string; labels?: Record<string, string> };
  timestamp?: string;
  receiveTimestamp?: string;
  /** Absent for DEFAULT (proto3 JSON omits the zero value). */
  severity?: string;
  insertId?: string;
  labels?: Record<string, string>;
  textPayload?: string;
  jsonPayload?: Record<string, unknown>;
  protoPayload?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ListEntriesRequest {
  /** `projects/PROJECT_ID` */
  resourceNames: string[];
  filter: string;
  orderBy: 'timestamp asc' | 'timestamp desc';
  /** At most 1000. */
  pageSize: number;
  pageToken?: string | undefined;
}

export interface ListEntriesPage {
  entries: LogEntry[];
  nextPageToken: string | undefined;
}

/** One page of entries.list. */
export async function listLogEntries(gcp: Gcp, request: ListEntriesRequest): Promise<ListEntriesPage> {
  const url = `${gcp.factory.restBase('logging')}/v2/entries:list`;
  const { pageToken, ...rest } = request;
  const body = pageToken ? { ...rest, pageToken } : rest;
  const page = await gcp.caller.run({ api: API, method: 'ListLogEntries', resource: request.resourceNames.join(',') }, () =>
    gcp.factory.request<{ entries?: LogEntry[]; nextPageToken?: string }>({ url, method: 'POST', body }),
  );
  return { entries: page.entries ?? [], nextPageToken: page.nextPageToken || undefined };
}
