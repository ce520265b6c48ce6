// Cloud Storage JSON API v1 (REST only, through the factory's authorized requests): what the run
// lock in the project needs — its bucket, and one small object written with generation
// preconditions (https://cloud.google.com/storage/docs/request-preconditions).
import { orMissing, type Gcp } from '../call.js';

const API = 'storage.googleapis.com';

export interface StoredObject {
  /** The object's live generation: what a precondition names. */
  generation: string;
  text: string;
}

const objectPath = (bucket: string, name: string) => `b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`;

export async function createBucket(
  gcp: Gcp,
  project: string,
  body: { name: string; location: string; labels: Record<string, string> },
): Promise<void> {
  const url = `${gcp.factory.restBase('storage')}/storage/v1/b`;
  await gcp.caller.run(
    { api: API, method: 'InsertBucket', resource: `projects/_/buckets/${body.name}`, mutating: true, runLock: true },
    () =>
      gcp.factory.request({
        url,
        method: 'POST',
        params: { project },
        body: {
          ...body,
          // Nobody but the project reads it; a deleted lock is not worth keeping.
          iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
          softDeletePolicy: { retentionDurationSeconds: 0 },
        },
      }),
  );
}

/** Deletes the bucket; false when it is not there. A bucket that still holds objects is refused (409). */
export async function deleteBucket(gcp: Gcp, bucket: string): Promise<boolean> {
  const url = `${gcp.factory.restBase('storage')}/storage/v1/b/${encodeURIComponent(bucket)}`;
  return Boolean(
    await orMissing(
      gcp.caller.run({ api: API, method: 'DeleteBucket', resource: `projects/_/buckets/${bucket}`, mutating: true, runLock: true }, () =>
        gcp.factory.request({ url, method: 'DELETE' }).then(() => true),
      ),
    ),
  );
}

/**
 * Writes the object only if its live generation is `ifGenerationMatch` (0: only if it does not
 * exist): of two writers racing on the same generation, exactly one succeeds, the other gets 412.
 * Returns the new generation.
 */
export async function writeObjectIf(gcp: Gcp, bucket: string, name: string, text: string, ifGenerationMatch: string): Promise<string> {
  const url = `${gcp.factory.restBase('storage')}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`;
  const { text: answer } = await gcp.caller.run(
    { api: API, method: 'InsertObject', resource: `projects/_/buckets/${bucket}/objects/${name}`, mutating: true, runLock: true },
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
export async function readObject(gcp: Gcp, bucket: string, name: string): Promise<StoredObject | undefined> {
  const url = `${gcp.factory.restBase('storage')}/storage/v1/${objectPath(bucket, name)}`;
  const found = await orMissing(
    gcp.caller.run({ api: API, method: 'GetObjectMedia', resource: `projects/_/buckets/${bucket}/objects/${name}`, runLock: true }, () =>
      gcp.factory.requestText({ url, params: { alt: 'media' } }),
    ),
  );
  if (!found) return undefined;
  return { generation: found.headers['x-goog-generation'] ?? '', text: found.text };
}

/** Deletes the object only if its live generation is `ifGenerationMatch`; false when it was not there (or not that generation). */
export async function deleteObjectIf(gcp: Gcp, bucket: string, name: string, ifGenerationMatch: string): Promise<boolean> {
  const url = `${gcp.factory.restBase('storage')}/storage/v1/${objectPath(bucket, name)}`;
  return Boolean(
    await orMissing(
      gcp.caller.run(
        { api: API, method: 'DeleteObject', resource: `projects/_/buckets/${bucket}/objects/${name}`, mutating: true, runLock: true },
        () => gcp.factory.request({ url, method: 'DELETE', params: { ifGenerationMatch } }).then(() => true),
      ),
    ),
  );
}
