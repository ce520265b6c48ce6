// Workload identity pools and providers are served by apis/iam-workload-identity.ts, but IAM policy
// members (`principal://…/workloadIdentityPools/POOL/…`) must name a pool that exists, so the records
// and their lookups live here. Soft-deleted pools and providers are purged 30 days after deletion
// (Google: "Soft-deleted pools are permanently deleted after approximately 30 days").
import type { StateStore } from './state.js';

export const POOLS_COLLECTION = 'iam.workloadIdentityPools';
export const PROVIDERS_COLLECTION = 'iam.workloadIdentityPoolProviders';

/** How long a deleted pool or provider can be undeleted, and keeps its id from being reused. */
export const SOFT_DELETE_RETENTION_MS = 30 * 24 * 3600 * 1000;

export type SoftDeleteState = 'ACTIVE' | 'DELETED';

export interface PoolRecord {
  projectId: string;
  projectNumber: string;
  poolId: string;
  /** True until the create operation is done: the id is taken, the pool is not yet visible. */
  pending?: boolean;
  state: SoftDeleteState;
  displayName?: string;
  description?: string;
  disabled?: boolean;
  sessionDuration?: string;
  createTime: number;
  /** ms since epoch, set while DELETED. */
  deleteTime?: number;
}

export interface ProviderRecord {
  projectId: string;
  projectNumber: string;
  poolId: string;
  providerId: string;
  pending?: boolean;
  state: SoftDeleteState;
  displayName?: string;
  description?: string;
  disabled?: boolean;
  attributeMapping?: Record<string, string>;
  attributeCondition?: string;
  /** Exactly one of the identity provider kinds, as sent (proto3 JSON). */
  oidc?: Record<string, unknown>;
  aws?: Record<string, unknown>;
  saml?: Record<string, unknown>;
  createTime: number;
  deleteTime?: number;
}

export function poolKey(projectNumber: string, poolId: string): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
}

export function providerKey(projectNumber: string, poolId: string, providerId: string): string {
  return `${poolKey(projectNumber, poolId)}/providers/${providerId}`;
}

function expired(record: { state: SoftDeleteState; deleteTime?: number }, now: number): boolean {
  return record.state === 'DELETED' && record.deleteTime !== undefined && now - record.deleteTime >= SOFT_DELETE_RETENTION_MS;
}

/** Removes pools and providers whose soft-delete retention has passed (their ids become free again). */
export function purgeExpired(store: StateStore, now: number): void {
  const pools = store.collection<PoolRecord>(POOLS_COLLECTION);
  const providers = store.collection<ProviderRecord>(PROVIDERS_COLLECTION);
  for (const [key, pool] of pools.entries()) {
    if (!expired(pool, now)) continue;
    pools.delete(key);
    for (const [providerKeyOf, provider] of providers.entries()) {
      if (provider.projectNumber === pool.projectNumber && provider.poolId === pool.poolId) providers.delete(providerKeyOf);
    }
  }
  for (const [key, provider] of providers.entries()) if (expired(provider, now)) providers.delete(key);
}

/** The pool, visible or soft-deleted (not one whose create is still pending), or undefined. */
export function findPool(store: StateStore, projectNumber: string, poolId: string, now: number): PoolRecord | undefined {
  purgeExpired(store, now);
  const pool = store.collection<PoolRecord>(POOLS_COLLECTION).get(poolKey(projectNumber, poolId));
  return pool && !pool.pending ? pool : undefined;
}
