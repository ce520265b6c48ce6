// Registry: the Artifact Registry docker repository — by default a remote repository that proxies
// ghcr.io, so Cloud Run can pull the stock Atlantis image without any build.
import { ConfigError, OperationError } from '../errors.js';
import { absentIfDisabled } from '../engine/context.js';
import { teardownOne, definePhase, type PhaseContext, type PhasePlan } from '../engine/phase.js';
import { lastSegment } from '../gcp/apis/compute.js';
import type { FieldChange } from '../engine/events.js';
import { createRepository, deleteRepository, getRepository, updateRepository, type RepositoryInfo } from '../gcp/apis/artifact-registry.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { poll, seconds } from '../gcp/poll.js';
import { desiredState, UPSTREAM_REGISTRY, type DesiredRepository } from '../desired/index.js';
import { recordKey } from '../state/lockfile.js';

interface Live {
  repository: RepositoryInfo | undefined;
}

type Decision =
  | { action: 'create'; desired: DesiredRepository }
  | { action: 'update'; desired: DesiredRepository; labels: Record<string, string>; fields: FieldChange[] }
  | { action: 'none'; desired: DesiredRepository };

export const REPOSITORY_RECORD = recordKey<{ name: string; mode?: string }>('repository');

interface Body {
  description: string;
  labels: Record<string, string>;
}

/** A repository created by a run that was killed before recording it: wait until it is really there. */
function waitUntilVisible(ctx: PhaseContext, name: string): Promise<void> {
  return poll<void>(
    {
      timeoutMs: ctx.waitTimeoutMs,
      firstDelayMs: Math.min(100, ctx.gcp.caller.timing.pollMs),
      maxDelayMs: 2_000,
      timeoutError: (elapsed) =>
        new OperationError(`repository ${name} is still being created by an earlier run after ${seconds(elapsed)}s`, {
          hint: 'run deploy again in a minute',
        }),
    },
    async () => ((await getRepository(ctx.gcp, name)) ? { done: true, value: undefined } : { done: false }),
  );
}

const desiredOf = (ctx: PhaseContext): DesiredRepository => ctx.desired().repository!;

/** Why an existing repository cannot be the proxy asked for (not a docker remote of ghcr.io), if it cannot. */
function notAProxy(ctx: PhaseContext, desired: DesiredRepository, repo: RepositoryInfo): ConfigError | undefined {
  if (repo.mode === 'REMOTE_REPOSITORY' && repo.format === 'DOCKER' && repo.remoteUri?.replace(/\/+$/, '') === UPSTREAM_REGISTRY)
    return undefined;
  return new ConfigError(
    'image.repository',
    `repository ${desired.repositoryId} exists in ${ctx.config.region} but is not a docker remote repository of ${UPSTREAM_REGISTRY} (mode ${repo.mode}, upstream ${repo.remoteUri ?? 'none'})`,
    { hint: 'set image.repository to another id, or image: {strategy: reference, reference: …}' },
  );
}

export const registryPhase = definePhase({
  name: 'registry',
  title: 'Artifact Registry repository',
  needs: ['apis', 'domain-owner'],
  // Also the base of built images: a build starts FROM Atlantis through this proxy.
  enabled: (config) => config.image.strategy !== 'reference',
  apis: () => ['artifactregistry.googleapis.com'],
  permissions: () => ['artifactregistry.repositories.get', 'artifactregistry.repositories.create', 'artifactregistry.repositories.update'],
  clients: ['artifactRegistry'],
  record: REPOSITORY_RECORD,

  async read(ctx): Promise<Live> {
    return { repository: await absentIfDisabled(ctx, getRepository(ctx.gcp, desiredOf(ctx).name), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const desired = desiredOf(ctx);
    const body = desired.body as unknown as Body;
    if (!live.repository) {
      return {
        changes: [
          {
            kind: 'repository',
            resource: desired.repositoryId,
            action: 'create',
            fields: [
              { path: 'mode', to: 'REMOTE_REPOSITORY' },
              { path: 'upstream', to: UPSTREAM_REGISTRY },
            ],
          },
        ],
        decision: { action: 'create', desired },
      };
    }
    const repo = live.repository;
    const foreign = notAProxy(ctx, desired, repo);
    if (foreign) return { changes: [], blockers: [foreign], decision: { action: 'none', desired } };
    const fields: FieldChange[] = [];
    if (repo.description !== body.description) fields.push({ path: 'description', from: repo.description, to: body.description });
    for (const [k, v] of Object.entries(body.labels))
      if (repo.labels[k] !== v) fields.push({ path: `labels.${k}`, from: repo.labels[k], to: v });
    if (fields.length === 0) return { changes: [], decision: { action: 'none', desired } };
    return {
      changes: [{ kind: 'repository', resource: desired.repositoryId, action: 'update', fields }],
      // Labels someone else added stay.
      decision: { action: 'update', desired, labels: { ...repo.labels, ...body.labels }, fields },
    };
  },

  async apply(ctx, decision) {
    const { desired } = decision;
    if (decision.action === 'create') {
      try {
        await createRepository(
          ctx.gcp,
          `projects/${ctx.config.project}/locations/${ctx.config.region}`,
          desired.repositoryId,
          desired.body,
          ctx.waitTimeoutMs,
        );
      } catch (err) {
        // Created (or still being created) by a run that was killed before it could record it, or
        // by this run's create whose reply was lost: wait until it is really there (the image is
        // resolved through it next), and adopt it once it is the proxy asked for.
        if (!isAlreadyExists(err)) throw err;
        await waitUntilVisible(ctx, desired.name);
        const found = await getRepository(ctx.gcp, desired.name);
        const foreign = found && notAProxy(ctx, desired, found);
        if (foreign) throw foreign;
      }
      ctx.emit({ type: 'resource-changed', phase: 'registry', kind: 'repository', resource: desired.repositoryId, action: 'create' });
    } else if (decision.action === 'update') {
      const body = desired.body as unknown as Body;
      await updateRepository(ctx.gcp, desired.name, { description: body.description, labels: decision.labels });
      ctx.emit({
        type: 'resource-changed',
        phase: 'registry',
        kind: 'repository',
        resource: desired.repositoryId,
        action: 'update',
        fields: decision.fields,
      });
    }
    return { record: { name: desired.name, mode: 'REMOTE_REPOSITORY' }, summary: `${desired.repositoryId} → ${UPSTREAM_REGISTRY}` };
  },

  teardown: teardownOne({
    name: (ctx) => desiredState(ctx.config).repository?.name,
    exists: (ctx, name) => getRepository(ctx.gcp, name),
    kind: 'repository',
    label: lastSegment,
    remove: (ctx, name) => deleteRepository(ctx.gcp, name, ctx.waitTimeoutMs),
  }),
});
