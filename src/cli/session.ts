// What commands that talk to Google Cloud share: the client factory (pointed at the in-process
// emulator with --emulator), the call instrumentation, and the lockfile (read once, updated after
// every finished phase, written atomically and one write at a time) — put together as the one
// RunContext every use case works with.
import path from 'node:path';
import type { RunContext } from '../engine/context.js';
import type { EventSink } from '../engine/events.js';
import { ApiCaller, type Gcp } from '../gcp/call.js';
import { ClientFactory, factoryOptionsFromEnv } from '../gcp/factory.js';
import { timingFromEnv } from '../gcp/retry.js';
import { emptyLockfile, readLockfile, writeLockfile, type LockfileData } from '../state/lockfile.js';
import { toolVersion } from '../version.js';
import type { CommandContext } from './context.js';
import { withBuilderFlag } from './options.js';

export const EMULATOR_STATE_FILE = 'emulator-state.json';

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

export interface RunOptions {
  waitTimeoutMs: number;
  /** Where events go (default: the IO host); plan and status filter what they show. */
  emit?: EventSink;
  /** --builder: overrides image.builder for this run. */
  builder?: string | undefined;
}

/** Loads the configuration and the lockfile, connects to Google Cloud (or the emulator): the run context. */
export async function openRun(ctx: CommandContext, options: RunOptions): Promise<RunContext> {
  const config = withBuilderFlag(await ctx.config(), options.builder);
  const ids = { project: config.project, region: config.region, service: config.service };
  const read = await readLockfile(ctx.lockfilePath, ids);
  if (read.status === 'ignored') ctx.host.emit({ type: 'warning', message: read.reason });
  const lock = read.status === 'ok' ? read.data : undefined;
  const gcp = await openGcp(ctx);
  ctx.onCleanup(() => ctx.log.write('calls', { ...gcp.caller.stats }));

  let current: LockfileData = lock ? structuredClone(lock) : emptyLockfile(`atlantis-run ${toolVersion()}`, ids);
  let writes = Promise.resolve();
  // One write at a time, in the order asked: phases finish concurrently.
  const enqueue = (fn: () => Promise<void>) => (writes = writes.then(fn));
  return {
    config,
    gcp,
    emit: options.emit ?? ctx.host.emit,
    lock,
    env: ctx.env,
    waitTimeoutMs: options.waitTimeoutMs,
    disabledApis: new Set(),
    record: (records, facts) =>
      enqueue(async () => {
        current = {
          ...current,
          generator: `atlantis-run ${toolVersion()}`,
          ...(facts?.projectNumber ? { projectNumber: facts.projectNumber } : {}),
          resources: { ...current.resources, ...records },
        };
        await writeLockfile(ctx.lockfilePath, current);
      }),
    rewrite: (edit) =>
      enqueue(async () => {
        const next = edit(current);
        if (next === current) return;
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
