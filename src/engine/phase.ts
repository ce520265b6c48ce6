// The phase contract (firebase-tools' prepare/deploy/release idea, typed end to end): a phase
// declares, next to its code, everything the engine needs about it — the phases it needs, the Google
// APIs and IAM permissions a deploy of it needs, the clients it reads with, its lockfile record and
// how it is torn down — and implements read → plan → apply. `plan()` is pure and returns a typed
// decision; `apply()` receives exactly that decision. The engine collects the declarations of the
// enabled phases (preflight's permission check, the APIs to enable, the client warm-up) and walks the
// same `needs` graph forwards for deploy and backwards for destroy. ARCHITECTURE.md, "Adding a phase".
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState, type DesiredState, type Facts } from '../desired/index.js';
import { existing } from '../gcp/call.js';
import type { ClientNeed } from '../gcp/factory.js';
import type { RecordKey } from '../state/lockfile.js';
import type { RunContext } from './context.js';
import type { PlannedChange, Warning } from './events.js';

export type { PlannedChange, Warning } from './events.js';

/** What the enabled phases need, collected from their declarations. */
export interface Requirements {
  /** Google APIs to enable (service names, sorted). */
  apis: string[];
  /** IAM permissions on the project a deploy uses (sorted, distinct). */
  permissions: string[];
  /**
   * Service accounts a deploy acts as (`iam.serviceAccounts.actAs` on each account, not on the
   * project: granted by roles/iam.serviceAccountUser on exactly these accounts). Sorted, distinct.
   */
  actAs: string[];
  /** Clients the reads go through, created before the read wave. */
  clients: ClientNeed[];
}

/** What a phase sees: the run, the desired state with the facts known so far, and the requirements. */
export interface PhaseContext extends RunContext {
  readonly mode: 'plan' | 'deploy';
  /** Facts only the cloud knows, filled as phases plan and apply (project number, versions, image). */
  readonly facts: Facts;
  /** The desired state with the facts known so far. */
  desired(): DesiredState;
  readonly requirements: Requirements;
}

export interface PhasePlan<Decision> {
  changes: PlannedChange[];
  /** Problems that stop the run before any change (missing permissions, a missing secret value…). */
  blockers?: Error[];
  warnings?: Warning[];
  /** What apply() will do: apply receives exactly this. */
  decision: Decision;
  /** Facts this plan predicts for the phases planned after it. */
  facts?: Facts;
}

export interface PhaseResult<Rec> {
  /** The phase's lockfile record, written as soon as the phase finishes. */
  record?: Rec;
  /** A one-line summary for the report and progress. */
  summary?: string;
  /** Facts known only now (real secret version numbers, the resolved image). */
  facts?: Facts;
}

/** One deletion `destroy` makes. */
export interface TeardownStep {
  kind: string;
  resource: string;
  /** What the phase's record calls the resource, when it keeps one entry per resource. */
  id?: string;
  run(): Promise<void>;
}

export interface TeardownPlan {
  steps: TeardownStep[];
  /** Resources deliberately kept (secrets without --purge-secrets), for the report. */
  kept?: string[];
  /** What the phase's record calls the kept resources, when it keeps one entry per resource. */
  keptIds?: string[];
}

export interface TeardownOptions {
  purgeSecrets: boolean;
  /** Also delete data the tool keeps by default (the plans bucket and its plans). */
  purgeData?: boolean;
}

/**
 * How `destroy` removes what the phase created: a read of what exists (not found and disabled APIs
 * both mean "nothing here"), then the steps. Phases without one keep what they made (APIs stay enabled).
 */
export interface Teardown<Found, Rec> {
  read(ctx: RunContext, options: TeardownOptions): Promise<Found>;
  plan(ctx: RunContext, found: Found, options: TeardownOptions): TeardownPlan;
  /** The record once `step` is done; the default drops the whole record. */
  forget?(record: Rec, step: TeardownStep): Rec | undefined;
  /**
   * The record once every step is done and something is kept: only the entries of what is kept
   * (`keptIds`). Entries of resources already gone (an earlier destroy was killed after deleting
   * them) go. Without it the record stays as it is.
   */
  retain?(record: Rec, keptIds: string[]): Rec | undefined;
}

export interface Phase<Name extends string = string, Live = unknown, Decision = unknown, Rec = unknown, Found = unknown> {
  name: Name;
  title: string;
  /** Phases whose apply must finish before this one's apply starts (and which it outlives in destroy). */
  needs: readonly string[];
  /** False when the configuration does not use this phase (no domain, own image…). */
  enabled(config: AtlantisRunConfig): boolean;
  /** Google APIs a deploy of this phase uses. */
  apis(config: AtlantisRunConfig): string[];
  /** IAM permissions on the project a deploy of this phase uses; preflight checks them all at once. */
  permissions(config: AtlantisRunConfig): string[];
  /**
   * Service accounts (e-mails) a deploy of this phase acts as — the runtime account a Cloud Run
   * revision runs as. `iam.serviceAccounts.actAs` is checked on each account, so it is declared here
   * and not among the project permissions: a deployer holding it project-wide could act as every
   * account of the project (`ci setup` grants it on exactly these accounts).
   */
  actAs?(config: AtlantisRunConfig): string[];
  /** Clients `read` goes through (warmed up before the read wave). */
  clients: readonly ClientNeed[];
  /** Where the lockfile keeps this phase's record. */
  record?: RecordKey<Rec>;
  /** Reads live state. Every phase's read runs at once, before any apply: reads need only names. */
  read(ctx: PhaseContext): Promise<Live>;
  /** Pure: the changes that make live state match the desired state, and the decision to apply them. */
  plan(ctx: PhaseContext, live: Live): PhasePlan<Decision>;
  /**
   * Named step for what only apply time knows: recomputes the decision with the facts established
   * by the phases applied before (real secret version numbers instead of predicted ones).
   */
  refresh?(ctx: PhaseContext, decision: Decision): Decision;
  /**
   * Applies exactly the decision and returns the lockfile record. Called for every enabled phase,
   * also without changes (then it makes no mutating call), so that a run without a lockfile
   * rebuilds it.
   */
  apply(ctx: PhaseContext, decision: Decision): Promise<PhaseResult<Rec>>;
  teardown?: Teardown<Found, Rec>;
}

/**
 * The teardown of a phase that owns one resource: its name (from the configuration, or from the
 * lockfile's record once the configuration no longer names it), deleted when it still exists.
 */
export function teardownOne<Rec = never>(spec: {
  name: (ctx: RunContext) => string | undefined;
  /** Reads the resource: undefined (or not found, or its API disabled) when it is gone. */
  exists: (ctx: RunContext, name: string) => Promise<unknown>;
  kind: string;
  /** How the step names it (default: the name). */
  label?: (name: string) => string;
  remove: (ctx: RunContext, name: string) => Promise<unknown>;
}): Teardown<string | undefined, Rec> {
  return {
    async read(ctx) {
      const name = spec.name(ctx);
      if (!name) return undefined;
      return (await existing(spec.exists(ctx, name))) !== undefined ? name : undefined;
    },
    plan: (ctx, name) => ({
      steps: name ? [{ kind: spec.kind, resource: spec.label?.(name) ?? name, run: async () => void (await spec.remove(ctx, name)) }] : [],
    }),
  };
}

/** Any phase, as the engine handles them in lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of phases of different Live/Decision/Rec types
export type AnyPhase = Phase<string, any, any, any, any>;

/** Typed at the definition, erased in lists: a phase file exports `definePhase({...})`. */
export function definePhase<const Name extends string, Live, Decision, Rec = never, Found = never>(
  phase: Phase<Name, Live, Decision, Rec, Found>,
): Phase<Name, Live, Decision, Rec, Found> {
  return phase;
}

/** Orders phases so that every phase comes after the phases it needs (among those given). */
export function orderPhases<P extends AnyPhase>(phases: readonly P[]): P[] {
  const byName = new Map(phases.map((p) => [p.name, p]));
  const ordered: P[] = [];
  const visiting = new Set<string>();
  const visit = (p: P) => {
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

/**
 * What `phase` waits for among the `active` phases: its needs, resolved through inactive ones (if
 * registry is off, image waits for what registry waited for).
 */
export function effectiveNeeds(phase: AnyPhase, all: ReadonlyMap<string, AnyPhase>, active: ReadonlySet<string>): Set<string> {
  const result = new Set<string>();
  const seen = new Set<string>();
  const walk = (names: readonly string[]) => {
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      if (active.has(n)) result.add(n);
      else walk(all.get(n)?.needs ?? []);
    }
  };
  walk(phase.needs);
  return result;
}

/** The APIs, permissions and clients the phases enabled by `config` declare. */
export function requirementsOf(phases: readonly AnyPhase[], config: AtlantisRunConfig): Requirements {
  const enabled = phases.filter((p) => p.enabled(config));
  const distinct = <T>(items: T[]) => [...new Set(items)];
  return {
    apis: distinct(enabled.flatMap((p) => p.apis(config))).sort(),
    permissions: distinct(enabled.flatMap((p) => p.permissions(config))).sort(),
    actAs: distinct(enabled.flatMap((p) => p.actAs?.(config) ?? [])).sort(),
    clients: distinct(enabled.flatMap((p) => [...p.clients])),
  };
}

/** A phase context over a run: its desired state always reflects the facts known so far. */
export function createPhaseContext(run: RunContext, mode: PhaseContext['mode'], requirements: Requirements, facts: Facts): PhaseContext {
  return { ...run, mode, facts, requirements, desired: () => desiredState(run.config, facts) };
}
