// Cloud Storage JSON API v1 (REST only, through the factory's authorized requests): the bucket the
// tool owns for uploaded build contexts, its IAM policy, and its objects.
// https://cloud.google.com/storage/docs/json_api/v1
import { GcpError } from '../errors.js';
import { orMissing, type Gcp } from '../call.js';
import { IAM_SET } from '../retry.js';
import type { IamPolicy } from './iam-policy.js';

const API = 'storage.googleapis.com';

export interface BucketInfo {
  name: string;
  location: string;
  labels: Record<string, string>;
  lifecycle: unknown;
  uniformAccess: boolean;
}

interface BucketResource {
  name: string;
  location?: string;
  labels?: Record<string, string>;
  lifecycle?: unknown;
  iamConfiguration?: { uniformBucketLevelAccess?: { enabled?: boolean } };
}

const base = (gcp: Gcp) => `${gcp.factory.restBase('storage')}/storage/v1`;
const bucketUrl = (gcp: Gcp, bucket: string) => `${base(gcp)}/b/${encodeURIComponent(bucket)}`;

/**
 * Storage still reports a disabled API in its legacy error form (reason accessNotConfigured, no
 * ErrorInfo): give it the SERVICE_DISABLED reason every other API carries, so reads treat it alike.
 */
async function call<T>(
  gcp: Gcp,
  info: { method: string; resource: string; mutating?: boolean; iam?: boolean },
  fn: () => Promise<T>,
): Promise<T> {
  return gcp.caller.run(
    { api: API, method: info.method, resource: info.resource, mutating: info.mutating ?? false, ...(info.iam ? { retry: IAM_SET } : {}) },
    async () => {
      try {
        return await fn();
      } catch (err) {
        throw legacyDisabled(err) ?? err;
      }
    },
  );
}

function legacyDisabled(err: unknown): GcpError | undefined {
  const data = (err as { response?: { status?: number; data?: { error?: { message?: string; errors?: { reason?: string }[] } } } })
    .response;
  const body = data?.data?.error;
  if (data?.status !== 403 || body?.errors?.[0]?.reason !== 'accessNotConfigured') return undefined;
  return new GcpError('PERMISSION_DENIED', body.message ?? 'Cloud Storage API is disabled', {
    reason: 'SERVICE_DISABLED',
    metadata: { service: API },
    cause: err,
  });
}

function toInfo(b: BucketResource): BucketInfo {
  return {
    name: b.name,
    location: b.location ?? '',
    labels: { ...(b.labels ?? {}) },
    lifecycle: b.lifecycle,
    uniformAccess: Boolean(b.iamConfiguration?.uniformBucketLevelAccess?.enabled),
  };
}

export async function getBucket(gcp: Gcp, bucket: string): Promise<BucketInfo | undefined> {
  const found = await orMissing(
    call(gcp, { method: 'storage.buckets.get', resource: bucket }, () =>
      gcp.factory.request<BucketResource>({ url: bucketUrl(gcp, bucket) }),
    ),
  );
  return found ? toInfo(found) : undefined;
}

/** Creates the bucket; answers false when it already exists in this project (409 "you already own it"). */
export async function createBucket(gcp: Gcp, project: string, bucket: string, body: Record<string, unknown>): Promise<boolean> {
  try {
    await call(gcp, { method: 'storage.buckets.insert', resource: bucket, mutating: true }, () =>
      gcp.factory.request({ url: `${base(gcp)}/b`, method: 'POST', params: { project }, body: { name: bucket, ...body } }),
    );
    return true;
  } catch (err) {
    if (err instanceof GcpError && err.httpStatus === 409 && /already own it/i.test(err.message)) return false;
    throw err;
  }
}

export async function patchBucket(gcp: Gcp, bucket: string, fields: Record<string, unknown>): Promise<void> {
  await call(gcp, { method: 'storage.buckets.patch', resource: bucket, mutating: true }, () =>
    gcp.factory.request({ url: bucketUrl(gcp, bucket), method: 'PATCH', body: fields }),
  );
}

export async function deleteBucket(gcp: Gcp, bucket: string): Promise<boolean> {
  return Boolean(
    await orMissing(
      call(gcp, { method: 'storage.buckets.delete', resource: bucket, mutating: true }, () =>
        gcp.factory.request({ url: bucketUrl(gcp, bucket), method: 'DELETE' }).then(() => true),
      ),
    ),
  );
}

export async function getBucketPolicy(gcp: Gcp, bucket: string): Promise<IamPolicy> {
  return call(gcp, { method: 'storage.buckets.getIamPolicy', resource: bucket }, () =>
    gcp.factory.request<IamPolicy>({ url: `${bucketUrl(gcp, bucket)}/iam`, params: { optionsRequestedPolicyVersion: '3' } }),
  );
}

export async function setBucketPolicy(gcp: Gcp, bucket: string, policy: IamPolicy): Promise<IamPolicy> {
  try {
    return await call(gcp, { method: 'storage.buckets.setIamPolicy', resource: bucket, mutating: true, iam: true }, () =>
      gcp.factory.request<IamPolicy>({ url: `${bucketUrl(gcp, bucket)}/iam`, method: 'PUT', body: policy }),
    );
  } catch (err) {
    // Storage answers a stale etag with 412 conditionNotMet: the read-modify-write's conflict.
    if (err instanceof GcpError && err.httpStatus === 412)
      throw new GcpError('ABORTED', `etag conflict on ${bucket}: ${err.message}`, { cause: err });
    throw err;
  }
}

export interface StoredObject {
  name: string;
  generation: string;
  size: string;
}

/**
 * Uploads bytes as one media request (fine for build contexts; Storage takes up to 5 TiB this way).
 * With `ifAbsent`, an object already there under that name (same content: the name is its hash) is
 * kept and answered instead.
 */
export async function uploadObject(
  gcp: Gcp,
  bucket: string,
  name: string,
  bytes: Buffer,
  contentType: string,
  options: { ifAbsent?: boolean } = {},
): Promise<StoredObject> {
  const url = `${gcp.factory.restBase('storage')}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`;
  try {
    return await call(gcp, { method: 'storage.objects.insert', resource: `${bucket}/${name}`, mutating: true }, () =>
      gcp.factory.request<StoredObject>({
        url,
        method: 'POST',
        params: { uploadType: 'media', name, ...(options.ifAbsent ? { ifGenerationMatch: '0' } : {}) },
        headers: { 'Content-Type': contentType },
        body: bytes,
      }),
    );
  } catch (err) {
    if (!(options.ifAbsent && err instanceof GcpError && err.httpStatus === 412)) throw err;
    const existing = await getObject(gcp, bucket, name);
    if (!existing) throw err;
    return existing;
  }
}

export async function getObject(gcp: Gcp, bucket: string, name: string): Promise<StoredObject | undefined> {
  return orMissing(
    call(gcp, { method: 'storage.objects.get', resource: `${bucket}/${name}` }, () =>
      gcp.factory.request<StoredObject>({ url: `${bucketUrl(gcp, bucket)}/o/${encodeURIComponent(name)}` }),
    ),
  );
}

/** Every object name in the bucket (all pages). */
export async function listObjectNames(gcp: Gcp, bucket: string): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const token = pageToken;
    const page = await call(gcp, { method: 'storage.objects.list', resource: bucket }, () =>
      gcp.factory.request<{ items?: { name: string }[]; nextPageToken?: string }>({
        url: `${bucketUrl(gcp, bucket)}/o`,
        params: { fields: 'items(name),nextPageToken', ...(token ? { pageToken: token } : {}) },
      }),
    );
    names.push(...(page.items ?? []).map((o) => o.name));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return names;
}

export async function deleteObject(gcp: Gcp, bucket: string, name: string): Promise<void> {
  await orMissing(
    call(gcp, { method: 'storage.objects.delete', resource: `${bucket}/${name}`, mutating: true }, () =>
      gcp.factory.request({ url: `${bucketUrl(gcp, bucket)}/o/${encodeURIComponent(name)}`, method: 'DELETE' }),
    ),
  );
}
