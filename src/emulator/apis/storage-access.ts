// What other emulated services need from Cloud Storage: whether a bucket or an object exists and
// whether a principal (a build's or a revision's service account) holds a Storage permission on a
// bucket — through the bucket's IAM policy, the project's policy, the convenience values
// (`projectEditor:P`, …) and, for buckets without uniform access, the default object ACL.
// Read-only: nothing here changes state (lifecycle rules are applied by the Storage API itself).
import type { EmulatorServices } from '../core/services.js';
import { holdsPermission } from './iam-grants.js';
import { bucketPolicyKey, buckets, objectAclBindings, type BucketRecord } from './storage-buckets.js';
import { findObject, type ObjectRecord } from './storage-objects.js';
import { storageAccessMessage } from './storage-wire.js';

/** A bucket by name (`projects/_/buckets/NAME` and `projects/P/buckets/NAME` are accepted too). */
export function findBucket(services: EmulatorServices, reference: string): BucketRecord | undefined {
  const name = /^projects\/[^/]+\/buckets\/([^/]+)$/.exec(reference)?.[1] ?? reference;
  return buckets(services).get(name);
}

/** The live object, or the named generation of it (undefined when it does not exist). */
export function findStorageObject(services: EmulatorServices, bucket: string, name: string, generation?: string): ObjectRecord | undefined {
  const object = findObject(services, bucket, name);
  if (!object || (generation !== undefined && generation !== '' && generation !== object.generation)) return undefined;
  return object;
}

/** Does `member` (`serviceAccount:EMAIL`) hold `permission` (`storage.objects.get`, …) on the bucket? */
export function canUseBucket(services: EmulatorServices, bucket: BucketRecord, member: string, permission: string): boolean {
  return holdsPermission(services, {
    member,
    permission,
    resourcePolicies: [bucketPolicyKey(bucket.name)],
    projectNumber: bucket.projectNumber,
    extraBindings: permission.startsWith('storage.objects.') ? objectAclBindings(bucket) : [],
  });
}

/** The first of `permissions` the member lacks on the bucket, or undefined when it holds them all. */
export function missingBucketPermission(
  services: EmulatorServices,
  bucket: BucketRecord,
  member: string,
  permissions: readonly string[],
): string | undefined {
  return permissions.find((permission) => !canUseBucket(services, bucket, member, permission));
}

/** Storage's own 403 text for a principal that lacks a permission (as Cloud Build quotes it). */
export function storageAccessDenied(email: string, permission: string, kind: 'bucket' | 'object'): string {
  return storageAccessMessage(email, permission, kind);
}
