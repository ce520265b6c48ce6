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
import { hasBinding, readModifyWrite, withoutBinding, type IamPolicy, type PolicyAccess } from '../gcp/apis/iam-policy.js';
import { existing, orMissing } from '../gcp/call.js';
import { lockRecord, recordKey } from '../state/lockfile.js';
import { applyPolicyEdits, bindingLabel, type PolicyEdits } from './policy-edits.js';

interface Live {
  policies: Map<string, IamPolicy | undefined>;
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
    const edits = new Map<string, PolicyEdits>();
    const edit = (resource: string) =>
      edits.get(resource) ?? edits.set(resource, { add: [], remove: [], known: live.policies.get(resource) }).get(resource)!;
    for (const b of wantedOf(ctx)) {
      if (hasBinding(live.policies.get(b.resource), b.role, b.member)) continue;
      changes.push({ kind: 'IAM binding', resource: bindingLabel(b), action: 'create' });
      edit(b.resource).add.push(b);
    }
    for (const b of stale(ctx)) {
      if (!hasBinding(live.policies.get(b.resource), b.role, b.member)) continue;
      changes.push({ kind: 'IAM binding', resource: bindingLabel(b), action: 'delete' });
      edit(b.resource).remove.push(b);
    }
    return { changes, decision: { edits } };
  },

  async apply(ctx, { edits }) {
    await applyPolicyEdits(ctx, 'build-access', edits, (resource) => access(ctx, resource));
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
        resource: bindingLabel(b),
        run: async () =>
          void (await readModifyWrite(access(ctx, b.resource), (p) =>
            hasBinding(p, b.role, b.member) ? withoutBinding(p, b.role, b.member) : undefined,
          )),
      })),
    }),
  },
});
