// Creating a secret so that a create sent twice (its reply lost, then retried; or a run killed
// after creating it) ends the same as one: ALREADY_EXISTS adopts the secret once it carries the
// labels asked for — the tool's own secret, or one it takes over by labelling it, as deploy's plan
// does for a secret that exists without them.
import type { DesiredSecret } from '../desired/index.js';
import type { RunContext } from '../engine/context.js';
import { OperationError } from '../errors.js';
import { createSecret, getSecret, updateSecretLabels } from '../gcp/apis/secret-manager.js';
import { GcpError } from '../gcp/errors.js';

/** Creates `d`'s secret; true when this call created it, false when it existed and was adopted. */
export async function createOrAdoptSecret(run: Pick<RunContext, 'gcp' | 'config'>, d: DesiredSecret): Promise<boolean> {
  try {
    await createSecret(run.gcp, run.config.project, d.secretId, d.labels);
    return true;
  } catch (err) {
    if (!(err instanceof GcpError && err.code === 'ALREADY_EXISTS')) throw err;
  }
  const found = await getSecret(run.gcp, d.resourceName);
  if (!found)
    throw new OperationError(`secret ${d.secretId} was reported to exist, and cannot be found`, { hint: 'run the command again' });
  const missing = Object.entries(d.labels).filter(([k, v]) => found.labels[k] !== v);
  if (missing.length > 0) await updateSecretLabels(run.gcp, d.resourceName, { ...found.labels, ...d.labels });
  return false;
}
