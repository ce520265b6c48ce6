// What commands that talk to Google Cloud share: the client factory (pointed at the in-process
// emulator with --emulator), the call instrumentation, and the lockfile (read once, updated after
// every finished phase, written atomically and one write at a time).
import path from 'node:path';
import type { AtlantisRunConfig } from '../config/load.js';
import { ApiCaller, type Gcp } from '../gcp/call.js';
import { ClientFactory, factoryOptionsFromEnv } from '../gcp/factory.js';
import { timingFromEnv } from '../gcp/retry.js';
import { emptyLockfile, readLockfile, writeLockfile, type LockedResources, type LockfileData } from '../state/lockfile.js';
import { toolVersion } from '../version.js';
import type { CommandContext } from './context.js';

export const EMULATOR_STATE_FILE = 'emulator-state.json';

export interface Session {
  config: AtlantisRunConfig;
  gcp: Gcp;
  /** The lockfile as read at the start, when usable. */
  lock: LockfileData | undefined;
  /** Merges a phase's record into the lockfile and writes it. */
  record(record: Partial<LockedResources>, facts?: { projectNumber?: string | undefined }): Promise<void>;
  /** Replaces the lockfile's resources wholesale (destroy). */
  rewrite(edit: (data: LockfileData) => LockfileData | undefined): Promise<void>;
}

/** Starts the bundled emulator in this process when --emulator is given; returns its host. */
async function emulatorHostFor(ctx: CommandContext): Promise<string | undefined> {
  if (!ctx.globals.emulator) return undefined;
  const { startEmulator } = await import('../emulator/index.js');
  const emulator = await startEmulator({ port: 0, stateFile: path.join(ctx.stateDir, EMULATOR_STATE_FILE) });
  ctx.onCleanup(() => emulator.close());
  ctx.log.write('emulator', { host: emulator.host, state: path.join(ctx.stateDir, EMULATOR_STATE_FILE) });
  return emulator.host;
}

export async function openGcp(ctx: CommandContext): Promise<Gcp> {
  const emulatorHost = await emulatorHostFor(ctx);
  const factory = new ClientFactory(
    factoryOptionsFromEnv(ctx.env, {
      ...(emulatorHost ? { emulatorHost } : {}),
      ...(ctx.globals.impersonateServiceAccount ? { impersonate: ctx.globals.impersonateServiceAccount } : {}),
    }),
  );
  ctx.onCleanup(() => factory.close());
  const caller = new ApiCaller(
    ctx.log,
    ctx.signal,
    (info, err, attempt) => {
      if (attempt >= 2)
        ctx.host.emit({ type: 'info', message: `retrying ${info.method} ${info.resource ?? ''} (${err.code}, attempt ${attempt + 1})` });
    },
    timingFromEnv(ctx.env),
  );
  return { factory, caller };
}

export async function openSession(ctx: CommandContext): Promise<Session> {
  const config = await ctx.config();
  const ids = { project: config.project, region: config.region, service: config.service };
  const read = await readLockfile(ctx.lockfilePath, ids);
  if (read.status === 'ignored') ctx.host.emit({ type: 'warning', message: read.reason });
  const lock = read.status === 'ok' ? read.data : undefined;
  const gcp = await openGcp(ctx);

  let current: LockfileData = lock ? structuredClone(lock) : emptyLockfile(`atlantis-run ${toolVersion()}`, ids);
  let writes = Promise.resolve();
  const enqueue = (fn: () => Promise<void>) => {
    writes = writes.then(fn);
    return writes;
  };
  return {
    config,
    gcp,
    lock,
    record: (record, facts) =>
      enqueue(async () => {
        current = {
          ...current,
          generator: `atlantis-run ${toolVersion()}`,
          ...(facts?.projectNumber ? { projectNumber: facts.projectNumber } : {}),
          resources: { ...current.resources, ...record },
        };
        await writeLockfile(ctx.lockfilePath, current);
      }),
    rewrite: (edit) =>
      enqueue(async () => {
        const next = edit(current);
        if (!next) {
          const { rm } = await import('node:fs/promises');
          await rm(ctx.lockfilePath, { force: true });
          return;
        }
        current = next;
        await writeLockfile(ctx.lockfilePath, current);
      }),
  };
}

/** Parses --wait-timeout ("10m", "90s", "600") into milliseconds. */
export function parseDuration(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return NaN;
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}
