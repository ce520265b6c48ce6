// Secrets: one Secret Manager secret per value; a version is added only when the value changed
// (SHA-256 compared with what the lockfile recorded for the version in use, or with the live
// version's payload when the lockfile cannot vouch for it); generated values are created once and
// never regenerated. The service is then pinned to version numbers, never `latest`.
import type { DesiredSecret } from '../desired/index.js';
import { UsageError } from '../errors.js';
import { definePhase, type PhaseContext, type PlannedChange } from '../engine/phase.js';
import {
  accessVersion,
  addVersion,
  createSecret,
  getSecret,
  listVersions,
  updateSecretLabels,
  type SecretInfo,
  type VersionInfo,
} from '../gcp/apis/secret-manager.js';
import { GcpError } from '../gcp/errors.js';
import type { LockedSecret } from '../state/lockfile.js';
import { generateValue, readConfiguredValue, sha256, shortDigest, type SecretValue } from '../secrets/values.js';
import { unlessApiDisabled } from './read-helpers.js';

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

interface Live {
  secrets: LiveSecret[];
}

/** What the secrets phase decided for one secret: the version the service will pin. */
interface Decision {
  live: LiveSecret;
  createSecret: boolean;
  labelDrift: boolean;
  /** A version to add: the user's changed value, or a first generated value. */
  add: 'value' | 'generated' | undefined;
}

const decisions = new WeakMap<object, Decision[]>();

/**
 * `given`: a value from elsewhere (`secrets push --from-file`, a prompt) compared instead of the
 * configured source's, which is then not read at all.
 */
export async function readSecret(
  ctx: PhaseContext,
  desired: DesiredSecret,
  lockRecord: LockedSecret | undefined,
  given?: SecretValue,
): Promise<LiveSecret> {
  const [secret, versions, value] = await Promise.all([
    unlessApiDisabled(ctx, getSecret(ctx.gcp, desired.resourceName), undefined),
    unlessApiDisabled(ctx, listVersions(ctx.gcp, desired.resourceName), [] as VersionInfo[]),
    given ? Promise.resolve(given) : desired.spec.origin === 'user' ? readConfiguredValue(desired, ctx.env) : Promise.resolve(undefined),
  ]);
  const latest = versions.find((v) => v.state === 'ENABLED');
  let latestSha: string | undefined;
  let latestShaFrom: LiveSecret['latestShaFrom'];
  // The lockfile vouches for a payload only for the exact version whose digest it recorded: the
  // version last pushed (a staged one when there is one, else the one in use).
  if (latest && lockRecord?.sha256 && (lockRecord.stagedVersion ?? lockRecord.version) === latest.version) {
    latestSha = lockRecord.sha256;
    latestShaFrom = 'lockfile';
  } else if (latest && value) {
    // No record to trust (fresh CI runner, or a run killed after adding a version): compare payloads.
    try {
      latestSha = sha256(await accessVersion(ctx.gcp, latest.name));
      latestShaFrom = 'payload';
    } catch (err) {
      if (!(err instanceof GcpError && err.code === 'PERMISSION_DENIED')) throw err;
      ctx.emit({
        type: 'warning',
        phase: 'secrets',
        message: `cannot read ${desired.secretId} to compare it (no secretmanager.versions.access); keeping version ${latest.version}`,
        hint: `run \`atlantis-run secrets push ${desired.name}\` to force a new version`,
      });
      latestSha = value.sha256;
      latestShaFrom = 'assumed';
    }
  }
  return { desired, secret, versions, latest, value, latestSha, ...(latestShaFrom ? { latestShaFrom } : {}) };
}

export function decideSecret(live: LiveSecret): Decision {
  const d = live.desired;
  const labelDrift = Boolean(live.secret && Object.entries(d.labels).some(([k, v]) => live.secret!.labels[k] !== v));
  let add: Decision['add'];
  if (d.spec.origin === 'generated') add = live.latest ? undefined : 'generated';
  else if (live.value && (!live.latest || live.latestSha !== live.value.sha256)) add = 'value';
  return { live, createSecret: !live.secret, labelDrift, add };
}

export function missingValueError(d: DesiredSecret): UsageError {
  const source = d.source;
  const how =
    source.kind === 'env'
      ? `export ${source.variable}=…`
      : source.kind === 'file'
        ? `create ${source.path}`
        : `configure secrets.${d.name}: {fromEnv: VARIABLE} or {fromFile: path}`;
  const why =
    source.kind === 'env'
      ? `$${source.variable} is not set`
      : source.kind === 'file'
        ? `${source.path} does not exist`
        : 'no source is configured';
  return new UsageError(`secret ${d.name} (${d.spec.description}) has no value yet: ${d.secretId} has no enabled version and ${why}`, {
    hint: `${how}, or run: atlantis-run secrets push ${d.name} --from-file PATH`,
  });
}

export const secretsPhase = definePhase<Live>({
  name: 'secrets',
  title: 'Secrets',
  needs: ['apis'],
  enabled: () => true,

  async read(ctx) {
    const records = ctx.lock?.resources.secrets ?? {};
    return { secrets: await Promise.all(ctx.desired().secrets.map((d) => readSecret(ctx, d, records[d.name]))) };
  },

  plan(ctx, live) {
    const changes: PlannedChange[] = [];
    const blockers: Error[] = [];
    const warnings: { message: string }[] = [];
    const list = live.secrets.map(decideSecret);
    decisions.set(live, list);
    const versions: Record<string, string> = {};
    const fresh = new Set<string>();
    for (const decision of list) {
      const { live: s } = decision;
      const d = s.desired;
      if (decision.createSecret)
        changes.push({ kind: 'secret', resource: d.secretId, action: 'create', fields: [{ path: 'labels', to: d.labels }] });
      else if (decision.labelDrift) {
        changes.push({
          kind: 'secret',
          resource: d.secretId,
          action: 'update',
          fields: Object.entries(d.labels)
            .filter(([k, v]) => s.secret!.labels[k] !== v)
            .map(([k, v]) => ({ path: `labels.${k}`, from: s.secret!.labels[k], to: v })),
        });
      }
      // Said when the value is about to be stored, not on every run that merely compares it.
      if (decision.add === 'value') for (const note of s.value?.notes ?? []) warnings.push({ message: `${d.name}: ${note}` });
      if (decision.add) {
        fresh.add(d.name);
        const from = shortDigest(s.latestSha);
        const to = decision.add === 'generated' ? '(generated)' : shortDigest(s.value!.sha256);
        changes.push({
          kind: 'secret version',
          resource: `${d.secretId}/versions/${s.latest ? Number(s.latest.version) + 1 : 1}`,
          action: 'create',
          fields: [{ path: 'value', ...(from ? { from } : {}), to }],
          reason: decision.add === 'generated' ? 'generated once, never regenerated' : s.latest ? 'the value changed' : 'first value',
        });
      } else if (s.latest) {
        versions[d.name] = s.latest.version;
      } else {
        blockers.push(missingValueError(d));
      }
    }
    ctx.facts.secretVersions = { ...versions };
    ctx.facts.newSecretVersions = fresh;
    return { changes, blockers, warnings };
  },

  async apply(ctx, live) {
    const list = decisions.get(live) ?? live.secrets.map(decideSecret);
    const records: Record<string, LockedSecret> = {};
    const now = new Date().toISOString();
    await Promise.all(
      list.map(async (decision) => {
        const s = decision.live;
        const d = s.desired;
        if (decision.createSecret) {
          try {
            await createSecret(ctx.gcp, ctx.config.project, d.secretId, d.labels);
          } catch (err) {
            if (!(err instanceof GcpError && err.code === 'ALREADY_EXISTS')) throw err;
          }
          ctx.emit({ type: 'resource-changed', phase: 'secrets', kind: 'secret', resource: d.secretId, action: 'create' });
        } else if (decision.labelDrift) {
          await updateSecretLabels(ctx.gcp, d.resourceName, { ...s.secret!.labels, ...d.labels });
          ctx.emit({ type: 'resource-changed', phase: 'secrets', kind: 'secret', resource: d.secretId, action: 'update' });
        }
        let version = s.latest?.version;
        let digest = s.latestSha;
        if (decision.add) {
          const value = decision.add === 'generated' ? generateValue() : s.value!;
          version = await addVersion(ctx.gcp, d.resourceName, value.data);
          digest = value.sha256;
          ctx.emit({
            type: 'resource-changed',
            phase: 'secrets',
            kind: 'secret version',
            resource: `${d.secretId}/versions/${version}`,
            action: 'create',
          });
        }
        ctx.facts.secretVersions = { ...ctx.facts.secretVersions, [d.name]: version! };
        records[d.name] = {
          name: d.resourceName,
          version: version!,
          ...(digest ? { sha256: digest } : {}),
          generated: d.spec.origin === 'generated',
          updatedAt: now,
        };
      }),
    );
    ctx.facts.newSecretVersions = new Set();
    const added = list.filter((d) => d.add).length;
    return {
      record: { secrets: records },
      summary: `${list.length} secrets${added ? `, ${added} new version${added > 1 ? 's' : ''}` : ', unchanged'}`,
    };
  },
});
