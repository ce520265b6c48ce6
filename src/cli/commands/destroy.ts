// `atlantis-run destroy`: removes what deploy created, in reverse order; secrets are kept unless
// --purge-secrets. Running it twice is fine (not found counts as removed).
import { withSpan } from '../../engine/events.js';
import { planDestroy, runDestroy } from '../../deployment/destroy.js';
import type { Handler } from '../command.js';
import type { destroyOptions } from '../command-table.js';
import { cancelled, confirmDeletes, resourceCount } from '../confirm.js';
import { emitResult } from '../emit-result.js';
import { waitTimeout } from '../options.js';
import { openRun } from '../session.js';

export const handler: Handler<typeof destroyOptions> = async (ctx, input) => {
  const run = await openRun(ctx, { waitTimeoutMs: waitTimeout(input.options.waitTimeout) });
  const { config } = run;
  const plan = await withSpan(ctx.host.emit, { phase: 'destroy', title: 'Reading what exists' }, () =>
    planDestroy(run, Boolean(input.options.purgeSecrets), Boolean(input.options.purgeData)),
  );
  const count = plan.steps.length;
  if (!(await confirmDeletes(ctx, 'destroy', plan.steps, `of ${config.service} in ${config.project}`))) {
    return cancelled(ctx, 'destroy', 'Nothing was deleted.', { cancelled: true, deleted: [] });
  }
  if (count > 0) await run.runLock?.acquire();
  const done = await withSpan(
    ctx.host.emit,
    { phase: 'destroy', title: `Deleting ${resourceCount(count)}` },
    () => runDestroy(run, plan),
    (steps) => ({ changed: steps.length }),
  );
  // The lock bucket goes too when this was the last deployment it kept a lock for.
  await run.runLock?.release({ removeBucket: true });
  const deleted = done.map((s) => ({ kind: s.kind, resource: s.resource }));
  if (ctx.globals.json) {
    emitResult(ctx, 'destroy', { deleted, kept: plan.kept });
  } else {
    ctx.host.print(done.length ? `Deleted ${resourceCount(done.length)}.` : 'Nothing to delete.');
    const buckets = plan.kept.filter((k) => k.startsWith('gs://'));
    const secrets = plan.kept.filter((k) => !k.startsWith('gs://'));
    if (secrets.length) ctx.host.print(`Kept secrets (delete them with --purge-secrets): ${secrets.join(', ')}`);
    if (buckets.length) ctx.host.print(`Kept the plans bucket (delete it and its plans with --purge-data): ${buckets.join(', ')}`);
  }
  return 0;
};
