// `atlantis-run ci teardown`: removes what `ci setup` created — the deployer's grants, its custom
// role, the deployer account, the providers and the pool — and nothing of the deployment itself.
// Running it twice is fine (not found counts as removed).
import { withSpan } from '../../engine/events.js';
import { planCiTeardown, runCiTeardown } from '../../deployment/ci.js';
import type { Handler } from '../command.js';
import type { ciTeardownOptions } from '../command-table.js';
import { cancelled, confirmDeletes, resourceCount } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof ciTeardownOptions> = async (ctx, input) => {
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(input.options.waitTimeout) });
  const plan = await withSpan(ctx.host.emit, { phase: 'ci teardown', title: 'Reading what ci setup created' }, () => planCiTeardown(run));
  const count = plan.steps.length;
  if (
    !(await confirmDeletes(ctx, 'ci teardown', plan.steps, `that let CI pipelines deploy ${run.config.service} in ${run.config.project}`))
  ) {
    return cancelled(ctx, 'ci teardown', 'Nothing was deleted.', { cancelled: true, deleted: [] });
  }
  const done = await withSpan(
    ctx.host.emit,
    { phase: 'ci teardown', title: `Deleting ${resourceCount(count)}` },
    () => runCiTeardown(run, plan),
    (steps) => ({ changed: steps.length }),
  );
  if (ctx.globals.json) {
    emitResult(ctx, 'ci teardown', { deleted: done.map((s) => ({ kind: s.kind, resource: s.resource })) });
  } else {
    ctx.host.print(
      done.length
        ? `Deleted ${resourceCount(done.length)}; pipelines can no longer deploy. Pools, providers and roles stay restorable for a while: \`atlantis-run ci setup\` undeletes them.`
        : 'Nothing to delete.',
    );
  }
  return 0;
};
