// Secrets: one Secret Manager secret per value; a version is added only when the value changed
// (SHA-256 compared with what the lockfile recorded for the version in use, or with the live
// version's payload when the lockfile cannot vouch for it); generated values are created once and
// never regenerated. The service is then pinned to version numbers, never `latest`.
import type { SecretName } from '../atlantis/catalog.js';
import { definePhase, type PhaseContext, type PlannedChange } from '../engine/phase.js';
import { desiredState, type DesiredSecret } from '../desired/index.js';
import { addVersion, deleteSecret, disableVersion, getSecret, listVersions, updateSecretLabels } from '../gcp/apis/secret-manager.js';
import { GcpError } from '../gcp/errors.js';
import { OperationError } from '../errors.js';
import { createOrAdoptSecret } from '../secret-values/create.js';
import { existing } from '../gcp/call.js';
import { lockRecord } from '../state/lockfile.js';
import { decideSecret, missingValueError, readSecret, type LiveSecret, type SecretDecision } from '../secret-values/live.js';
import { SECRETS_RECORD, type LockedSecret } from '../secret-values/record.js';
import { generateValue, shortDigest } from '../secret-values/values.js';

interface Live {
  secrets: LiveSecret[];
}

/** A secret destroy may delete: its logical name (the lockfile's key) and where it is. */
type TornSecret = Pick<DesiredSecret, 'resourceName' | 'secretId'> & { name: string };

/** The number the next version of a secret will get (Secret Manager numbers them 1, 2, 3…). */
const nextVersion = (s: LiveSecret): string => String(s.versions.length > 0 ? Number(s.versions[0].version) + 1 : 1);

/** The value a derived secret should hold, as the phase owning its resource read it (a fact). */
const derivedOf = (ctx: PhaseContext, s: LiveSecret) =>
  s.desired.spec.origin === 'derived' ? ctx.facts.derivedValues?.[s.desired.name] : undefined;

/**
 * The plan's reason for a generated value made again: its secret has versions, but none enabled (or
 * the lockfile remembers one that is gone), so the value the VCS or the user holds stops working.
 */
export const REGENERATED = 'regenerated: no enabled version is left, so the previous value stops working';

export const secretsPhase = definePhase({
  name: 'secrets',
  title: 'Secrets',
  // Derived secrets (Memorystore's AUTH string) are read from their resource, which must exist first;
  // nothing is created before the domain's ownership is known.
  needs: ['apis', 'redis', 'domain-owner'],
  enabled: () => true,
  apis: () => ['secretmanager.googleapis.com'],
  permissions: () => [
    'secretmanager.secrets.get',
    'secretmanager.secrets.create',
    'secretmanager.secrets.update',
    'secretmanager.versions.list',
    'secretmanager.versions.add',
  ],
  clients: ['secretManager'],
  record: SECRETS_RECORD,

  async read(ctx): Promise<Live> {
    const records = lockRecord(ctx.lock, SECRETS_RECORD) ?? {};
    return { secrets: await Promise.all(ctx.desired().secrets.map((d) => readSecret(ctx, d, records[d.name]))) };
  },

  plan(ctx, live) {
    const changes: PlannedChange[] = [];
    const blockers: Error[] = [];
    const warnings: { message: string }[] = [];
    const decisions = live.secrets.map((s) => decideSecret(s, derivedOf(ctx, s)));
    const recorded = lockRecord(ctx.lock, SECRETS_RECORD) ?? {};
    // The versions the service will pin: the newest for unchanged secrets, the next number for new
    // ones (confirmed at apply, when the versions exist).
    const versions: Partial<Record<SecretName, string>> = {};
    for (const decision of decisions) {
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
        versions[d.name] = nextVersion(s);
        const from = shortDigest(s.latestSha);
        const derived = derivedOf(ctx, s);
        const to =
          decision.add === 'generated'
            ? '(generated)'
            : decision.add === 'derived-pending'
              ? `(read from ${d.spec.derivedFrom ?? 'its resource'} once it exists)`
              : shortDigest(decision.add === 'derived' ? derived!.sha256 : s.value!.sha256);
        changes.push({
          kind: 'secret version',
          resource: `${d.secretId}/versions/${versions[d.name]}`,
          action: 'create',
          fields: [{ path: 'value', ...(from ? { from } : {}), to }],
          reason:
            decision.add === 'generated'
              ? s.versions.length > 0 || recorded[d.name]?.generated
                ? REGENERATED
                : 'generated once, never regenerated'
              : decision.add === 'derived' || decision.add === 'derived-pending'
                ? `from ${d.spec.derivedFrom ?? 'another resource'}`
                : s.latest
                  ? 'the value changed'
                  : s.versions.length > 0
                    ? 'no enabled version is left'
                    : 'first value',
        });
      } else if (s.latest) {
        versions[d.name] = s.latest.version;
      } else {
        // Blocked until a value exists; the version it will get, so no later plan shows a placeholder.
        versions[d.name] = nextVersion(s);
        blockers.push(missingValueError(d));
      }
    }
    const secretsAdded = decisions.filter((d) => d.add).map((d) => d.live.desired.name);
    return { changes, blockers, warnings, decision: { secrets: decisions }, facts: { secretVersions: versions, secretsAdded } };
  },

  // Derived values are known only once their resource exists: decide those secrets again now.
  refresh: (ctx, decision) => ({
    secrets: decision.secrets.map((one) =>
      one.live.desired.spec.origin === 'derived' ? decideSecret(one.live, derivedOf(ctx, one.live)) : one,
    ),
  }),

  async apply(ctx, decision) {
    const records: Record<string, LockedSecret> = {};
    const versions: Partial<Record<SecretName, string>> = {};
    const now = new Date().toISOString();
    await Promise.all(
      decision.secrets.map(async (one) => {
        const { version, digest } = await applySecret(ctx, one);
        versions[one.live.desired.name] = version;
        records[one.live.desired.name] = {
          name: one.live.desired.resourceName,
          version,
          ...(digest ? { sha256: digest } : {}),
          generated: one.live.desired.spec.origin === 'generated',
          updatedAt: now,
        };
      }),
    );
    const added = decision.secrets.filter((d) => d.add).length;
    return {
      record: records,
      facts: { secretVersions: versions },
      summary: `${decision.secrets.length} secrets${added ? `, ${added} new version${added > 1 ? 's' : ''}` : ', unchanged'}`,
    };
  },

  teardown: {
    // The configured secrets, and those the lockfile records that the configuration no longer uses
    // (a dropped repoConfig): the tool made them, so --purge-secrets removes them too.
    async read(ctx) {
      const candidates = new Map<string, TornSecret>();
      for (const d of desiredState(ctx.config).secrets) candidates.set(d.resourceName, d);
      for (const [name, record] of Object.entries(lockRecord(ctx.lock, SECRETS_RECORD) ?? {})) {
        if (!candidates.has(record.name))
          candidates.set(record.name, { name, resourceName: record.name, secretId: record.name.split('/').pop()! });
      }
      const found = await Promise.all(
        [...candidates.values()].map(async (d) => ((await existing(getSecret(ctx.gcp, d.resourceName))) ? d : undefined)),
      );
      return found.filter((d): d is TornSecret => d !== undefined);
    },
    plan: (ctx, found, { purgeSecrets }) =>
      purgeSecrets
        ? {
            steps: found.map((d) => ({
              kind: 'secret',
              resource: d.secretId,
              id: d.name,
              run: async () => void (await deleteSecret(ctx.gcp, d.resourceName)),
            })),
          }
        : { steps: [], kept: found.map((d) => d.secretId), keptIds: found.map((d) => d.name) },
    forget(record, step) {
      const { [step.id!]: _gone, ...rest } = record;
      return Object.keys(rest).length > 0 ? rest : undefined;
    },
    retain(record, keptIds) {
      const rest = Object.fromEntries(Object.entries(record).filter(([name]) => keptIds.includes(name)));
      return Object.keys(rest).length > 0 ? rest : undefined;
    },
  },
});

/**
 * A generated value is created once, even when two runs race (a lock taken over, a run that held
 * none): every racer added its version after the newest it had read, and the lowest of those wins.
 * A loser disables its own version (nobody has seen that value) and adopts the winner's.
 */
async function earlierRacer(
  ctx: PhaseContext,
  s: LiveSecret,
  mine: string,
): Promise<{ version: string; digest: string | undefined } | undefined> {
  const seen = s.versions.length > 0 ? Number(s.versions[0].version) : 0;
  const racers = (await listVersions(ctx.gcp, s.desired.resourceName))
    .filter((v) => v.state === 'ENABLED' && Number(v.version) > seen)
    .sort((a, b) => Number(a.version) - Number(b.version));
  const winner = racers[0];
  if (!winner || winner.version === mine) return undefined;
  try {
    await disableVersion(ctx.gcp, `${s.desired.resourceName}/versions/${mine}`);
  } catch (err) {
    if (!(err instanceof GcpError && err.code === 'PERMISSION_DENIED')) throw err;
    ctx.emit({
      type: 'warning',
      phase: 'secrets',
      message: `${s.desired.secretId} version ${mine} (generated by this run, never used) could not be disabled: ${err.message}`,
    });
  }
  ctx.emit({
    type: 'info',
    phase: 'secrets',
    message: `another run generated ${s.desired.secretId} at the same time: using its version ${winner.version} (this run's ${mine} is disabled)`,
  });
  return { version: winner.version, digest: undefined };
}

/** Creates the secret, fixes its labels and adds its version as decided; returns the version in use now. */
async function applySecret(ctx: PhaseContext, decision: SecretDecision): Promise<{ version: string; digest: string | undefined }> {
  const s = decision.live;
  const d = s.desired;
  if (decision.createSecret) {
    await createOrAdoptSecret(ctx, d);
    ctx.emit({ type: 'resource-changed', phase: 'secrets', kind: 'secret', resource: d.secretId, action: 'create' });
  } else if (decision.labelDrift) {
    await updateSecretLabels(ctx.gcp, d.resourceName, { ...s.secret!.labels, ...d.labels });
    ctx.emit({ type: 'resource-changed', phase: 'secrets', kind: 'secret', resource: d.secretId, action: 'update' });
  }
  if (!decision.add) return { version: s.latest!.version, digest: s.latestSha };
  const value = decision.add === 'generated' ? generateValue() : decision.add === 'value' ? s.value! : derivedValue(ctx, s);
  const version = await addVersion(ctx.gcp, d.resourceName, value.data);
  if (decision.add === 'generated') {
    const winner = await earlierRacer(ctx, s, version);
    if (winner) return winner;
  }
  ctx.emit({
    type: 'resource-changed',
    phase: 'secrets',
    kind: 'secret version',
    resource: `${d.secretId}/versions/${version}`,
    action: 'create',
  });
  return { version, digest: value.sha256 };
}

/** The derived value to store, read by the phase owning its resource (apply-time fact). */
function derivedValue(ctx: PhaseContext, s: LiveSecret): { data: Buffer; sha256: string } {
  const value = derivedOf(ctx, s);
  if (!value) {
    throw new OperationError(`cannot store ${s.desired.secretId}: ${s.desired.spec.derivedFrom ?? 'its resource'} did not give a value`, {
      hint: 'run deploy again once the resource is ready (atlantis-run status shows its state)',
    });
  }
  return value;
}
