// IAM v1 workload identity pools and their providers (REST only): what `ci setup` creates so that a
// CI job's OIDC token can stand in for a service account. Create, patch, delete and undelete answer
// a long-running operation polled at its own name; deletion is soft (state DELETED for 30 days,
// undeletable, the id not reusable meanwhile).
// https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools
import { OperationError } from '../../errors.js';
import { orMissing, type Gcp } from '../call.js';
import { poll, seconds } from '../poll.js';

const API = 'iam.googleapis.com';

export interface WorkloadIdentityPool {
  /** projects/NUMBER/locations/global/workloadIdentityPools/ID */
  name: string;
  displayName?: string;
  description?: string;
  /** ACTIVE, or DELETED while soft-deleted. */
  state?: string;
  disabled?: boolean;
}

export interface OidcSettings {
  issuerUri: string;
  allowedAudiences?: string[];
}

export interface WorkloadIdentityPoolProvider {
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/ID */
  name: string;
  displayName?: string;
  description?: string;
  /** ACTIVE, or DELETED while soft-deleted. */
  state?: string;
  disabled?: boolean;
  attributeMapping?: Record<string, string>;
  attributeCondition?: string;
  oidc?: OidcSettings;
}

/** The fields a request may set (Google's names). */
export type PoolFields = Pick<WorkloadIdentityPool, 'displayName' | 'description' | 'disabled'>;
export type ProviderFields = Omit<WorkloadIdentityPoolProvider, 'name' | 'state'>;

interface Operation {
  name: string;
  done?: boolean;
  error?: { code?: number; message?: string };
}

export interface WaitSettings {
  timeoutMs: number;
  onProgress?: ((elapsedMs: number) => void) | undefined;
}

const base = (gcp: Gcp) => `${gcp.factory.restBase('iam')}/v1`;
const poolsOf = (project: string) => `projects/${project}/locations/global/workloadIdentityPools`;

export function poolPath(project: string, poolId: string): string {
  return `${poolsOf(project)}/${poolId}`;
}

export function providerPath(project: string, poolId: string, providerId: string): string {
  return `${poolPath(project, poolId)}/providers/${providerId}`;
}

async function get<T>(gcp: Gcp, method: string, name: string): Promise<T | undefined> {
  return orMissing(gcp.caller.run({ api: API, method, resource: name }, () => gcp.factory.request<T>({ url: `${base(gcp)}/${name}` })));
}

/** Sends a mutating request that answers an operation, and waits for the operation. */
async function mutate(
  gcp: Gcp,
  method: string,
  resource: string,
  request: { url: string; method: 'POST' | 'PATCH' | 'DELETE'; body?: unknown; params?: Record<string, string> },
  wait: WaitSettings,
  label: string,
): Promise<void> {
  const operation = await gcp.caller.run({ api: API, method, resource, mutating: true }, () => gcp.factory.request<Operation>(request));
  await waitForIamOperation(gcp, operation, label, wait);
}

/** Polls GET /v1/{operation name} until done; an operation that ends with an error throws it. */
export async function waitForIamOperation(gcp: Gcp, operation: Operation, label: string, wait: WaitSettings): Promise<void> {
  let current = operation;
  if (!current.done) {
    current = await poll<Operation>(
      {
        timeoutMs: wait.timeoutMs,
        firstDelayMs: gcp.caller.timing.pollMs,
        maxDelayMs: 5_000,
        onProgress: wait.onProgress,
        timeoutError: (elapsed) =>
          new OperationError(`timed out waiting to ${label}: still running after ${seconds(elapsed)}s (operation ${operation.name})`, {
            hint: 'the operation goes on in Google Cloud; run the command again to pick it up, or raise --wait-timeout',
          }),
      },
      async () => {
        const polled = await gcp.caller.run({ api: API, method: 'GetOperation', resource: operation.name }, () =>
          gcp.factory.request<Operation>({ url: `${base(gcp)}/${operation.name}` }),
        );
        return polled.done ? { done: true, value: polled } : { done: false };
      },
    );
  }
  if (current.error) throw new OperationError(`${label} failed: ${current.error.message ?? `error ${current.error.code ?? '?'}`}`);
}

// ─── Pools ──────────────────────────────────────────────────────────────────────────────────

/** The pool, soft-deleted ones included (state DELETED), or undefined. */
export function getPool(gcp: Gcp, project: string, poolId: string): Promise<WorkloadIdentityPool | undefined> {
  return get<WorkloadIdentityPool>(gcp, 'GetWorkloadIdentityPool', poolPath(project, poolId));
}

export function createPool(gcp: Gcp, project: string, poolId: string, fields: PoolFields, wait: WaitSettings): Promise<void> {
  return mutate(
    gcp,
    'CreateWorkloadIdentityPool',
    poolPath(project, poolId),
    { url: `${base(gcp)}/${poolsOf(project)}`, method: 'POST', params: { workloadIdentityPoolId: poolId }, body: fields },
    wait,
    `create workload identity pool ${poolId}`,
  );
}

/** `mask`: Google's field paths (display_name, description, disabled). */
export function updatePool(
  gcp: Gcp,
  project: string,
  poolId: string,
  fields: PoolFields,
  mask: string[],
  wait: WaitSettings,
): Promise<void> {
  const name = poolPath(project, poolId);
  return mutate(
    gcp,
    'UpdateWorkloadIdentityPool',
    name,
    { url: `${base(gcp)}/${name}`, method: 'PATCH', params: { updateMask: mask.join(',') }, body: fields },
    wait,
    `update workload identity pool ${poolId}`,
  );
}

export function deletePool(gcp: Gcp, project: string, poolId: string, wait: WaitSettings): Promise<void> {
  const name = poolPath(project, poolId);
  return mutate(gcp, 'DeleteWorkloadIdentityPool', name, { url: `${base(gcp)}/${name}`, method: 'DELETE' }, wait, `delete pool ${poolId}`);
}

export function undeletePool(gcp: Gcp, project: string, poolId: string, wait: WaitSettings): Promise<void> {
  const name = poolPath(project, poolId);
  return mutate(
    gcp,
    'UndeleteWorkloadIdentityPool',
    name,
    { url: `${base(gcp)}/${name}:undelete`, method: 'POST', body: {} },
    wait,
    `undelete workload identity pool ${poolId}`,
  );
}

// ─── Providers ──────────────────────────────────────────────────────────────────────────────

/** The provider, soft-deleted ones included (state DELETED), or undefined (also when its pool is gone). */
export function getProvider(
  gcp: Gcp,
  project: string,
  poolId: string,
  providerId: string,
): Promise<WorkloadIdentityPoolProvider | undefined> {
  return get<WorkloadIdentityPoolProvider>(gcp, 'GetWorkloadIdentityPoolProvider', providerPath(project, poolId, providerId));
}

export function createProvider(
  gcp: Gcp,
  project: string,
  poolId: string,
  providerId: string,
  fields: ProviderFields,
  wait: WaitSettings,
): Promise<void> {
  return mutate(
    gcp,
    'CreateWorkloadIdentityPoolProvider',
    providerPath(project, poolId, providerId),
    {
      url: `${base(gcp)}/${poolPath(project, poolId)}/providers`,
      method: 'POST',
      params: { workloadIdentityPoolProviderId: providerId },
      body: fields,
    },
    wait,
    `create workload identity provider ${providerId}`,
  );
}

/** `mask`: Google's field paths (attribute_mapping, attribute_condition, oidc.issuer_uri, oidc.allowed_audiences, …). */
export function updateProvider(
  gcp: Gcp,
  project: string,
  poolId: string,
  providerId: string,
  fields: ProviderFields,
  mask: string[],
  wait: WaitSettings,
): Promise<void> {
  const name = providerPath(project, poolId, providerId);
  return mutate(
    gcp,
    'UpdateWorkloadIdentityPoolProvider',
    name,
    { url: `${base(gcp)}/${name}`, method: 'PATCH', params: { updateMask: mask.join(',') }, body: fields },
    wait,
    `update workload identity provider ${providerId}`,
  );
}

export function deleteProvider(gcp: Gcp, project: string, poolId: string, providerId: string, wait: WaitSettings): Promise<void> {
  const name = providerPath(project, poolId, providerId);
  return mutate(
    gcp,
    'DeleteWorkloadIdentityPoolProvider',
    name,
    { url: `${base(gcp)}/${name}`, method: 'DELETE' },
    wait,
    `delete workload identity provider ${providerId}`,
  );
}

export function undeleteProvider(gcp: Gcp, project: string, poolId: string, providerId: string, wait: WaitSettings): Promise<void> {
  const name = providerPath(project, poolId, providerId);
  return mutate(
    gcp,
    'UndeleteWorkloadIdentityPoolProvider',
    name,
    { url: `${base(gcp)}/${name}:undelete`, method: 'POST', body: {} },
    wait,
    `undelete workload identity provider ${providerId}`,
  );
}
