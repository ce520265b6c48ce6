// Artifact Registry v1: the docker repositories (a remote proxy of ghcr.io by default; a standard
// one for built images) and a repository's IAM policy.
import { orMissing, type Gcp } from '../call.js';
import { waitForOperation } from '../operations.js';
import { IAM_SET } from '../retry.js';
import type { IamPolicy } from './iam-policy.js';

const API = 'artifactregistry.googleapis.com';

export interface RepositoryInfo {
  name: string;
  format: string;
  mode: string;
  description: string;
  labels: Record<string, string>;
  remoteUri: string | undefined;
  /** Cleanup policies by id, as the client decodes them (enums as names). */
  cleanupPolicies: Record<string, unknown>;
  cleanupPolicyDryRun: boolean;
}

/** The fields of the client's Repository the tool reads (enums arrive as their names). */
interface RepositoryResource {
  name?: string | null;
  format?: string | number | null;
  mode?: string | number | null;
  description?: string | null;
  labels?: Record<string, string> | null;
  cleanupPolicies?: Record<string, unknown> | null;
  cleanupPolicyDryRun?: boolean | null;
  remoteRepositoryConfig?: {
    dockerRepository?: { customRepository?: { uri?: string | null } | null; publicRepository?: string | number | null } | null;
    commonRepository?: { uri?: string | null } | null;
  } | null;
}

function toInfo(repo: RepositoryResource): RepositoryInfo {
  const remote = repo.remoteRepositoryConfig ?? {};
  const docker = remote.dockerRepository;
  return {
    name: repo.name ?? '',
    format: String(repo.format ?? ''),
    mode: String(repo.mode ?? ''),
    description: repo.description ?? '',
    labels: { ...(repo.labels ?? {}) },
    remoteUri:
      docker?.customRepository?.uri ??
      remote.commonRepository?.uri ??
      (docker?.publicRepository ? String(docker.publicRepository) : undefined),
    cleanupPolicies: { ...(repo.cleanupPolicies ?? {}) },
    cleanupPolicyDryRun: Boolean(repo.cleanupPolicyDryRun),
  };
}

export async function getRepository(gcp: Gcp, name: string): Promise<RepositoryInfo | undefined> {
  const client = await gcp.factory.client('artifactRegistry');
  const repo = await orMissing(
    gcp.caller.run({ api: API, method: 'GetRepository', resource: name }, (o) => client.getRepository({ name }, o)),
  );
  return repo ? toInfo(repo[0]) : undefined;
}

export async function createRepository(
  gcp: Gcp,
  parent: string,
  repositoryId: string,
  body: Record<string, unknown>,
  timeoutMs: number,
): Promise<void> {
  const client = await gcp.factory.client('artifactRegistry');
  const resource = `${parent}/repositories/${repositoryId}`;
  const [operation] = await gcp.caller.run({ api: API, method: 'CreateRepository', resource, mutating: true }, (o) =>
    client.createRepository({ parent, repositoryId, repository: body }, o),
  );
  await waitForOperation(gcp, operation, { api: API, label: `create repository ${repositoryId}`, resource, timeoutMs });
}

export async function updateRepository(
  gcp: Gcp,
  name: string,
  fields: {
    description?: string;
    labels?: Record<string, string>;
    cleanupPolicies?: Record<string, unknown>;
    cleanupPolicyDryRun?: boolean;
  },
): Promise<void> {
  const client = await gcp.factory.client('artifactRegistry');
  // FieldMask paths are the proto's field names.
  const paths = Object.keys(fields).map((key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  await gcp.caller.run({ api: API, method: 'UpdateRepository', resource: name, mutating: true }, (o) =>
    client.updateRepository({ repository: { name, ...fields } as Record<string, unknown>, updateMask: { paths } }, o),
  );
}

export async function deleteRepository(gcp: Gcp, name: string, timeoutMs: number): Promise<boolean> {
  const client = await gcp.factory.client('artifactRegistry');
  const started = await orMissing(
    gcp.caller.run({ api: API, method: 'DeleteRepository', resource: name, mutating: true }, (o) => client.deleteRepository({ name }, o)),
  );
  if (!started) return false;
  await waitForOperation(gcp, started[0], { api: API, label: `delete repository ${name}`, resource: name, timeoutMs });
  return true;
}

export async function getRepositoryPolicy(gcp: Gcp, name: string): Promise<IamPolicy> {
  const client = await gcp.factory.client('artifactRegistry');
  const [policy] = await gcp.caller.run({ api: API, method: 'GetIamPolicy', resource: name }, (o) =>
    client.getIamPolicy({ resource: name, options: { requestedPolicyVersion: 3 } }, o),
  );
  return policy;
}

export async function setRepositoryPolicy(gcp: Gcp, name: string, policy: IamPolicy): Promise<IamPolicy> {
  const client = await gcp.factory.client('artifactRegistry');
  const [updated] = await gcp.caller.run({ api: API, method: 'SetIamPolicy', resource: name, mutating: true, retry: IAM_SET }, (o) =>
    client.setIamPolicy({ resource: name, policy }, o),
  );
  return updated;
}
