// IAM policies for every resource that has get/set/testIamPermissions (projects, secrets,
// repositories, Cloud Run services, service accounts). One set of rules, as Google applies them:
// a fresh etag on every set, a stale etag → ABORTED, a member that does not exist (a
// `serviceAccount:` not created yet or less than --iam-propagation-delay ago, a service agent whose
// API is not enabled, a workload identity pool that does not exist) or a custom role that does not
// exist in the resource's project → INVALID_ARGUMENT, and testIamPermissions answering everything
// the emulated caller holds, minus `--deny`.
import { randomBytes } from 'node:crypto';
import { ApiError, badRequest } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import type { StateStore } from './state.js';
import { bindableCustomRole } from './custom-roles.js';
import type { ProjectRecord } from './projects.js';
import { isUserManagedServiceAccountEmail, serviceAgentOf, type ServiceAccountDirectory } from './service-accounts.js';
import { findPool } from './workload-identity.js';

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
/**
 * Workload identity federation principals (Google's "principal identifiers"): one identity by subject,
 * or sets by group, by attribute value, or the whole pool.
 */
const WORKLOAD_IDENTITY_MEMBER =
  /^(principal|principalSet):\/\/iam\.googleapis\.com\/projects\/([^/]+)\/locations\/([^/]+)\/workloadIdentityPools\/([^/]+)\/(.+)$/;
const WORKLOAD_IDENTITY_SUBJECT = /^subject\/.+$/;
const WORKLOAD_IDENTITY_SET = /^(group\/.+|attribute\.[a-z0-9_]{1,100}\/.+|\*)$/;
const CUSTOM_ROLE = /^projects\/([^/]+)\/roles\/([^/]+)$/;
const ROLE = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;
/** `service.resource.verb`, or the `iam.googleapis.com/resource.verb` form some IAM permissions have. */
const PERMISSION = /^([a-zA-Z0-9-]+(\.[a-zA-Z0-9]+){2,}|[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com\/[a-zA-Z0-9]+\.[a-zA-Z0-9]+)$/;

/**
 * Etags are `bytes` in the protos: a client may send back the standard base64 it was given or the
 * URL-safe form of the same bytes (gcloud does), so they are compared as bytes.
 */
export function sameEtag(a: string, b: string): boolean {
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

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
   * Google's default is bindings and etag. `project`: the project (id or number) the resource belongs
   * to when its name does not say (a bucket: projects/_/buckets/B), for the custom-role rule.
   */
  set(resource: string, policyJson: JsonObject | undefined, updateMask: string | undefined, now: number, project?: string): JsonObject {
    const current = this.record(resource);
    const requested = policyJson ?? {};
    const mask = new Set((updateMask ?? 'bindings,etag').split(',').map((path) => path.trim()));
    const requestedEtag = requested.etag;
    if (typeof requestedEtag === 'string' && requestedEtag !== '' && !sameEtag(requestedEtag, current.etag)) {
      throw new ApiError(
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      );
    }
    const bindings = mask.has('bindings')
      ? this.validBindings(project ? `projects/${project}` : resource, (requested.bindings as unknown as Binding[] | undefined) ?? [], now)
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
  private validBindings(resource: string, requested: Binding[], now: number): Binding[] {
    const merged = new Map<string, Binding>();
    for (const [index, binding] of requested.entries()) {
      if (!binding.role || !ROLE.test(binding.role)) {
        throw new ApiError('INVALID_ARGUMENT', `Role ${binding.role ?? '(empty)'} is not supported for this resource.`, [
          badRequest([
            { field: `policy.bindings[${index}].role`, description: `Role ${binding.role ?? ''} is not supported for this resource.` },
          ]),
        ]);
      }
      this.checkRoleInHierarchy(resource, binding.role, now);
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

  /** A project by id or number, among the projects the emulator has seen. */
  private project(reference: string): ProjectRecord | undefined {
    const projects = this.store.data.projects;
    return projects[reference] ?? Object.values(projects).find((project) => project.projectNumber === reference);
  }

  /**
   * A custom role can be bound only where it exists: in its own project, and not deleted. Predefined
   * roles (`roles/…`) are checked for form only. Organization roles never exist in the emulator.
   */
  private checkRoleInHierarchy(resource: string, role: string, now: number): void {
    if (role.startsWith('roles/')) return;
    const match = CUSTOM_ROLE.exec(role);
    const roleProject = match ? this.project(match[1]) : undefined;
    const resourceProject = this.project(/^projects\/([^/]+)/.exec(resource)?.[1] ?? '');
    const exists =
      roleProject !== undefined &&
      roleProject === resourceProject &&
      bindableCustomRole(this.store, roleProject.projectId, match![2], now) !== undefined;
    if (!exists) throw new ApiError('INVALID_ARGUMENT', `Role (${role}) does not exist in the resource's hierarchy.`);
  }

  private checkMember(member: string, now: number): void {
    if (!SPECIAL_MEMBERS.has(member) && !MEMBER_PREFIXES.some((prefix) => member.startsWith(prefix) && member.length > prefix.length)) {
      throw new ApiError('INVALID_ARGUMENT', `Invalid principal: ${member}`);
    }
    if (member.startsWith('principal:') || member.startsWith('principalSet:')) {
      this.checkWorkloadIdentityMember(member, now);
      return;
    }
    if (!member.startsWith('serviceAccount:')) return;
    const email = member.slice('serviceAccount:'.length);
    const agent = serviceAgentOf(email);
    if (agent) {
      if (!this.serviceAgentExists(agent.projectNumber, agent.service)) {
        throw new ApiError('INVALID_ARGUMENT', `Service account ${email} does not exist.`);
      }
      return;
    }
    // Other Google-managed accounts (…@developer.gserviceaccount.com, …@cloudbuild.gserviceaccount.com) always exist.
    if (!isUserManagedServiceAccountEmail(email)) return;
    const account = this.serviceAccounts.find(email);
    const visible = account && now - account.createTime >= this.options.iamPropagationDelayMs;
    if (!visible) throw new ApiError('INVALID_ARGUMENT', `Service account ${email} does not exist.`);
  }

  /** A service agent exists once its API is enabled in its project (an agent of an API the emulator does not know never does). */
  private serviceAgentExists(projectNumber: string, service: string | undefined): boolean {
    const project = Object.values(this.store.data.projects).find((candidate) => candidate.projectNumber === projectNumber);
    return service !== undefined && project !== undefined && project.services[service] === 'ENABLED';
  }

  /** `principal://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/subject/S` and the principalSet forms. */
  private checkWorkloadIdentityMember(member: string, now: number): void {
    const match = WORKLOAD_IDENTITY_MEMBER.exec(member);
    if (!match) return; // other principal identifiers (workforce pools, principal://goog/…) are checked for form only
    const [, kind, projectNumber, location, poolId, rest] = match as unknown as [string, string, string, string, string, string];
    const shapeOk = kind === 'principal' ? WORKLOAD_IDENTITY_SUBJECT.test(rest) : WORKLOAD_IDENTITY_SET.test(rest);
    // Principal identifiers name the project by number (Google's documented format).
    if (!shapeOk || !/^[0-9]+$/.test(projectNumber) || location !== 'global') {
      throw new ApiError('INVALID_ARGUMENT', `Invalid principal: ${member}`);
    }
    if (!findPool(this.store, projectNumber, poolId, now)) {
      const pool = `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
      throw new ApiError(
        'INVALID_ARGUMENT',
        `Identity Pool does not exist (${pool}). Please check that you specified a valid resource name as returned in the \`name\` attribute in the configuration API.`,
      );
    }
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
