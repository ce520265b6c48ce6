// `logs` as a use case: Atlantis's own output and Cloud Run's system events for the service, read
// from Cloud Logging (entries.list), rendered one line each — Atlantis logs zap JSON
// ({"level","ts","caller","msg","json":{…}}), which Cloud Run keeps as jsonPayload without lifting
// `level` into the entry's severity, so a severity filter looks at both — and followed by polling
// with a moving time window (Cloud Logging's streaming tail is not available to this tool).
import { UsageError } from '../errors.js';
import type { AtlantisRunConfig } from '../config/load.js';
import type { Gcp } from '../gcp/call.js';
import { listLogEntries, type LogEntry } from '../gcp/apis/logging.js';

// ─── Severity ───────────────────────────────────────────────────────────────────────────────

/** google.logging.type.LogSeverity, in order. */
export const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Atlantis's zap levels and the LogSeverity each one means. */
const ZAP_LEVELS: Record<string, Severity> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  dpanic: 'CRITICAL',
  panic: 'ALERT',
  fatal: 'EMERGENCY',
};

const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

/** `warning`, `WARNING` or zap's `warn` → WARNING. */
export function parseSeverity(text: string): Severity {
  const upper = text.trim().toUpperCase();
  const severity = (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : ZAP_LEVELS[text.trim().toLowerCase()];
  if (!severity) {
    throw new UsageError(`--severity: "${text}" is not a log severity`, {
      hint: `use one of ${SEVERITIES.slice(1).join(', ')} (or Atlantis's levels debug, info, warn, error); entries at that severity and above are shown`,
    });
  }
  return severity;
}

/** What an entry's severity is: the entry's own, or, for Atlantis's JSON lines, their zap level. */
export function severityOf(entry: LogEntry): Severity {
  const own = (entry.severity ?? 'DEFAULT').toUpperCase() as Severity;
  const level = entry.jsonPayload?.level;
  const zap = typeof level === 'string' ? ZAP_LEVELS[level.toLowerCase()] : undefined;
  return own === 'DEFAULT' && zap ? zap : own;
}

// ─── Time ───────────────────────────────────────────────────────────────────────────────────

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: a duration back from now (`90s`, `30m`, `1h`, `2d`, `1w`) or a date/time (`2026-08-20T10:00:00Z`). */
export function parseSince(text: string, now = Date.now()): Date {
  const trimmed = text.trim();
  const duration = /^(\d+)(s|m|h|d|w)$/.exec(trimmed);
  if (duration) return new Date(now - Number(duration[1]) * UNITS[duration[2]]);
  const time = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`--since: "${text}" is neither a duration nor a date`, {
      hint: 'give a duration back from now such as 30m, 1h, 2d or 1w, or a time such as 2026-08-20T10:00:00Z',
    });
  }
  if (time > now)
    throw new UsageError(`--since: ${new Date(time).toISOString()} is in the future`, {
      hint: 'give a time in the past, or a duration such as 1h',
    });
  return new Date(time);
}

// ─── The query ──────────────────────────────────────────────────────────────────────────────

export interface LogsQuery {
  since: Date;
  /** A revision's short name: only its entries (the service's own events name no revision). */
  revision?: string | undefined;
  /** At and above this severity (DEFAULT: everything). */
  severity: Severity;
  /** At most this many entries: the newest ones. */
  limit: number;
}

/** The logs Atlantis and Cloud Run write for a service: the container's output and Cloud Run's own events. */
function logNames(project: string): string[] {
  return [
    'run.googleapis.com/stdout',
    'run.googleapis.com/stderr',
    'run.googleapis.com/varlog/system',
    'cloudaudit.googleapis.com/system_event',
  ].map((id) => `projects/${project}/logs/${encodeURIComponent(id)}`);
}

const quote = (value: string) => JSON.stringify(value);

/** The Logging query language filter for the service's entries since `from`. */
export function logsFilter(
  config: Pick<AtlantisRunConfig, 'project' | 'region' | 'service'>,
  query: LogsQuery,
  from = query.since,
): string {
  const lines = [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name=${quote(config.service)}`,
    `resource.labels.location=${quote(config.region)}`,
    `logName=(${logNames(config.project).map(quote).join(' OR ')})`,
    `timestamp>=${quote(from.toISOString())}`,
  ];
  if (query.revision) lines.push(`resource.labels.revision_name=${quote(query.revision)}`);
  if (query.severity !== 'DEFAULT') {
    // Cloud Run lifts only a `severity` field out of JSON lines: Atlantis's `level` stays in the payload.
    const levels = Object.entries(ZAP_LEVELS)
      .filter(([, severity]) => rank(severity) >= rank(query.severity))
      .map(([level]) => quote(level));
    lines.push(`(severity>=${query.severity} OR jsonPayload.level=(${levels.join(' OR ')}))`);
  }
  return lines.join('\n');
}

type Reader = Pick<{ gcp: Gcp; config: AtlantisRunConfig }, 'gcp' | 'config'>;

/** The newest `limit` entries of the query, oldest first (the order a terminal reads them in). */
export async function readLogs(run: Reader, query: LogsQuery): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  let pageToken: string | undefined;
  do {
    const page = await listLogEntries(run.gcp, {
      resourceNames: [`projects/${run.config.project}`],
      filter: logsFilter(run.config, query),
      orderBy: 'timestamp desc',
      pageSize: Math.min(1000, query.limit - entries.length),
      pageToken,
    });
    entries.push(...page.entries);
    pageToken = page.nextPageToken;
  } while (pageToken && entries.length < query.limit);
  return entries.slice(0, query.limit).reverse();
}

// ─── Following ──────────────────────────────────────────────────────────────────────────────

/** Entries can reach Cloud Logging seconds after their timestamp: each poll looks back this far again. */
export const FOLLOW_OVERLAP_MS = 10_000;

export interface FollowOptions {
  signal: AbortSignal;
  intervalMs: number;
  /** Called with each batch of new entries, oldest first. */
  onEntries: (entries: LogEntry[]) => void;
  /** Entries already shown (the first read), so they are not shown again. */
  shown: readonly LogEntry[];
}

/** Polls for new entries until `signal` aborts (Ctrl-C); returns how many it passed on. */
export async function followLogs(run: Reader, query: LogsQuery, options: FollowOptions): Promise<number> {
  const seen = new Map<string, number>();
  let last = query.since.getTime();
  const remember = (entry: LogEntry) => {
    const time = Date.parse(entry.timestamp ?? '') || last;
    if (entry.insertId) seen.set(keyOf(entry), time);
    last = Math.max(last, time);
  };
  options.shown.forEach(remember);
  let passed = 0;
  while (!options.signal.aborted) {
    await sleep(options.intervalMs, options.signal);
    if (options.signal.aborted) break;
    const from = new Date(Math.max(query.since.getTime(), last - FOLLOW_OVERLAP_MS));
    let fresh: LogEntry[];
    try {
      fresh = await newEntries(run, query, from);
    } catch (err) {
      if (options.signal.aborted) break; // Ctrl-C while the call was starting: stop quietly
      throw err;
    }
    const unseen = fresh.filter((entry) => !entry.insertId || !seen.has(keyOf(entry)));
    unseen.forEach(remember);
    // What is older than the overlap cannot come back: forget it, so a long follow stays small.
    for (const [key, time] of seen) if (time < last - 2 * FOLLOW_OVERLAP_MS) seen.delete(key);
    if (unseen.length > 0) {
      passed += unseen.length;
      options.onEntries(unseen);
    }
  }
  return passed;
}

/** insertIds are unique per log and timestamp (LogEntry reference). */
function keyOf(entry: LogEntry): string {
  return `${entry.logName ?? ''} ${entry.timestamp ?? ''} ${entry.insertId ?? ''}`;
}

async function newEntries(run: Reader, query: LogsQuery, from: Date): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  let pageToken: string | undefined;
  do {
    const page = await listLogEntries(run.gcp, {
      resourceNames: [`projects/${run.config.project}`],
      filter: logsFilter(run.config, query, from),
      orderBy: 'timestamp asc',
      pageSize: 1000,
      pageToken,
    });
    entries.push(...page.entries);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return entries;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

// ─── Rendering ──────────────────────────────────────────────────────────────────────────────

// zap's own keys, shown in their own places; `stacktrace` (on every warning) only with --json.
const ZAP_KEYS = new Set(['level', 'ts', 'caller', 'msg', 'stacktrace', 'json']);

/** `a=1 b="two words"` for the fields of a JSON payload (nested objects as JSON). */
function fieldsText(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .join(' ');
}

/** The text of an entry: Atlantis's message and fields, a plain line, or Cloud Run's event message. */
export function entryText(entry: LogEntry): string {
  const json = entry.jsonPayload;
  if (json) {
    const message = typeof json.msg === 'string' ? json.msg : typeof json.message === 'string' ? json.message : '';
    const context = typeof json.json === 'object' && json.json !== null ? (json.json as Record<string, unknown>) : {};
    const rest = Object.fromEntries(Object.entries(json).filter(([key]) => !ZAP_KEYS.has(key) && key !== 'message'));
    const fields = fieldsText({ ...rest, ...context });
    const caller = typeof json.caller === 'string' ? `  (${json.caller})` : '';
    return `${message || JSON.stringify(json)}${fields ? `  ${fields}` : ''}${caller}`;
  }
  if (typeof entry.textPayload === 'string') return entry.textPayload;
  const proto = entry.protoPayload as { status?: { message?: unknown }; methodName?: unknown } | undefined;
  if (typeof proto?.status?.message === 'string' && proto.status.message) return proto.status.message;
  if (typeof proto?.methodName === 'string') return proto.methodName;
  return '';
}

/** Where an entry comes from: the revision, or the service itself (Cloud Run's service-level events). */
function sourceOf(entry: LogEntry): string {
  return entry.resource?.labels?.revision_name || 'service';
}

/** One line per entry: `2026-08-22 10:00:01.123  INFO     atlantis-00002-abc  message  key=value  (caller)`. */
export function formatEntry(entry: LogEntry): string {
  const time = (entry.timestamp ?? '').replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1Z');
  const text = entryText(entry).replace(/\n/g, '\n    ');
  return `${time}  ${severityOf(entry).padEnd(9)}${sourceOf(entry)}  ${text}`;
}
