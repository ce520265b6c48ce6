// One shape for every service account the tool owns — the runtime account, the account Cloud Build
// runs as, the CI deployer: created when absent (adopted when a killed run had created it already),
// display name and description kept as configured, a disabled account a blocker with the command
// that enables it, deleted on teardown. Each phase file names its account, record and words.
import { OperationError } from '../errors.js';
import { absentIfDisabled } from '../engine/context.js';
import { teardownOne, definePhase, type PhasePlan } from '../engine/phase.js';
import type { FieldChange } from '../engine/events.js';
import type { AtlantisRunConfig } from '../config/load.js';
import {
  createServiceAccount,
  deleteServiceAccount,
  getServiceAccount,
  updateServiceAccount,
  type ServiceAccountInfo,
} from '../gcp/apis/iam.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { lockRecord, type RecordKey } from '../state/lockfile.js';

export interface OwnedAccount {
  accountId: string;
  email: string;
  displayName: string;
  description: string;
}

export type AccountRecord = { email: string; uniqueId?: string };

interface Live {
  account: ServiceAccountInfo | undefined;
}

// The live account travels with the decision: a run that changes nothing still records its uniqueId.
type Decision =
  | { action: 'create' | 'none'; account: ServiceAccountInfo | undefined }
  | { action: 'update'; fields: FieldChange[]; account: ServiceAccountInfo };

export interface AccountPhaseSpec<Name extends string> {
  name: Name;
  title: string;
  needs: readonly string[];
  enabled: (config: AtlantisRunConfig) => boolean;
  record: RecordKey<AccountRecord>;
  /** The account, from the configuration (undefined when it no longer names one: teardown then uses the record). */
  account: (config: AtlantisRunConfig) => OwnedAccount | undefined;
  /** The blocker for a disabled account: what to say and how to fix it. */
  disabled: (email: string) => { message: string; hint: string };
}

export function serviceAccountPhase<const Name extends string>(spec: AccountPhaseSpec<Name>) {
  const accountOf = (config: AtlantisRunConfig): OwnedAccount => {
    const account = spec.account(config);
    if (!account) throw new Error(`phase ${spec.name} runs only when the configuration names its account`);
    return account;
  };
  return definePhase({
    name: spec.name,
    title: spec.title,
    needs: spec.needs,
    enabled: spec.enabled,
    apis: () => ['iam.googleapis.com'],
    permissions: () => ['iam.serviceAccounts.get', 'iam.serviceAccounts.create', 'iam.serviceAccounts.update'],
    clients: ['token'],
    record: spec.record,

    async read(ctx): Promise<Live> {
      const email = accountOf(ctx.config).email;
      return { account: await absentIfDisabled(ctx, getServiceAccount(ctx.gcp, ctx.config.project, email), undefined) };
    },

    plan(ctx, live): PhasePlan<Decision> {
      const sa = accountOf(ctx.config);
      if (!live.account) {
        return {
          changes: [
            { kind: 'service account', resource: sa.email, action: 'create', fields: [{ path: 'displayName', to: sa.displayName }] },
          ],
          decision: { action: 'create', account: undefined },
        };
      }
      if (live.account.disabled) {
        const { message, hint } = spec.disabled(sa.email);
        return { changes: [], blockers: [new OperationError(message, { hint })], decision: { action: 'none', account: live.account } };
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
      const sa = accountOf(ctx.config);
      const { project } = ctx.config;
      const labels = { displayName: sa.displayName, description: sa.description };
      let account = decision.account;
      if (decision.action === 'create') {
        try {
          account = await createServiceAccount(ctx.gcp, project, sa.accountId, labels);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          account = await getServiceAccount(ctx.gcp, project, sa.email);
        }
        ctx.emit({ type: 'resource-changed', phase: spec.name, kind: 'service account', resource: sa.email, action: 'create' });
      } else if (decision.action === 'update') {
        await updateServiceAccount(ctx.gcp, project, sa.email, labels);
        ctx.emit({
          type: 'resource-changed',
          phase: spec.name,
          kind: 'service account',
          resource: sa.email,
          action: 'update',
          fields: decision.fields,
        });
      }
      return { record: { email: sa.email, ...(account?.uniqueId ? { uniqueId: account.uniqueId } : {}) }, summary: sa.email };
    },

    teardown: teardownOne({
      name: (ctx) => spec.account(ctx.config)?.email ?? lockRecord(ctx.lock, spec.record)?.email,
      exists: (ctx, email) => getServiceAccount(ctx.gcp, ctx.config.project, email),
      kind: 'service account',
      remove: (ctx, email) => deleteServiceAccount(ctx.gcp, ctx.config.project, email),
    }),
  });
}
