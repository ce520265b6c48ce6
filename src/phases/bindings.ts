// Bindings: roles/secretmanager.secretAccessor for the runtime account on exactly its secrets (not
// project-wide), and the project roles the configuration asks for. Each policy is changed by
// read-modify-write, retried on etag conflicts and while IAM does not yet know a new account.
// Bindings this tool added earlier (the lockfile remembers them) and no longer wanted are removed.
import { definePhase, type PhaseContext, type PlannedChange } from '../engine/phase.js';
import type { DesiredBinding } from '../desired/index.js';
import { getProjectPolicy, setProjectPolicy } from '../gcp/apis/resource-manager.js';
import { getSecretPolicy, setSecretPolicy } from '../gcp/apis/secret-manager.js';
import { hasBinding, readModifyWrite, withBinding, withoutBinding, type IamPolicy, type PolicyAccess } from '../gcp/apis/iam-policy.js';
import { GcpError } from '../gcp/errors.js';
import { unlessApiDisabled } from './read-helpers.js';

interface Live {
  /** Live policy per resource; undefined when the resource (or its API) does not exist yet. */
  policies: Map<string, IamPolicy | undefined>;
}

function access(ctx: PhaseContext, resource: string): PolicyAccess {
  if (resource.includes('/secrets/'))
    return { get: () => getSecretPolicy(ctx.gcp, resource), set: (p) => setSecretPolicy(ctx.gcp, resource, p) };
  return { get: () => getProjectPolicy(ctx.gcp, ctx.config.project), set: (p) => setProjectPolicy(ctx.gcp, ctx.config.project, p) };
}

/** Bindings recorded by an earlier run that the configuration no longer wants. */
function stale(ctx: PhaseContext): DesiredBinding[] {
  const wanted = new Set(ctx.desired().bindings.map(key));
  return (ctx.lock?.resources.bindings?.items ?? []).filter((b) => !wanted.has(key(b)));
}

const key = (b: DesiredBinding) => `${b.resource}|${b.role}|${b.member}`;

function label(b: DesiredBinding): string {
  return `${b.role} → ${b.member.replace(/^serviceAccount:/, '')} on ${b.resource}`;
}

export const bindingsPhase = definePhase<Live>({
  name: 'bindings',
  title: 'IAM bindings',
  needs: ['secrets', 'identity'],
  enabled: () => true,

  async read(ctx) {
    const resources = new Set([...ctx.desired().bindings, ...stale(ctx)].map((b) => b.resource));
    const entries = await Promise.all(
      [...resources].map(async (resource) => {
        const policy = await unlessApiDisabled(
          ctx,
          access(ctx, resource)
            .get()
            .catch((err: unknown) => {
              if (err instanceof GcpError && err.code === 'NOT_FOUND') return undefined;
              throw err;
            }),
          undefined,
        );
        return [resource, policy] as const;
      }),
    );
    return { policies: new Map(entries) };
  },

  plan(ctx, live) {
    const changes: PlannedChange[] = [];
    for (const b of ctx.desired().bindings) {
      if (!hasBinding(live.policies.get(b.resource), b.role, b.member))
        changes.push({ kind: 'IAM binding', resource: label(b), action: 'create' });
    }
    for (const b of stale(ctx)) {
      if (hasBinding(live.policies.get(b.resource), b.role, b.member))
        changes.push({ kind: 'IAM binding', resource: label(b), action: 'delete' });
    }
    return { changes };
  },

  async apply(ctx, live) {
    const add = ctx.desired().bindings.filter((b) => !hasBinding(live.policies.get(b.resource), b.role, b.member));
    const remove = stale(ctx).filter((b) => hasBinding(live.policies.get(b.resource), b.role, b.member));
    const byResource = new Map<string, { add: DesiredBinding[]; remove: DesiredBinding[] }>();
    for (const b of add) (byResource.get(b.resource) ?? byResource.set(b.resource, { add: [], remove: [] }).get(b.resource)!).add.push(b);
    for (const b of remove)
      (byResource.get(b.resource) ?? byResource.set(b.resource, { add: [], remove: [] }).get(b.resource)!).remove.push(b);
    // One read-modify-write per policy; different policies are independent and go in parallel.
    await Promise.all(
      [...byResource].map(async ([resource, edits]) => {
        const known = live.policies.get(resource);
        await readModifyWrite(
          access(ctx, resource),
          (policy) => {
            let next = policy;
            for (const b of edits.add) next = withBinding(next, b.role, b.member);
            for (const b of edits.remove) next = withoutBinding(next, b.role, b.member);
            const changed =
              edits.add.some((b) => !hasBinding(policy, b.role, b.member)) ||
              edits.remove.some((b) => hasBinding(policy, b.role, b.member));
            return changed ? next : undefined;
          },
          // A secret created by this run has an empty policy: the first write needs no read.
          known ?? (resource.includes('/secrets/') ? { version: 1, bindings: [] } : undefined),
          ctx.gcp.caller.timing.retryBaseMs,
        );
        for (const b of edits.add)
          ctx.emit({ type: 'resource-changed', phase: 'bindings', kind: 'IAM binding', resource: label(b), action: 'create' });
        for (const b of edits.remove)
          ctx.emit({ type: 'resource-changed', phase: 'bindings', kind: 'IAM binding', resource: label(b), action: 'delete' });
      }),
    );
    const items = ctx.desired().bindings;
    return { record: { bindings: { items } }, summary: `${items.length} binding${items.length === 1 ? '' : 's'}` };
  },
});
