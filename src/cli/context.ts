// What a command handler gets: the global options, the IO host, the debug log, the config and
// lockfile locations, and a cancellation signal for Ctrl-C.
import path from 'node:path';
import type { AtlantisRunConfig } from '../config/load.js';
import type { DebugLog } from '../util/debug-log.js';
import type { IoHost } from '../ui/host.js';

export interface GlobalOptions {
  config?: string;
  lockfile?: string;
  project?: string;
  region?: string;
  json: boolean;
  yes: boolean;
  verbose: boolean;
  emulator: boolean;
  impersonateServiceAccount?: string;
  /** --force-unlock ID: take over the run lock in the project with this id although it has not expired. */
  forceUnlock?: string;
}

export interface CommandContext {
  readonly command: string;
  readonly globals: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly host: IoHost;
  readonly log: DebugLog;
  /** Aborted on the first Ctrl-C: stop after the call in flight. */
  readonly signal: AbortSignal;
  /** Path of atlantis-run.yaml (flag > ATLANTIS_RUN_CONFIG > default). */
  readonly configPath: string;
  /** Path of atlantis-run.lock (flag > ATLANTIS_RUN_LOCKFILE > beside the config). */
  readonly lockfilePath: string;
  /** `.atlantis-run/` beside the config file. */
  readonly stateDir: string;
  /** The validated configuration (loaded once, on first use). */
  config(): Promise<AtlantisRunConfig>;
  /** Registers cleanup to run when the command ends, however it ends. */
  onCleanup(fn: () => Promise<void> | void): void;
}

export const DEFAULT_CONFIG = 'atlantis-run.yaml';
export const DEFAULT_LOCKFILE_NAME = 'atlantis-run.lock';

export function resolvePaths(globals: GlobalOptions, env: NodeJS.ProcessEnv, cwd: string): { configPath: string; lockfilePath: string } {
  const configPath = path.resolve(cwd, globals.config ?? env.ATLANTIS_RUN_CONFIG ?? DEFAULT_CONFIG);
  const lockfilePath = path.resolve(
    cwd,
    globals.lockfile ?? env.ATLANTIS_RUN_LOCKFILE ?? path.join(path.dirname(configPath), DEFAULT_LOCKFILE_NAME),
  );
  return { configPath, lockfilePath };
}
