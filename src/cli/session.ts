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
import { emptyLockfile, readLockfile, sameRecord, writeLockfile, type LockfileData } from '../state/lockfile.js';
import { DEFAULT_LOCK_TTL_MS, RemoteLock } from '../engine/remote-lock.js';
import { toolVersion } from '../version.js';
import type { CommandContext } from './context.js';
import { OperationError, UsageError } from '../errors.js';
import { withBuilderFlag } from './options.js';

export const EMULATOR_STATE_FILE = 'emulator-state.json';

/** Starts the bundled emulator in this process when --emulator is given; returns its host. */
async function emulatorHostFor(ctx: CommandContext): Promise<string | undefined> {
  if (!ctx.globals.emulator) return undefined;
  const { startEmulator, EmulatorStateError } = await import('../emulator/index.js');
  const emulator = await startEmulator({ port: 0, stateFile: path.join(ctx.stateDir, EMULATOR_STATE_FILE) }).catch((err: unknown) => {
    throw err instanceof EmulatorStateError ? new UsageError(err.message, { hint: err.hint }) : err;
  });
  ctx.onCleanup(() => emulator.close());
  ctx.log.write('emulator', { host: emulator.host, state: path.join(ctx.stateDir, EMULATOR_STATE_FILE) });
  return emulator.host;
}

/**
 * ATLANTIS_RUN_EMULATOR_HOST names an emulator that should be running: if nothing listens there,
 * say so at once (the clients would otherwise retry a refused connection for more than a minute).
 */
async function checkEmulatorListening(host: string): Promise<void> {
  const { connect } = await import('node:net');
  const at = host.lastIndexOf(':');
  const refused = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host: host.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(host.slice(at + 1)) });
    socket.setTimeout(3_000, () => {
      socket.destroy();
      resolve('does not answer');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refuses connections' : err.message));
  });
  if (refused) {
    throw new OperationError(`the emulator is not running: ${host} (ATLANTIS_RUN_EMULATOR_HOST) ${refused}`, {
      hint: `start it (\`atlantis-run emulator --port ${host.slice(at + 1)}\`), or unset ATLANTIS_RUN_EMULATOR_HOST to use Google Cloud`,
    });
  }
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
  if (!emulatorHost && factory.options.emulatorHost) await checkEmulatorListening(factory.options.emulatorHost);
  const caller = new ApiCaller(
    ctx.log,
    ctx.signal,
    (info, err, attempt) => {
      if (attempt >= 2)
        ctx.host.emit({ type: 'info', message: `retrying ${info.method} ${info.resource ?? ''} (${err.code}, attempt ${attempt + 1})` });
    },
    timingFromEnv(ctx.env),
  );
  caller.identify = () => factory.identity();
  return { factory, caller };
}

/** ATLANTIS_RUN_LOCK_TTL_MS: how long the run lock lives unless renewed (tests shorten it). */
function lockTtl(env: NodeJS.ProcessEnv): number {
  const value = Number(env.ATLANTIS_RUN_LOCK_TTL_MS);
  return env.ATLANTIS_RUN_LOCK_TTL_MS && Number.isFinite(value) && value > 0 ? value : DEFAULT_LOCK_TTL_MS;
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
  const runLock = new RemoteLock({
    gcp,
    ...ids,
    command: ctx.command,
    tool: `atlantis-run ${toolVersion()}`,
    ttlMs: lockTtl(ctx.env),
    forceUnlock: ctx.globals.forceUnlock,
    bucket: ctx.env.ATLANTIS_RUN_LOCK_BUCKET || undefined,
    env: ctx.env,
    notify: (message) => ctx.host.emit({ type: 'warning', message }),
  });
  // Nothing changes before this run holds the lock in the project; a run that changes nothing never takes it.
  gcp.caller.beforeMutation = () => runLock.acquire();
  ctx.onCleanup(() => runLock.release());

  let current: LockfileData = lock ? structuredClone(lock) : emptyLockfile(`atlantis-run ${toolVersion()}`, ids);
  // Whether the file holds `current` already: then a run that changes nothing leaves it byte for
  // byte as it was (the user commits it; a stamp alone must not make a diff).
  let onDisk = lock !== undefined;
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
    runLock,
    record: (records, facts) =>
      enqueue(async () => {
        const resources = { ...current.resources };
        // A record that says what it said already keeps its old stamps.
        for (const [key, record] of Object.entries(records)) if (!sameRecord(resources[key], record)) resources[key] = record;
        const next: LockfileData = {
          ...current,
          generator: `atlantis-run ${toolVersion()}`,
          ...(facts?.projectNumber ? { projectNumber: facts.projectNumber } : {}),
          resources,
        };
        if (onDisk && sameRecord(next, current)) return;
        current = next;
        await writeLockfile(ctx.lockfilePath, current);
        onDisk = true;
      }),
    rewrite: (edit) =>
      enqueue(async () => {
        const next = edit(current);
        if (next === current) return;
        if (!next) {
          const { rm } = await import('node:fs/promises');
          await rm(ctx.lockfilePath, { force: true });
          onDisk = false;
          return;
        }
        if (onDisk && sameRecord(next, current)) return;
        current = next;
        await writeLockfile(ctx.lockfilePath, current);
        onDisk = true;
      }),
  };
}
