// CI deployer: the service account pipelines act as (SERVICE-deployer). It holds nothing by itself:
// the custom role (ci-role) and the grants (ci-access) give it exactly what a deploy needs.
import { OperationError } from '../../errors.js';
import { absentIfDisabled } from '../../engine/context.js';
import { definePhase, type PhasePlan } from '../../engine/phase.js';
import type { FieldChange } from '../../engine/events.js';
import type { AtlantisRunConfig } from '../../config/load.js';
import {
  createServiceAccount,
  deleteServiceAccount,
  getServiceAccount,
  updateServiceAccount,
  type ServiceAccountInfo,
} from '../../gcp/apis/iam.js';
import { existing } from '../../gcp/call.js';
import { GcpError } from '../../gcp/errors.js';
import { recordKey } from '../../state/lockfile.js';
import { ciNames } from './target.js';

interface Live {
  account: ServiceAccountInfo | undefined;
}

type Decision = { action: 'none' | 'create' } | { action: 'update'; fields: FieldChange[] };

export const CI_DEPLOYER_RECORD = recordKey<{ email: string; uniqueId?: string }>('ciDeployer');

export function desiredDeployer(config: AtlantisRunConfig) {
  const { deployerId, deployerEmail } = ciNames(config);
  return {
    accountId: deployerId,
    email: deployerEmail,
    displayName: `atlantis-run deployer (${config.service})`,
    description: `CI pipelines deploy the Cloud Run service ${config.service} as this account (atlantis-run ci setup)`,
  };
}

export const ciDeployerPhase = definePhase({
  name: 'ci-deployer',
  title: 'Deployer service account',
  needs: ['apis'],
  enabled: () => true,
  apis: () => ['iam.googleapis.com'],
  permissions: () => ['iam.serviceAccounts.get', 'iam.serviceAccounts.create', 'iam.serviceAccounts.update'],
  clients: ['token'],
  record: CI_DEPLOYER_RECORD,

  async read(ctx): Promise<Live> {
    const email = ciNames(ctx.config).deployerEmail;
    return { account: await absentIfDisabled(ctx, getServiceAccount(ctx.gcp, ctx.config.project, email), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const want = desiredDeployer(ctx.config);
    if (!live.account) {
      return {
        changes: [
          { kind: 'service account', resource: want.email, action: 'create', fields: [{ path: 'displayName', to: want.displayName }] },
        ],
        decision: { action: 'create' },
      };
    }
    if (live.account.disabled) {
      return {
        changes: [],
        blockers: [
          new OperationError(`the deployer service account ${want.email} is disabled`, {
            hint: `enable it (gcloud iam service-accounts enable ${want.email}), or remove everything with \`atlantis-run ci teardown\``,
          }),
        ],
        decision: { action: 'none' },
      };
    }
    const fields: FieldChange[] = [];
    if (live.account.displayName !== want.displayName)
      fields.push({ path: 'displayName', from: live.account.displayName, to: want.displayName });
    if (live.account.description !== want.description)
      fields.push({ path: 'description', from: live.account.description, to: want.description });
    if (fields.length === 0) return { changes: [], decision: { action: 'none' } };
    return {
      changes: [{ kind: 'service account', resource: want.email, action: 'update', fields }],
      decision: { action: 'update', fields },
    };
  },

  async apply(ctx, decision) {
    const want = desiredDeployer(ctx.config);
    const { project } = ctx.config;
    const labels = { displayName: want.displayName, description: want.description };
    let uniqueId: string | undefined;
    if (decision.action === 'create') {
      try {
        uniqueId = (await createServiceAccount(ctx.gcp, project, want.accountId, labels)).uniqueId;
      } catch (err) {
        if (!(err instanceof GcpError && err.code === 'ALREADY_EXISTS')) throw err;
        uniqueId = (await getServiceAccount(ctx.gcp, project, want.email))?.uniqueId;
      }
      ctx.emit({ type: 'resource-changed', phase: 'ci-deployer', kind: 'service account', resource: want.email, action: 'create' });
    } else if (decision.action === 'update') {
      await updateServiceAccount(ctx.gcp, project, want.email, labels);
      ctx.emit({
        type: 'resource-changed',
        phase: 'ci-deployer',
        kind: 'service account',
        resource: want.email,
        action: 'update',
        fields: decision.fields,
      });
    }
    return { record: { email: want.email, ...(uniqueId ? { uniqueId } : {}) }, summary: want.email };
  },

  teardown: {
    async read(ctx) {
      const email = ciNames(ctx.config).deployerEmail;
      return (await existing(getServiceAccount(ctx.gcp, ctx.config.project, email))) ? email : undefined;
    },
    plan: (ctx, email) => ({
      steps: email
        ? [
            {
              kind: 'service account',
              resource: email,
              run: async () => void (await deleteServiceAccount(ctx.gcp, ctx.config.project, email)),
            },
          ]
        : [],
    }),
  },
});
