// Preflight: credentials, the project and its number, every permission the run will use (all
// missing ones listed at once: the permissions every enabled phase declares), and the
// deterministic URL's DNS label — before any change.
import { ConfigError, OperationError } from '../errors.js';
import { DNS_LABEL_MAX } from '../config/names.js';
import { definePhase } from '../engine/phase.js';
import { getProject, testProjectPermissions, type ProjectInfo } from '../gcp/apis/resource-manager.js';
import { GcpError } from '../gcp/errors.js';

interface Live {
  project: ProjectInfo;
  granted: Set<string>;
  required: string[];
}

export const PERMISSION_HINT =
  'grant roles/owner, or roles/run.admin + roles/secretmanager.admin + roles/artifactregistry.admin + roles/iam.serviceAccountAdmin + roles/iam.serviceAccountUser + roles/serviceusage.serviceUsageAdmin (+ roles/resourcemanager.projectIamAdmin for project roles)';

export const preflightPhase = definePhase({
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
    const missing = live.required.filter((p) => !live.granted.has(p));
    if (missing.length > 0) {
      const message = `the caller lacks ${missing.length} permission${missing.length > 1 ? 's' : ''} on project ${ctx.config.project}: ${missing.join(', ')}`;
      // A plan only reads; a deploy would fail half-way, so it stops here with the full list.
      if (ctx.mode === 'deploy') blockers.push(new OperationError(message, { hint: PERMISSION_HINT }));
      else warnings.push({ message: `deploy would fail: ${message}`, hint: PERMISSION_HINT });
    }
    const projectNumber = live.project.projectNumber;
    return { changes: [], blockers, warnings, decision: { projectNumber }, facts: { projectNumber } };
  },

  async apply(ctx, decision) {
    return { summary: `project ${ctx.config.project} (${decision.projectNumber})` };
  },
});
