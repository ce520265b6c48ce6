// Cloud Logging v2 entries:list (REST): the tail of a failed build's log.
// https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list
import type { Gcp } from '../call.js';

const API = 'logging.googleapis.com';

export interface LogEntry {
  timestamp?: string;
  severity?: string;
  textPayload?: string;
  jsonPayload?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export async function listLogEntries(
  gcp: Gcp,
  project: string,
  filter: string,
  options: { orderBy?: 'timestamp asc' | 'timestamp desc'; pageSize?: number } = {},
): Promise<LogEntry[]> {
  const url = `${gcp.factory.restBase('logging')}/v2/entries:list`;
  const body = {
    resourceNames: [`projects/${project}`],
    filter,
    orderBy: options.orderBy ?? 'timestamp asc',
    pageSize: options.pageSize ?? 50,
  };
  const page = await gcp.caller.run({ api: API, method: 'ListLogEntries', resource: `projects/${project}` }, () =>
    gcp.factory.request<{ entries?: LogEntry[] }>({ url, method: 'POST', body }),
  );
  return page.entries ?? [];
}
