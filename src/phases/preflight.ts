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
import { memberOf, permissionHint } from '../gcp/roles.js';

const ACT_AS = 'iam.serviceAccounts.actAs';

interface Live {
  project: ProjectInfo;
  granted: Set<string>;
  required: string[];
  /** The accounts a deploy acts as that the caller may not act as. */
  cannotActAs?: string[];
  /** Who the calls are made as, looked up only when something is missing. */
  caller?: string;
}

/** Said after the roles that grant what is missing, for a deploy. */
export const DEPLOY_PERMISSION_NOTE = 'a CI deployer made by `atlantis-run ci setup`: run `ci setup` again, it updates its role';

/** How to let the caller act as an account: the ready command on that account, and what CI deployers do. */
function actAsHint(project: string, email: string, caller: string | undefined): string {
  const member = caller ? memberOf(caller) : 'user:YOUR_ACCOUNT';
  return [
    `grant roles/iam.serviceAccountUser on that account to ${caller ? member : 'the account this tool runs as'}:`,
    `    gcloud iam service-accounts add-iam-policy-binding ${email} --project=${project} --member=${member} --role=roles/iam.serviceAccountUser`,
    'a CI deployer made by `atlantis-run ci setup` gets it when `ci setup` runs again (after `destroy`, the account is new)',
  ].join('\n');
}

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

/**
 * The preflight phase. Its hint names the roles that grant exactly what is missing, with the command
 * that grants each to the caller; `note` adds what only this command knows (deploy's or `ci setup`'s).
 */
export function preflightPhaseWith(note: string) {
  return definePhase({
    name: 'preflight',
    title: 'Checking credentials, project and permissions',
    needs: [],
    enabled: () => true,
    apis: () => [],
    // And the run lock in the project (engine/remote-lock.ts): its bucket and object in Cloud Storage.
    permissions: () => [
      'resourcemanager.projects.get',
      'storage.buckets.create',
      'storage.objects.create',
      'storage.objects.delete',
      'storage.objects.get',
    ],
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
        const lacking = required.some((p) => !granted.includes(p)) || cannotActAs.length > 0;
        const caller = lacking ? await ctx.gcp.factory.identity() : undefined;
        return {
          project,
          granted: new Set(granted),
          required,
          ...(cannotActAs.length > 0 ? { cannotActAs } : {}),
          ...(caller ? { caller } : {}),
        };
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
        const who = live.caller ? `the caller (${live.caller})` : 'the caller';
        problems.push({
          message: `${who} lacks ${missing.length} permission${missing.length > 1 ? 's' : ''} on project ${ctx.config.project}: ${missing.join(', ')}`,
          // Only the roles that grant what is missing, and the commands that grant them to this caller.
          hint: `${permissionHint(ctx.config.project, missing, live.caller)}\n    ${note}`,
        });
      }
      for (const email of live.cannotActAs ?? []) {
        const who = live.caller ? `the caller (${live.caller})` : 'the caller';
        problems.push({
          message: `${who} may not act as ${email} (${ACT_AS} on that account)`,
          hint: actAsHint(ctx.config.project, email, live.caller),
        });
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

export const preflightPhase = preflightPhaseWith(DEPLOY_PERMISSION_NOTE);
