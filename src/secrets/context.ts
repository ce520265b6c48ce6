// The secrets the configuration uses, and the logical names the secrets commands accept.
import { SECRET_NAMES, type SecretName } from '../atlantis/catalog.js';
import type { AtlantisRunConfig } from '../config/load.js';
import { desiredState, type DesiredSecret } from '../desired/index.js';
import { UsageError } from '../errors.js';
import { closest } from '../util/suggest.js';

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
  // A NAME that is no secret name may be a value typed in the wrong place (a 40-hex Gitea token
  // looks like a name): never echo it.
  const shown = (SECRET_NAMES as readonly string[]).includes(name)
    ? `"${name}"`
    : '(not shown: it is no secret name, and could be a value)';
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
