// `secrets show NAME`: the value of the version in use, for pasting into the VCS webhook form. The
// only command that puts a value on stdout — on a terminal and on explicit request — or in a file
// (--output, mode 0600). The value is registered for redaction as soon as it is read, so the debug
// log, events and errors of this run still never carry it.
import type { SecretName } from '../atlantis/catalog.js';
import type { DesiredSecret } from '../desired/index.js';
import { OperationError } from '../errors.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { getService } from '../gcp/apis/run.js';
import { accessVersion, listVersions } from '../gcp/apis/secret-manager.js';
import { pinnedVersions } from '../cloudrun/pins.js';

export interface RevealedValue {
  name: SecretName;
  secretId: string;
  version: string;
  /** `in use`: pinned by the live service; `newest`: the service does not pin it (not deployed). */
  which: 'in use' | 'newest';
  data: Buffer;
}

export async function revealValue(run: RunContext, d: DesiredSecret): Promise<RevealedValue> {
  const [service, versions] = await Promise.all([
    absentIfDisabled(run, getService(run.gcp, run.config.names.serviceName), undefined),
    listVersions(run.gcp, d.resourceName),
  ]);
  const pinned = pinnedVersions(service)[d.secretId];
  const newest = versions.find((v) => v.state === 'ENABLED');
  const version = pinned ?? newest?.version;
  if (!version) {
    throw new OperationError(`${d.secretId} has no version to show`, {
      hint:
        d.spec.origin === 'generated' ? 'run `atlantis-run deploy`: it generates the value' : `run \`atlantis-run secrets push ${d.name}\``,
    });
  }
  const data = await accessVersion(run.gcp, `${d.resourceName}/versions/${version}`);
  return { name: d.name, secretId: d.secretId, version, which: pinned ? 'in use' : 'newest', data };
}
