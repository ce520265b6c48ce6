// Cloud Storage JSON API v1 over REST: the plans bucket (create, read, patch, delete), its IAM
// policy (bucket IAM, Storage's own policy shape), and emptying it on `destroy --purge-data`.
// https://cloud.google.com/storage/docs/json_api/v1/buckets
import { orMissing, type Gcp } from '../call.js';
import type { IamPolicy } from './iam-policy.js';
import { IAM_SET } from '../retry.js';

const API = 'storage.googleapis.com';

export interface LifecycleRule {
  action: { type: string; storageClass?: string };
  condition: { age?: number; matchesPrefix?: string[] };
}

/** The fields of a bucket the tool sets or reads. */
export interface Bucket {
  name: string;
  projectNumber?: string;
  /** Upper case in answers: EUROPE-WEST1. */
  location?: string;
  locationType?: string;
  storageClass?: string;
  labels?: Record<string, string>;
  iamConfiguration?: {
    uniformBucketLevelAccess?: { enabled?: boolean };
    publicAccessPrevention?: string;
  };
  lifecycle?: { rule?: LifecycleRule[] };
  softDeletePolicy?: { retentionDurationSeconds?: string };
}

const bucketsUrl = (gcp: Gcp) => `${gcp.factory.restBase('storage')}/b`;
const bucketUrl = (gcp: Gcp, name: string) => `${bucketsUrl(gcp)}/${encodeURIComponent(name)}`;

export async function getBucket(gcp: Gcp, name: string): Promise<Bucket | undefined> {
  const url = bucketUrl(gcp, name);
  return orMissing(gcp.caller.run({ api: API, method: 'buckets.get', resource: `b/${name}` }, () => gcp.factory.request<Bucket>({ url })));
}

export async function insertBucket(gcp: Gcp, project: string, bucket: Bucket): Promise<Bucket> {
  return gcp.caller.run({ api: API, method: 'buckets.insert', resource: `b/${bucket.name}`, mutating: true }, () =>
    gcp.factory.request<Bucket>({ url: bucketsUrl(gcp), method: 'POST', body: bucket, params: { project } }),
  );
}

/** PATCH: the fields given replace the bucket's (objects merge field by field, as Storage documents). */
export async function patchBucket(gcp: Gcp, name: string, fields: Partial<Bucket>): Promise<Bucket> {
  return gcp.caller.run({ api: API, method: 'buckets.patch', resource: `b/${name}`, mutating: true }, () =>
    gcp.factory.request<Bucket>({ url: bucketUrl(gcp, name), method: 'PATCH', body: fields }),
  );
}

export async function deleteBucket(gcp: Gcp, name: string): Promise<boolean> {
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'buckets.delete', resource: `b/${name}`, mutating: true }, () =>
        gcp.factory.request({ url: bucketUrl(gcp, name), method: 'DELETE' }).then(() => true),
      ),
    ),
  );
}

export async function getBucketPolicy(gcp: Gcp, name: string): Promise<IamPolicy> {
  return gcp.caller.run({ api: API, method: 'buckets.getIamPolicy', resource: `b/${name}` }, () =>
    gcp.factory.request<IamPolicy>({ url: `${bucketUrl(gcp, name)}/iam`, params: { optionsRequestedPolicyVersion: '3' } }),
  );
}

export async function setBucketPolicy(gcp: Gcp, name: string, policy: IamPolicy): Promise<IamPolicy> {
  return gcp.caller.run({ api: API, method: 'buckets.setIamPolicy', resource: `b/${name}`, mutating: true, retry: IAM_SET }, () =>
    gcp.factory.request<IamPolicy>({
      url: `${bucketUrl(gcp, name)}/iam`,
      method: 'PUT',
      body: { bindings: policy.bindings, etag: policy.etag },
    }),
  );
}

/** Deletes every object of the bucket, page by page (a bucket must be empty to be deleted). */
export async function emptyBucket(gcp: Gcp, name: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await orMissing(
      gcp.caller.run({ api: API, method: 'objects.list', resource: `b/${name}` }, () =>
        gcp.factory.request<{ items?: { name: string }[]; nextPageToken?: string }>({
          url: `${bucketUrl(gcp, name)}/o`,
          params: { fields: 'items(name),nextPageToken', maxResults: '1000' },
        }),
      ),
    );
    const items = page?.items ?? [];
    if (items.length === 0) return deleted;
    for (const item of items) {
      await orMissing(
        gcp.caller.run({ api: API, method: 'objects.delete', resource: `b/${name}/o/${item.name}`, mutating: true }, () =>
          gcp.factory.request({ url: `${bucketUrl(gcp, name)}/o/${encodeURIComponent(item.name)}`, method: 'DELETE' }),
        ),
      );
      deleted += 1;
    }
  }
}
