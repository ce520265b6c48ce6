// Bindings: roles/secretmanager.secretAccessor for the runtime account on exactly its secrets (not
// project-wide), and the project roles the configuration asks for. Each policy is changed by
// read-modify-write, retried on etag conflicts and while IAM does not yet know a new account.
// The runtime account is the tool's own, so every project-level binding of it that the
// configuration does not name is drift — read from the live project policy, with or without a
// lockfile — and is removed; so are secret bindings an earlier run recorded and no longer wants.
// With plans on Cloud Storage the runtime account also gets roles/storage.objectUser on the bucket.
import type { RunContext } from '../engine/context.js';
import { absentIfDisabled } from '../engine/context.js';
import { definePhase, type PhaseContext, type PlannedChange, type TeardownStep, type Warning } from '../engine/phase.js';
import { desiredState, type DesiredBinding } from '../desired/index.js';
import { OperationError } from '../errors.js';
import { configRisks, unacknowledged } from '../config/risks.js';
import { getProjectPolicy, setProjectPolicy, testProjectPermissions } from '../gcp/apis/resource-manager.js';
import { getSecretPolicy, setSecretPolicy } from '../gcp/apis/secret-manager.js';
import { getBucketPolicy, setBucketPolicy } from '../gcp/apis/storage.js';
import {
  bindingsOf,
  hasBinding,
  hasExactBinding,
  readModifyWrite,
  withoutMember,
  type IamPolicy,
  type PolicyAccess,
} from '../gcp/apis/iam-policy.js';
import { existing, orMissing } from '../gcp/call.js';
import { GcpError } from '../gcp/errors.js';
import { lockRecord, recordKey } from '../state/lockfile.js';
import { applyPolicyEdits, bindingLabel, type Bound, type PolicyEdits } from './policy-edits.js';

interface Live {
  /** Live policy per resource; undefined when the resource (or its API) does not exist yet. */
  policies: Map<string, IamPolicy | undefined>;
  /** Why the project policy could not be read (no resourcemanager.projects.getIamPolicy): its drift is unknown. */
  projectUnreadable?: string;
  /** Asked only when the project policy holds bindings to remove and no configured role makes preflight check it. */
  canSetProjectPolicy?: boolean;
}

export const BINDINGS_RECORD = recordKey<{ items: DesiredBinding[] }>('bindings');

const SET_PROJECT_POLICY = 'resourcemanager.projects.setIamPolicy';

/** How to read and write the IAM policy of each kind of resource that carries the tool's bindings. */
function access(ctx: Pick<RunContext, 'gcp' | 'config'>, resource: string): PolicyAccess {
  if (resource === projectOf(ctx)) {
    return { get: () => getProjectPolicy(ctx.gcp, ctx.config.project), set: (p) => setProjectPolicy(ctx.gcp, ctx.config.project, p) };
  }
  if (/^projects\/[^/]+\/secrets\/[^/]+$/.test(resource)) {
    return { get: () => getSecretPolicy(ctx.gcp, resource), set: (p) => setSecretPolicy(ctx.gcp, resource, p) };
  }
  // Storage names a bucket's policy projects/_/buckets/NAME (its resourceId).
  const bucket = /^projects\/_\/buckets\/([^/]+)$/.exec(resource)?.[1];
  if (bucket) return { get: () => getBucketPolicy(ctx.gcp, bucket), set: (p) => setBucketPolicy(ctx.gcp, bucket, p) };
  // A new kind of resource needs its accessor here: never fall back to another resource's policy.
  throw new Error(`no IAM policy accessor for ${resource}`);
}

const projectOf = (ctx: Pick<RunContext, 'config'>) => `projects/${ctx.config.project}`;
const memberOf = (ctx: Pick<RunContext, 'config'>) => `serviceAccount:${ctx.config.names.serviceAccountEmail}`;
const key = (b: DesiredBinding) => `${b.resource}|${b.role}|${b.member}`;

/** Bindings recorded by an earlier run that the configuration no longer wants. */
function recordedStale(ctx: PhaseContext): DesiredBinding[] {
  const wanted = new Set(ctx.desired().bindings.map(key));
  return (lockRecord(ctx.lock, BINDINGS_RECORD)?.items ?? []).filter((b) => !wanted.has(key(b)));
}

/** Every project-level binding of the runtime account the configuration does not name (a conditional one never is). */
function unnamedProjectBindings(ctx: PhaseContext, policy: IamPolicy | undefined): Bound[] {
  const wanted = new Set(ctx.config.serviceAccount.roles);
  const resource = projectOf(ctx);
  const member = memberOf(ctx);
  return bindingsOf(policy, member)
    .filter((b) => b.condition || !wanted.has(b.role))
    .map((b) => ({ resource, role: b.role, member, ...(b.condition ? { condition: b.condition } : {}) }));
}

/** What to remove: the project's unnamed bindings (live), and the recorded secret bindings no longer wanted. */
function toRemove(ctx: PhaseContext, live: Live): Bound[] {
  const project = projectOf(ctx);
  const fromLive = unnamedProjectBindings(ctx, live.policies.get(project));
  const recorded = recordedStale(ctx).filter((b) => b.resource !== project && hasBinding(live.policies.get(b.resource), b.role, b.member));
  return [...recorded, ...fromLive];
}

export const bindingsPhase = definePhase({
  name: 'bindings',
  title: 'IAM bindings',
  needs: ['secrets', 'identity', 'plans'],
  enabled: () => true,
  apis: () => [],
  // The project policy is always read (every binding of the runtime account there is the tool's
  // business); setting it is declared only with configured roles, and otherwise asked for when
  // something must be removed (read, below) — a deploy that changes no project role needs no
  // project IAM admin.
  permissions: (config) => [
    'secretmanager.secrets.getIamPolicy',
    'secretmanager.secrets.setIamPolicy',
    ...(config.persistence.plans === 'gcs' ? ['storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy'] : []),
    'resourcemanager.projects.getIamPolicy',
    ...(config.serviceAccount.roles.length > 0 ? [SET_PROJECT_POLICY] : []),
  ],
  clients: ['secretManager', 'projects', 'token'],
  record: BINDINGS_RECORD,

  async read(ctx): Promise<Live> {
    const project = projectOf(ctx);
    const resources = new Set([project, ...[...ctx.desired().bindings, ...recordedStale(ctx)].map((b) => b.resource)]);
    const live: Live = { policies: new Map() };
    await Promise.all(
      [...resources].map(async (resource) => {
        try {
          live.policies.set(resource, await absentIfDisabled(ctx, orMissing(access(ctx, resource).get()), undefined));
        } catch (err) {
          // Without the permission to read it, a plan can still say everything else; preflight
          // stops a deploy (the permission is declared above).
          if (resource !== project || !(err instanceof GcpError && err.code === 'PERMISSION_DENIED')) throw err;
          live.projectUnreadable = err.message;
        }
      }),
    );
    if (ctx.config.serviceAccount.roles.length === 0 && unnamedProjectBindings(ctx, live.policies.get(project)).length > 0) {
      const granted = await testProjectPermissions(ctx.gcp, ctx.config.project, [SET_PROJECT_POLICY]);
      live.canSetProjectPolicy = granted.includes(SET_PROJECT_POLICY);
    }
    return live;
  },

  plan(ctx, live) {
    const changes: PlannedChange[] = [];
    const warnings: Warning[] = [];
    const blockers: Error[] = [];
    const edits = new Map<string, PolicyEdits>();
    const edit = (resource: string) =>
      edits.get(resource) ?? edits.set(resource, { add: [], remove: [], known: live.policies.get(resource) }).get(resource)!;
    for (const b of ctx.desired().bindings) {
      if (hasBinding(live.policies.get(b.resource), b.role, b.member)) continue;
      changes.push({ kind: 'IAM binding', resource: bindingLabel(b), action: 'create' });
      edit(b.resource).add.push(b);
    }
    const removals = toRemove(ctx, live);
    for (const b of removals) {
      const unnamed = b.resource === projectOf(ctx);
      changes.push({
        kind: 'IAM binding',
        resource: bindingLabel(b),
        action: 'delete',
        ...(unnamed ? { reason: 'the runtime account holds it, and serviceAccount.roles does not name it' } : {}),
      });
      edit(b.resource).remove.push(b);
    }
    if (live.projectUnreadable) {
      warnings.push({
        message: `cannot read the IAM policy of ${projectOf(ctx)} (${live.projectUnreadable}): project roles of the runtime account that the configuration does not name cannot be found`,
        hint: 'grant resourcemanager.projects.getIamPolicy (roles/iam.securityReviewer) to the account the tool runs as',
      });
    }
    if (live.canSetProjectPolicy === false && removals.some((b) => b.resource === projectOf(ctx))) {
      const roles = removals.filter((b) => b.resource === projectOf(ctx)).map((b) => b.role);
      const message = `the runtime account holds project roles the configuration does not name (${roles.join(', ')}); removing them needs ${SET_PROJECT_POLICY}, which the caller lacks`;
      const hint = 'grant roles/resourcemanager.projectIamAdmin to the account the tool runs as, or add the roles to serviceAccount.roles';
      if (ctx.mode === 'deploy') blockers.push(new OperationError(message, { hint }));
      else warnings.push({ message: `deploy would fail: ${message}`, hint });
    }
    warnings.push(...unacknowledged(configRisks(ctx.config).bindings, ctx.config.acceptRisks));
    return { changes, warnings, blockers, decision: { edits } };
  },

  async apply(ctx, { edits }) {
    // A secret created by this run has an empty policy: the first write needs no read.
    await applyPolicyEdits(
      ctx,
      'bindings',
      edits,
      (resource) => access(ctx, resource),
      (resource) => (resource.includes('/secrets/') ? { version: 1, bindings: [] } : undefined),
    );
    const items = ctx.desired().bindings;
    return { record: { items }, summary: `${items.length} binding${items.length === 1 ? '' : 's'}` };
  },

  teardown: {
    // Every project-level binding of the runtime account (configured, recorded or neither), the
    // accessor on each secret (unless the secrets themselves go: their policies go with them), and
    // its access to the plans bucket (kept without --purge-data: the access goes all the same).
    async read(ctx, { purgeSecrets, purgeData }) {
      const desired = desiredState(ctx.config, { projectNumber: ctx.lock?.projectNumber });
      const member = memberOf(ctx);
      const project = projectOf(ctx);
      const wanted: DesiredBinding[] = [];
      // A resource that does not exist has no policy to read: existing() answers undefined for it.
      if (!purgeSecrets)
        for (const s of desired.secrets) wanted.push({ resource: s.resourceName, role: 'roles/secretmanager.secretAccessor', member });
      if (!purgeData) {
        const buckets = new Set([
          ...(desired.persistence.bucket ? [desired.persistence.bucket.policyResource] : []),
          ...(lockRecord(ctx.lock, BINDINGS_RECORD)?.items ?? [])
            .filter((b) => b.resource.startsWith('projects/_/buckets/'))
            .map((b) => b.resource),
        ]);
        for (const resource of buckets) wanted.push({ resource, role: 'roles/storage.objectUser', member });
      }
      const [projectPolicy, ...policies] = await Promise.all([
        existing(access(ctx, project).get()),
        ...wanted.map((b) => existing(access(ctx, b.resource).get())),
      ]);
      const bound: Bound[] = bindingsOf(projectPolicy, member).map((b) => ({ resource: project, member, ...b }));
      for (const [i, b] of wanted.entries()) if (hasBinding(policies[i], b.role, b.member)) bound.push(b);
      return bound;
    },
    plan: (ctx, bound) => ({
      steps: bound.map((b): TeardownStep => ({
        kind: 'IAM binding',
        resource: bindingLabel(b),
        run: async () =>
          void (await readModifyWrite(access(ctx, b.resource), (p) =>
            hasExactBinding(p, b.role, b.member, b.condition) ? withoutMember(p, b.role, b.member, b.condition) : undefined,
          )),
      })),
    }),
  },
});
