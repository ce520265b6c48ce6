// IAM policies as the clients return them, the pure edits the tool makes to them, and the
// read-modify-write loop that applies an edit despite concurrent writers.
import { isEtagConflict, withRetry } from '../retry.js';

export interface IamBinding {
  role?: string | null;
  members?: string[] | null;
  condition?: { expression?: string | null; title?: string | null; description?: string | null } | null;
}

export interface IamPolicy {
  version?: number | null;
  bindings?: IamBinding[] | null;
  etag?: Uint8Array | string | null;
}

export function hasBinding(policy: IamPolicy | undefined, role: string, member: string): boolean {
  return Boolean(policy?.bindings?.some((b) => b.role === role && !b.condition && b.members?.includes(member)));
}

/** A copy of `policy` with `member` added to `role` (unconditional binding). */
export function withBinding(policy: IamPolicy, role: string, member: string): IamPolicy {
  const bindings = (policy.bindings ?? []).map((b) => ({ ...b, members: [...(b.members ?? [])] }));
  const existing = bindings.find((b) => b.role === role && !b.condition);
  if (existing) {
    if (!existing.members.includes(member)) existing.members.push(member);
  } else {
    bindings.push({ role, members: [member] });
  }
  return { ...policy, bindings };
}

/** A copy of `policy` without `member` in `role`; empty bindings dropped. */
export function withoutBinding(policy: IamPolicy, role: string, member: string): IamPolicy {
  const bindings = (policy.bindings ?? [])
    .map((b) => (b.role === role && !b.condition ? { ...b, members: (b.members ?? []).filter((m) => m !== member) } : b))
    .filter((b) => (b.members?.length ?? 0) > 0);
  return { ...policy, bindings };
}

export type IamCondition = NonNullable<IamBinding['condition']>;

/** Every binding that names `member`, as (role, condition) pairs: what a member holds on the resource. */
export function bindingsOf(policy: IamPolicy | undefined, member: string): { role: string; condition?: IamCondition }[] {
  return (policy?.bindings ?? [])
    .filter((b) => b.role && b.members?.includes(member))
    .map((b) => ({ role: b.role!, ...(b.condition ? { condition: b.condition } : {}) }));
}

const sameCondition = (a: IamCondition | null | undefined, b: IamCondition | null | undefined) =>
  (a?.expression ?? '') === (b?.expression ?? '') && (a?.title ?? '') === (b?.title ?? '');

/** A copy of `policy` without `member` in the binding of `role` with exactly `condition` (none: the unconditional one). */
export function withoutMember(policy: IamPolicy, role: string, member: string, condition?: IamCondition | null): IamPolicy {
  const bindings = (policy.bindings ?? [])
    .map((b) =>
      b.role === role && sameCondition(b.condition, condition) ? { ...b, members: (b.members ?? []).filter((m) => m !== member) } : b,
    )
    .filter((b) => (b.members?.length ?? 0) > 0);
  return { ...policy, bindings };
}

/** Whether `member` is in the binding of `role` with exactly `condition`. */
export function hasExactBinding(policy: IamPolicy | undefined, role: string, member: string, condition?: IamCondition | null): boolean {
  return Boolean(policy?.bindings?.some((b) => b.role === role && sameCondition(b.condition, condition) && b.members?.includes(member)));
}

export interface PolicyAccess {
  get(): Promise<IamPolicy>;
  set(policy: IamPolicy): Promise<IamPolicy>;
}

/**
 * Applies `edit` to the live policy: get (etag), edit, set. When someone else wrote in between, the
 * set fails with an etag conflict and the whole read-modify-write runs again — that is the only
 * condition retried here; transient failures and IAM propagation are retried per call by ApiCaller.
 * `known` saves the first read when the caller already holds a fresh policy. Returns false when no
 * write was needed.
 */
export async function readModifyWrite(
  access: PolicyAccess,
  edit: (policy: IamPolicy) => IamPolicy | undefined,
  known?: IamPolicy,
  baseDelayMs = 200,
): Promise<boolean> {
  return withRetry(
    async (attempt) => {
      const current = attempt === 1 && known ? known : await access.get();
      const next = edit(current);
      if (!next) return false;
      await access.set(next);
      return true;
    },
    // A conflict means someone else just wrote: read again soon (jittered), not after a long wait.
    { predicates: [isEtagConflict], retries: 8, minDelayMs: baseDelayMs, maxDelayMs: Math.max(baseDelayMs, 4_000) },
  );
}
