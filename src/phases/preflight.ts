// Preflight: credentials, the project and its number, every permission the run will use (all
// missing ones listed at once), and the deterministic URL's DNS label — before any change.
import { ConfigError, OperationError } from '../errors.js';
import { DNS_LABEL_MAX } from '../config/names.js';
import { definePhase, type PhaseContext } from '../engine/phase.js';
import { getProject, testProjectPermissions, type ProjectInfo } from '../gcp/apis/resource-manager.js';
import { GcpError } from '../gcp/errors.js';

interface Live {
  project: ProjectInfo;
  granted: Set<string>;
  required: string[];
}

/** Permissions a deploy of this configuration uses, on the project. */
export function requiredPermissions(ctx: PhaseContext): string[] {
  const config = ctx.config;
  const perms = [
    'resourcemanager.projects.get',
    'serviceusage.services.get',
    'serviceusage.services.enable',
    'secretmanager.secrets.get',
    'secretmanager.secrets.create',
    'secretmanager.secrets.update',
    'secretmanager.secrets.getIamPolicy',
    'secretmanager.secrets.setIamPolicy',
    'secretmanager.versions.list',
    'secretmanager.versions.add',
    'iam.serviceAccounts.get',
    'iam.serviceAccounts.create',
    'iam.serviceAccounts.actAs',
    'run.services.get',
    'run.services.create',
    'run.services.update',
    // invokerIamDisabled is an IAM decision: Cloud Run asks for setIamPolicy to turn the check off.
    'run.services.setIamPolicy',
    'run.operations.get',
    'run.revisions.get',
  ];
  if (config.image.strategy === 'upstream') {
    perms.push(
      'artifactregistry.repositories.get',
      'artifactregistry.repositories.create',
      'artifactregistry.repositories.downloadArtifacts',
    );
  }
  if (config.serviceAccount.roles.length > 0) perms.push('resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy');
  return perms;
}

export const preflightPhase = definePhase<Live>({
  name: 'preflight',
  title: 'Checking credentials, project and permissions',
  needs: [],
  enabled: () => true,

  async read(ctx) {
    const required = requiredPermissions(ctx);
    try {
      const [project, granted] = await Promise.all([
        getProject(ctx.gcp, ctx.config.project),
        testProjectPermissions(ctx.gcp, ctx.config.project, required),
      ]);
      return { project, granted: new Set(granted), required };
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
    ctx.facts.projectNumber = live.project.projectNumber;
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
          {
            hint: `shorten the service name to at most ${DNS_LABEL_MAX - 1 - live.project.projectNumber.length} characters`,
          },
        ),
      );
    }
    const missing = live.required.filter((p) => !live.granted.has(p));
    if (missing.length > 0) {
      const message = `the caller lacks ${missing.length} permission${missing.length > 1 ? 's' : ''} on project ${ctx.config.project}: ${missing.join(', ')}`;
      const hint =
        'grant roles/owner, or roles/run.admin + roles/secretmanager.admin + roles/artifactregistry.admin + roles/iam.serviceAccountAdmin + roles/iam.serviceAccountUser + roles/serviceusage.serviceUsageAdmin (+ roles/resourcemanager.projectIamAdmin for project roles)';
      // A plan only reads; a deploy would fail half-way, so it stops here with the full list.
      if (ctx.mode === 'deploy') blockers.push(new OperationError(message, { hint }));
      else warnings.push({ message: `deploy would fail: ${message}`, hint });
    }
    return { changes: [], blockers, warnings };
  },

  async apply(ctx, live) {
    return { summary: `project ${ctx.config.project} (${live.project.projectNumber})` };
  },
});
