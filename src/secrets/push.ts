// `secrets push`: add a secret version only when the value changed, then (by default) roll it out
// and disable versions nothing uses any more. Values were validated before this runs, so a bad
// input never gets as far as a call; an unchanged value makes no mutating call at all.
//
// Modes (flyctl's `secrets set --stage` + `secrets deploy`, firebase's pin-and-prune):
//   rollout       add what changed, pin it in the live service, wait for the revision, prune
//   stage         add what changed; deploy or `--rollout-only` pins it later
//   rollout-only  add nothing; pin the newest enabled version of each secret, prune
import type { SecretName } from '../atlantis/catalog.js';
import type { DesiredSecret } from '../desired/index.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { withSpan, type EngineEvent } from '../engine/events.js';
import { OperationError } from '../errors.js';
import { getService, type RunService } from '../gcp/apis/run.js';
import { addVersion, listVersions } from '../gcp/apis/secret-manager.js';
import { createOrAdoptSecret } from '../secret-values/create.js';
import { GcpError } from '../gcp/errors.js';
import { lockRecord, sameRecord } from '../state/lockfile.js';
import { pinnedVersions } from '../cloudrun/pins.js';
import { SERVICE_RECORD, serviceRecord, serviceUrl } from '../cloudrun/service.js';
import { readSecret, type LiveSecret } from '../secret-values/live.js';
import { SECRETS_RECORD, type LockedSecret } from '../secret-values/record.js';
import { shortDigest, type SecretValue } from '../secret-values/values.js';
import { pruneVersions, type DisabledVersion } from './prune.js';
import { rollOut, type RolloutResult, type RolloutTarget } from './rollout.js';

export type PushMode = 'rollout' | 'stage' | 'rollout-only';

export interface PushRequest {
  mode: PushMode;
  /** The values to push (validated already). Empty for rollout-only. */
  items: { desired: DesiredSecret; value: SecretValue }[];
  /** rollout-only: the secrets whose newest enabled version is pinned. */
  rolloutOnly?: DesiredSecret[];
  /** Enabled versions kept beyond those in use. */
  keep: number;
}

export interface PushedSecret {
  name: SecretName;
  secretId: string;
  /** `added`: a new version; `unchanged`: the newest version already holds this value. */
  action: 'added' | 'unchanged';
  version: string;
  /** The newest version before this push. */
  previous?: string;
  secretCreated: boolean;
  /** sha256:… of the value (12 hex digits): enough to tell versions apart, useless to guess one. */
  checksum: string;
  origin: string;
  notes: string[];
}

export interface PushResult {
  mode: PushMode;
  secrets: PushedSecret[];
  /** What happened to the service: see RolloutResult; `staged` with --stage; `none`: nothing to roll out. */
  rollout: RolloutResult['status'] | 'staged' | 'none';
  revision?: string;
  /** Version pins changed in the service. */
  pinned: { name: SecretName; secretId: string; from?: string; to: string }[];
  /** Versions added but not in use: deploy or `secrets push --rollout-only` rolls them out. */
  staged: { name: SecretName; secretId: string; version: string; reason: string }[];
  disabled: DisabledVersion[];
  /** Why pruning was skipped or failed, when it was. */
  pruneNote?: string;
  url?: string;
}

interface Added {
  desired: DesiredSecret;
  pushed: PushedSecret;
  sha256: string;
}

export async function pushSecrets(run: RunContext, request: PushRequest): Promise<PushResult> {
  // 1. Versions (nothing for rollout-only).
  const added: Added[] = [];
  if (request.items.length > 0) {
    added.push(
      ...(await withSpan(
        run.emit,
        { phase: 'secrets', title: `Pushing ${request.items.map((i) => i.desired.name).join(', ')}` },
        () => Promise.all(request.items.map((item) => addIfChanged(run, item.desired, item.value))),
        (all) => {
          const count = all.filter((a) => a.pushed.action === 'added').length;
          return { changed: count, summary: count ? `${count} new version${count > 1 ? 's' : ''}` : 'unchanged' };
        },
      )),
    );
  }

  // 2. What to pin.
  const targets: RolloutTarget[] =
    request.mode === 'rollout-only'
      ? await newestEnabled(run, request.rolloutOnly ?? [])
      : added.map((a) => ({ desired: a.desired, version: a.pushed.version }));

  // 3. Roll out (or, with --stage, only read which versions the service uses).
  let rollout: RolloutResult | undefined;
  let live: RunService | undefined;
  if (request.mode !== 'stage' && targets.length > 0) {
    rollout = await rollOut(run, targets);
    live = rollout.service;
  } else if (request.mode === 'stage' && targets.length > 0) {
    live = await absentIfDisabled(run, getService(run.gcp, run.config.names.serviceName), undefined);
  }
  const inUse = pinnedVersions(live);

  const staged: PushResult['staged'] = [];
  for (const t of targets) {
    if (inUse[t.desired.secretId] === t.version) continue;
    const reason = !live
      ? `${run.config.service} is not deployed yet`
      : request.mode === 'stage'
        ? 'pushed with --stage'
        : `the live service does not use ${t.desired.secretId} yet`;
    staged.push({ name: t.desired.name, secretId: t.desired.secretId, version: t.version, reason });
  }

  // 4. The lockfile: versions in use, staged ones, and the digests of what was pushed.
  await recordLock(run, targets, added, live ? inUse : undefined, rollout);

  // 5. Prune, only after a rollout that succeeded.
  let disabled: DisabledVersion[] = [];
  let pruneNote: string | undefined;
  if (rollout?.status === 'rolled-out') {
    const rolled = rollout.changes.map((c) => targets.find((t) => t.desired.secretId === c.secretId)!.desired);
    try {
      disabled = await pruneVersions(run, rolled, request.keep);
    } catch (err) {
      // The rollout itself succeeded; a failed clean-up must not read as a failed push.
      if (!(err instanceof GcpError)) throw err;
      pruneNote = `old versions were not disabled: ${err.message}`;
      run.emit({ type: 'warning', phase: 'prune', message: pruneNote, hint: 'the new versions are rolled out; the next push tries again' });
    }
  }

  const url = serviceUrl(live);
  return {
    mode: request.mode,
    secrets: added.map((a) => a.pushed),
    rollout: request.mode === 'stage' ? 'staged' : (rollout?.status ?? 'none'),
    ...(rollout?.revision ? { revision: rollout.revision } : {}),
    pinned: (rollout?.changes ?? []).map((c) => ({
      name: c.name,
      secretId: c.secretId,
      ...(c.from !== undefined ? { from: c.from } : {}),
      to: c.to,
    })),
    staged,
    disabled,
    ...(pruneNote ? { pruneNote } : {}),
    ...(url ? { url } : {}),
  };
}

async function addIfChanged(run: RunContext, desired: DesiredSecret, value: SecretValue): Promise<Added> {
  // readSecret warns when it cannot read the payload to compare; here that means "add anyway",
  // which this function says itself, so its events are held back until the outcome is known.
  const read = async () => {
    const held: EngineEvent[] = [];
    const reader = { ...run, emit: (event: EngineEvent) => held.push(event), disabledApis: new Set<string>() };
    const found = await readSecret(reader, desired, lockRecord(run.lock, SECRETS_RECORD)?.[desired.name], value);
    if (reader.disabledApis.size) {
      throw new OperationError(`cannot push ${desired.name}: the Secret Manager API is not enabled in ${run.config.project}`, {
        hint: 'run `atlantis-run deploy` first: it enables the APIs and creates every secret',
      });
    }
    return { found, held };
  };
  const first = await read();
  let live = first.found;
  const held = first.held;
  for (const event of held) if (!(live.latestShaFrom === 'assumed' && event.type === 'warning')) run.emit(event);
  for (const note of value.notes) run.emit({ type: 'info', phase: 'secrets', message: `${desired.name}: ${note}` });

  const base = {
    name: desired.name,
    secretId: desired.secretId,
    checksum: shortDigest(value.sha256)!,
    origin: value.origin,
    notes: value.notes,
  };
  const unchanged = (l: LiveSecret) => l.latest && l.latestShaFrom !== 'assumed' && l.latestSha === value.sha256;
  // What was read before this run held the run lock may be stale (another run pushed meanwhile): read again under it.
  if (!unchanged(live) && run.runLock && !run.runLock.held) {
    await run.runLock.acquire();
    ({ found: live } = await read());
  }
  if (unchanged(live) && live.latest) {
    run.emit({
      type: 'resource-changed',
      phase: 'secrets',
      kind: 'secret',
      resource: `${desired.secretId} (version ${live.latest.version})`,
      action: 'noop',
    });
    return {
      desired,
      sha256: value.sha256,
      pushed: { ...base, action: 'unchanged', version: live.latest.version, previous: live.latest.version, secretCreated: false },
    };
  }
  if (live.latestShaFrom === 'assumed') {
    run.emit({
      type: 'warning',
      phase: 'secrets',
      message: `cannot read ${desired.secretId} version ${live.latest!.version} to compare (no secretmanager.versions.access): adding a new version`,
    });
  }
  let secretCreated = false;
  if (!live.secret) {
    // Created meanwhile (another run, a create whose reply was lost): adopted, and the version goes in all the same.
    secretCreated = await createOrAdoptSecret(run, desired);
    if (secretCreated)
      run.emit({ type: 'resource-changed', phase: 'secrets', kind: 'secret', resource: desired.secretId, action: 'create' });
  }
  const version = await addVersion(run.gcp, desired.resourceName, value.data);
  const from = shortDigest(live.latestSha);
  run.emit({
    type: 'resource-changed',
    phase: 'secrets',
    kind: 'secret version',
    resource: `${desired.secretId}/versions/${version}`,
    action: 'create',
    fields: [{ path: 'value', ...(from && live.latestShaFrom !== 'assumed' ? { from } : {}), to: base.checksum }],
  });
  return {
    desired,
    sha256: value.sha256,
    pushed: { ...base, action: 'added', version, ...(live.latest ? { previous: live.latest.version } : {}), secretCreated },
  };
}

/** rollout-only: the newest ENABLED version of each secret (as deploy pins). */
async function newestEnabled(run: RunContext, secrets: DesiredSecret[]): Promise<RolloutTarget[]> {
  const found = await Promise.all(
    secrets.map(async (desired) => {
      const versions = await absentIfDisabled(run, listVersions(run.gcp, desired.resourceName), []);
      const newest = versions.find((v) => v.state === 'ENABLED');
      if (!newest) {
        run.emit({
          type: 'warning',
          phase: 'secrets',
          message: `${desired.secretId} has no enabled version to roll out`,
          hint: `run \`atlantis-run secrets push ${desired.name}\``,
        });
        return undefined;
      }
      return { desired, version: newest.version };
    }),
  );
  return found.filter((t): t is RolloutTarget => t !== undefined);
}

/** `inUse`: the live service's pins, or undefined when there is no service (or it was not read). */
async function recordLock(
  run: RunContext,
  targets: RolloutTarget[],
  added: Added[],
  inUse: Record<string, string> | undefined,
  rollout: RolloutResult | undefined,
): Promise<void> {
  const previous = lockRecord(run.lock, SECRETS_RECORD) ?? {};
  const now = new Date().toISOString();
  const updates: Record<string, LockedSecret> = {};
  for (const t of targets) {
    const d = t.desired;
    const prev = previous[d.name];
    const pushed = added.find((a) => a.desired.name === d.name);
    // The lockfile's digest is that of the newest version it records; it may only vouch for a
    // version whose payload this run pushed or compared, or that it vouched for already.
    const sha =
      pushed?.sha256 ?? (prev?.sha256 && (prev.version === t.version || prev.stagedVersion === t.version) ? prev.sha256 : undefined);
    const live = inUse?.[d.secretId];
    const inService = inUse ? live : prev?.version;
    const record: LockedSecret = {
      name: d.resourceName,
      ...(inService ? { version: inService } : {}),
      ...(live === t.version ? {} : { stagedVersion: t.version }),
      ...(sha ? { sha256: sha } : {}),
      // Generated by the tool, as opposed to a webhook secret the user pushed with --from-file.
      generated: pushed ? pushed.pushed.origin === 'generated' : (prev?.generated ?? d.spec.origin === 'generated'),
      updatedAt: now,
    };
    if (!prev || !sameRecord(prev, record)) updates[d.name] = record;
  }
  const service = rollout?.status === 'rolled-out' ? rollout.service : undefined;
  if (Object.keys(updates).length === 0 && !service) return;
  await run.rewrite((data) => {
    const resources = { ...data.resources, [SECRETS_RECORD.key]: { ...lockRecord(data, SECRETS_RECORD), ...updates } };
    if (service)
      resources[SERVICE_RECORD.key] = { ...lockRecord(data, SERVICE_RECORD), ...serviceRecord(service, run.config.names.serviceName) };
    return { ...data, resources };
  });
}

/** The human report of a push: what was added, what is in use, what is staged and why, what was disabled. */
export function formatPushResult(result: PushResult, service: string): string {
  const lines: string[] = [];
  for (const s of result.secrets) {
    if (s.action === 'unchanged')
      lines.push(`${s.name}: unchanged — ${s.secretId} version ${s.version} already holds this value (${s.checksum})`);
    else {
      const from = s.origin === 'generated' ? 'a new random value' : `from ${s.origin}`;
      lines.push(
        `${s.name}: added ${s.secretId} version ${s.version}, ${from} (${s.checksum})${s.previous ? `; newest was ${s.previous}` : ''}`,
      );
    }
  }
  if (result.pinned.length > 0) {
    lines.push(
      `Rolled out: revision ${result.revision ?? '?'} is ready with ${result.pinned.map((p) => `${p.secretId} version ${p.to}`).join(', ')}`,
    );
  } else if (result.rollout === 'already-pinned' && result.staged.length === 0) {
    lines.push(`Nothing to roll out: ${service} already uses ${result.secrets.length ? 'these versions' : 'the newest versions'}.`);
  }
  for (const s of result.staged) lines.push(`Staged: ${s.secretId} version ${s.version} (${s.reason})`);
  if (result.staged.length > 0) {
    const notDeployed = result.rollout === 'not-deployed' || result.staged.some((s) => s.reason.includes('does not use'));
    lines.push(
      notDeployed
        ? 'Run `atlantis-run deploy` to roll it out.'
        : 'Roll out with `atlantis-run secrets push --rollout-only` (or `atlantis-run deploy`).',
    );
  }
  if (result.disabled.length > 0)
    lines.push(`Disabled old versions (not destroyed): ${result.disabled.map((d) => `${d.secretId} ${d.version}`).join(', ')}`);
  if (result.pruneNote) lines.push(`Note: ${result.pruneNote}`);
  return lines.join('\n');
}
