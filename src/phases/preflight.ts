// Preflight: credentials, the project and its number, every permission the run will use (all
// missing ones listed at once: the permissions every enabled phase declares, and actAs on each
// service account a phase acts as), and the deterministic URL's DNS label — before any change.
import { ConfigError, OperationError } from '../errors.js';
import { DNS_LABEL_MAX } from '../config/names.js';
import { absentIfDisabled } from '../engine/context.js';
import { definePhase, type PhaseContext } from '../engine/phase.js';
import { testServiceAccountPermissions } from '../gcp/apis/iam.js';
import { getProject, testProjectPermissions, type ProjectInfo } from '../gcp/apis/resource-manager.js';
import { GcpError } from '../gcp/errors.js';

const ACT_AS = 'iam.serviceAccounts.actAs';

interface Live {
  project: ProjectInfo;
  granted: Set<string>;
  required: string[];
  /** The accounts a deploy acts as that the caller may not act as. */
  cannotActAs?: string[];
}

export const PERMISSION_HINT =
  'grant roles/owner, or roles/run.admin + roles/secretmanager.admin + roles/artifactregistry.admin + roles/iam.serviceAccountAdmin + roles/iam.serviceAccountUser + roles/serviceusage.serviceUsageAdmin (+ roles/resourcemanager.projectIamAdmin for project roles; roles/storage.admin, roles/redis.admin, roles/file.editor, roles/compute.networkAdmin for the persistence chosen); a CI deployer made by `atlantis-run ci setup`: run `ci setup` again, it updates its role';

const ACT_AS_HINT =
  'grant roles/iam.serviceAccountUser on that account (`gcloud iam service-accounts add-iam-policy-binding`); a CI deployer made by `atlantis-run ci setup` gets it when `ci setup` runs again (after `destroy`, the account is new)';

/**
 * Whether the caller may act as each account: asked of the account (its policy and the project's
 * apply there). An account that does not exist yet (or IAM not enabled yet) can only be granted
 * through the project, so the project's answer stands for it.
 */
async function accountsNotActable(ctx: PhaseContext, projectGrants: Promise<string[]>): Promise<string[]> {
  const verdicts = await Promise.all(
    ctx.requirements.actAs.map(async (email) => {
      const onAccount = await absentIfDisabled(ctx, testServiceAccountPermissions(ctx.gcp, ctx.config.project, email, [ACT_AS]), undefined);
      const granted = onAccount ?? (await projectGrants);
      return granted.includes(ACT_AS) ? [] : [email];
    }),
  );
  return verdicts.flat();
}

/** The preflight phase; `permissionHint` says how to grant what is missing (deploy's roles, or `ci setup`'s). */
export function preflightPhaseWith(permissionHint: string) {
  return definePhase({
    name: 'preflight',
    title: 'Checking credentials, project and permissions',
    needs: [],
    enabled: () => true,
    apis: () => [],
    permissions: () => ['resourcemanager.projects.get'],
    clients: ['projects'],

    async read(ctx): Promise<Live> {
      const required = ctx.requirements.permissions;
      try {
        const asked = ctx.requirements.actAs.length > 0 ? [...required, ACT_AS] : required;
        const projectGrants = testProjectPermissions(ctx.gcp, ctx.config.project, asked);
        const [project, granted, cannotActAs] = await Promise.all([
          getProject(ctx.gcp, ctx.config.project),
          projectGrants,
          accountsNotActable(ctx, projectGrants),
        ]);
        return { project, granted: new Set(granted), required, ...(cannotActAs.length > 0 ? { cannotActAs } : {}) };
      } catch (err) {
        if (err instanceof GcpError && (err.code === 'NOT_FOUND' || err.code === 'PERMISSION_DENIED') && err.method === 'GetProject') {
          throw new OperationError(`project ${ctx.config.project} is not accessible: ${err.message}`, {
            hint: 'check the project id (--project), and that your credentials can see it: gcloud projects describe ' + ctx.config.project,
            cause: err,
          });
        }
        throw err;
      }
    },

    plan(ctx, live) {
      const blockers: Error[] = [];
      const warnings: { message: string; hint?: string }[] = [];
      if (live.project.state !== 'ACTIVE') {
        blockers.push(new OperationError(`project ${ctx.config.project} is ${live.project.state}, not ACTIVE`));
      }
      const label = `${ctx.config.service}-${live.project.projectNumber}`;
      if (label.length > DNS_LABEL_MAX) {
        blockers.push(
          new ConfigError(
            'service',
            `"${label}" is ${label.length} characters, longer than the 63 of a DNS label, so Cloud Run gives no deterministic URL`,
            { hint: `shorten the service name to at most ${DNS_LABEL_MAX - 1 - live.project.projectNumber.length} characters` },
          ),
        );
      }
      const problems: { message: string; hint: string }[] = [];
      const missing = live.required.filter((p) => !live.granted.has(p));
      if (missing.length > 0) {
        problems.push({
          message: `the caller lacks ${missing.length} permission${missing.length > 1 ? 's' : ''} on project ${ctx.config.project}: ${missing.join(', ')}`,
          hint: permissionHint,
        });
      }
      for (const email of live.cannotActAs ?? []) {
        problems.push({ message: `the caller may not act as ${email} (${ACT_AS} on that account)`, hint: ACT_AS_HINT });
      }
      for (const { message, hint } of problems) {
        // A plan only reads; a deploy would fail half-way, so it stops here with the full list.
        if (ctx.mode === 'deploy') blockers.push(new OperationError(message, { hint }));
        else warnings.push({ message: `deploy would fail: ${message}`, hint });
      }
      const projectNumber = live.project.projectNumber;
      return { changes: [], blockers, warnings, decision: { projectNumber }, facts: { projectNumber } };
    },

    async apply(ctx, decision) {
      return { summary: `project ${ctx.config.project} (${decision.projectNumber})` };
    },
  });
}

export const preflightPhase = preflightPhaseWith(PERMISSION_HINT);
