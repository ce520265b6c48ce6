// The runner: every phase reads live state at once (reads need only names), then the plan is made
// phase by phase in dependency order, then — for deploy, after confirmation — phases apply as soon
// as the phases they need have finished, independent ones concurrently. Each finished phase's
// record goes to the lockfile immediately, so a run killed at any point leaves a valid record of
// what finished, and the next run converges from live state anyway.
import { AtlantisRunError } from '../errors.js';
import type { AtlantisRunConfig } from '../config/load.js';
import type { Gcp } from '../gcp/call.js';
import type { LockedResources, LockfileData } from '../state/lockfile.js';
import type { EventSink } from './events.js';
import { createPhaseContext, type EngineFacts, type Phase, type PhaseName, type PhasePlan, type PhaseResult } from './phase.js';

export interface EngineOptions {
  config: AtlantisRunConfig;
  gcp: Gcp;
  emit: EventSink;
  lock: LockfileData | undefined;
  env: NodeJS.ProcessEnv;
  waitTimeoutMs: number;
  mode: 'plan' | 'deploy';
  /** Asked after the plan when there are changes; false cancels the deploy. */
  confirm?: (plan: EnginePlan) => Promise<boolean>;
  /** Called with each finished phase's record (and the facts so far), in completion order. */
  onRecord?: (phase: PhaseName, record: Partial<LockedResources>, facts: EngineFacts) => Promise<void>;
}

export interface EnginePlan {
  phases: { name: PhaseName; title: string; plan: PhasePlan }[];
  changeCount: number;
}

export interface EngineResult {
  plan: EnginePlan;
  applied: boolean;
  cancelled: boolean;
  facts: EngineFacts;
  results: Partial<Record<PhaseName, PhaseResult>>;
  /** What each phase read (for status). */
  live: Map<PhaseName, unknown>;
}

/** Orders phases so that every phase comes after the phases it needs (among those enabled). */
export function orderPhases(phases: Phase<unknown>[]): Phase<unknown>[] {
  const byName = new Map(phases.map((p) => [p.name, p]));
  const ordered: Phase<unknown>[] = [];
  const visiting = new Set<string>();
  const visit = (p: Phase<unknown>) => {
    if (ordered.includes(p)) return;
    if (visiting.has(p.name)) throw new Error(`phase dependency cycle at ${p.name}`);
    visiting.add(p.name);
    for (const need of p.needs) {
      const dep = byName.get(need);
      if (dep) visit(dep);
    }
    visiting.delete(p.name);
    ordered.push(p);
  };
  phases.forEach(visit);
  return ordered;
}

/** Needs resolved through disabled phases: if registry is off, image waits for what registry waited for. */
function effectiveNeeds(phase: Phase<unknown>, all: Map<PhaseName, Phase<unknown>>, active: Set<PhaseName>): Set<PhaseName> {
  const result = new Set<PhaseName>();
  const walk = (names: PhaseName[]) => {
    for (const n of names) {
      if (active.has(n)) result.add(n);
      else walk(all.get(n)?.needs ?? []);
    }
  };
  walk(phase.needs);
  return result;
}

export async function runEngine(allPhases: Phase<unknown>[], options: EngineOptions): Promise<EngineResult> {
  const { config, emit } = options;
  const facts: EngineFacts = {
    projectNumber: options.lock?.projectNumber,
  };
  const ctx = createPhaseContext(
    { config, gcp: options.gcp, emit, lock: options.lock, env: options.env, waitTimeoutMs: options.waitTimeoutMs, mode: options.mode },
    facts,
  );
  const all = new Map(allPhases.map((p) => [p.name, p]));
  const phases = orderPhases(allPhases.filter((p) => p.enabled(config)));
  const active = new Set(phases.map((p) => p.name));

  // 1. Read: everything at once.
  const readStarted = Date.now();
  emit({ type: 'phase-start', phase: 'refresh', title: 'Reading live state' });
  await options.gcp.factory.warmUp();
  const reads = await Promise.allSettled(phases.map((p) => p.read(ctx)));
  const failedRead = reads.findIndex((r) => r.status === 'rejected');
  if (failedRead >= 0) {
    emit({ type: 'phase-end', phase: 'refresh', status: 'failed', changed: 0, elapsedMs: Date.now() - readStarted });
    // Preflight's verdict (no access, no permission) explains the others' failures: it comes first.
    throw (reads[failedRead] as PromiseRejectedResult).reason;
  }
  const live = new Map(phases.map((p, i) => [p.name, (reads[i] as PromiseFulfilledResult<unknown>).value]));
  emit({ type: 'phase-end', phase: 'refresh', status: 'ok', changed: 0, elapsedMs: Date.now() - readStarted });

  // 2. Plan, in dependency order (later phases see the facts earlier ones predict).
  const plan: EnginePlan = { phases: [], changeCount: 0 };
  const blockers: Error[] = [];
  for (const phase of phases) {
    const phasePlan = phase.plan(ctx, live.get(phase.name));
    plan.phases.push({ name: phase.name, title: phase.title, plan: phasePlan });
    plan.changeCount += phasePlan.changes.length;
    for (const change of phasePlan.changes) {
      emit({
        type: 'resource-changed',
        phase: phase.name,
        kind: change.kind,
        resource: change.resource,
        action: change.action,
        planned: true,
        ...(change.fields ? { fields: change.fields } : {}),
      });
    }
    for (const w of phasePlan.warnings ?? [])
      emit({ type: 'warning', phase: phase.name, message: w.message, ...(w.hint ? { hint: w.hint } : {}) });
    blockers.push(...(phasePlan.blockers ?? []));
  }
  if (blockers.length > 0) throw combineBlockers(blockers);

  const result: EngineResult = { plan, applied: false, cancelled: false, facts, results: {}, live };
  if (options.mode === 'plan') return result;

  if (plan.changeCount > 0 && options.confirm && !(await options.confirm(plan))) {
    result.cancelled = true;
    return result;
  }

  // 3. Apply: each phase once the phases it needs are done; independent ones concurrently.
  const planOf = new Map(plan.phases.map((p) => [p.name, p.plan]));
  const done = new Map<PhaseName, Promise<void>>();
  let firstFailure: unknown;
  const start = (phase: Phase<unknown>): Promise<void> => {
    let running = done.get(phase.name);
    if (running) return running;
    const needs = [...effectiveNeeds(phase, all, active)].map((n) => start(all.get(n)!));
    running = Promise.all(needs).then(async () => {
      options.gcp.caller.throwIfAborted();
      if (firstFailure) throw firstFailure;
      const started = Date.now();
      const phasePlan = planOf.get(phase.name)!;
      emit({ type: 'phase-start', phase: phase.name, title: phase.title });
      try {
        const outcome = await phase.apply(ctx, live.get(phase.name), phasePlan);
        result.results[phase.name] = outcome;
        if (outcome.record && options.onRecord) await options.onRecord(phase.name, outcome.record, facts);
        emit({
          type: 'phase-end',
          phase: phase.name,
          status: 'ok',
          changed: phasePlan.changes.length,
          elapsedMs: Date.now() - started,
          ...(outcome.summary ? { summary: outcome.summary } : {}),
        });
      } catch (err) {
        firstFailure ??= err;
        emit({
          type: 'phase-end',
          phase: phase.name,
          status: 'failed',
          changed: 0,
          elapsedMs: Date.now() - started,
          summary: err instanceof Error ? err.message : String(err),
        });
        throw err;
      }
    });
    done.set(phase.name, running);
    return running;
  };
  const outcomes = await Promise.allSettled(phases.map(start));
  if (firstFailure) throw firstFailure;
  const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined;
  if (rejected) throw rejected.reason;
  result.applied = true;
  return result;
}

function combineBlockers(blockers: Error[]): Error {
  if (blockers.length === 1) return blockers[0];
  // Report every problem at once; keep the first one's exit code (usage problems exit 2).
  const first = blockers[0];
  const exitCode = first instanceof AtlantisRunError ? first.exitCode : 1;
  const message = `${blockers.length} problems stop this run before any change:\n${blockers.map((b) => `  - ${b.message}`).join('\n')}`;
  return new AtlantisRunError(message, exitCode, first instanceof AtlantisRunError && first.hint ? { hint: first.hint } : {});
}
