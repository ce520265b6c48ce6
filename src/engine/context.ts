// The one run context: what every use case (deploy, plan, status, destroy, the secrets commands,
// init's secret hand-off) works with once a command has loaded the configuration and connected to
// Google Cloud. The CLI builds it (src/cli/session.ts); nothing here knows a terminal.
import type { AtlantisRunConfig } from '../config/load.js';
import { unlessApiDisabled, type Gcp } from '../gcp/call.js';
import type { LockedResources, LockfileData } from '../state/lockfile.js';
import type { EventSink } from './events.js';

export interface RunContext {
  readonly config: AtlantisRunConfig;
  readonly gcp: Gcp;
  readonly emit: EventSink;
  /** The lockfile as read at the start (a cache: never trusted over live state). */
  readonly lock: LockfileData | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Bound on every wait for Google Cloud (--wait-timeout). */
  readonly waitTimeoutMs: number;
  /** APIs found disabled by reads so far (their reads answered "absent"). */
  readonly disabledApis: Set<string>;
  /** Merges records into the lockfile and writes it (atomically, one write at a time). */
  record(records: LockedResources, facts?: { projectNumber?: string | undefined }): Promise<void>;
  /** Edits the lockfile as a whole; an edit that returns undefined deletes the file. */
  rewrite(edit: (data: LockfileData) => LockfileData | undefined): Promise<void>;
  /**
   * The run lock in the project (engine/remote-lock.ts), taken before the first change — by the
   * engine once a deploy is confirmed, and in any case before any mutating call. Absent in unit
   * tests that never change anything.
   */
  readonly runLock?: RunLockHandle;
}

export interface RunLockHandle {
  acquire(): Promise<void>;
  release(options?: { removeBucket?: boolean }): Promise<void>;
  readonly held: boolean;
}

/**
 * A read against an API that is not enabled yet answers `absent` (nothing can exist there) and is
 * remembered in `disabledApis`: normal on a fresh project, where every read runs before the APIs
 * phase has enabled anything.
 */
export function absentIfDisabled<T>(ctx: Pick<RunContext, 'disabledApis'>, read: Promise<T>, absent: T): Promise<T> {
  return unlessApiDisabled(read, absent, (api) => ctx.disabledApis.add(api));
}

/** A reporter of progress on one long-running call, as `operation-progress` events. */
export function progress(emit: EventSink, phase: string, operation: string, resource: string): (elapsedMs: number) => void {
  return (elapsedMs) => emit({ type: 'operation-progress', phase, operation, resource, elapsedMs });
}
