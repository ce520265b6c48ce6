// `atlantis-run rollback`: all traffic back to the previous ready revision (or --to REVISION), the
// secret versions it pins kept enabled; `--list` shows the revisions (src/deployment/rollback.ts).
import { chooseTarget, readRevisions, rollBack, type RevisionInfo } from '../../deployment/rollback.js';
import { restartLoss } from '../../deployment/restart.js';
import type { Handler } from '../command.js';
import type { rollbackOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof rollbackOptions> = async (ctx, input) => {
  const options = input.options;
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(options.waitTimeout) });
  const state = await readRevisions(run);
  const service = run.config.service;
  if (options.list) {
    if (ctx.globals.json) emitResult(ctx, 'rollback', { action: 'listed', service, revisions: state.revisions });
    else ctx.host.print(formatRevisions(state.revisions));
    return 0;
  }

  const target = chooseTarget(state, options.to);
  const label = `${target.name}${target.version ? ` (${target.version})` : ''}`;
  if (state.serving === target.name && target.percent === 100) {
    const result = { action: 'already-serving' as const, service, from: state.serving, to: target.name, secrets: [], notes: [] };
    if (ctx.globals.json) emitResult(ctx, 'rollback', { ...result, ...(target.version ? { version: target.version } : {}) });
    else ctx.host.print(`${label} serves all traffic of ${service} already: nothing to do.`);
    return 0;
  }
  const from = state.revisions.find((r) => r.name === state.serving);
  ctx.host.emit({ type: 'warning', message: restartLoss(run.config) });
  const go = await confirmOrRequireYes(ctx, {
    question: `Send all traffic of ${service} from ${from ? `${from.name}${from.version ? ` (${from.version})` : ''}` : 'the current revision'} to ${label}`,
    refusal: `rolling ${service} back to ${target.name} needs confirmation (Atlantis restarts) and this run is not interactive`,
  });
  if (!go) return cancelled(ctx, 'rollback', 'Nothing was changed.', { cancelled: true });

  const result = await rollBack(run, state, target);
  if (ctx.globals.json) {
    emitResult(ctx, 'rollback', {
      action: 'rolled-back',
      service,
      ...(result.from ? { from: result.from } : {}),
      to: result.to,
      ...(result.version ? { version: result.version } : {}),
      secrets: result.secrets,
      ...(result.url ? { url: result.url } : {}),
      notes: result.notes,
    });
    return 0;
  }
  const lines = [
    '',
    `Rolled back: ${label} serves all traffic of ${service}${result.from ? ` (was ${result.from})` : ''}.`,
    ...result.secrets.map(
      (s) => `  ${s.secretId} version ${s.version}: ${s.action === 'enabled' ? 'was disabled, enabled again' : 'enabled'}`,
    ),
    ...result.notes.map((n) => `  note: ${n}`),
    'Traffic stays pinned to it (`atlantis-run status` shows it) until the next `atlantis-run deploy`, which returns it to the latest revision.',
  ];
  ctx.host.print(lines.join('\n'));
  return 0;
};

/** The revisions, newest first: which serves, which is the latest ready one, which never became ready. */
export function formatRevisions(revisions: RevisionInfo[]): string {
  const rows = revisions.map((r) => [
    r.percent > 0 ? '*' : ' ',
    r.name,
    r.ready ? 'yes' : 'no',
    r.version ?? '-',
    (r.createTime ?? '').replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    `${r.percent > 0 ? `${r.percent}%` : '-'}${r.latest ? ' (latest ready)' : ''}`,
    r.ready ? '' : (r.message ?? ''),
  ]);
  const header = [' ', 'REVISION', 'READY', 'VERSION', 'CREATED', 'TRAFFIC', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
