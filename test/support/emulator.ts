// The project's own emulator, started in the test process, and the environment that points a CLI
// run (in-process or child) at it.
import { afterEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type RequestLogEntry, type RunningEmulator } from '../../src/emulator/index.js';

export type Transport = 'grpc' | 'rest';
export const TRANSPORTS: Transport[] = ['grpc', 'rest'];

const running: RunningEmulator[] = [];

export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ port: 0, ...options });
  running.push(emu);
  return emu;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/** Environment for a CLI run against `emu` over `transport`. */
export function emulatorEnv(emu: RunningEmulator, transport: Transport, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ATLANTIS_RUN_EMULATOR_HOST: emu.host,
    ATLANTIS_RUN_TRANSPORT: transport,
    ATLANTIS_RUN_POLL_MS: '20',
    ATLANTIS_RUN_RETRY_BASE_MS: '10',
    GITHUB_TOKEN: 'ghp_testtoken000000000000000000000000000000',
    ...extra,
  };
}

/** The run lock's own calls (its bucket and object in Cloud Storage: engine/remote-lock.ts). */
export function isRunLockCall(e: RequestLogEntry): boolean {
  return e.api === 'storage.googleapis.com' && /^projects\/_\/buckets\/[^/]+-atlantis-run(\/|$)/.test(e.resource);
}

/**
 * The calls that changed something in the deployment: every mutating call but the run lock's own
 * (taken and released around every run that changes anything; `lockCalls` shows them).
 */
export function mutatingCalls(log: RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((e) => e.mutating && !isRunLockCall(e));
}

/** The run lock's calls, for the tests of the lock itself. */
export function lockCalls(log: RequestLogEntry[]): RequestLogEntry[] {
  return log.filter(isRunLockCall);
}

/** Marks the log so a test can look at the calls of one run only. */
export function since(emu: RunningEmulator): () => RequestLogEntry[] {
  const start = emu.requestLog().length;
  return () => emu.requestLog().slice(start);
}
