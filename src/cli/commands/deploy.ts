// `atlantis-run deploy`: plan, confirm (on a terminal, unless -y), apply every phase, report.
import { runEngine } from '../../engine/runner.js';
import { buildReport, formatReport } from '../../deployment/report.js';
import { PHASES } from '../../phases/index.js';
import type { Handler } from '../command.js';
import type { deployOptions } from '../command-table.js';
import { cancelled, confirmOrRequireYes } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof deployOptions> = async (ctx, input) => {
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(input.options.waitTimeout), builder: input.options.builder });
  const result = await runEngine(PHASES, run, {
    mode: 'deploy',
    confirm: (plan) =>
      confirmOrRequireYes(ctx, {
        question: `Apply ${plan.changeCount} change${plan.changeCount === 1 ? '' : 's'}`,
        hint: 'review `atlantis-run plan`, then pass --yes (-y)',
      }),
  });
  if (result.cancelled) return cancelled(ctx, 'deploy', 'Nothing was changed.', { cancelled: true, changes: 0 });
  const flags = `${ctx.globals.config ? ` --config ${ctx.globals.config}` : ''}${ctx.globals.emulator ? ' --emulator' : ''}`;
  const report = buildReport(run.config, result, { flags, emulated: ctx.globals.emulator || run.gcp.factory.usingEmulator });
  if (ctx.globals.json) emitResult(ctx, 'deploy', report);
  else ctx.host.print(formatReport(report));
  return 0;
};
