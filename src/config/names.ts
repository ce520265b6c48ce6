// Deterministic names of everything the tool manages. Because every name derives from the
// configuration, a run without a lockfile (a fresh CI runner) finds every resource again.
import { createHash } from 'node:crypto';
import type { SecretName } from '../atlantis/catalog.js';

export interface NameInputs {
  project: string;
  region: string;
  service: string;
  serviceAccountId?: string | undefined;
  repositoryId?: string | undefined;
  buildRepositoryId?: string | undefined;
  buildServiceAccountId?: string | undefined;
}

export interface ResourceNames {
  project: string;
  region: string;
  service: string;
  /** projects/P/locations/R/services/S */
  serviceName: string;
  serviceAccountId: string;
  serviceAccountEmail: string;
  repositoryId: string;
  /** projects/P/locations/R/repositories/ID */
  repositoryName: string;
  secretId(name: SecretName): string;
  secretName(name: SecretName): string;
  /** image.strategy build: the standard repository of built images, the build account, the source bucket. */
  buildRepositoryId: string;
  buildRepositoryName: string;
  buildServiceAccountId: string;
  buildServiceAccountEmail: string;
  sourceBucket: string;
}

export function resourceNames(inputs: NameInputs): ResourceNames {
  const { project, region, service } = inputs;
  const serviceAccountId = inputs.serviceAccountId ?? `${service}-runtime`;
  const repositoryId = inputs.repositoryId ?? `${service}-ghcr`;
  return {
    project,
    region,
    service,
    serviceName: `projects/${project}/locations/${region}/services/${service}`,
    serviceAccountId,
    serviceAccountEmail: `${serviceAccountId}@${project}.iam.gserviceaccount.com`,
    repositoryId,
    repositoryName: `projects/${project}/locations/${region}/repositories/${repositoryId}`,
    secretId: (name) => `${service}-${name}`,
    secretName: (name) => `projects/${project}/secrets/${service}-${name}`,
    ...buildNames(inputs),
  };
}

function buildNames(inputs: NameInputs) {
  const { project, region, service } = inputs;
  const buildRepositoryId = inputs.buildRepositoryId ?? `${service}-images`;
  const buildServiceAccountId = inputs.buildServiceAccountId ?? `${service}-builder`;
  return {
    buildRepositoryId,
    buildRepositoryName: `projects/${project}/locations/${region}/repositories/${buildRepositoryId}`,
    buildServiceAccountId,
    buildServiceAccountEmail: `${buildServiceAccountId}@${project}.iam.gserviceaccount.com`,
    sourceBucket: sourceBucketName(project, service),
  };
}

// Bucket names are global: the project id (globally unique) keeps ours apart from everyone's. A name
// Storage would refuse (over 63 characters, or containing "google") falls back to a digest of both.
const BUCKET_LOOKALIKE = /g[o0]{2}g[l1]e/;
export function sourceBucketName(project: string, service: string): string {
  const readable = `${project}-${service}-build-src`;
  if (readable.length <= 63 && !BUCKET_LOOKALIKE.test(readable)) return readable;
  const digest = createHash('sha256').update(`${project}/${service}`).digest('hex').slice(0, 20);
  return `atlantis-run-build-src-${digest}`;
}

/** Cloud Run's deterministic URL, known before the first deploy once the project number is. */
export function deterministicUrl(service: string, projectNumber: string, region: string): string {
  return `https://${service}-${projectNumber}.${region}.run.app`;
}

/** The label `SERVICE-PROJECTNUMBER` must fit one DNS label for the deterministic URL to exist. */
export const DNS_LABEL_MAX = 63;
