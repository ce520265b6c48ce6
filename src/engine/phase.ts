// One shape for every phase (firebase-tools' prepare/deploy/release idea): what it needs, how it
// reads live state, how it diffs against the desired state, how it applies that diff, and what it
// returns for the lockfile. `plan` runs read + diff; `deploy` runs all of it.
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState, type Facts, type DesiredState } from '../desired/index.js';
import type { Gcp } from '../gcp/call.js';
import type { LockedResources, LockfileData } from '../state/lockfile.js';
import type { ChangeAction, EventSink, FieldChange } from './events.js';

export type PhaseName = 'preflight' | 'apis' | 'registry' | 'secrets' | 'identity' | 'bindings' | 'image' | 'service' | 'domain';

export interface PlannedChange {
  kind: string;
  resource: string;
  action: ChangeAction;
  fields?: FieldChange[];
  /** Why, when it is not obvious from the fields (e.g. "retry the failed revision"). */
  reason?: string;
}

/** What the engine knows that the configuration does not: filled as phases read and apply. */
export interface EngineFacts extends Facts {
  /** APIs that are (or, in a plan, will be) enabled. */
  enabledApis?: Set<string>;
  /** APIs that are disabled right now: reads against them were skipped (nothing can exist there). */
  disabledApis?: Set<string>;
  /** Secret versions that will be added by this run (their numbers are not known before apply). */
  newSecretVersions?: Set<string>;
  serviceAccountExists?: boolean;
}

export interface PhaseContext {
  config: AtlantisRunConfig;
  gcp: Gcp;
  emit: EventSink;
  /** The lockfile as read at the start (a cache: never trusted over live state). */
  lock: LockfileData | undefined;
  facts: EngineFacts;
  /** The desired state with the facts known so far. */
  desired(): DesiredState;
  env: NodeJS.ProcessEnv;
  waitTimeoutMs: number;
  mode: 'plan' | 'deploy';
}

export interface PhasePlan {
  changes: PlannedChange[];
  /** Problems that stop the run before any change (missing permissions, a missing secret value…). */
  blockers?: Error[];
  warnings?: { message: string; hint?: string }[];
}

export interface PhaseResult {
  /** Records merged into the lockfile when the phase finishes. */
  record?: Partial<LockedResources>;
  /** A one-line summary for the report and progress. */
  summary?: string;
}

export interface Phase<Live = unknown> {
  name: PhaseName;
  title: string;
  /** Phases whose apply must finish before this one's apply starts. */
  needs: PhaseName[];
  /** False when the configuration does not use this phase (no domain, own image…). */
  enabled(config: AtlantisRunConfig): boolean;
  /** Reads live state. Every phase's read runs at once, before any apply: reads need only names. */
  read(ctx: PhaseContext): Promise<Live>;
  /** Pure: the changes that make live state match the desired state. May add predicted facts. */
  plan(ctx: PhaseContext, live: Live): PhasePlan;
  /**
   * Applies exactly the planned changes (recomputed with the facts known by now), and returns what
   * the lockfile records. Called for every phase, also without changes (then it makes no mutating
   * call and only reports), so that a run without a lockfile rebuilds it.
   */
  apply(ctx: PhaseContext, live: Live, plan: PhasePlan): Promise<PhaseResult>;
}

/** A phase context over `facts`: its desired state always reflects the facts known so far. */
export function createPhaseContext(base: Omit<PhaseContext, 'facts' | 'desired'>, facts: EngineFacts): PhaseContext {
  return { ...base, facts, desired: () => desiredState(base.config, facts) };
}

export function definePhase<Live>(phase: Phase<Live>): Phase<Live> {
  return phase;
}
