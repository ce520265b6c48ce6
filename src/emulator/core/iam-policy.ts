// IAM policies for every resource that has get/set/testIamPermissions (projects now; secrets,
// repositories and Cloud Run services later). One set of rules, as Google applies them:
// a fresh etag on every set, a stale etag → ABORTED, a `serviceAccount:` member that does not
// exist yet (or was created less than --iam-propagation-delay ago) → INVALID_ARGUMENT, and
// testIamPermissions answering everything the emulated caller holds, minus `--deny`.
import { randomBytes } from 'node:crypto';
import { ApiError, badRequest } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import type { StateStore } from './state.js';
import { isUserManagedServiceAccountEmail, type ServiceAccountDirectory } from './service-accounts.js';

export interface Binding {
  role: string;
  members: string[];
  condition?: { expression: string; title?: string; description?: string; location?: string };
}

export interface PolicyRecord {
  /** 0 for a policy never set (Google omits the field then), 1, or 3 with conditions. */
  version: number;
  bindings: Binding[];
  etag: string;
  auditConfigs?: JsonValue[];
}

export interface IamPolicyOptions {
  iamPropagationDelayMs: number;
  deny: ReadonlySet<string>;
}

const MEMBER_PREFIXES = [
  'user:',
  'serviceAccount:',
  'group:',
  'domain:',
  'deleted:',
  'principal:',
  'principalSet:',
  'projectOwner:',
  'projectEditor:',
  'projectViewer:',
];
const SPECIAL_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);
const ROLE = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;
const PERMISSION = /^[a-zA-Z0-9-]+(\.[a-zA-Z0-9]+){2,}$/;

/** 8 random bytes, base64: the shape of Google's policy etags (`BwYd3dWlqAk=`). */
export function newEtag(): string {
  return randomBytes(8).toString('base64');
}

export class IamPolicyStore {
  constructor(
    private readonly store: StateStore,
    private readonly serviceAccounts: ServiceAccountDirectory,
    private readonly options: IamPolicyOptions,
  ) {}

  private record(resource: string): PolicyRecord {
    let policy = this.store.data.iamPolicies[resource];
    if (!policy) {
      policy = { version: 0, bindings: [], etag: newEtag() };
      this.store.data.iamPolicies[resource] = policy;
      this.store.markDirty();
    }
    return policy;
  }

  /** google.iam.v1.Policy JSON for `resource` (a canonical resource name the caller chooses). */
  get(resource: string): JsonObject {
    return policyToJson(this.record(resource));
  }

  /**
   * What Google does to every policy when a service account is deleted: its bindings stay, but
   * the member becomes `deleted:serviceAccount:EMAIL?uid=UNIQUE_ID` — so a new account created with
   * the same email is a new principal that none of the old bindings grant anything to.
   */
  markServiceAccountDeleted(email: string, uniqueId: string): void {
    const from = `serviceAccount:${email}`;
    const to = `deleted:serviceAccount:${email}?uid=${uniqueId}`;
    for (const policy of Object.values(this.store.data.iamPolicies)) {
      let changed = false;
      for (const binding of policy.bindings) {
        const index = binding.members.indexOf(from);
        if (index >= 0) {
          binding.members[index] = to;
          changed = true;
        }
      }
      if (changed) {
        policy.etag = newEtag();
        this.store.markDirty();
      }
    }
  }

  /** Bindings as stored, for other APIs' checks (e.g. "may this service account read the secret?"). */
  bindings(resource: string): Binding[] {
    return this.store.data.iamPolicies[resource]?.bindings ?? [];
  }

  /**
   * setIamPolicy. `updateMask` (proto3 JSON, "bindings,etag") limits which policy fields change;
   * Google's default is bindings and etag.
   */
  set(resource: string, policyJson: JsonObject | undefined, updateMask: string | undefined, now: number): JsonObject {
    const current = this.record(resource);
    const requested = policyJson ?? {};
    const mask = new Set((updateMask ?? 'bindings,etag').split(',').map((path) => path.trim()));
    const requestedEtag = requested.etag;
    if (typeof requestedEtag === 'string' && requestedEtag !== '' && requestedEtag !== current.etag) {
      throw new ApiError(
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      );
    }
    const bindings = mask.has('bindings')
      ? this.validBindings((requested.bindings as unknown as Binding[] | undefined) ?? [], now)
      : current.bindings;
    const next: PolicyRecord = {
      version: bindings.some((binding) => binding.condition) ? 3 : 1,
      bindings,
      etag: newEtag(),
    };
    const auditConfigs = mask.has('auditConfigs') ? (requested.auditConfigs as JsonValue[] | undefined) : current.auditConfigs;
    if (auditConfigs && auditConfigs.length > 0) next.auditConfigs = auditConfigs;
    this.store.data.iamPolicies[resource] = next;
    this.store.markDirty();
    return policyToJson(next);
  }

  /** The asked permissions the emulated caller holds: all of them except `--deny`. */
  testPermissions(permissions: string[]): string[] {
    for (const permission of permissions) {
      if (!PERMISSION.test(permission)) {
        throw new ApiError('INVALID_ARGUMENT', `Permission ${permission} is not valid.`);
      }
    }
    return permissions.filter((permission) => !this.options.deny.has(permission));
  }

  /** Google merges bindings of the same role and condition and drops duplicate members; so does the emulator. */
  private validBindings(requested: Binding[], now: number): Binding[] {
    const merged = new Map<string, Binding>();
    for (const [index, binding] of requested.entries()) {
      if (!binding.role || !ROLE.test(binding.role)) {
        throw new ApiError('INVALID_ARGUMENT', `Role ${binding.role ?? '(empty)'} is not supported for this resource.`, [
          badRequest([
            { field: `policy.bindings[${index}].role`, description: `Role ${binding.role ?? ''} is not supported for this resource.` },
          ]),
        ]);
      }
      for (const member of binding.members ?? []) this.checkMember(member, now);
      const key = `${binding.role}\u0000${JSON.stringify(binding.condition ?? null)}`;
      const existing = merged.get(key);
      if (existing) {
        for (const member of binding.members ?? []) if (!existing.members.includes(member)) existing.members.push(member);
      } else {
        merged.set(key, {
          role: binding.role,
          members: [...new Set(binding.members ?? [])],
          ...(binding.condition ? { condition: binding.condition } : {}),
        });
      }
    }
    return [...merged.values()].filter((binding) => binding.members.length > 0);
  }

  private checkMember(member: string, now: number): void {
    if (!SPECIAL_MEMBERS.has(member) && !MEMBER_PREFIXES.some((prefix) => member.startsWith(prefix) && member.length > prefix.length)) {
      throw new ApiError('INVALID_ARGUMENT', `Invalid principal: ${member}`);
    }
    if (!member.startsWith('serviceAccount:')) return;
    const email = member.slice('serviceAccount:'.length);
    // Google-managed accounts (…@developer.gserviceaccount.com, …@gcp-sa-*.iam.gserviceaccount.com) always exist.
    if (!isUserManagedServiceAccountEmail(email)) return;
    const account = this.serviceAccounts.find(email);
    const visible = account && now - account.createTime >= this.options.iamPropagationDelayMs;
    if (!visible) throw new ApiError('INVALID_ARGUMENT', `Service account ${email} does not exist.`);
  }
}

export function policyToJson(policy: PolicyRecord): JsonObject {
  const json: JsonObject = {};
  if (policy.version) json.version = policy.version;
  if (policy.bindings.length > 0) json.bindings = policy.bindings as unknown as JsonValue[];
  if (policy.auditConfigs) json.auditConfigs = policy.auditConfigs;
  json.etag = policy.etag;
  return json;
}
