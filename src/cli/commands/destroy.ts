// `atlantis-run destroy`: removes what deploy created, in reverse order; secrets are kept unless
// --purge-secrets. Running it twice is fine (not found counts as removed).
import { planDestroy, runDestroy } from '../../engine/destroy.js';
import { UsageError } from '../../errors.js';
import type { LockedResources } from '../../state/lockfile.js';
import type { CommandHandler } from '../command.js';
import { openSession } from '../session.js';
import { waitTimeout } from './deploy.js';

export const handler: CommandHandler = async (ctx, input) => {
  const session = await openSession(ctx);
  const purgeSecrets = Boolean(input.options.purgeSecrets);
  ctx.host.emit({ type: 'phase-start', phase: 'destroy', title: 'Reading what exists' });
  const started = Date.now();
  const plan = await planDestroy({
    config: session.config,
    gcp: session.gcp,
    lock: session.lock,
    purgeSecrets,
    waitTimeoutMs: waitTimeout(input.options),
  });
  const steps = plan.stages.flat();
  for (const step of steps)
    ctx.host.emit({
      type: 'resource-changed',
      phase: 'destroy',
      kind: step.kind,
      resource: step.resource,
      action: 'delete',
      planned: true,
    });
  if (steps.length > 0 && !ctx.globals.yes) {
    const question = `Delete ${steps.length} resource${steps.length === 1 ? '' : 's'} of ${session.config.service} in ${session.config.project}`;
    if (!ctx.host.canPrompt)
      throw new UsageError(`${question}: confirmation required and not running interactively`, { hint: 'pass --yes (-y)' });
    if (!(await ctx.host.confirm({ message: `${question}?`, flag: '--yes', default: false }))) {
      ctx.host.print('Nothing was deleted.');
      ctx.host.result({ ok: true, command: 'destroy', cancelled: true, deleted: [] });
      return 0;
    }
  }
  const done = await runDestroy(plan, ctx.host.emit, async (step) => {
    if (!step.lockKey) return;
    const key: keyof LockedResources = step.lockKey;
    await session.rewrite((data) => {
      const resources = { ...data.resources };
      if (key === 'secrets') {
        const secrets = { ...resources.secrets };
        for (const [name, s] of Object.entries(secrets)) if (s.name.endsWith(`/${step.resource}`)) delete secrets[name];
        resources.secrets = secrets;
        if (Object.keys(secrets).length === 0) delete resources.secrets;
      } else {
        delete resources[key];
      }
      if (key === 'service') delete resources.image;
      return { ...data, resources };
    });
  });
  // Nothing left to record (APIs stay enabled but are not ours to remove): drop the lockfile.
  await session.rewrite((data) => (Object.keys(data.resources).filter((k) => k !== 'apis').length === 0 ? undefined : data));
  ctx.host.emit({ type: 'phase-end', phase: 'destroy', status: 'ok', changed: done.length, elapsedMs: Date.now() - started });
  const deleted = done.map((s) => ({ kind: s.kind, resource: s.resource }));
  if (ctx.globals.json) {
    ctx.host.result({ ok: true, command: 'destroy', deleted, kept: plan.kept });
  } else {
    ctx.host.print(done.length ? `Deleted ${done.length} resource${done.length === 1 ? '' : 's'}.` : 'Nothing to delete.');
    if (plan.kept.length) ctx.host.print(`Kept secrets (delete them with --purge-secrets): ${plan.kept.join(', ')}`);
  }
  return 0;
};
