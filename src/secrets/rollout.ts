// Rolling secret versions out: the live Cloud Run service gets new version pins for the given
// secrets and nothing else — the rest of its spec is sent back exactly as it is live, so a push
// never applies unrelated configuration drift (that is deploy's job, after its plan). Before the
// update the runtime account is made sure to hold secretAccessor on those secrets (the revision
// could not start otherwise); after it, the new revision must become Ready, and a failed one is
// reported as deploy reports it.
import type { SecretName } from '../atlantis/catalog.js';
import type { DesiredSecret } from '../desired/index.js';
import { absentIfDisabled, progress, type RunContext } from '../engine/context.js';
import { withSpan } from '../engine/events.js';
import { hasBinding, readModifyWrite, withBinding } from '../gcp/apis/iam-policy.js';
import { getService, shortName, updateService, type RunService } from '../gcp/apis/run.js';
import { getSecretPolicy, setSecretPolicy } from '../gcp/apis/secret-manager.js';
import { withPinnedVersions, writableService, type PinChange } from '../cloudrun/pins.js';
import { waitUntilSettled, writeAndSettle } from '../cloudrun/rollout.js';
import { trafficOf } from '../cloudrun/traffic.js';

export const ACCESSOR_ROLE = 'roles/secretmanager.secretAccessor';

export interface RolloutTarget {
  desired: DesiredSecret;
  version: string;
}

export interface RolloutResult {
  /**
   * `rolled-out`: the service was updated and its new revision is Ready; `already-pinned`: the
   * service pins these versions already (no call changed anything); `not-deployed`: there is no
   * service to update yet.
   */
  status: 'rolled-out' | 'already-pinned' | 'not-deployed';
  changes: (PinChange & { name: SecretName })[];
  /** Secrets the live service does not use at all: deploy adds them. */
  unreferenced: DesiredSecret[];
  /** The live service after the rollout (or as read, when nothing was written). */
  service: RunService | undefined;
  /** Short name of the ready revision afterwards. */
  revision: string | undefined;
}

export async function rollOut(run: RunContext, targets: RolloutTarget[]): Promise<RolloutResult> {
  const name = run.config.names.serviceName;
  const onProgress = progress(run.emit, 'rollout', 'waiting for the new revision of', run.config.service);
  let live = await absentIfDisabled(run, getService(run.gcp, name), undefined);
  // A rollout already in progress (another run, the console) settles first: updating on top of it
  // would race it.
  if (live?.reconciling) live = await waitUntilSettled(run, onProgress);
  if (!live) return { status: 'not-deployed', changes: [], unreferenced: [], service: undefined, revision: undefined };
  const traffic = trafficOf(live);
  if (traffic.pinned) {
    run.emit({
      type: 'warning',
      message: `traffic is pinned to ${traffic.pinnedTo.join(', ')} by a rollback: the new revision will serve no traffic`,
      hint: '`atlantis-run deploy` sends traffic back to the latest revision',
    });
  }

  const bySecretId = new Map(targets.map((t) => [t.desired.secretId, t]));
  const pinned = withPinnedVersions(live, new Map(targets.map((t) => [t.desired.secretId, t.version])));
  const changes = pinned.changes.map((c) => ({ ...c, name: bySecretId.get(c.secretId)!.desired.name }));
  const unreferenced = pinned.unreferenced.map((id) => bySecretId.get(id)!.desired);
  if (changes.length === 0)
    return { status: 'already-pinned', changes, unreferenced, service: live, revision: shortName(live.latestReadyRevision) };

  const account = live.template?.serviceAccount ?? run.config.names.serviceAccountEmail;
  const current = await withSpan(
    run.emit,
    { phase: 'rollout', title: `Rolling out ${changes.map((c) => `${c.secretId} version ${c.to}`).join(', ')}` },
    async () => {
      // The revision runs as the live template's account; that is who must read the secrets.
      await Promise.all(changes.map((c) => ensureAccessor(run, bySecretId.get(c.secretId)!.desired, `serviceAccount:${account}`)));
      const settled = await writeAndSettle(run, onProgress, () =>
        updateService(run.gcp, writableService(pinned.service), { timeoutMs: run.waitTimeoutMs, onProgress }),
      );
      run.emit({
        type: 'resource-changed',
        phase: 'rollout',
        kind: 'Cloud Run service',
        resource: run.config.service,
        action: 'update',
        fields: changes.map((c) => ({ path: `secret ${c.secretId} version`, ...(c.from !== undefined ? { from: c.from } : {}), to: c.to })),
      });
      return settled;
    },
    (settled) => ({
      changed: 1,
      summary: settled.latestReadyRevision ? `revision ${shortName(settled.latestReadyRevision)} ready` : undefined,
    }),
  );
  return { status: 'rolled-out', changes, unreferenced, service: current, revision: shortName(current.latestReadyRevision) };
}

/** roles/secretmanager.secretAccessor for `member` on one secret: read-modify-write, only when missing. */
async function ensureAccessor(run: RunContext, secret: DesiredSecret, member: string): Promise<void> {
  const resource = secret.resourceName;
  const added = await readModifyWrite(
    { get: () => getSecretPolicy(run.gcp, resource), set: (policy) => setSecretPolicy(run.gcp, resource, policy) },
    (policy) => (hasBinding(policy, ACCESSOR_ROLE, member) ? undefined : withBinding(policy, ACCESSOR_ROLE, member)),
  );
  if (added) {
    run.emit({
      type: 'resource-changed',
      phase: 'rollout',
      kind: 'IAM binding',
      resource: `${ACCESSOR_ROLE} → ${member.replace(/^serviceAccount:/, '')} on ${resource}`,
      action: 'create',
    });
  }
}
