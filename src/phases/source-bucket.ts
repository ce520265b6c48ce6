// Source bucket: the Cloud Storage bucket the tool owns for build contexts uploaded to Cloud Build
// (a recipe needs none: its Dockerfile travels in the build request). Uniform access, public access
// prevented, and a lifecycle rule that deletes every upload after a day. Destroy empties and deletes it.
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { teardownOne, definePhase, type PhasePlan } from '../engine/phase.js';
import { diffFields } from '../engine/diff.js';
import type { FieldChange } from '../engine/events.js';
import { desiredState } from '../desired/index.js';
import { deleteBucket, emptyBucket, getBucket, insertBucketUnlessOwned, patchBucket, type Bucket } from '../gcp/apis/storage.js';
import { lockRecord, recordKey } from '../state/lockfile.js';

interface Live {
  bucket: Bucket | undefined;
}

type Decision = { action: 'create' | 'none' } | { action: 'update'; fields: FieldChange[]; patch: Record<string, unknown> };

export const SOURCE_BUCKET_RECORD = recordKey<{ name: string }>('sourceBucket');

const bucketOf = (ctx: Pick<RunContext, 'config'>) => desiredState(ctx.config).build?.bucket;

export const sourceBucketPhase = definePhase({
  name: 'source-bucket',
  title: 'Cloud Storage bucket for build contexts',
  needs: ['apis'],
  enabled: (config) => config.image.strategy === 'build' && config.image.builder === 'cloud-build' && config.image.context !== undefined,
  apis: () => ['storage.googleapis.com'],
  permissions: () => ['storage.buckets.get', 'storage.buckets.create', 'storage.buckets.update'],
  clients: ['token'],
  record: SOURCE_BUCKET_RECORD,

  async read(ctx): Promise<Live> {
    return { bucket: await absentIfDisabled(ctx, getBucket(ctx.gcp, bucketOf(ctx)!.name), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const desired = bucketOf(ctx)!;
    if (!live.bucket) {
      return {
        changes: [
          {
            kind: 'bucket',
            resource: desired.name,
            action: 'create',
            fields: [
              { path: 'location', to: desired.body.location },
              { path: 'lifecycle', to: 'delete uploads after 1 day' },
            ],
          },
        ],
        decision: { action: 'create' },
      };
    }
    const wanted = { labels: desired.body.labels, lifecycle: desired.body.lifecycle };
    const fields = diffFields(wanted, { labels: live.bucket.labels ?? {}, lifecycle: live.bucket.lifecycle });
    if (!live.bucket.iamConfiguration?.uniformBucketLevelAccess?.enabled)
      fields.push({ path: 'iamConfiguration.uniformBucketLevelAccess.enabled', from: false, to: true });
    if (fields.length === 0) return { changes: [], decision: { action: 'none' } };
    // Labels merge key by key in a patch: someone else's stay.
    const patch = { ...wanted, iamConfiguration: desired.body.iamConfiguration };
    return {
      changes: [{ kind: 'bucket', resource: desired.name, action: 'update', fields }],
      decision: { action: 'update', fields, patch },
    };
  },

  async apply(ctx, decision) {
    const desired = bucketOf(ctx)!;
    if (decision.action === 'create') {
      // A bucket this project already owns (a run killed before recording it) is adopted.
      await insertBucketUnlessOwned(ctx.gcp, ctx.config.project, { name: desired.name, ...desired.body });
      ctx.emit({ type: 'resource-changed', phase: 'source-bucket', kind: 'bucket', resource: desired.name, action: 'create' });
    } else if (decision.action === 'update') {
      await patchBucket(ctx.gcp, desired.name, decision.patch);
      ctx.emit({
        type: 'resource-changed',
        phase: 'source-bucket',
        kind: 'bucket',
        resource: desired.name,
        action: 'update',
        fields: decision.fields,
      });
    }
    return { record: { name: desired.name }, summary: `gs://${desired.name}` };
  },

  // Storage refuses to delete a bucket that still holds objects: it is emptied first.
  teardown: teardownOne({
    name: (ctx) => bucketOf(ctx)?.name ?? lockRecord(ctx.lock, SOURCE_BUCKET_RECORD)?.name,
    exists: (ctx, name) => getBucket(ctx.gcp, name),
    kind: 'bucket',
    remove: async (ctx, name) => {
      await emptyBucket(ctx.gcp, name);
      await deleteBucket(ctx.gcp, name);
    },
  }),
});
