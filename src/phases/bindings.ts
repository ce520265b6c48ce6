// Bindings: roles/secretmanager.secretAccessor for the runtime account on exactly its secrets (not
// project-wide), and the project roles the configuration asks for. Each policy is changed by
// read-modify-write, retried on etag conflicts and while IAM does not yet know a new account.
// Bindings this tool added earlier (the lockfile remembers them) and no longer wanted are removed.
import type { RunContext } from '../engine/context.js';
import { absentIfDisabled } from '../engine/context.js';
import { definePhase, type PhaseContext, type PlannedChange, type TeardownStep } from '../engine/phase.js';
import { desiredState, type DesiredBinding } from '../desired/index.js';
import { getProjectPolicy, setProjectPolicy } from '../gcp/apis/resource-manager.js';
import { getSecretPolicy, setSecretPolicy } from '../gcp/apis/secret-manager.js';
import { getBucketPolicy, setBucketPolicy } from '../gcp/apis/storage.js';
import { hasBinding, readModifyWrite, withBinding, withoutBinding, type IamPolicy, type PolicyAccess } from '../gcp/apis/iam-policy.js';
import { existing, orMissing } from '../gcp/call.js';
import { lockRecord, recordKey } from '../state/lockfile.js';

interface Live {
  /** Live policy per resource; undefined when the resource (or its API) does not exist yet. */
  policies: Map<string, IamPolicy | undefined>;
}

interface Edits {
  add: DesiredBinding[];
  remove: DesiredBinding[];
  /** The policy as read, saving the first read of the read-modify-write. */
  known: IamPolicy | undefined;
}

export const BINDINGS_RECORD = recordKey<{ items: DesiredBinding[] }>('bindings');

/** How to read and write the IAM policy of each kind of resource that carries the tool's bindings. */
function access(ctx: Pick<RunContext, 'gcp' | 'config'>, resource: string): PolicyAccess {
  if (resource === `projects/${ctx.config.project}`) {
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

const key = (b: DesiredBinding) => `${b.resource}|${b.role}|${b.member}`;

/** Bindings recorded by an earlier run that the configuration no longer wants. */
function stale(ctx: PhaseContext): DesiredBinding[] {
  const wanted = new Set(ctx.desired().bindings.map(key));
  return (lockRecord(ctx.lock, BINDINGS_RECORD)?.items ?? []).filter((b) => !wanted.has(key(b)));
}

function label(b: DesiredBinding): string {
  return `${b.role} → ${b.member.replace(/^serviceAccount:/, '')} on ${b.resource}`;
}

export const bindingsPhase = definePhase({
  name: 'bindings',
  title: 'IAM bindings',
  needs: ['secrets', 'identity', 'plans'],
  enabled: () => true,
  apis: () => [],
  permissions: (config) => [
    'secretmanager.secrets.getIamPolicy',
    'secretmanager.secrets.setIamPolicy',
    ...(config.persistence.plans === 'gcs' ? ['storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy'] : []),
    ...(config.serviceAccount.roles.length > 0 ? ['resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy'] : []),
  ],
  clients: ['secretManager', 'projects', 'token'],
  record: BINDINGS_RECORD,

  async read(ctx): Promise<Live> {
    const resources = new Set([...ctx.desired().bindings, ...stale(ctx)].map((b) => b.resource));
    const entries = await Promise.all(
      [...resources].map(
        async (resource) => [resource, await absentIfDisabled(ctx, orMissing(access(ctx, resource).get()), undefined)] as const,
      ),
    );
    return { policies: new Map(entries) };
  },

  plan(ctx, live) {
    const changes: PlannedChange[] = [];
    const edits = new Map<string, Edits>();
    const edit = (resource: string) =>
      edits.get(resource) ?? edits.set(resource, { add: [], remove: [], known: live.policies.get(resource) }).get(resource)!;
    for (const b of ctx.desired().bindings) {
      if (hasBinding(live.policies.get(b.resource), b.role, b.member)) continue;
      changes.push({ kind: 'IAM binding', resource: label(b), action: 'create' });
      edit(b.resource).add.push(b);
    }
    for (const b of stale(ctx)) {
      if (!hasBinding(live.policies.get(b.resource), b.role, b.member)) continue;
      changes.push({ kind: 'IAM binding', resource: label(b), action: 'delete' });
      edit(b.resource).remove.push(b);
    }
    return { changes, decision: { edits } };
  },

  async apply(ctx, { edits }) {
    // One read-modify-write per policy; different policies are independent and go in parallel.
    await Promise.all(
      [...edits].map(async ([resource, e]) => {
        await readModifyWrite(
          access(ctx, resource),
          (policy) => {
            const changed =
              e.add.some((b) => !hasBinding(policy, b.role, b.member)) || e.remove.some((b) => hasBinding(policy, b.role, b.member));
            if (!changed) return undefined;
            let next = policy;
            for (const b of e.add) next = withBinding(next, b.role, b.member);
            for (const b of e.remove) next = withoutBinding(next, b.role, b.member);
            return next;
          },
          // A secret created by this run has an empty policy: the first write needs no read.
          e.known ?? (resource.includes('/secrets/') ? { version: 1, bindings: [] } : undefined),
          ctx.gcp.caller.timing.retryBaseMs,
        );
        for (const b of e.add)
          ctx.emit({ type: 'resource-changed', phase: 'bindings', kind: 'IAM binding', resource: label(b), action: 'create' });
        for (const b of e.remove)
          ctx.emit({ type: 'resource-changed', phase: 'bindings', kind: 'IAM binding', resource: label(b), action: 'delete' });
      }),
    );
    const items = ctx.desired().bindings;
    return { record: { items }, summary: `${items.length} binding${items.length === 1 ? '' : 's'}` };
  },

  teardown: {
    // The runtime account's bindings: the project roles configured or recorded, and the accessor on
    // each secret (unless the secrets themselves go: their policies go with them).
    async read(ctx, { purgeSecrets, purgeData }) {
      const desired = desiredState(ctx.config, { projectNumber: ctx.lock?.projectNumber });
      const member = `serviceAccount:${desired.serviceAccount.email}`;
      const project = `projects/${ctx.config.project}`;
      const roles = new Set([
        ...ctx.config.serviceAccount.roles,
        ...(lockRecord(ctx.lock, BINDINGS_RECORD)?.items ?? []).filter((b) => b.resource === project).map((b) => b.role),
      ]);
      const wanted: DesiredBinding[] = [...roles].map((role) => ({ resource: project, role, member }));
      // A secret that does not exist has no policy to read: existing() answers undefined for it.
      if (!purgeSecrets)
        for (const s of desired.secrets) wanted.push({ resource: s.resourceName, role: 'roles/secretmanager.secretAccessor', member });
      // The plans bucket is kept without --purge-data: the runtime account's access to it goes.
      if (!purgeData) {
        const buckets = new Set([
          ...(desired.persistence.bucket ? [desired.persistence.bucket.policyResource] : []),
          ...(lockRecord(ctx.lock, BINDINGS_RECORD)?.items ?? [])
            .filter((b) => b.resource.startsWith('projects/_/buckets/'))
            .map((b) => b.resource),
        ]);
        for (const resource of buckets) wanted.push({ resource, role: 'roles/storage.objectUser', member });
      }
      const policies = new Map<string, IamPolicy | undefined>();
      await Promise.all(
        [...new Set(wanted.map((b) => b.resource))].map(async (r) => policies.set(r, await existing(access(ctx, r).get()))),
      );
      return wanted.filter((b) => hasBinding(policies.get(b.resource), b.role, b.member));
    },
    plan: (ctx, bound) => ({
      steps: bound.map((b): TeardownStep => ({
        kind: 'IAM binding',
        resource: label(b),
        run: async () =>
          void (await readModifyWrite(access(ctx, b.resource), (p) =>
            hasBinding(p, b.role, b.member) ? withoutBinding(p, b.role, b.member) : undefined,
          )),
      })),
    }),
  },
});
