// Build identity: the dedicated service account Cloud Build runs image builds as. New projects no
// longer give Cloud Build a usable default account, and a dedicated one holds only what a build
// needs (build-access grants it). Not used by the local builder, which pushes as the caller.
import { OperationError } from '../errors.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { definePhase, type PhasePlan } from '../engine/phase.js';
import type { FieldChange } from '../engine/events.js';
import { desiredState } from '../desired/index.js';
import {
  createServiceAccount,
  deleteServiceAccount,
  getServiceAccount,
  updateServiceAccount,
  type ServiceAccountInfo,
} from '../gcp/apis/iam.js';
import { existing } from '../gcp/call.js';
import { GcpError } from '../gcp/errors.js';
import { lockRecord, recordKey } from '../state/lockfile.js';

interface Live {
  account: ServiceAccountInfo | undefined;
}

type Decision = { action: 'create' | 'none' } | { action: 'update'; fields: FieldChange[] };

export const BUILD_IDENTITY_RECORD = recordKey<{ email: string; uniqueId?: string }>('buildServiceAccount');

const accountOf = (ctx: Pick<RunContext, 'config'>) => desiredState(ctx.config).build?.serviceAccount;

export const buildIdentityPhase = definePhase({
  name: 'build-identity',
  title: 'Build service account',
  needs: ['apis'],
  enabled: (config) => config.image.strategy === 'build' && config.image.builder === 'cloud-build',
  apis: () => ['iam.googleapis.com'],
  permissions: () => ['iam.serviceAccounts.get', 'iam.serviceAccounts.create', 'iam.serviceAccounts.update'],
  clients: ['token'],
  record: BUILD_IDENTITY_RECORD,

  async read(ctx): Promise<Live> {
    return { account: await absentIfDisabled(ctx, getServiceAccount(ctx.gcp, ctx.config.project, accountOf(ctx)!.email), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const sa = accountOf(ctx)!;
    if (!live.account) {
      return {
        changes: [{ kind: 'service account', resource: sa.email, action: 'create', fields: [{ path: 'displayName', to: sa.displayName }] }],
        decision: { action: 'create' },
      };
    }
    if (live.account.disabled) {
      return {
        changes: [],
        blockers: [
          new OperationError(`build service account ${sa.email} is disabled`, {
            hint: `enable it: gcloud iam service-accounts enable ${sa.email}`,
          }),
        ],
        decision: { action: 'none' },
      };
    }
    const fields: FieldChange[] = [];
    if (live.account.displayName !== sa.displayName)
      fields.push({ path: 'displayName', from: live.account.displayName, to: sa.displayName });
    if (live.account.description !== sa.description)
      fields.push({ path: 'description', from: live.account.description, to: sa.description });
    if (fields.length === 0) return { changes: [], decision: { action: 'none' } };
    return { changes: [{ kind: 'service account', resource: sa.email, action: 'update', fields }], decision: { action: 'update', fields } };
  },

  async apply(ctx, decision) {
    const sa = accountOf(ctx)!;
    let account: ServiceAccountInfo | undefined;
    if (decision.action === 'create') {
      try {
        account = await createServiceAccount(ctx.gcp, ctx.config.project, sa.accountId, {
          displayName: sa.displayName,
          description: sa.description,
        });
      } catch (err) {
        if (!(err instanceof GcpError && err.code === 'ALREADY_EXISTS')) throw err;
        account = await getServiceAccount(ctx.gcp, ctx.config.project, sa.email);
      }
      ctx.emit({ type: 'resource-changed', phase: 'build-identity', kind: 'service account', resource: sa.email, action: 'create' });
    } else if (decision.action === 'update') {
      await updateServiceAccount(ctx.gcp, ctx.config.project, sa.email, { displayName: sa.displayName, description: sa.description });
      ctx.emit({
        type: 'resource-changed',
        phase: 'build-identity',
        kind: 'service account',
        resource: sa.email,
        action: 'update',
        fields: decision.fields,
      });
    }
    return { record: { email: sa.email, ...(account?.uniqueId ? { uniqueId: account.uniqueId } : {}) }, summary: sa.email };
  },

  teardown: {
    async read(ctx) {
      const email = accountOf(ctx)?.email ?? lockRecord(ctx.lock, BUILD_IDENTITY_RECORD)?.email;
      if (!email) return undefined;
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
