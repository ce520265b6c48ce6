// Identity: the dedicated runtime service account. Created as early as the APIs allow, because IAM
// takes a while to show a new account to other APIs (bindings then retry until it does).
import { OperationError } from '../errors.js';
import { absentIfDisabled } from '../engine/context.js';
import { definePhase, type PhaseContext, type PhasePlan } from '../engine/phase.js';
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
import { recordKey } from '../state/lockfile.js';

interface Live {
  account: ServiceAccountInfo | undefined;
}

type Decision =
  | { action: 'create' | 'none'; account: ServiceAccountInfo | undefined }
  | { action: 'update'; fields: FieldChange[]; account: ServiceAccountInfo };

export const IDENTITY_RECORD = recordKey<{ email: string; uniqueId?: string }>('serviceAccount');

const accountOf = (ctx: PhaseContext) => ctx.desired().serviceAccount;

export const identityPhase = definePhase({
  name: 'identity',
  title: 'Runtime service account',
  needs: ['apis', 'domain-owner'],
  enabled: () => true,
  apis: () => ['iam.googleapis.com'],
  permissions: () => ['iam.serviceAccounts.get', 'iam.serviceAccounts.create', 'iam.serviceAccounts.update'],
  clients: ['token'],
  record: IDENTITY_RECORD,

  async read(ctx): Promise<Live> {
    return { account: await absentIfDisabled(ctx, getServiceAccount(ctx.gcp, ctx.config.project, accountOf(ctx).email), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const sa = accountOf(ctx);
    if (!live.account) {
      return {
        changes: [{ kind: 'service account', resource: sa.email, action: 'create', fields: [{ path: 'displayName', to: sa.displayName }] }],
        decision: { action: 'create', account: undefined },
      };
    }
    if (live.account.disabled) {
      return {
        changes: [],
        blockers: [
          new OperationError(`service account ${sa.email} is disabled`, {
            hint: `enable it: gcloud iam service-accounts enable ${sa.email}`,
          }),
        ],
        decision: { action: 'none', account: live.account },
      };
    }
    const fields: FieldChange[] = [];
    if (live.account.displayName !== sa.displayName)
      fields.push({ path: 'displayName', from: live.account.displayName, to: sa.displayName });
    if (live.account.description !== sa.description)
      fields.push({ path: 'description', from: live.account.description, to: sa.description });
    if (fields.length === 0) return { changes: [], decision: { action: 'none', account: live.account } };
    return {
      changes: [{ kind: 'service account', resource: sa.email, action: 'update', fields }],
      decision: { action: 'update', fields, account: live.account },
    };
  },

  async apply(ctx, decision) {
    const sa = accountOf(ctx);
    let account = decision.account;
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
      ctx.emit({ type: 'resource-changed', phase: 'identity', kind: 'service account', resource: sa.email, action: 'create' });
    } else if (decision.action === 'update') {
      await updateServiceAccount(ctx.gcp, ctx.config.project, sa.email, { displayName: sa.displayName, description: sa.description });
      ctx.emit({
        type: 'resource-changed',
        phase: 'identity',
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
      const email = desiredState(ctx.config).serviceAccount.email;
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
