// `atlantis-run deploy`: plan, confirm (on a terminal, unless -y), apply every phase, report.
import { UsageError } from '../../errors.js';
import { runEngine, type EnginePlan } from '../../engine/runner.js';
import { buildReport, formatReport } from '../../engine/report.js';
import { PHASES } from '../../phases/index.js';
import type { CommandContext } from '../context.js';
import type { CommandHandler } from '../command.js';
import { openSession, parseDuration } from '../session.js';

export const DEFAULT_WAIT_TIMEOUT = '10m';

export function waitTimeout(options: Record<string, unknown>): number {
  const raw = options.waitTimeout as string | undefined;
  const ms = parseDuration(raw, 10 * 60_000);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--wait-timeout: expected a duration such as 90s or 10m, got "${raw}"`);
  return ms;
}

async function confirmChanges(ctx: CommandContext, plan: EnginePlan, verb: string): Promise<boolean> {
  if (ctx.globals.yes) return true;
  const summary = `${verb} ${plan.changeCount} change${plan.changeCount === 1 ? '' : 's'}`;
  if (!ctx.host.canPrompt) {
    throw new UsageError(`${summary}: confirmation required and not running interactively`, {
      hint: 'review `atlantis-run plan`, then pass --yes (-y)',
    });
  }
  return ctx.host.confirm({ message: `${summary}?`, flag: '--yes', default: false });
}

export const handler: CommandHandler = async (ctx, input) => {
  const timeoutMs = waitTimeout(input.options);
  const session = await openSession(ctx);
  const result = await runEngine(PHASES, {
    config: session.config,
    gcp: session.gcp,
    emit: ctx.host.emit,
    lock: session.lock,
    env: ctx.env,
    waitTimeoutMs: timeoutMs,
    mode: 'deploy',
    confirm: (plan) => confirmChanges(ctx, plan, 'Apply'),
    onRecord: (_phase, record, facts) => session.record(record, facts),
  });
  if (result.cancelled) {
    ctx.host.print('Nothing was changed.');
    ctx.host.result({ ok: true, command: 'deploy', cancelled: true, changes: 0 });
    return 0;
  }
  const flags = `${ctx.globals.config ? ` --config ${ctx.globals.config}` : ''}${ctx.globals.emulator ? ' --emulator' : ''}`;
  const report = buildReport(session.config, result, { flags, emulated: ctx.globals.emulator || session.gcp.factory.usingEmulator });
  ctx.log.write('calls', { ...session.gcp.caller.stats });
  if (ctx.globals.json) ctx.host.result({ ok: true, command: 'deploy', ...report });
  else ctx.host.print(formatReport(report));
  return 0;
};

export { confirmChanges };
