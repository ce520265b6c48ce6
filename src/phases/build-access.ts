// Build access: the least privilege the build service account needs, each role on the one resource
// it is for — roles/logging.logWriter on the project (builds log to Cloud Logging only),
// artifactregistry.writer on the build repository, artifactregistry.reader on the ghcr.io proxy
// (the base image), storage.objectViewer on the source bucket (contexts). Each policy by
// read-modify-write; bindings recorded earlier and no longer wanted are removed.
import type { RunContext } from '../engine/context.js';
import { absentIfDisabled } from '../engine/context.js';
import { definePhase, type PhaseContext, type PlannedChange, type TeardownStep } from '../engine/phase.js';
import { desiredState, type DesiredBinding } from '../desired/index.js';
import { getRepositoryPolicy, setRepositoryPolicy } from '../gcp/apis/artifact-registry.js';
import { getProjectPolicy, setProjectPolicy } from '../gcp/apis/resource-manager.js';
import { getBucketPolicy, setBucketPolicy } from '../gcp/apis/storage.js';
import { hasBinding, readModifyWrite, withBinding, withoutBinding, type IamPolicy, type PolicyAccess } from '../gcp/apis/iam-policy.js';
import { existing, orMissing } from '../gcp/call.js';
import { lockRecord, recordKey } from '../state/lockfile.js';

interface Live {
  policies: Map<string, IamPolicy | undefined>;
}

interface Edits {
  add: DesiredBinding[];
  remove: DesiredBinding[];
  known: IamPolicy | undefined;
}

export const BUILD_ACCESS_RECORD = recordKey<{ items: DesiredBinding[] }>('buildBindings');

const REPOSITORY = /^projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/]+$/;
const BUCKET = /^projects\/_\/buckets\/([^/]+)$/;

/** How to read and write the IAM policy of each kind of resource the build account is granted on. */
function access(ctx: Pick<RunContext, 'gcp' | 'config'>, resource: string): PolicyAccess {
  if (resource === `projects/${ctx.config.project}`) {
    return { get: () => getProjectPolicy(ctx.gcp, ctx.config.project), set: (p) => setProjectPolicy(ctx.gcp, ctx.config.project, p) };
  }
  if (REPOSITORY.test(resource))
    return { get: () => getRepositoryPolicy(ctx.gcp, resource), set: (p) => setRepositoryPolicy(ctx.gcp, resource, p) };
  const bucket = BUCKET.exec(resource)?.[1];
  if (bucket) return { get: () => getBucketPolicy(ctx.gcp, bucket), set: (p) => setBucketPolicy(ctx.gcp, bucket, p) };
  throw new Error(`no IAM policy accessor for ${resource}`);
}

const key = (b: DesiredBinding) => `${b.resource}|${b.role}|${b.member}`;
const wantedOf = (ctx: Pick<RunContext, 'config'>) => desiredState(ctx.config).build?.bindings ?? [];

function stale(ctx: PhaseContext): DesiredBinding[] {
  const wanted = new Set(wantedOf(ctx).map(key));
  return (lockRecord(ctx.lock, BUILD_ACCESS_RECORD)?.items ?? []).filter((b) => !wanted.has(key(b)));
}

function label(b: DesiredBinding): string {
  return `${b.role} → ${b.member.replace(/^serviceAccount:/, '')} on ${b.resource}`;
}

export const buildAccessPhase = definePhase({
  name: 'build-access',
  title: 'IAM bindings of the build service account',
  needs: ['build-identity', 'build-registry', 'registry', 'source-bucket'],
  enabled: (config) => config.image.strategy === 'build' && config.image.builder === 'cloud-build',
  apis: () => [],
  permissions: (config) => [
    'resourcemanager.projects.getIamPolicy',
    'resourcemanager.projects.setIamPolicy',
    'artifactregistry.repositories.getIamPolicy',
    'artifactregistry.repositories.setIamPolicy',
    ...(config.image.strategy === 'build' && config.image.context !== undefined
      ? ['storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy']
      : []),
  ],
  clients: ['artifactRegistry', 'projects', 'token'],
  record: BUILD_ACCESS_RECORD,

  async read(ctx): Promise<Live> {
    const resources = new Set([...wantedOf(ctx), ...stale(ctx)].map((b) => b.resource));
    const entries = await Promise.all(
      [...resources].map(
        async (resource) => [resource, await absentIfDisabled(ctx, orMissing(access(ctx, resource).get()), undefined)] as const,
      ),
    );
    return { policies: new Map(entries) };
  },

  plan(ctx, live) {
    const changes: PlannedChange[] = [];
    const edits = new Map<string, Edits>();
    const edit = (resource: string) =>
      edits.get(resource) ?? edits.set(resource, { add: [], remove: [], known: live.policies.get(resource) }).get(resource)!;
    for (const b of wantedOf(ctx)) {
      if (hasBinding(live.policies.get(b.resource), b.role, b.member)) continue;
      changes.push({ kind: 'IAM binding', resource: label(b), action: 'create' });
      edit(b.resource).add.push(b);
    }
    for (const b of stale(ctx)) {
      if (!hasBinding(live.policies.get(b.resource), b.role, b.member)) continue;
      changes.push({ kind: 'IAM binding', resource: label(b), action: 'delete' });
      edit(b.resource).remove.push(b);
    }
    return { changes, decision: { edits } };
  },

  async apply(ctx, { edits }) {
    await Promise.all(
      [...edits].map(async ([resource, e]) => {
        await readModifyWrite(
          access(ctx, resource),
          (policy) => {
            const changed =
              e.add.some((b) => !hasBinding(policy, b.role, b.member)) || e.remove.some((b) => hasBinding(policy, b.role, b.member));
            if (!changed) return undefined;
            let next = policy;
            for (const b of e.add) next = withBinding(next, b.role, b.member);
            for (const b of e.remove) next = withoutBinding(next, b.role, b.member);
            return next;
          },
          // A resource created by this run was read as absent: its policy must be read now.
          e.known,
          ctx.gcp.caller.timing.retryBaseMs,
        );
        for (const b of e.add)
          ctx.emit({ type: 'resource-changed', phase: 'build-access', kind: 'IAM binding', resource: label(b), action: 'create' });
        for (const b of e.remove)
          ctx.emit({ type: 'resource-changed', phase: 'build-access', kind: 'IAM binding', resource: label(b), action: 'delete' });
      }),
    );
    const items = wantedOf(ctx);
    return { record: { items }, summary: `${items.length} binding${items.length === 1 ? '' : 's'}` };
  },

  teardown: {
    // Only the project-level grants outlive destroy on their own: the repositories' and the
    // bucket's policies go with them.
    async read(ctx) {
      const project = `projects/${ctx.config.project}`;
      const candidates = [...wantedOf(ctx), ...(lockRecord(ctx.lock, BUILD_ACCESS_RECORD)?.items ?? [])].filter(
        (b) => b.resource === project,
      );
      const unique = [...new Map(candidates.map((b) => [key(b), b])).values()];
      if (unique.length === 0) return [];
      const policy = await existing(access(ctx, project).get());
      return unique.filter((b) => hasBinding(policy, b.role, b.member));
    },
    plan: (ctx, bound) => ({
      steps: bound.map((b): TeardownStep => ({
        kind: 'IAM binding',
        resource: label(b),
        run: async () =>
          void (await readModifyWrite(access(ctx, b.resource), (p) =>
            hasBinding(p, b.role, b.member) ? withoutBinding(p, b.role, b.member) : undefined,
          )),
      })),
    }),
  },
});
