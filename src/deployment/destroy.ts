// `destroy` as a use case: every phase's teardown over the phases' needs graph, backwards (the
// engine's teardown walk), with the lockfile shrinking as resources go and removed once nothing it
// records can still be torn down.
import type { RunContext } from '../engine/context.js';
import type { TeardownStep } from '../engine/phase.js';
import { planTeardown, recordsLeft, runTeardown, type DestroyPlan } from '../engine/teardown.js';
import { PHASES } from '../phases/index.js';

export type { DestroyPlan } from '../engine/teardown.js';

export function planDestroy(run: RunContext, purgeSecrets: boolean, purgeData = false): Promise<DestroyPlan> {
  return planTeardown(PHASES, run, { purgeSecrets, purgeData });
}

export async function runDestroy(run: RunContext, plan: DestroyPlan): Promise<TeardownStep[]> {
  const done = await runTeardown(plan, PHASES, run, (step) =>
    run.emit({ type: 'resource-changed', phase: 'destroy', kind: step.kind, resource: step.resource, action: 'delete' }),
  );
  // Nothing left to record (APIs stay enabled but are not ours to remove): drop the lockfile.
  await run.rewrite((data) => (recordsLeft(data.resources, PHASES) ? data : undefined));
  return done;
}
