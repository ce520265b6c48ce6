// Cloud Storage JSON API v1 over REST (through the factory's authorized requests): buckets (create,
// read, patch, delete), their IAM policy (Storage's own policy shape), emptying one on `destroy
// --purge-data`, the small objects of the run lock, written and deleted with generation
// preconditions (https://cloud.google.com/storage/docs/request-preconditions), and uploaded build contexts.
// https://cloud.google.com/storage/docs/json_api/v1
import { orMissing, type Gcp } from '../call.js';
import { GcpError } from '../errors.js';
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
  softDeletePolicy?: { retentionDurationSeconds?: string | number };
}

/** Calls of the run lock itself: they do not wait for the run lock (ApiCaller.beforeMutation). */
interface CallOptions {
  runLock?: boolean;
}

const bucketsUrl = (gcp: Gcp) => `${gcp.factory.restBase('storage')}/storage/v1/b`;
const bucketUrl = (gcp: Gcp, name: string) => `${bucketsUrl(gcp)}/${encodeURIComponent(name)}`;
const objectUrl = (gcp: Gcp, bucket: string, name: string) => `${bucketUrl(gcp, bucket)}/o/${encodeURIComponent(name)}`;
const lock = (options: CallOptions) => (options.runLock ? { runLock: true } : {});

export async function getBucket(gcp: Gcp, name: string): Promise<Bucket | undefined> {
  const url = bucketUrl(gcp, name);
  return orMissing(gcp.caller.run({ api: API, method: 'buckets.get', resource: `b/${name}` }, () => gcp.factory.request<Bucket>({ url })));
}

export async function insertBucket(gcp: Gcp, project: string, bucket: Bucket, options: CallOptions = {}): Promise<Bucket> {
  return gcp.caller.run({ api: API, method: 'buckets.insert', resource: `b/${bucket.name}`, mutating: true, ...lock(options) }, () =>
    gcp.factory.request<Bucket>({ url: bucketsUrl(gcp), method: 'POST', body: bucket, params: { project } }),
  );
}

/** PATCH: the fields given replace the bucket's (objects merge field by field, as Storage documents). */
export async function patchBucket(gcp: Gcp, name: string, fields: Partial<Bucket>): Promise<Bucket> {
  return gcp.caller.run({ api: API, method: 'buckets.patch', resource: `b/${name}`, mutating: true }, () =>
    gcp.factory.request<Bucket>({ url: bucketUrl(gcp, name), method: 'PATCH', body: fields }),
  );
}

/** Deletes the bucket; false when it is not there. A bucket that still holds objects is refused (409). */
export async function deleteBucket(gcp: Gcp, name: string, options: CallOptions = {}): Promise<boolean> {
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'buckets.delete', resource: `b/${name}`, mutating: true, ...lock(options) }, () =>
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
  return gcp.caller.run({ api: API, method: 'buckets.setIamPolicy', resource: `b/${name}`, mutating: true, retry: IAM_SET }, async () => {
    try {
      return await gcp.factory.request<IamPolicy>({
        url: `${bucketUrl(gcp, name)}/iam`,
        method: 'PUT',
        body: { bindings: policy.bindings, etag: policy.etag },
      });
    } catch (err) {
      // Storage answers a stale etag with 412 conditionNotMet (a bucket patch changes the policy's
      // etag too): the read-modify-write's conflict, read again and retried like IAM's ABORTED.
      if (err instanceof GcpError && err.httpStatus === 412)
        throw new GcpError('ABORTED', `etag conflict on ${name}: ${err.message}`, { cause: err });
      throw err;
    }
  });
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
          gcp.factory.request({ url: objectUrl(gcp, name, item.name), method: 'DELETE' }),
        ),
      );
      deleted += 1;
    }
  }
}

export interface StoredText {
  /** The object's live generation: what a precondition names. */
  generation: string;
  text: string;
}

/**
 * Writes the object only if its live generation is `ifGenerationMatch` (0: only if it does not
 * exist): of two writers racing on the same generation, exactly one succeeds, the other gets 412.
 * Returns the new generation.
 */
export async function writeObjectIf(
  gcp: Gcp,
  bucket: string,
  name: string,
  text: string,
  ifGenerationMatch: string,
  options: CallOptions = {},
): Promise<string> {
  const url = `${gcp.factory.restBase('storage')}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`;
  const { text: answer } = await gcp.caller.run(
    { api: API, method: 'objects.insert', resource: `b/${bucket}/o/${name}`, mutating: true, ...lock(options) },
    () =>
      gcp.factory.requestText({
        url,
        method: 'POST',
        params: { uploadType: 'media', name, ifGenerationMatch },
        body: text,
        contentType: 'application/json',
      }),
  );
  return String((JSON.parse(answer) as { generation?: string | number }).generation ?? '');
}

/** The object's content and generation; undefined when it (or its bucket) does not exist. */
export async function readObject(gcp: Gcp, bucket: string, name: string, options: CallOptions = {}): Promise<StoredText | undefined> {
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'objects.get', resource: `b/${bucket}/o/${name}`, ...lock(options) }, () =>
      gcp.factory.requestText({ url: objectUrl(gcp, bucket, name), params: { alt: 'media' } }),
    ),
  );
  if (!found) return undefined;
  return { generation: found.headers['x-goog-generation'] ?? '', text: found.text };
}

/** Deletes the object only if its live generation is `ifGenerationMatch`; false when it was not there (or not that generation). */
export async function deleteObjectIf(
  gcp: Gcp,
  bucket: string,
  name: string,
  ifGenerationMatch: string,
  options: CallOptions = {},
): Promise<boolean> {
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'objects.delete', resource: `b/${bucket}/o/${name}`, mutating: true, ...lock(options) }, () =>
        gcp.factory.request({ url: objectUrl(gcp, bucket, name), method: 'DELETE', params: { ifGenerationMatch } }).then(() => true),
      ),
    ),
  );
}

/** Creates the bucket; false when this project already owns it (409 "you already own it": a run killed after the insert). */
export async function insertBucketUnlessOwned(gcp: Gcp, project: string, bucket: Bucket): Promise<boolean> {
  try {
    await insertBucket(gcp, project, bucket);
    return true;
  } catch (err) {
    if (err instanceof GcpError && err.httpStatus === 409 && /already own/i.test(err.message)) return false;
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
    return await gcp.caller.run({ api: API, method: 'objects.insert', resource: `b/${bucket}/o/${name}`, mutating: true }, () =>
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

/** An object's metadata; undefined when it (or its bucket) does not exist. */
export async function getObject(gcp: Gcp, bucket: string, name: string): Promise<StoredObject | undefined> {
  return orMissing(
    gcp.caller.run({ api: API, method: 'objects.get', resource: `b/${bucket}/o/${name}` }, () =>
      gcp.factory.request<StoredObject>({ url: objectUrl(gcp, bucket, name) }),
    ),
  );
}
