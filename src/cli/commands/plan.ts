// `atlantis-run plan`: read-only — what deploy would create, update or delete, field by field.
import { runEngine } from '../../engine/runner.js';
import { PHASES } from '../../phases/index.js';
import type { Handler } from '../command.js';
import type { planOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { planChanges, planCounts, planText, repeatedFlags } from '../plan-output.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof planOptions> = async (ctx, input) => {
  const run = await openRun(ctx, {
    waitTimeoutMs: waitTimeout(input.options.waitTimeout),
    builder: input.options.builder,
    // The plan itself is this command's output (stdout); progress events stay on stderr.
    emit: (event) => {
      if (event.type === 'resource-changed' && event.planned && !ctx.globals.json) return;
      ctx.host.emit(event);
    },
  });
  const result = await runEngine(PHASES, run, { mode: 'plan' });
  const changes = planChanges(result.plan);
  if (ctx.globals.json) {
    emitResult(ctx, 'plan', { changes, counts: planCounts(changes), changeCount: changes.length });
  } else if (changes.length === 0) {
    ctx.host.print('No changes: the deployment matches atlantis-run.yaml.');
  } else {
    ctx.host.print(planText(changes, `Run \`atlantis-run deploy${repeatedFlags(ctx.globals)}\` to apply.`));
  }
  return input.options.detailedExitcode && changes.length > 0 ? 4 : 0;
};
