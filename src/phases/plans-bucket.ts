// Plans bucket: the regional Cloud Storage bucket Atlantis keeps its plan files in (mounted as a
// Cloud Run `gcs` volume, ATLANTIS_SHARE_PLAN_DIR), with uniform bucket-level access, public access
// prevention enforced and a lifecycle rule deleting plans after planRetentionDays. Drift in those
// settings is patched. `destroy` keeps it — plans are data — unless --purge-data.
import { OperationError } from '../errors.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { definePhase, type PhasePlan } from '../engine/phase.js';
import type { FieldChange } from '../engine/events.js';
import { desiredState } from '../desired/index.js';
import type { DesiredBucket } from '../desired/persistence.js';
import { deleteBucket, emptyBucket, getBucket, insertBucket, patchBucket, type Bucket } from '../gcp/apis/storage.js';
import { existing } from '../gcp/call.js';
import { GcpError, isAlreadyExists } from '../gcp/errors.js';
import { resourceMonthly, usd } from '../cost/model.js';
import { lockRecord, recordKey } from '../state/lockfile.js';

export const PLANS_BUCKET_RECORD = recordKey<{ name: string; location: string }>('plansBucket');

interface Live {
  bucket: Bucket | undefined;
  /** The name exists but this caller may not read it: someone else's bucket (names are global). */
  foreign: boolean;
}

type Decision = { action: 'create' } | { action: 'patch'; fields: Partial<Bucket>; changes: FieldChange[] } | { action: 'none' };

const wanted = (ctx: Pick<RunContext, 'config'>): DesiredBucket | undefined => desiredState(ctx.config).persistence.bucket;

/** What a bucket of ours differs in from the desired one (settable fields only), and the patch that fixes it. */
export function bucketDrift(desired: DesiredBucket['body'], live: Bucket): { fields: Partial<Bucket>; changes: FieldChange[] } {
  const fields: Partial<Bucket> = {};
  const changes: FieldChange[] = [];
  const liveAge = live.lifecycle?.rule?.find((r) => r.action.type === 'Delete')?.condition.age;
  const age = desired.lifecycle.rule[0].condition.age;
  if (liveAge !== age) {
    // The whole lifecycle is replaced: other rules someone added are kept.
    const others = (live.lifecycle?.rule ?? []).filter((r) => !(r.action.type === 'Delete' && r.condition.age !== undefined));
    fields.lifecycle = { rule: [...others, ...desired.lifecycle.rule] };
    changes.push({ path: 'lifecycle.rule[Delete].condition.age', ...(liveAge !== undefined ? { from: liveAge } : {}), to: age });
  }
  const iam = live.iamConfiguration;
  if (iam?.uniformBucketLevelAccess?.enabled !== true || iam.publicAccessPrevention !== 'enforced') {
    fields.iamConfiguration = desired.iamConfiguration;
    if (iam?.uniformBucketLevelAccess?.enabled !== true)
      changes.push({
        path: 'iamConfiguration.uniformBucketLevelAccess.enabled',
        from: iam?.uniformBucketLevelAccess?.enabled ?? false,
        to: true,
      });
    if (iam?.publicAccessPrevention !== 'enforced')
      changes.push({ path: 'iamConfiguration.publicAccessPrevention', from: iam?.publicAccessPrevention, to: 'enforced' });
  }
  const labelDrift = Object.entries(desired.labels).filter(([k, v]) => live.labels?.[k] !== v);
  if (labelDrift.length > 0) {
    // PATCH merges labels key by key: only ours are sent.
    fields.labels = Object.fromEntries(labelDrift);
    for (const [k, v] of labelDrift) changes.push({ path: `labels.${k}`, ...(live.labels?.[k] ? { from: live.labels[k] } : {}), to: v });
  }
  return { fields, changes };
}

export const plansBucketPhase = definePhase({
  name: 'plans',
  title: 'Plans bucket',
  needs: ['apis', 'domain-owner'],
  enabled: (config) => config.persistence.plans === 'gcs',
  apis: () => ['storage.googleapis.com'],
  permissions: () => ['storage.buckets.get', 'storage.buckets.create', 'storage.buckets.update'],
  clients: ['token'],
  record: PLANS_BUCKET_RECORD,

  async read(ctx): Promise<Live> {
    const b = wanted(ctx)!;
    try {
      return { bucket: await absentIfDisabled(ctx, getBucket(ctx.gcp, b.name), undefined), foreign: false };
    } catch (err) {
      // Names are global: a 403 on a bucket we would own means it is someone else's.
      if (err instanceof GcpError && err.code === 'PERMISSION_DENIED') return { bucket: undefined, foreign: true };
      throw err;
    }
  },

  plan(ctx, live): PhasePlan<Decision> {
    const b = wanted(ctx)!;
    const number = ctx.facts.projectNumber;
    const taken = (why: string) =>
      new OperationError(`bucket ${b.name} ${why}`, { hint: 'bucket names are global: choose another one in persistence.bucket' });
    if (live.foreign) return { changes: [], blockers: [taken('exists and this account cannot read it')], decision: { action: 'none' } };
    if (!live.bucket) {
      const price = resourceMonthly('plans-bucket', { region: ctx.config.region, plans: 'gcs' });
      return {
        changes: [
          {
            kind: 'Cloud Storage bucket',
            resource: `gs://${b.name}`,
            action: 'create',
            fields: [
              { path: 'location', to: b.body.location },
              { path: 'lifecycle: delete plans after (days)', to: b.body.lifecycle.rule[0].condition.age },
              { path: 'uniform access, public access prevention', to: 'enforced' },
            ],
            reason: `about ${usd(price)} a month`,
          },
        ],
        decision: { action: 'create' },
      };
    }
    if (number && live.bucket.projectNumber && live.bucket.projectNumber !== number) {
      return {
        changes: [],
        blockers: [taken(`belongs to project ${live.bucket.projectNumber}, not ${ctx.config.project}`)],
        decision: { action: 'none' },
      };
    }
    if ((live.bucket.location ?? '').toLowerCase() !== b.body.location.toLowerCase()) {
      return {
        changes: [],
        blockers: [
          new OperationError(`bucket ${b.name} is in ${live.bucket.location}, not in ${ctx.config.region}: a bucket cannot move`, {
            hint: 'name another bucket in persistence.bucket (and move the plans you need with gcloud storage cp)',
          }),
        ],
        decision: { action: 'none' },
      };
    }
    const drift = bucketDrift(b.body, live.bucket);
    if (drift.changes.length === 0) return { changes: [], decision: { action: 'none' } };
    return {
      changes: [{ kind: 'Cloud Storage bucket', resource: `gs://${b.name}`, action: 'update', fields: drift.changes }],
      decision: { action: 'patch', ...drift },
    };
  },

  async apply(ctx, decision) {
    const b = wanted(ctx)!;
    if (decision.action === 'create') {
      try {
        await insertBucket(ctx.gcp, ctx.config.project, b.body);
      } catch (err) {
        // "you already own it": a run killed after the insert. Someone else's: say so.
        if (!isAlreadyExists(err)) throw err;
        const found = await getBucket(ctx.gcp, b.name).catch(() => undefined);
        if (!found || (ctx.facts.projectNumber && found.projectNumber !== ctx.facts.projectNumber)) {
          throw new OperationError(`bucket ${b.name} is taken: ${err.message}`, {
            hint: 'bucket names are global: choose another one in persistence.bucket',
            cause: err,
          });
        }
        const drift = bucketDrift(b.body, found);
        if (drift.changes.length > 0) await patchBucket(ctx.gcp, b.name, drift.fields);
      }
      ctx.emit({ type: 'resource-changed', phase: 'plans', kind: 'Cloud Storage bucket', resource: `gs://${b.name}`, action: 'create' });
    } else if (decision.action === 'patch') {
      await patchBucket(ctx.gcp, b.name, decision.fields);
      ctx.emit({
        type: 'resource-changed',
        phase: 'plans',
        kind: 'Cloud Storage bucket',
        resource: `gs://${b.name}`,
        action: 'update',
        fields: decision.changes,
      });
    }
    return { record: { name: b.name, location: ctx.config.region }, summary: `gs://${b.name}` };
  },

  teardown: {
    async read(ctx, { purgeData }) {
      const name = wanted(ctx)?.name ?? lockRecord(ctx.lock, PLANS_BUCKET_RECORD)?.name;
      if (!name) return undefined;
      const bucket = await existing(getBucket(ctx.gcp, name));
      return bucket ? { name, purge: Boolean(purgeData) } : undefined;
    },
    plan: (ctx, found) =>
      !found
        ? { steps: [] }
        : found.purge
          ? {
              steps: [
                {
                  kind: 'Cloud Storage bucket (and its plans)',
                  resource: `gs://${found.name}`,
                  run: async () => {
                    await emptyBucket(ctx.gcp, found.name);
                    await deleteBucket(ctx.gcp, found.name);
                  },
                },
              ],
            }
          : { steps: [], kept: [`gs://${found.name}`] },
  },
});
