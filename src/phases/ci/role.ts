// CI role: the deployer's custom role, whose permissions are exactly those the enabled deploy phases
// declare (requirementsOf(PHASES, config).permissions) — so it grows when the configuration adds
// phases or project roles, and `ci setup` run again updates it — bound on the project to the
// deployer. A role an earlier teardown deleted is undeleted; one whose id Google still holds after
// the 7 days of undelete (ids stay taken for 37 days) gives way to ROLE_2, ROLE_3…
import { OperationError } from '../../errors.js';
import type { RunContext } from '../../engine/context.js';
import { absentIfDisabled } from '../../engine/context.js';
import { definePhase, requirementsOf, type PhasePlan, type PlannedChange, type TeardownStep } from '../../engine/phase.js';
import type { FieldChange } from '../../engine/events.js';
import type { AtlantisRunConfig } from '../../config/load.js';
import {
  createCustomRole,
  deleteCustomRole,
  listCustomRoles,
  undeleteCustomRole,
  updateCustomRole,
  type CustomRole,
  type RoleFields,
} from '../../gcp/apis/iam-roles.js';
import { hasBinding, readModifyWrite, withBinding, withoutBinding, type IamPolicy, type PolicyAccess } from '../../gcp/apis/iam-policy.js';
import { getProjectPolicy, setProjectPolicy } from '../../gcp/apis/resource-manager.js';
import { existing } from '../../gcp/call.js';
import { isAlreadyExists } from '../../gcp/errors.js';
import { recordKey } from '../../state/lockfile.js';
import { PHASES } from '../index.js';
import { ciNames, roleCandidates } from './target.js';

interface Live {
  /** The project's custom roles that `ci setup` may have made (deleted ones that can be undeleted included). */
  roles: CustomRole[];
  policy: IamPolicy | undefined;
}

type RoleAction =
  | { action: 'none'; name: string }
  | { action: 'create'; ids: string[] }
  | { action: 'update' | 'undelete'; name: string; etag: string | undefined; mask: string[]; fields: FieldChange[] };

interface Decision {
  role: RoleAction;
  /** Whether the project policy needs an edit: the role bound to the deployer, no other candidate bound. */
  binding: boolean;
}

export const CI_ROLE_RECORD = recordKey<{ name: string; permissions: number }>('ciRole');

/** What a deploy of this configuration needs on the project: exactly what its enabled phases declare. */
export function deployerPermissions(config: AtlantisRunConfig): string[] {
  return requirementsOf(PHASES, config).permissions;
}

export function desiredRole(config: AtlantisRunConfig): Required<RoleFields> {
  return {
    title: `atlantis-run deployer (${config.service})`,
    description:
      `What a deploy of ${config.service} with atlantis-run needs on the project: exactly the permissions its phases declare. ` +
      'Kept up to date by `atlantis-run ci setup`.',
    includedPermissions: deployerPermissions(config),
    stage: 'GA',
  };
}

const idOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);
const roleName = (project: string, id: string) => `projects/${project}/roles/${id}`;
const memberOf = (config: AtlantisRunConfig) => `serviceAccount:${ciNames(config).deployerEmail}`;

function projectAccess(ctx: Pick<RunContext, 'gcp' | 'config'>): PolicyAccess {
  return { get: () => getProjectPolicy(ctx.gcp, ctx.config.project), set: (p) => setProjectPolicy(ctx.gcp, ctx.config.project, p) };
}

/** The candidate ids in order, and the roles found under them. */
function candidatesOf(config: AtlantisRunConfig, roles: CustomRole[]) {
  const ids = roleCandidates(ciNames(config).roleId);
  const byId = new Map(roles.map((r) => [idOf(r.name), r]));
  const found = ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  return { ids, byId, active: found.find((r) => !r.deleted), deleted: found.find((r) => r.deleted) };
}

function roleChanges(live: CustomRole, want: Required<RoleFields>) {
  const fields: FieldChange[] = [];
  const mask: string[] = [];
  const have = new Set(live.includedPermissions ?? []);
  const wanted = new Set(want.includedPermissions);
  const added = want.includedPermissions.filter((p) => !have.has(p));
  const removed = [...have].filter((p) => !wanted.has(p)).sort();
  if (added.length + removed.length > 0) {
    mask.push('included_permissions');
    for (const p of added) fields.push({ path: 'includedPermissions[+]', to: p });
    for (const p of removed) fields.push({ path: 'includedPermissions[-]', from: p });
  }
  for (const key of ['title', 'description'] as const) {
    if ((live[key] ?? '') !== want[key]) {
      mask.push(key);
      fields.push({ path: key, ...(live[key] ? { from: live[key] } : {}), to: want[key] });
    }
  }
  // Google omits the stage of ALPHA roles.
  if ((live.stage ?? 'ALPHA') !== want.stage) {
    mask.push('stage');
    fields.push({ path: 'stage', from: live.stage ?? 'ALPHA', to: want.stage });
  }
  return { fields, mask };
}

function decideRole(config: AtlantisRunConfig, roles: CustomRole[]): { role: RoleAction; name: string; change?: PlannedChange } {
  const want = desiredRole(config);
  const { ids, byId, active, deleted } = candidatesOf(config, roles);
  const chosen = active ?? deleted;
  if (!chosen) {
    // Ids Google lists are taken; an unlisted one may still be held (37 days): apply tries the next.
    const free = ids.filter((id) => !byId.has(id));
    const name = roleName(config.project, free[0] ?? ids[0]);
    const fields = [
      { path: 'title', to: want.title },
      { path: 'includedPermissions', to: want.includedPermissions },
    ];
    return { role: { action: 'create', ids: free }, name, change: { kind: 'custom role', resource: name, action: 'create', fields } };
  }
  const { fields, mask } = roleChanges(chosen, want);
  if (chosen.deleted) {
    return {
      role: { action: 'undelete', name: chosen.name, etag: chosen.etag, mask, fields },
      name: chosen.name,
      change: { kind: 'custom role', resource: chosen.name, action: 'create', fields, reason: 'undelete: an earlier teardown deleted it' },
    };
  }
  if (mask.length === 0) return { role: { action: 'none', name: chosen.name }, name: chosen.name };
  return {
    role: { action: 'update', name: chosen.name, etag: chosen.etag, mask, fields },
    name: chosen.name,
    change: { kind: 'custom role', resource: chosen.name, action: 'update', fields },
  };
}

/** The policy with `name` bound to the member and no other candidate role bound to it; undefined when it already is. */
function editPolicy(policy: IamPolicy, name: string, candidates: string[], member: string): IamPolicy | undefined {
  const stale = candidates.filter((c) => c !== name && hasBinding(policy, c, member));
  if (hasBinding(policy, name, member) && stale.length === 0) return undefined;
  let next = withBinding(policy, name, member);
  for (const c of stale) next = withoutBinding(next, c, member);
  return next;
}

async function ensureRole(ctx: RunContext, role: RoleAction): Promise<string> {
  const want = desiredRole(ctx.config);
  switch (role.action) {
    case 'none':
      return role.name;
    case 'update':
      await updateCustomRole(ctx.gcp, role.name, { ...want, ...(role.etag ? { etag: role.etag } : {}) }, role.mask);
      return role.name;
    case 'undelete': {
      const restored = await undeleteCustomRole(ctx.gcp, role.name, role.etag);
      if (role.mask.length > 0)
        await updateCustomRole(ctx.gcp, role.name, { ...want, ...(restored.etag ? { etag: restored.etag } : {}) }, role.mask);
      return role.name;
    }
    case 'create':
      for (const id of role.ids) {
        try {
          return (await createCustomRole(ctx.gcp, ctx.config.project, id, want)).name;
        } catch (err) {
          // A role deleted more than 7 days ago is gone from lists but keeps its id for 37 days.
          if (!isAlreadyExists(err)) throw err;
        }
      }
      throw new OperationError(`every id for the deployer role (${roleCandidates(ciNames(ctx.config).roleId).join(', ')}) is taken`, {
        hint: 'Google keeps the id of a deleted custom role for 37 days; delete unused ones, or wait',
      });
  }
}

export const ciRolePhase = definePhase({
  name: 'ci-role',
  title: 'Deployer role',
  needs: ['apis', 'ci-deployer'],
  enabled: () => true,
  apis: () => ['iam.googleapis.com'],
  permissions: () => [
    'iam.roles.list',
    'iam.roles.create',
    'iam.roles.update',
    'iam.roles.undelete',
    'resourcemanager.projects.getIamPolicy',
    'resourcemanager.projects.setIamPolicy',
  ],
  clients: ['token', 'projects'],
  record: CI_ROLE_RECORD,

  async read(ctx): Promise<Live> {
    const [roles, policy] = await Promise.all([
      absentIfDisabled(ctx, listCustomRoles(ctx.gcp, ctx.config.project), [] as CustomRole[]),
      getProjectPolicy(ctx.gcp, ctx.config.project),
    ]);
    const ids = new Set(roleCandidates(ciNames(ctx.config).roleId));
    return { roles: roles.filter((r) => ids.has(idOf(r.name))), policy };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const { role, name, change } = decideRole(ctx.config, live.roles);
    const member = memberOf(ctx.config);
    const candidates = roleCandidates(ciNames(ctx.config).roleId).map((id) => roleName(ctx.config.project, id));
    const changes: PlannedChange[] = change ? [change] : [];
    const edited = editPolicy(live.policy ?? {}, name, candidates, member);
    if (edited) {
      const label = (role: string) => `${role} → ${ciNames(ctx.config).deployerEmail} on projects/${ctx.config.project}`;
      if (!hasBinding(live.policy, name, member)) changes.push({ kind: 'IAM binding', resource: label(name), action: 'create' });
      for (const c of candidates) {
        if (c !== name && hasBinding(live.policy, c, member)) changes.push({ kind: 'IAM binding', resource: label(c), action: 'delete' });
      }
    }
    return { changes, decision: { role, binding: Boolean(edited) || role.action === 'create' } };
  },

  async apply(ctx, decision) {
    const name = await ensureRole(ctx, decision.role);
    if (decision.role.action !== 'none') {
      const { role } = decision;
      ctx.emit({
        type: 'resource-changed',
        phase: 'ci-role',
        kind: 'custom role',
        resource: name,
        action: role.action === 'update' ? 'update' : 'create',
        ...(role.action === 'create' ? {} : { fields: role.fields }),
      });
    }
    if (decision.binding) {
      const member = memberOf(ctx.config);
      const candidates = roleCandidates(ciNames(ctx.config).roleId).map((id) => roleName(ctx.config.project, id));
      const changed = await readModifyWrite(
        projectAccess(ctx),
        (policy) => editPolicy(policy, name, candidates, member),
        undefined,
        ctx.gcp.caller.timing.retryBaseMs,
      );
      if (changed) {
        ctx.emit({
          type: 'resource-changed',
          phase: 'ci-role',
          kind: 'IAM binding',
          resource: `${name} → ${ciNames(ctx.config).deployerEmail} on projects/${ctx.config.project}`,
          action: 'create',
        });
      }
    }
    const permissions = desiredRole(ctx.config).includedPermissions.length;
    return { record: { name, permissions }, summary: `${idOf(name)}: ${permissions} permissions` };
  },

  teardown: {
    // The deployer's bindings of any candidate role on the project, and the roles themselves.
    async read(ctx) {
      const [roles, policy] = await Promise.all([
        existing(listCustomRoles(ctx.gcp, ctx.config.project)),
        existing(getProjectPolicy(ctx.gcp, ctx.config.project)),
      ]);
      const member = memberOf(ctx.config);
      const candidates = roleCandidates(ciNames(ctx.config).roleId).map((id) => roleName(ctx.config.project, id));
      const names = new Set(candidates);
      return {
        bound: candidates.filter((c) => hasBinding(policy, c, member)),
        roles: (roles ?? []).filter((r) => names.has(r.name) && !r.deleted).map((r) => r.name),
      };
    },
    plan: (ctx, found) => {
      const member = memberOf(ctx.config);
      const email = ciNames(ctx.config).deployerEmail;
      const steps: TeardownStep[] = [
        ...found.bound.map((name) => ({
          kind: 'IAM binding',
          resource: `${name} → ${email} on projects/${ctx.config.project}`,
          run: async () =>
            void (await readModifyWrite(projectAccess(ctx), (p) =>
              hasBinding(p, name, member) ? withoutBinding(p, name, member) : undefined,
            )),
        })),
        ...found.roles.map((name) => ({
          kind: 'custom role',
          resource: name,
          run: async () => void (await deleteCustomRole(ctx.gcp, name)),
        })),
      ];
      return { steps };
    },
  },
});
