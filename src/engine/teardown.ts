// Teardown: `destroy` walks the phases' `needs` graph backwards — a phase is torn down once every
// phase that needs it is gone (domain mapping, then the service, then the bindings, then the service
// account, the repository and the secrets). Each phase's `teardown` reads what exists (all reads at
// once), says what it deletes and what it keeps; its lockfile record shrinks as steps finish, so a
// destroy killed half-way leaves a record of what is still there.
import type { RunContext } from './context.js';
import { effectiveNeeds, type AnyPhase, type TeardownOptions, type TeardownPlan, type TeardownStep } from './phase.js';
import { walkGraph } from './runner.js';

export interface DestroyPlan {
  phases: { phase: AnyPhase; plan: TeardownPlan }[];
  steps: TeardownStep[];
  kept: string[];
}

/** Reads, for every phase that can be torn down (enabled by the config or not: the lockfile may know more), what exists. */
export async function planTeardown(phases: readonly AnyPhase[], run: RunContext, options: TeardownOptions): Promise<DestroyPlan> {
  const tearable = phases.filter((p) => p.teardown);
  const found = await Promise.all(tearable.map((p) => p.teardown!.read(run, options)));
  const plans = tearable.map((phase, i) => ({ phase, plan: phase.teardown!.plan(run, found[i], options) }));
  return { phases: plans, steps: plans.flatMap((p) => p.plan.steps), kept: plans.flatMap((p) => p.plan.kept ?? []) };
}

/** Runs the plan in reverse dependency order; `onStep` hears each finished deletion. Returns them all. */
export async function runTeardown(
  plan: DestroyPlan,
  allPhases: readonly AnyPhase[],
  run: RunContext,
  onStep: (step: TeardownStep) => void,
): Promise<TeardownStep[]> {
  const all = new Map(allPhases.map((p) => [p.name, p]));
  const tearable = new Set(plan.phases.map((p) => p.phase.name));
  const planOf = new Map(plan.phases.map((p) => [p.phase.name, p.plan]));
  // The reverse edges: a phase waits for every tearable phase that needs it (through the others).
  const dependents = (phase: AnyPhase) =>
    plan.phases.filter((p) => effectiveNeeds(p.phase, all, tearable).has(phase.name)).map((p) => p.phase.name);
  const done: TeardownStep[] = [];
  await walkGraph(
    plan.phases.map((p) => p.phase),
    dependents,
    run,
    async (phase) => {
      const { steps, kept = [], keptIds = [] } = planOf.get(phase.name)!;
      await Promise.all(
        steps.map(async (step) => {
          await step.run();
          done.push(step);
          onStep(step);
          await forget(run, phase, step);
        }),
      );
      // Nothing of this phase is left (or kept): its record, if any, describes nothing — also the
      // entries of resources an earlier, killed destroy deleted before it could forget them.
      if (kept.length === 0) await rewriteRecord(run, phase, () => undefined);
      else if (phase.teardown?.retain) await rewriteRecord(run, phase, (record) => phase.teardown!.retain!(record, keptIds));
    },
  );
  return done;
}

/** After a step: what the phase's record says once that resource is gone (nothing, by default). */
async function forget(run: RunContext, phase: AnyPhase, step: TeardownStep): Promise<void> {
  await rewriteRecord(run, phase, (record) => (phase.teardown?.forget ? phase.teardown.forget(record, step) : undefined));
}

/** Rewrites the phase's record in the lockfile; undefined removes it. */
async function rewriteRecord(run: RunContext, phase: AnyPhase, next: (record: unknown) => unknown): Promise<void> {
  const key = phase.record?.key;
  if (!key) return;
  await run.rewrite((data) => {
    if (!(key in data.resources)) return data;
    const resources = { ...data.resources };
    const value = next(resources[key]);
    if (value === undefined) delete resources[key];
    else resources[key] = value;
    return { ...data, resources };
  });
}

/** Whether anything the lockfile records can still be torn down (records of phases without teardown, like APIs, stay by design). */
export function recordsLeft(resources: Record<string, unknown>, phases: readonly AnyPhase[]): boolean {
  const kept = new Set(phases.filter((p) => !p.teardown && p.record).map((p) => p.record!.key));
  return Object.keys(resources).some((key) => !kept.has(key));
}
