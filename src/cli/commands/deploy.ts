// `atlantis-run deploy`: plan, confirm (on a terminal, unless -y), apply every phase, report. The
// plan reads exactly as `atlantis-run plan` prints it, so what is confirmed is what plan showed.
import { runEngine, type EnginePlan } from '../../engine/runner.js';
import { RISK_IDS, unacknowledged } from '../../config/risks.js';
import { UsageError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { buildReport, formatReport } from '../../deployment/report.js';
import { PHASES } from '../../phases/index.js';
import type { Handler } from '../command.js';
import type { deployOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { planChanges, planText, repeatedFlags, reportOptions } from '../plan-output.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof deployOptions> = async (ctx, input) => {
  const accepted = acceptedRisks(input.options.acceptRisk);
  const run = await openRun(ctx, {
    waitTimeoutMs: waitTimeout(input.options.waitTimeout),
    builder: input.options.builder,
    // Planned changes are shown as one plan below (JSON keeps them as events).
    emit: (event) => {
      if (event.type === 'resource-changed' && event.planned && !ctx.globals.json) return;
      ctx.host.emit(event);
    },
  });
  const flags = repeatedFlags(ctx.globals);
  const result = await runEngine(PHASES, run, {
    mode: 'deploy',
    confirm: async (plan) => {
      if (!ctx.globals.json) ctx.host.print(`${planText(planChanges(plan))}\n\n`);
      if (!(await acceptRisks(ctx, plan, accepted))) return false;
      return confirmOrRequireYes(ctx, {
        question: `Apply ${plan.changeCount} change${plan.changeCount === 1 ? '' : 's'}`,
        hint: `review \`atlantis-run plan${flags}\`, then pass --yes (-y)`,
      });
    },
  });
  if (result.cancelled) return cancelled(ctx, 'deploy', 'Nothing was changed.', { cancelled: true, changes: 0 });
  const report = buildReport(run.config, result, reportOptions(ctx.globals, run.gcp.factory.usingEmulator));
  if (ctx.globals.json) emitResult(ctx, 'deploy', report);
  else ctx.host.print(formatReport(report));
  return 0;
};

function acceptedRisks(flags: string[] | undefined): string[] {
  for (const id of flags ?? []) {
    if (!(RISK_IDS as readonly string[]).includes(id))
      throw new UsageError(`--accept-risk: "${id}" is not a risk this tool warns about`, { hint: `one of ${RISK_IDS.join(', ')}` });
  }
  return flags ?? [];
}

/**
 * Risky settings the plan warned about (and atlantis-run.yaml does not accept) are accepted
 * explicitly: on a terminal by answering, elsewhere by --accept-risk or acceptRisks: — never by -y
 * alone, which answers "apply the plan".
 */
async function acceptRisks(ctx: CommandContext, plan: EnginePlan, accepted: string[]): Promise<boolean> {
  const open = unacknowledged(
    plan.phases.flatMap((p) => p.plan.warnings ?? []),
    accepted,
  );
  if (open.length === 0) return true;
  const ids = [...new Set(open.map((r) => r.risk!))];
  if (!ctx.host.canPrompt) {
    throw new UsageError(
      `deploy would put ${open.length === 1 ? 'a risky setting' : `${open.length} risky settings`} live: ${open.map((r) => `${r.risk} (${r.message})`).join('; ')}`,
      {
        hint: `accept ${ids.length === 1 ? 'it' : 'them'} with ${ids.map((id) => `--accept-risk ${id}`).join(' ')}, or acceptRisks: [${ids.join(', ')}] in atlantis-run.yaml — or change the setting`,
      },
    );
  }
  return ctx.host.confirm({ message: `Deploy with ${ids.join(', ')} (see the warnings above)?`, flag: '--accept-risk', default: false });
}
