// The runner: every enabled phase reads live state at once (reads need only names), then the plan is
// made phase by phase in dependency order, then — for deploy, after confirmation — phases apply as
// soon as the phases they need have finished, independent ones concurrently. Each finished phase's
// record goes to the lockfile immediately, so a run killed at any point leaves a valid record of
// what finished, and the next run converges from live state anyway.
import { AtlantisRunError } from '../errors.js';
import type { Facts } from '../desired/index.js';
import type { RecordKey } from '../state/lockfile.js';
import type { RunContext } from './context.js';
import {
  createPhaseContext,
  effectiveNeeds,
  orderPhases,
  requirementsOf,
  type AnyPhase,
  type PhaseContext,
  type PhasePlan,
  type PhaseResult,
  type Requirements,
} from './phase.js';
import { withSpan } from './events.js';

export interface EngineOptions {
  mode: 'plan' | 'deploy';
  /** Asked after the plan when there are changes; false cancels the deploy. */
  confirm?: (plan: EnginePlan) => Promise<boolean>;
  /**
   * Plan mode only: return the blockers (in `EngineResult.blockers`) instead of throwing them, for
   * `status`, which describes a deployment (or its absence) even when a deploy could not start.
   */
  collectBlockers?: boolean;
}

export interface EnginePlan {
  phases: { name: string; title: string; plan: PhasePlan<unknown> }[];
  changeCount: number;
}

export interface EngineResult {
  plan: EnginePlan;
  applied: boolean;
  cancelled: boolean;
  facts: Facts;
  requirements: Requirements;
  results: Record<string, PhaseResult<unknown>>;
  /** What each phase read (for status): typed through `liveOf`. */
  live: Map<string, unknown>;
  /** What would stop a deploy (only with `collectBlockers`; otherwise they are thrown). */
  blockers: Error[];
}

/** What `phase` read in this run, typed by the phase. */
export function liveOf<L>(result: EngineResult, phase: { name: string; read(ctx: PhaseContext): Promise<L> }): L | undefined {
  return result.live.get(phase.name) as L | undefined;
}

/** What `phase` recorded in this run, typed by the phase. */
export function resultOf<R>(result: EngineResult, phase: { name: string; record?: RecordKey<R> }): PhaseResult<R> | undefined {
  return result.results[phase.name] as PhaseResult<R> | undefined;
}

export async function runEngine(allPhases: readonly AnyPhase[], run: RunContext, options: EngineOptions): Promise<EngineResult> {
  const { config, emit } = run;
  const facts: Facts = { projectNumber: run.lock?.projectNumber };
  const requirements = requirementsOf(allPhases, config);
  const ctx = createPhaseContext(run, options.mode, requirements, facts);
  const all = new Map(allPhases.map((p) => [p.name, p]));
  const phases = orderPhases(allPhases.filter((p) => p.enabled(config)));
  const active = new Set(phases.map((p) => p.name));

  // 1. Read: everything at once, through clients created up front.
  const readAll = (title: string) =>
    withSpan(emit, { phase: 'refresh', title }, async () => {
      await run.gcp.factory.warmUp(requirements.clients);
      const reads = await Promise.allSettled(phases.map((p) => p.read(ctx)));
      const failed = reads.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw explainedFailure(phases, reads, ctx, failed.reason);
      return new Map(phases.map((p, i) => [p.name, (reads[i] as PromiseFulfilledResult<unknown>).value]));
    });

  // 2. Plan, in dependency order (later phases see the facts earlier ones predict).
  // With collectBlockers (status) what would stop a deploy is collected instead of thrown.
  const collect = options.collectBlockers === true && options.mode === 'plan';
  const blockers: Error[] = [];
  const planAll = (live: Map<string, unknown>, announce: boolean): EnginePlan => {
    for (const key of Object.keys(facts) as (keyof Facts)[]) delete facts[key];
    facts.projectNumber = run.lock?.projectNumber;
    const plan: EnginePlan = { phases: [], changeCount: 0 };
    blockers.length = 0;
    for (const phase of phases) {
      const phasePlan = phase.plan(ctx, live.get(phase.name)) as PhasePlan<unknown>;
      Object.assign(facts, phasePlan.facts);
      plan.phases.push({ name: phase.name, title: phase.title, plan: phasePlan });
      plan.changeCount += phasePlan.changes.length;
      if (announce) announcePlan(emit, phase.name, phasePlan);
      blockers.push(...(phasePlan.blockers ?? []));
    }
    if (blockers.length > 0 && !collect) throw combineBlockers(blockers);
    return plan;
  };

  let live = await readAll('Reading live state');
  let plan = planAll(live, true);
  const result: EngineResult = { plan, applied: false, cancelled: false, facts, requirements, results: {}, live, blockers };
  if (options.mode === 'plan') return result;

  if (plan.changeCount > 0 && options.confirm && !(await options.confirm(plan))) {
    result.cancelled = true;
    return result;
  }

  // The run lock in the project, taken only now that there is something to change. What was read
  // before may be stale (another run may have finished meanwhile): read and plan again under it.
  if (plan.changeCount > 0 && run.runLock) {
    await run.runLock.acquire();
    live = await readAll('Reading live state again, holding the run lock');
    const again = planAll(live, false);
    if (signature(again) !== signature(plan)) {
      emit({ type: 'info', message: 'the deployment changed while this run was planning; this is the plan now:' });
      for (const p of again.phases) announcePlan(emit, p.name, p.plan);
      if (again.changeCount > 0 && options.confirm && !(await options.confirm(again))) {
        Object.assign(result, { plan: again, live, cancelled: true });
        return result;
      }
    }
    plan = again;
    Object.assign(result, { plan, live });
  }

  // 3. Apply: each phase once the phases it needs are done; independent ones concurrently.
  const planOf = new Map(plan.phases.map((p) => [p.name, p.plan]));
  await walkGraph(
    phases,
    (phase) => effectiveNeeds(phase, all, active),
    run,
    async (phase) => {
      const phasePlan = planOf.get(phase.name)!;
      const outcome = await withSpan(
        emit,
        { phase: phase.name, title: phase.title },
        () => applyPhase(phase, ctx, phasePlan.decision),
        (o) => ({ changed: phasePlan.changes.length, summary: o.summary }),
      );
      result.results[phase.name] = outcome;
    },
  );
  result.applied = true;
  return result;
}

function announcePlan(emit: RunContext['emit'], phase: string, plan: PhasePlan<unknown>): void {
  for (const change of plan.changes) emit({ type: 'resource-changed', phase, ...change, planned: true });
  for (const w of plan.warnings ?? []) emit({ type: 'warning', phase, ...w });
}

/** What a plan would change, to tell whether a second plan says the same. */
function signature(plan: EnginePlan): string {
  return JSON.stringify(plan.phases.map((p) => [p.name, p.plan.changes]));
}

async function applyPhase(phase: AnyPhase, ctx: PhaseContext, planned: unknown): Promise<PhaseResult<unknown>> {
  const decision: unknown = phase.refresh ? phase.refresh(ctx, planned) : planned;
  const outcome = (await phase.apply(ctx, decision)) as PhaseResult<unknown>;
  Object.assign(ctx.facts, outcome.facts);
  if (phase.record && outcome.record !== undefined) {
    await ctx.record({ [phase.record.key]: outcome.record }, { projectNumber: ctx.facts.projectNumber });
  }
  return outcome;
}

/**
 * Runs `step` for every phase once the phases `waitsFor` names have finished theirs, independent
 * ones concurrently; after the first failure no new phase starts (those running finish), and that
 * failure is thrown. Deploy walks the needs forwards, destroy backwards.
 */
export async function walkGraph<P extends AnyPhase>(
  phases: readonly P[],
  waitsFor: (phase: P) => Iterable<string>,
  run: Pick<RunContext, 'gcp'>,
  step: (phase: P) => Promise<void>,
): Promise<void> {
  const byName = new Map(phases.map((p) => [p.name, p]));
  const done = new Map<string, Promise<void>>();
  let firstFailure: { error: unknown } | undefined;
  const start = (phase: P): Promise<void> => {
    let running = done.get(phase.name);
    if (running) return running;
    const before = [...waitsFor(phase)].flatMap((n) => (byName.has(n) ? [start(byName.get(n)!)] : []));
    running = Promise.all(before).then(async () => {
      run.gcp.caller.throwIfAborted();
      if (firstFailure) throw firstFailure.error;
      try {
        await step(phase);
      } catch (err) {
        firstFailure ??= { error: err };
        throw err;
      }
    });
    done.set(phase.name, running);
    return running;
  };
  const outcomes = await Promise.allSettled(phases.map(start));
  if (firstFailure) throw firstFailure.error;
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/**
 * A read failed. The verdict of the phases that need nothing (preflight: no access, missing
 * permissions) explains the others' failures — a read refused for a permission preflight already
 * found missing — so when they read fine and their plans block, their blockers are the error.
 */
function explainedFailure(phases: AnyPhase[], reads: PromiseSettledResult<unknown>[], ctx: PhaseContext, failure: unknown): unknown {
  const blockers = phases.flatMap((phase, i) => {
    const read = reads[i];
    if (phase.needs.length > 0 || read.status !== 'fulfilled') return [];
    return (phase.plan(ctx, read.value) as PhasePlan<unknown>).blockers ?? [];
  });
  return blockers.length > 0 ? combineBlockers(blockers) : failure;
}

function combineBlockers(blockers: Error[]): Error {
  if (blockers.length === 1) return blockers[0];
  // Report every problem at once, each with its own hint; keep the first one's exit code (usage
  // problems exit 2).
  const first = blockers[0];
  const exitCode = first instanceof AtlantisRunError ? first.exitCode : 1;
  const item = (b: Error) => {
    const hint = b instanceof AtlantisRunError ? b.hint : undefined;
    return `  - ${b.message}${hint ? `\n    hint: ${hint.replace(/\n/g, '\n    ')}` : ''}`;
  };
  return new AtlantisRunError(`${blockers.length} problems stop this run before any change:\n${blockers.map(item).join('\n')}`, exitCode);
}
