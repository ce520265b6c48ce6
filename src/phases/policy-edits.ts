// The IAM bindings a phase adds to and removes from resources' policies (the runtime account's in
// `bindings`, the build account's in `build-access`): how a binding is named in plans and events,
// and how a plan's edits are applied — one read-modify-write per policy, policies in parallel.
import type { DesiredBinding } from '../desired/index.js';
import type { PhaseContext } from '../engine/phase.js';
import {
  hasBinding,
  hasExactBinding,
  readModifyWrite,
  withBinding,
  withoutMember,
  type IamCondition,
  type IamPolicy,
  type PolicyAccess,
} from '../gcp/apis/iam-policy.js';

/** A binding as it is in a policy: conditional ones too (the configuration only asks for unconditional ones). */
export interface Bound extends DesiredBinding {
  condition?: IamCondition;
}

/** What a plan changes in one resource's policy. */
export interface PolicyEdits {
  add: DesiredBinding[];
  remove: Bound[];
  /** The policy as read, saving the first read of the read-modify-write. */
  known: IamPolicy | undefined;
}

/** A binding as plans and events name it. */
export function bindingLabel(b: Bound): string {
  const condition = b.condition ? ` (condition ${b.condition.title ? `"${b.condition.title}"` : b.condition.expression})` : '';
  return `${b.role}${condition} → ${b.member.replace(/^serviceAccount:/, '')} on ${b.resource}`;
}

/**
 * Applies `edits` (resource → edits) through `access`, then reports each binding made or removed
 * as `phase`'s. `firstRead` stands in for a policy the plan could not read (a resource this run
 * created), when it is known without reading it.
 */
export async function applyPolicyEdits(
  ctx: PhaseContext,
  phase: string,
  edits: Map<string, PolicyEdits>,
  access: (resource: string) => PolicyAccess,
  firstRead: (resource: string) => IamPolicy | undefined = () => undefined,
): Promise<void> {
  await Promise.all(
    [...edits].map(async ([resource, e]) => {
      await readModifyWrite(
        access(resource),
        (policy) => {
          const changed =
            e.add.some((b) => !hasBinding(policy, b.role, b.member)) ||
            e.remove.some((b) => hasExactBinding(policy, b.role, b.member, b.condition));
          if (!changed) return undefined;
          let next = policy;
          for (const b of e.add) next = withBinding(next, b.role, b.member);
          for (const b of e.remove) next = withoutMember(next, b.role, b.member, b.condition);
          return next;
        },
        // A resource created by this run was read as absent: its policy must be read now, unless known.
        e.known ?? firstRead(resource),
        ctx.gcp.caller.timing.retryBaseMs,
      );
      for (const b of e.add)
        ctx.emit({ type: 'resource-changed', phase, kind: 'IAM binding', resource: bindingLabel(b), action: 'create' });
      for (const b of e.remove)
        ctx.emit({ type: 'resource-changed', phase, kind: 'IAM binding', resource: bindingLabel(b), action: 'delete' });
    }),
  );
}
