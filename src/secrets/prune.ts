// After a successful rollout, old versions are disabled — never destroyed, so `gcloud secrets
// versions enable` brings one back. A version stays enabled when it is one of the newest `keep`
// enabled versions, or when any revision of the service pins it: Cloud Run keeps old revisions,
// and traffic can be sent back to one, which must then still be able to read its secrets.
import type { SecretName } from '../atlantis/catalog.js';
import type { DesiredSecret } from '../desired/index.js';
import { listRevisions } from '../gcp/apis/run.js';
import { disableVersion, listVersions, type VersionInfo } from '../gcp/apis/secret-manager.js';
import type { RunContext } from '../engine/context.js';
import { revisionPins } from '../cloudrun/pins.js';
import { compareLikeLocale } from '../util/collate.js';

export interface DisabledVersion {
  name: SecretName;
  secretId: string;
  version: string;
}

/** Pure: the ENABLED versions beyond the newest `keep` enabled ones that nothing uses. */
export function versionsToDisable(versions: VersionInfo[], used: ReadonlySet<string>, keep: number): VersionInfo[] {
  const enabled = versions.filter((v) => v.state === 'ENABLED').sort((a, b) => Number(b.version) - Number(a.version));
  return enabled.slice(keep).filter((v) => !used.has(v.version));
}

export async function pruneVersions(run: RunContext, secrets: DesiredSecret[], keep: number): Promise<DisabledVersion[]> {
  if (secrets.length === 0) return [];
  const revisions = await listRevisions(run.gcp, run.config.names.serviceName);
  const used = revisionPins(revisions);
  const disabled: DisabledVersion[] = [];
  await Promise.all(
    secrets.map(async (secret) => {
      const versions = await listVersions(run.gcp, secret.resourceName);
      for (const v of versionsToDisable(versions, used.get(secret.secretId) ?? new Set(), keep)) {
        await disableVersion(run.gcp, v.name);
        run.emit({
          type: 'resource-changed',
          phase: 'prune',
          kind: 'secret version',
          resource: `${secret.secretId}/versions/${v.version}`,
          action: 'update',
          fields: [{ path: 'state', from: 'ENABLED', to: 'DISABLED' }],
        });
        disabled.push({ name: secret.name, secretId: secret.secretId, version: v.version });
      }
    }),
  );
  return disabled.sort((a, b) => compareLikeLocale(a.secretId, b.secretId) || Number(a.version) - Number(b.version));
}
