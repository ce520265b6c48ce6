// CI pool: the workload identity pool the CI systems' providers live in (one per deployment).
// Created once, brought back with undelete when an earlier `ci teardown` soft-deleted it (its id
// cannot be reused for 30 days), re-enabled and relabelled when someone changed it.
import { absentIfDisabled } from '../../engine/context.js';
import { definePhase, type PhasePlan } from '../../engine/phase.js';
import type { FieldChange } from '../../engine/events.js';
import type { AtlantisRunConfig } from '../../config/load.js';
import { existing } from '../../gcp/call.js';
import {
  createPool,
  deletePool,
  getPool,
  poolPath,
  undeletePool,
  updatePool,
  type PoolFields,
  type WorkloadIdentityPool,
} from '../../gcp/apis/workload-identity.js';
import { recordKey } from '../../state/lockfile.js';
import { differences, waitOf } from './common.js';
import { ciNames } from './target.js';

interface Live {
  pool: WorkloadIdentityPool | undefined;
}

type Decision = { action: 'none' | 'create' } | { action: 'update' | 'undelete'; mask: string[]; fields: FieldChange[] };

export const CI_POOL_RECORD = recordKey<{ name: string }>('ciPool');

export function desiredPool(config: AtlantisRunConfig): Required<PoolFields> {
  return {
    // Google allows at most 32 characters here.
    displayName: 'atlantis-run CI',
    description: `CI pipelines that deploy the Cloud Run service ${config.service} with atlantis-run`.slice(0, 256),
    disabled: false,
  };
}

function changedFields(config: AtlantisRunConfig, pool: WorkloadIdentityPool) {
  const want = desiredPool(config);
  return differences([
    { path: 'displayName', mask: 'display_name', live: pool.displayName, desired: want.displayName },
    { path: 'description', mask: 'description', live: pool.description, desired: want.description },
    { path: 'disabled', mask: 'disabled', live: pool.disabled ?? false, desired: false },
  ]);
}

export const ciPoolPhase = definePhase({
  name: 'ci-pool',
  title: 'Workload identity pool',
  needs: ['apis'],
  enabled: () => true,
  apis: () => ['iam.googleapis.com', 'sts.googleapis.com', 'iamcredentials.googleapis.com'],
  permissions: () => [
    'iam.workloadIdentityPools.get',
    'iam.workloadIdentityPools.create',
    'iam.workloadIdentityPools.update',
    'iam.workloadIdentityPools.undelete',
  ],
  clients: ['token'],
  record: CI_POOL_RECORD,

  async read(ctx): Promise<Live> {
    return { pool: await absentIfDisabled(ctx, getPool(ctx.gcp, ctx.config.project, ciNames(ctx.config).poolId), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const { poolId } = ciNames(ctx.config);
    const resource = poolPath(ctx.config.project, poolId);
    if (!live.pool) {
      const want = desiredPool(ctx.config);
      return {
        changes: [
          {
            kind: 'workload identity pool',
            resource,
            action: 'create',
            fields: [
              { path: 'displayName', to: want.displayName },
              { path: 'description', to: want.description },
            ],
          },
        ],
        decision: { action: 'create' },
      };
    }
    const { fields, mask } = changedFields(ctx.config, live.pool);
    if (live.pool.state === 'DELETED') {
      return {
        changes: [
          { kind: 'workload identity pool', resource, action: 'create', fields, reason: 'undelete: an earlier teardown deleted it' },
        ],
        decision: { action: 'undelete', fields, mask },
      };
    }
    if (mask.length === 0) return { changes: [], decision: { action: 'none' } };
    return {
      changes: [{ kind: 'workload identity pool', resource, action: 'update', fields }],
      decision: { action: 'update', fields, mask },
    };
  },

  async apply(ctx, decision) {
    const { poolId } = ciNames(ctx.config);
    const { project } = ctx.config;
    const resource = poolPath(project, poolId);
    const wait = (operation: string) => waitOf(ctx, 'ci-pool', operation, resource);
    const want = desiredPool(ctx.config);
    if (decision.action === 'create') await createPool(ctx.gcp, project, poolId, want, wait('creating'));
    if (decision.action === 'undelete') await undeletePool(ctx.gcp, project, poolId, wait('undeleting'));
    if ((decision.action === 'update' || decision.action === 'undelete') && decision.mask.length > 0) {
      await updatePool(ctx.gcp, project, poolId, want, decision.mask, wait('updating'));
    }
    if (decision.action !== 'none') {
      ctx.emit({
        type: 'resource-changed',
        phase: 'ci-pool',
        kind: 'workload identity pool',
        resource,
        action: decision.action === 'update' ? 'update' : 'create',
        ...('fields' in decision ? { fields: decision.fields } : {}),
      });
    }
    const name = ctx.facts.projectNumber ? poolPath(ctx.facts.projectNumber, poolId) : resource;
    return { record: { name }, summary: poolId };
  },

  teardown: {
    // A pool already deleted (soft) is gone as far as teardown goes.
    async read(ctx) {
      const pool = await existing(getPool(ctx.gcp, ctx.config.project, ciNames(ctx.config).poolId));
      return pool && pool.state !== 'DELETED' ? pool : undefined;
    },
    plan: (ctx, pool) => {
      const { poolId } = ciNames(ctx.config);
      const resource = poolPath(ctx.config.project, poolId);
      return {
        steps: pool
          ? [
              {
                kind: 'workload identity pool',
                resource,
                run: () => deletePool(ctx.gcp, ctx.config.project, poolId, waitOf(ctx, 'ci-pool', 'deleting', resource)),
              },
            ]
          : [],
      };
    },
  },
});
