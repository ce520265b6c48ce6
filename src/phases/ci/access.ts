// CI access: who may act as whom. Pipelines of exactly one repository (a principal set of the CI
// pool) get roles/iam.workloadIdentityUser on the deployer; the deployer gets
// roles/iam.serviceAccountUser on exactly the accounts a deploy acts as (requirementsOf(PHASES).actAs:
// the runtime account), never on the project. A repository given earlier for the same CI system, and
// accounts no longer acted as, lose their grants.
import type { RunContext } from '../../engine/context.js';
import { absentIfDisabled } from '../../engine/context.js';
import { definePhase, requirementsOf, type PhasePlan, type PlannedChange, type TeardownStep } from '../../engine/phase.js';
import type { AtlantisRunConfig } from '../../config/load.js';
import { getServiceAccount, getServiceAccountPolicy, setServiceAccountPolicy } from '../../gcp/apis/iam.js';
import { hasBinding, readModifyWrite, withBinding, withoutBinding, type IamPolicy, type PolicyAccess } from '../../gcp/apis/iam-policy.js';
import { existing } from '../../gcp/call.js';
import { lockRecord, recordKey } from '../../state/lockfile.js';
import { PHASES } from '../index.js';
import { requireTarget } from './common.js';
import { ciNames, principalSetPrefix, repositoryPrincipal, type CiTarget } from './target.js';

export const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';
export const SERVICE_ACCOUNT_USER = 'roles/iam.serviceAccountUser';

/** One grant on a service account's policy. */
export interface AccountGrant {
  /** The service account whose policy carries it. */
  account: string;
  role: string;
  member: string;
}

interface Live {
  /** Each account's policy; undefined when the account does not exist (yet). */
  policies: Map<string, IamPolicy | undefined>;
}

interface Edits {
  add: AccountGrant[];
  remove: AccountGrant[];
  known: IamPolicy | undefined;
}

export const CI_ACCESS_RECORD = recordKey<{ items: AccountGrant[] }>('ciAccess');

/** The accounts a deploy of this configuration acts as. */
export function actedAs(config: AtlantisRunConfig): string[] {
  return requirementsOf(PHASES, config).actAs;
}

function grantsOf(config: AtlantisRunConfig, projectNumber: string, target: CiTarget): AccountGrant[] {
  const { deployerEmail, poolId } = ciNames(config);
  return [
    { account: deployerEmail, role: WORKLOAD_IDENTITY_USER, member: repositoryPrincipal(projectNumber, poolId, target) },
    ...actedAs(config).map((account) => ({ account, role: SERVICE_ACCOUNT_USER, member: `serviceAccount:${deployerEmail}` })),
  ];
}

function access(ctx: Pick<RunContext, 'gcp' | 'config'>, email: string): PolicyAccess {
  return {
    get: () => getServiceAccountPolicy(ctx.gcp, ctx.config.project, email),
    set: (p) => setServiceAccountPolicy(ctx.gcp, ctx.config.project, email, p),
  };
}

/** An account's policy, or undefined when the account does not exist (Google answers PERMISSION_DENIED for its policy then). */
async function policyOf(ctx: Pick<RunContext, 'gcp' | 'config' | 'disabledApis'>, email: string): Promise<IamPolicy | undefined> {
  const account = await absentIfDisabled(ctx, getServiceAccount(ctx.gcp, ctx.config.project, email), undefined);
  return account ? access(ctx, email).get() : undefined;
}

export const label = (g: AccountGrant) => `${g.role} → ${g.member.replace(/^serviceAccount:/, '')} on ${g.account}`;

export function ciAccessPhase(target: CiTarget | undefined) {
  return definePhase({
    name: 'ci-access',
    title: 'Who may deploy',
    needs: ['ci-deployer', 'ci-provider', 'identity', 'build-identity'],
    enabled: () => true,
    apis: () => ['iam.googleapis.com'],
    permissions: () => ['iam.serviceAccounts.getIamPolicy', 'iam.serviceAccounts.setIamPolicy'],
    clients: ['token'],
    record: CI_ACCESS_RECORD,

    async read(ctx): Promise<Live> {
      const recorded = lockRecord(ctx.lock, CI_ACCESS_RECORD)?.items ?? [];
      const accounts = new Set([ciNames(ctx.config).deployerEmail, ...actedAs(ctx.config), ...recorded.map((g) => g.account)]);
      const entries = await Promise.all([...accounts].map(async (email) => [email, await policyOf(ctx, email)] as const));
      return { policies: new Map(entries) };
    },

    plan(ctx, live): PhasePlan<{ edits: Map<string, Edits> }> {
      const t = requireTarget(target);
      const projectNumber = ctx.facts.projectNumber;
      if (!projectNumber) throw new Error('ci-access plans after preflight, which knows the project number');
      const wanted = grantsOf(ctx.config, projectNumber, t);
      const key = (g: AccountGrant) => `${g.account}|${g.role}|${g.member}`;
      const wantedKeys = new Set(wanted.map(key));
      const { deployerEmail, poolId } = ciNames(ctx.config);
      const prefix = principalSetPrefix(projectNumber, poolId, t.system);
      // Earlier repositories of this CI system (on the deployer) and accounts no longer acted as.
      const earlierRepos = (live.policies.get(deployerEmail)?.bindings ?? [])
        .filter((b) => b.role === WORKLOAD_IDENTITY_USER && !b.condition)
        .flatMap((b) => (b.members ?? []).filter((m) => m.startsWith(prefix)))
        .map((member) => ({ account: deployerEmail, role: WORKLOAD_IDENTITY_USER, member }));
      // The other CI system's repository keeps its grant.
      const recorded = (lockRecord(ctx.lock, CI_ACCESS_RECORD)?.items ?? []).filter(
        (g) => g.role === SERVICE_ACCOUNT_USER || g.member.startsWith(prefix),
      );
      const stale = [...earlierRepos, ...recorded].filter(
        (g, i, all) => !wantedKeys.has(key(g)) && all.findIndex((o) => key(o) === key(g)) === i,
      );

      const changes: PlannedChange[] = [];
      const edits = new Map<string, Edits>();
      const edit = (account: string) =>
        edits.get(account) ?? edits.set(account, { add: [], remove: [], known: live.policies.get(account) }).get(account)!;
      for (const g of wanted) {
        if (hasBinding(live.policies.get(g.account), g.role, g.member)) continue;
        changes.push({ kind: 'IAM binding', resource: label(g), action: 'create' });
        edit(g.account).add.push(g);
      }
      for (const g of stale) {
        if (!hasBinding(live.policies.get(g.account), g.role, g.member)) continue;
        changes.push({ kind: 'IAM binding', resource: label(g), action: 'delete' });
        edit(g.account).remove.push(g);
      }
      return { changes, decision: { edits } };
    },

    async apply(ctx, { edits }) {
      await Promise.all(
        [...edits].map(async ([account, e]) => {
          await readModifyWrite(
            access(ctx, account),
            (policy) => {
              const changed =
                e.add.some((g) => !hasBinding(policy, g.role, g.member)) || e.remove.some((g) => hasBinding(policy, g.role, g.member));
              if (!changed) return undefined;
              let next = policy;
              for (const g of e.add) next = withBinding(next, g.role, g.member);
              for (const g of e.remove) next = withoutBinding(next, g.role, g.member);
              return next;
            },
            // An account this run created has an empty policy: the first write needs no read.
            e.known ?? { version: 1, bindings: [] },
            ctx.gcp.caller.timing.retryBaseMs,
          );
          for (const g of e.add)
            ctx.emit({ type: 'resource-changed', phase: 'ci-access', kind: 'IAM binding', resource: label(g), action: 'create' });
          for (const g of e.remove)
            ctx.emit({ type: 'resource-changed', phase: 'ci-access', kind: 'IAM binding', resource: label(g), action: 'delete' });
        }),
      );
      const t = requireTarget(target);
      const items = grantsOf(ctx.config, ctx.facts.projectNumber!, t);
      // Grants of the other CI system's repository stay recorded (they stay in place too).
      const otherSystems = (lockRecord(ctx.lock, CI_ACCESS_RECORD)?.items ?? []).filter(
        (g) =>
          g.role === WORKLOAD_IDENTITY_USER &&
          !g.member.startsWith(principalSetPrefix(ctx.facts.projectNumber!, ciNames(ctx.config).poolId, t.system)),
      );
      return { record: { items: [...otherSystems, ...items] }, summary: `${t.repo} may deploy as ${ciNames(ctx.config).deployerEmail}` };
    },

    teardown: {
      // The deployer's grants on other accounts; its own policy goes with it (ci-deployer deletes it).
      async read(ctx) {
        const deployer = `serviceAccount:${ciNames(ctx.config).deployerEmail}`;
        const recorded = (lockRecord(ctx.lock, CI_ACCESS_RECORD)?.items ?? []).filter((g) => g.role === SERVICE_ACCOUNT_USER);
        const accounts = new Set([...actedAs(ctx.config), ...recorded.map((g) => g.account)]);
        const found = await Promise.all(
          [...accounts].map(async (account) => {
            const policy = await existing(policyOf(ctx, account));
            return hasBinding(policy, SERVICE_ACCOUNT_USER, deployer) ? [{ account, role: SERVICE_ACCOUNT_USER, member: deployer }] : [];
          }),
        );
        return found.flat();
      },
      plan: (ctx, grants) => ({
        steps: grants.map((g): TeardownStep => ({
          kind: 'IAM binding',
          resource: label(g),
          run: async () =>
            void (await readModifyWrite(access(ctx, g.account), (p) =>
              hasBinding(p, g.role, g.member) ? withoutBinding(p, g.role, g.member) : undefined,
            )),
        })),
      }),
    },
  });
}
