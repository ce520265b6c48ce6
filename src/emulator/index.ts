/**
 * The local Google Cloud emulator: gRPC and REST on one 127.0.0.1 port, speaking the wire
 * protocols of the real `@google-cloud/*` clients and of `gcloud`. See ./README.md.
 *
 * Public API (stable; the CLI and the tests depend on it):
 *
 *   startEmulator(options?: EmulatorOptions): Promise<RunningEmulator>
 *     Starts serving. Resolves once the port is bound. Throws (like validateEmulatorOptions)
 *     on bad options, and EmulatorStateError (message + hint) on a `stateFile` it cannot use.
 *
 *   validateEmulatorOptions(options?: EmulatorOptions): ResolvedOptions
 *     Checks options and fills defaults; throws an Error whose message is fit for a CLI user.
 *
 *   parseFaultSpec(spec: string): FaultRule[]
 *     Parses `--faults` (`METHOD=CODE:RATE[,…]`, `*` wildcards); throws on bad input.
 *
 *   EMULATOR_HOST_ENV = 'ATLANTIS_RUN_EMULATOR_HOST'
 *     The variable that points the tool at an emulator (`127.0.0.1:PORT`).
 *
 *   emulatedPermissions(): Promise<string[]>
 *     Every IAM permission the emulator's methods check (what `--deny` can take away), read off the
 *     API definitions.
 *
 *   denyAllExcept(granted: Iterable<string>): Promise<string[]>
 *     The `deny` list for a caller that holds exactly `granted` (e.g. a custom role's
 *     includedPermissions): emulatedPermissions() minus `granted` (aliases such as
 *     `iam.googleapis.com/workloadIdentityPools.create` / `iam.workloadIdentityPools.create` count as
 *     one), and minus the few names the emulator checks that Google's catalogue lacks (no role
 *     could hold them; see README "Least privilege").
 *
 * This module is cheap to import: the proto descriptors and servers load on startEmulator().
 */
import type { EmulatorServices } from './core/services.js';
import type { RequestLogEntry } from './core/request-log.js';
import type { StateData } from './core/state.js';
import type { EmulatorOptions } from './core/options.js';

export { parseFaultSpec, validateEmulatorOptions } from './core/options.js';
export type { EmulatorOptions, FaultRule, ResolvedOptions } from './core/options.js';
export type { RequestLogEntry } from './core/request-log.js';
export type { StateData } from './core/state.js';
export { EmulatorStateError } from './core/state.js';
export type { EmulatorServices } from './core/services.js';

export const EMULATOR_HOST_ENV = 'ATLANTIS_RUN_EMULATOR_HOST';

export interface RunningEmulator {
  /** `127.0.0.1:PORT`: the value for ATLANTIS_RUN_EMULATOR_HOST. */
  readonly host: string;
  readonly port: number;
  /** The fault-injection seed in use (the given one, or the random one picked). */
  readonly seed: number;
  /** Every call so far, oldest first (copies). */
  requestLog(): RequestLogEntry[];
  clearRequestLog(): void;
  /** The stable project number the emulator gives a project id. */
  projectNumber(projectId: string): string;
  /** Enables (or disables) an API at once, as if an enable operation had completed. */
  setServiceEnabled(projectId: string, service: string, enabled?: boolean): void;
  isServiceEnabled(projectId: string, service: string): boolean;
  /** A deep copy of the whole state (what `--state FILE` holds). */
  state(): StateData;
  /** Changes state directly (test set-up); the change is saved to the state file like a call's. */
  mutate(change: (services: EmulatorServices) => void): void;
  /** Stops serving, closing open connections; saves the state. */
  close(): Promise<void>;
}

export async function emulatedPermissions(): Promise<string[]> {
  const [{ ALL_APIS }, { permissionsCheckedBy }] = await Promise.all([import('./apis/index.js'), import('./core/checked-permissions.js')]);
  return permissionsCheckedBy(ALL_APIS);
}

/** `--deny` for a caller holding exactly `granted`: every checked Google permission it lacks (names Google does not have are never denied). */
export async function denyAllExcept(granted: Iterable<string>): Promise<string[]> {
  const [checked, { isGooglePermission }] = await Promise.all([emulatedPermissions(), import('./core/iam-catalog.js')]);
  const held = new Set(granted);
  return checked.filter((permission) => !held.has(permission) && isGooglePermission(permission));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const { startEmulatorWith } = await import('./core/emulator.js');
  return startEmulatorWith(options);
}
