// What the secrets commands work with, and the names they accept. They reuse the deploy phases'
// reading helpers (readSecret, the revision checks), which take a PhaseContext: one is built here
// from the same parts the engine would use.
import { SECRET_NAMES, type SecretName } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState, type DesiredSecret } from '../desired/index.js';
import { createPhaseContext, type PhaseContext } from '../engine/phase.js';
import type { EventSink } from '../engine/events.js';
import { UsageError } from '../errors.js';
import type { Gcp } from '../gcp/call.js';
import type { LockedResources, LockfileData } from '../state/lockfile.js';
import { closest } from '../util/suggest.js';

export interface SecretsRun {
  config: AtlantisRunConfig;
  gcp: Gcp;
  emit: EventSink;
  /** The lockfile as read at the start (a cache: live state wins). */
  lock: LockfileData | undefined;
  env: NodeJS.ProcessEnv;
  waitTimeoutMs: number;
  /** Edits the lockfile's resources and writes it (atomically, refusing any secret value). */
  updateLock(edit: (resources: LockedResources) => LockedResources): Promise<void>;
}

export function phaseContext(run: SecretsRun, emit: EventSink = run.emit): PhaseContext {
  return createPhaseContext(
    { config: run.config, gcp: run.gcp, emit, lock: run.lock, env: run.env, waitTimeoutMs: run.waitTimeoutMs, mode: 'deploy' },
    { projectNumber: run.lock?.projectNumber },
  );
}

/** The secrets this configuration uses, with their Secret Manager ids and sources. */
export function managedSecrets(config: AtlantisRunConfig): DesiredSecret[] {
  return desiredState(config).secrets;
}

/** A logical name given on the command line → its secret; exit 2 listing the valid names otherwise. */
export function selectSecret(config: AtlantisRunConfig, name: string, allowed?: readonly SecretName[]): DesiredSecret {
  const used = managedSecrets(config);
  const candidates = allowed ? used.filter((s) => allowed.includes(s.name)) : used;
  const found = candidates.find((s) => s.name === name);
  if (found) return found;
  const valid = candidates.map((s) => s.name).join(', ') || '(none)';
  // A NAME that does not look like a name may be a value typed in the wrong place: never echo it.
  const shown = /^[a-z][a-z0-9-]{0,39}$/.test(name) ? `"${name}"` : '(not shown: it does not look like a name)';
  if (allowed && !allowed.includes(name as SecretName) && (SECRET_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`${shown} cannot be used here: expected one of ${valid}`);
  }
  if ((SECRET_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(
      `secret ${shown} is not used by this configuration (${config.atlantis.vcs.provider}${name === 'web-password' ? ', access.uiAuth: false' : ''}); its secrets are: ${valid}`,
    );
  }
  const suggestion = closest(
    name,
    candidates.map((s) => s.name),
  );
  throw new UsageError(`unknown secret ${shown}: expected one of ${valid}`, suggestion ? { hint: `did you mean ${suggestion}?` } : {});
}
