// A phase context without Google: for unit tests of the pure parts of the engine and the phases
// (plan, refresh, requirements, ordering). Reads are never called; records are collected.
import path from 'node:path';
import { parseConfig, type AtlantisRunConfig } from '../../src/config/load.js';
import type { RunContext } from '../../src/engine/context.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { createPhaseContext, requirementsOf, type AnyPhase, type PhaseContext } from '../../src/engine/phase.js';
import type { Facts } from '../../src/desired/index.js';
import { emptyLockfile, type LockedResources, type LockfileData } from '../../src/state/lockfile.js';
import { PHASES } from '../../src/phases/index.js';
import { MINIMAL_CONFIG } from './fixtures.js';

export async function configOf(text = MINIMAL_CONFIG, dir = '/work/project'): Promise<AtlantisRunConfig> {
  return parseConfig(text, path.join(dir, 'atlantis-run.yaml'), {}, {});
}

export interface FakeRun extends RunContext {
  events: EngineEvent[];
  records: LockedResources[];
  /** The lockfile as rewritten by the run (undefined: deleted). */
  written: LockfileData | undefined;
}

/** A run context whose Google access throws if used (unit tests must not reach it). */
export function fakeRun(config: AtlantisRunConfig, lock?: LockfileData, gcp: RunContext['gcp'] = unusedGcp()): FakeRun {
  const events: EngineEvent[] = [];
  const records: LockedResources[] = [];
  const run: FakeRun = {
    config,
    gcp,
    emit: (e) => events.push(e),
    lock,
    env: {},
    waitTimeoutMs: 60_000,
    disabledApis: new Set(),
    events,
    records,
    written: lock
      ? structuredClone(lock)
      : emptyLockfile('test', { project: config.project, region: config.region, service: config.service }),
    record: async (r) => {
      records.push(r);
      run.written = { ...run.written!, resources: { ...run.written!.resources, ...r } };
    },
    rewrite: async (edit) => {
      run.written = run.written ? edit(run.written) : undefined;
    },
  };
  return run;
}

function unusedGcp(): RunContext['gcp'] {
  const fail = () => {
    throw new Error('unit tests do not call Google');
  };
  return new Proxy({} as RunContext['gcp'], { get: fail });
}

/** A phase context over `run` with the given facts, as the runner makes it. */
export function phaseContext(
  run: RunContext,
  facts: Facts = {},
  mode: PhaseContext['mode'] = 'deploy',
  phases: readonly AnyPhase[] = PHASES,
): PhaseContext {
  return createPhaseContext(run, mode, requirementsOf(phases, run.config), facts);
}
