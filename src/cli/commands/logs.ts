// `atlantis-run logs`: Atlantis's own log lines and Cloud Run's events for the service, from Cloud
// Logging (src/deployment/logs.ts) — once, or followed until Ctrl-C.
import { UsageError } from '../../errors.js';
import type { LogEntry } from '../../gcp/apis/logging.js';
import { followLogs, formatEntry, logsFilter, parseSeverity, parseSince, readLogs, type LogsQuery } from '../../deployment/logs.js';
import type { Handler } from '../command.js';
import type { CommandContext } from '../context.js';
import type { logsOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { DEFAULT_WAIT, parseDuration, waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof logsOptions> = async (ctx, input) => {
  const options = input.options;
  const config = await ctx.config();
  // Every flag is checked before the first call: a bad one changes nothing and costs nothing.
  const query: LogsQuery = {
    since: parseSince(options.since),
    severity: options.severity === undefined ? 'DEFAULT' : parseSeverity(options.severity),
    revision: revisionOf(options.revision, config.service),
    limit: limitOf(options.limit),
  };
  const intervalMs = intervalOf(options.interval);
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(DEFAULT_WAIT) });
  const filter = logsFilter(run.config, query);
  ctx.log.write('logs-filter', { filter });
  const first = await readLogs(run, query);
  const summary = {
    project: run.config.project,
    region: run.config.region,
    service: run.config.service,
    filter,
    since: query.since.toISOString(),
  };

  if (!options.follow) {
    if (ctx.globals.json) emitResult(ctx, 'logs', { ...summary, followed: false, count: first.length, entries: first });
    else if (first.length === 0) ctx.host.emit({ type: 'info', message: nothingSince(query) });
    else show(ctx, first);
    return 0;
  }

  show(ctx, first);
  ctx.host.emit({ type: 'info', message: `following new entries every ${intervalMs / 1000}s (Ctrl-C to stop)` });
  const passed = await followLogs(run, query, { signal: ctx.signal, intervalMs, shown: first, onEntries: (entries) => show(ctx, entries) });
  emitResult(ctx, 'logs', { ...summary, followed: true, count: first.length + passed, entries: [] });
  return 0;
};

/** Entries as lines on stdout, or as `log-entry` lines with --json (raw, as Cloud Logging answered). */
function show(ctx: CommandContext, entries: LogEntry[]): void {
  if (entries.length === 0) return;
  if (ctx.globals.json) for (const entry of entries) ctx.host.item('log-entry', { entry });
  else ctx.host.print(entries.map(formatEntry).join('\n'));
}

function nothingSince(query: LogsQuery): string {
  const what = [query.revision ? `of revision ${query.revision}` : '', query.severity !== 'DEFAULT' ? `at ${query.severity} or above` : '']
    .filter(Boolean)
    .join(' ');
  return `no log entries${what ? ` ${what}` : ''} since ${query.since.toISOString()} (--since reaches further back)`;
}

/** Cloud Run names a service's revisions SERVICE-SUFFIX (SERVICE-00012-abc, or a custom suffix). */
function revisionOf(raw: string | undefined, service: string): string | undefined {
  if (raw === undefined) return undefined;
  const revision = raw.trim().split('/').pop()!;
  if (!revision.startsWith(`${service}-`) || !/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(revision)) {
    throw new UsageError(`--revision: "${raw}" is not a revision of service ${service}`, {
      hint: `revisions are named ${service}-NNNNN-xyz; \`atlantis-run status\` names the ready one, \`atlantis-run rollback --list\` lists them all`,
    });
  }
  return revision;
}

function limitOf(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 10_000) {
    throw new UsageError(`--limit: expected a whole number of entries from 1 to 10000, got "${raw}"`);
  }
  return n;
}

function intervalOf(raw: string): number {
  const ms = parseDuration(raw);
  if (!Number.isFinite(ms) || ms < 100) {
    throw new UsageError(`--interval: expected a duration of at least 100ms such as 5s, got "${raw}"`, {
      hint: 'Cloud Logging allows 60 entries.list reads a minute per project: 5s leaves room for other readers',
    });
  }
  return ms;
}
