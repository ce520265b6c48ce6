// Deterministic names of everything the tool manages. Because every name derives from the
// configuration, a run without a lockfile (a fresh CI runner) finds every resource again.
import type { SecretName } from '../atlantis/catalog.js';

export interface NameInputs {
  project: string;
  region: string;
  service: string;
  serviceAccountId?: string | undefined;
  repositoryId?: string | undefined;
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
  };
}

/** Cloud Run's deterministic URL, known before the first deploy once the project number is. */
export function deterministicUrl(service: string, projectNumber: string, region: string): string {
  return `https://${service}-${projectNumber}.${region}.run.app`;
}

/** The label `SERVICE-PROJECTNUMBER` must fit one DNS label for the deterministic URL to exist. */
export const DNS_LABEL_MAX = 63;
