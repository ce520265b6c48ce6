// What a Cloud Build build may touch, checked as its service account: the source archive in Cloud
// Storage (resolved when the build is created, as Google does — CreateBuild answers INVALID_ARGUMENT
// "could not resolve source: googleapi: Error 403/404: …", the texts users report from
// `gcloud builds submit`) and the Artifact Registry repositories its images are pushed to.
import { ApiError, badRequest } from '../core/errors.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import type { EmulatorServices } from '../core/services.js';
import { holdsPermission } from './iam-grants.js';
import { canUseBucket, findBucket, findStorageObject, storageAccessDenied } from './storage-access.js';

const UPLOAD_PERMISSION = 'artifactregistry.repositories.uploadArtifacts';
const AR_IMAGE = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\//;

/** `serviceAccount:EMAIL` of the account a build runs as (Google's default: the Compute Engine default account). */
export function buildMember(spec: JsonObject, projectNumber: string): { member: string; email: string } {
  const named = typeof spec.serviceAccount === 'string' ? /\/serviceAccounts\/([^/]+)$/.exec(spec.serviceAccount)?.[1] : undefined;
  const email = named ?? `${projectNumber}-compute@developer.gserviceaccount.com`;
  return { member: `serviceAccount:${email}`, email };
}

function unresolved(detail: string): ApiError {
  const message = `could not resolve source: googleapi: ${detail}`;
  return new ApiError('INVALID_ARGUMENT', message, [badRequest([{ field: 'build.source.storage_source', description: message }])]);
}

/**
 * Resolves `source.storageSource` as the build's account: the bucket and the object (at the given
 * generation, or the live one) must exist and the account must hold `storage.objects.get` on
 * them. Answers `sourceProvenance` with the generation resolved; undefined without a storage source.
 */
export function resolveStorageSource(services: EmulatorServices, spec: JsonObject, projectNumber: string): JsonObject | undefined {
  const source = isJsonObject(spec.source) ? spec.source : undefined;
  const storage = source && isJsonObject(source.storageSource) ? source.storageSource : undefined;
  if (!storage) return undefined;
  const bucketName = typeof storage.bucket === 'string' ? storage.bucket : '';
  const objectName = typeof storage.object === 'string' ? storage.object : '';
  if (!bucketName) throw new ApiError('INVALID_ARGUMENT', 'invalid build: source.storage_source.bucket is required', []);
  if (!objectName) throw new ApiError('INVALID_ARGUMENT', 'invalid build: source.storage_source.object is required', []);
  const { member, email } = buildMember(spec, projectNumber);
  const denied = unresolved(`Error 403: ${storageAccessDenied(email, 'storage.objects.get', 'object')}, forbidden`);
  const bucket = findBucket(services, bucketName);
  if (!bucket) {
    // Without the bucket, only a project-level grant lets the account learn that it does not exist.
    const mayKnow = holdsPermission(services, { member, permission: 'storage.objects.get', resourcePolicies: [], projectNumber });
    throw mayKnow ? unresolved('Error 404: The specified bucket does not exist., notFound') : denied;
  }
  if (!canUseBucket(services, bucket, member, 'storage.objects.get')) throw denied;
  const generation = typeof storage.generation === 'string' ? storage.generation : undefined;
  const object = findStorageObject(services, bucket.name, objectName, generation);
  if (!object) throw unresolved(`Error 404: No such object: ${bucket.name}/${objectName}, notFound`);
  return { resolvedStorageSource: { bucket: bucket.name, object: objectName, generation: object.generation } };
}

/**
 * Whether the build's account may push to the Artifact Registry repository of `image`: the
 * repository's policy or the project's must grant `artifactregistry.repositories.uploadArtifacts`.
 * Answers the push error docker prints, or undefined when the push is allowed (or the image is not
 * in Artifact Registry).
 */
export function pushDenial(services: EmulatorServices, image: string, member: string): string | undefined {
  const match = AR_IMAGE.exec(image);
  if (!match) return undefined;
  const [, location, projectRef, repository] = match as unknown as [string, string, string, string];
  const project = services.projects.find(projectRef);
  if (!project) return undefined;
  const resource = `projects/${project.projectId}/locations/${location}/repositories/${repository}`;
  const allowed = holdsPermission(services, {
    member,
    permission: UPLOAD_PERMISSION,
    resourcePolicies: [resource],
    projectNumber: project.projectNumber,
  });
  return allowed ? undefined : `denied: Permission "${UPLOAD_PERMISSION}" denied on resource "${resource}" (or it may not exist)`;
}
