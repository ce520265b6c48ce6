// Identity: the dedicated runtime service account. Created as early as the APIs allow, because IAM
// takes a while to show a new account to other APIs (bindings then retry until it does).
import { OperationError } from '../errors.js';
import { definePhase } from '../engine/phase.js';
import type { FieldChange } from '../engine/events.js';
import { createServiceAccount, getServiceAccount, updateServiceAccount, type ServiceAccountInfo } from '../gcp/apis/iam.js';
import { GcpError } from '../gcp/errors.js';
import { unlessApiDisabled } from './read-helpers.js';

interface Live {
  account: ServiceAccountInfo | undefined;
}

export const identityPhase = definePhase<Live>({
  name: 'identity',
  title: 'Runtime service account',
  needs: ['apis'],
  enabled: () => true,

  async read(ctx) {
    const sa = ctx.desired().serviceAccount;
    return { account: await unlessApiDisabled(ctx, getServiceAccount(ctx.gcp, ctx.config.project, sa.email), undefined) };
  },

  plan(ctx, live) {
    const sa = ctx.desired().serviceAccount;
    ctx.facts.serviceAccountExists = Boolean(live.account);
    if (!live.account) {
      return {
        changes: [{ kind: 'service account', resource: sa.email, action: 'create', fields: [{ path: 'displayName', to: sa.displayName }] }],
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
      };
    }
    const fields: FieldChange[] = [];
    if (live.account.displayName !== sa.displayName)
      fields.push({ path: 'displayName', from: live.account.displayName, to: sa.displayName });
    if (live.account.description !== sa.description)
      fields.push({ path: 'description', from: live.account.description, to: sa.description });
    return { changes: fields.length ? [{ kind: 'service account', resource: sa.email, action: 'update', fields }] : [] };
  },

  async apply(ctx, live, plan) {
    const sa = ctx.desired().serviceAccount;
    let account = live.account;
    const change = plan.changes[0];
    if (change?.action === 'create') {
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
    } else if (change?.action === 'update') {
      await updateServiceAccount(ctx.gcp, ctx.config.project, sa.email, { displayName: sa.displayName, description: sa.description });
      ctx.emit({
        type: 'resource-changed',
        phase: 'identity',
        kind: 'service account',
        resource: sa.email,
        action: 'update',
        ...(change.fields ? { fields: change.fields } : {}),
      });
    }
    ctx.facts.serviceAccountExists = true;
    return {
      record: { serviceAccount: { email: sa.email, ...(account?.uniqueId ? { uniqueId: account.uniqueId } : {}) } },
      summary: sa.email,
    };
  },
});
