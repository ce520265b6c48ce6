// `atlantis-run plan`: read-only — what deploy would create, update or delete, field by field.
import { runEngine } from '../../engine/runner.js';
import { formatPlan } from '../../ui/plan-format.js';
import { PHASES } from '../../phases/index.js';
import type { Handler } from '../command.js';
import type { planOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
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
  const changes = result.plan.phases.flatMap((p) => p.plan.changes.map((c) => ({ phase: p.name, ...c })));
  const count = (action: string) => changes.filter((c) => c.action === action).length;
  const counts = { create: count('create'), update: count('update'), delete: count('delete') };
  if (ctx.globals.json) {
    emitResult(ctx, 'plan', { changes, counts, changeCount: changes.length });
  } else if (changes.length === 0) {
    ctx.host.print('No changes: the deployment matches atlantis-run.yaml.');
  } else {
    ctx.host.print(formatPlan(changes));
    ctx.host.print(
      `\nPlan: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete. Run \`atlantis-run deploy\` to apply.`,
    );
  }
  return input.options.detailedExitcode && changes.length > 0 ? 4 : 0;
};
