// Registry: the Artifact Registry docker repository — by default a remote repository that proxies
// ghcr.io, so Cloud Run can pull the stock Atlantis image without any build.
import { ConfigError, OperationError } from '../errors.js';
import { definePhase, type PhaseContext } from '../engine/phase.js';
import type { FieldChange } from '../engine/events.js';
import { createRepository, getRepository, updateRepository, type RepositoryInfo } from '../gcp/apis/artifact-registry.js';
import { GcpError } from '../gcp/errors.js';
import { UPSTREAM_REGISTRY } from '../desired/index.js';
import { unlessApiDisabled } from './read-helpers.js';

interface Live {
  repository: RepositoryInfo | undefined;
}

async function waitUntilVisible(ctx: PhaseContext, name: string): Promise<void> {
  const started = Date.now();
  let delay = 100;
  while (!(await getRepository(ctx.gcp, name))) {
    if (Date.now() - started > ctx.waitTimeoutMs) {
      throw new OperationError(
        `repository ${name} is still being created by an earlier run after ${Math.round((Date.now() - started) / 1000)}s`,
        {
          hint: 'run deploy again in a minute',
        },
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 2_000);
  }
}

export const registryPhase = definePhase<Live>({
  name: 'registry',
  title: 'Artifact Registry repository',
  needs: ['apis'],
  enabled: (config) => config.image.strategy === 'upstream',

  async read(ctx) {
    const desired = ctx.desired().repository!;
    return { repository: await unlessApiDisabled(ctx, getRepository(ctx.gcp, desired.name), undefined) };
  },

  plan(ctx, live) {
    const desired = ctx.desired().repository!;
    const body = desired.body as { description: string; labels: Record<string, string> };
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
      };
    }
    const repo = live.repository;
    if (repo.mode !== 'REMOTE_REPOSITORY' || repo.format !== 'DOCKER' || repo.remoteUri?.replace(/\/+$/, '') !== UPSTREAM_REGISTRY) {
      return {
        changes: [],
        blockers: [
          new ConfigError(
            'image.repository',
            `repository ${desired.repositoryId} exists in ${ctx.config.region} but is not a docker remote repository of ${UPSTREAM_REGISTRY} (mode ${repo.mode}, upstream ${repo.remoteUri ?? 'none'})`,
            {
              hint: 'set image.repository to another id, or image: {strategy: reference, reference: …}',
            },
          ),
        ],
      };
    }
    const fields: FieldChange[] = [];
    if (repo.description !== body.description) fields.push({ path: 'description', from: repo.description, to: body.description });
    for (const [k, v] of Object.entries(body.labels))
      if (repo.labels[k] !== v) fields.push({ path: `labels.${k}`, from: repo.labels[k], to: v });
    return { changes: fields.length ? [{ kind: 'repository', resource: desired.repositoryId, action: 'update', fields }] : [] };
  },

  async apply(ctx, live, plan) {
    const desired = ctx.desired().repository!;
    const change = plan.changes[0];
    if (change?.action === 'create') {
      try {
        await createRepository(
          ctx.gcp,
          `projects/${ctx.config.project}/locations/${ctx.config.region}`,
          desired.repositoryId,
          desired.body,
          ctx.waitTimeoutMs,
        );
      } catch (err) {
        // Created (or still being created) by a run that was killed before it could record it:
        // fine, it is ours — but wait until it is really there, the image is resolved through it next.
        if (!(err instanceof GcpError && err.code === 'ALREADY_EXISTS')) throw err;
        await waitUntilVisible(ctx, desired.name);
      }
      ctx.emit({ type: 'resource-changed', phase: 'registry', kind: 'repository', resource: desired.repositoryId, action: 'create' });
    } else if (change?.action === 'update') {
      const body = desired.body as { description: string; labels: Record<string, string> };
      await updateRepository(ctx.gcp, desired.name, {
        description: body.description,
        labels: { ...live.repository?.labels, ...body.labels },
      });
      ctx.emit({
        type: 'resource-changed',
        phase: 'registry',
        kind: 'repository',
        resource: desired.repositoryId,
        action: 'update',
        ...(change.fields ? { fields: change.fields } : {}),
      });
    }
    return {
      record: { repository: { name: desired.name, mode: 'REMOTE_REPOSITORY' } },
      summary: `${desired.repositoryId} → ${UPSTREAM_REGISTRY}`,
    };
  },
});
