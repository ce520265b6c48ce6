// A secret as it is in Secret Manager, compared with the value it should hold: what the secrets
// phase plans from, and what `secrets push` decides with. A value is compared, never stored: with the
// live payload's SHA-256 (live state wins), or — where the payload may not be read — the SHA-256 the
// lockfile recorded for the exact version last pushed.
import type { DerivedValue, DesiredSecret } from '../desired/index.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { UsageError } from '../errors.js';
import { accessVersion, getSecret, listVersions, type SecretInfo, type VersionInfo } from '../gcp/apis/secret-manager.js';
import { GcpError } from '../gcp/errors.js';
import type { LockedSecret } from './record.js';
import { sourceStatus } from './source.js';
import { readConfiguredValue, sha256, type SecretValue } from './values.js';

export interface LiveSecret {
  desired: DesiredSecret;
  secret: SecretInfo | undefined;
  versions: VersionInfo[];
  /** Newest ENABLED version. */
  latest: VersionInfo | undefined;
  /** The value from the configured source, when it has one now. */
  value: SecretValue | undefined;
  /** SHA-256 of the latest version's payload, if known (lockfile record or access). */
  latestSha: string | undefined;
  /** Where latestSha comes from; `assumed`: the payload could not be read, taken as equal to the value. */
  latestShaFrom?: 'lockfile' | 'payload' | 'assumed';
}

/** What to do about one secret. */
export interface SecretDecision {
  live: LiveSecret;
  createSecret: boolean;
  labelDrift: boolean;
  /**
   * A version to add: the user's changed value, a first generated value, or a value derived from
   * another resource (`pending` while that resource does not exist yet: decided again at apply).
   */
  add: 'value' | 'generated' | 'derived' | 'derived-pending' | undefined;
}

type Reader = Pick<RunContext, 'gcp' | 'env' | 'emit' | 'disabledApis'>;

/**
 * Reads one secret and the value it should hold. `given`: a value from elsewhere (`secrets push
 * --from-file`, a prompt) compared instead of the configured source's, which is then not read at all.
 */
export async function readSecret(
  ctx: Reader,
  desired: DesiredSecret,
  lockRecord: LockedSecret | undefined,
  given?: SecretValue,
): Promise<LiveSecret> {
  const [secret, versions, value] = await Promise.all([
    absentIfDisabled(ctx, getSecret(ctx.gcp, desired.resourceName), undefined),
    absentIfDisabled(ctx, listVersions(ctx.gcp, desired.resourceName), [] as VersionInfo[]),
    given ? Promise.resolve(given) : desired.spec.origin === 'user' ? readConfiguredValue(desired, ctx.env) : Promise.resolve(undefined),
  ]);
  const latest = versions.find((v) => v.state === 'ENABLED');
  let latestSha: string | undefined;
  let latestShaFrom: LiveSecret['latestShaFrom'];
  // The lockfile is a cache the user commits (and may merge or edit): it vouches for a payload only
  // for the exact version whose digest it recorded, and only where the live payload cannot be read.
  const vouched = latest && lockRecord?.sha256 && (lockRecord.stagedVersion ?? lockRecord.version) === latest.version;
  if (latest && (value || desired.spec.origin === 'derived')) {
    // A value to compare: the live payload decides (live state wins over the lockfile's record). A
    // derived value is known only once its resource is read: its payload is always compared.
    try {
      latestSha = sha256(await accessVersion(ctx.gcp, latest.name));
      latestShaFrom = 'payload';
      if (vouched && lockRecord.sha256 !== latestSha) {
        ctx.emit({
          type: 'warning',
          phase: 'secrets',
          message: `the lockfile's digest of ${desired.secretId} version ${latest.version} disagrees with the live payload: using the live one`,
        });
      }
    } catch (err) {
      if (!(err instanceof GcpError && err.code === 'PERMISSION_DENIED')) throw err;
      if (vouched) {
        latestSha = lockRecord.sha256;
        latestShaFrom = 'lockfile';
      } else {
        ctx.emit({
          type: 'warning',
          phase: 'secrets',
          message: `cannot read ${desired.secretId} to compare it (no secretmanager.versions.access); keeping version ${latest.version}`,
          hint: `run \`atlantis-run secrets push ${desired.name}\` to force a new version`,
        });
        latestSha = value?.sha256;
        latestShaFrom = 'assumed';
      }
    }
  } else if (vouched) {
    // Nothing to compare with (a generated value): the recorded digest only describes the version.
    latestSha = lockRecord.sha256;
    latestShaFrom = 'lockfile';
  }
  return { desired, secret, versions, latest, value, latestSha, ...(latestShaFrom ? { latestShaFrom } : {}) };
}

/**
 * Pure: create the secret? fix its labels? add a version (a changed value, a first generated one, a
 * derived value that differs from the newest version — or, while its resource is still being
 * created, a derived value to be decided at apply)?
 */
export function decideSecret(live: LiveSecret, derived?: DerivedValue): SecretDecision {
  const d = live.desired;
  const labelDrift = Boolean(live.secret && Object.entries(d.labels).some(([k, v]) => live.secret!.labels[k] !== v));
  let add: SecretDecision['add'];
  if (d.spec.origin === 'generated') add = live.latest ? undefined : 'generated';
  else if (d.spec.origin === 'derived') {
    if (!derived) add = 'derived-pending';
    else if (!live.latest || live.latestSha !== derived.sha256) add = 'derived';
  } else if (live.value && (!live.latest || live.latestSha !== live.value.sha256)) add = 'value';
  return { live, createSecret: !live.secret, labelDrift, add };
}

/** A user-supplied secret with no version in Secret Manager and no value at its configured source. */
export function missingValueError(d: DesiredSecret): UsageError {
  const source = d.source;
  const how =
    source.kind === 'env'
      ? `export ${source.variable}=…`
      : source.kind === 'file'
        ? `create ${source.path}`
        : `configure secrets.${d.name}: {fromEnv: VARIABLE} or {fromFile: path}`;
  return new UsageError(
    `secret ${d.name} (${d.spec.description}) has no value yet: ${d.secretId} has no enabled version and ${sourceStatus(d)}`,
    {
      hint: `${how}, or run: atlantis-run secrets push ${d.name} --from-file PATH`,
    },
  );
}
