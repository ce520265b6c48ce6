// Build repository: the standard Artifact Registry docker repository built Atlantis images are
// pushed to (image.strategy build), with a cleanup policy that keeps the newest few. Deleting it
// on destroy deletes its images with it.
import { ConfigError } from '../errors.js';
import { absentIfDisabled, type RunContext } from '../engine/context.js';
import { teardownOne, definePhase, type PhaseContext, type PhasePlan } from '../engine/phase.js';
import { lastSegment } from '../gcp/apis/compute.js';
import { diffFields } from '../engine/diff.js';
import type { FieldChange } from '../engine/events.js';
import { desiredState, type DesiredRepository } from '../desired/index.js';
import { createRepository, deleteRepository, getRepository, updateRepository, type RepositoryInfo } from '../gcp/apis/artifact-registry.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { lockRecord, recordKey } from '../state/lockfile.js';

interface Live {
  repository: RepositoryInfo | undefined;
}

interface Body {
  description: string;
  labels: Record<string, string>;
  cleanupPolicies: Record<string, unknown>;
  cleanupPolicyDryRun: boolean;
}

type Decision =
  | { action: 'create'; desired: DesiredRepository }
  | { action: 'update'; desired: DesiredRepository; fields: FieldChange[]; labels: Record<string, string> }
  | { action: 'none'; desired: DesiredRepository };

export const BUILD_REPOSITORY_RECORD = recordKey<{ name: string }>('buildRepository');

const desiredOf = (ctx: Pick<RunContext, 'config'>): DesiredRepository | undefined => desiredState(ctx.config).build?.repository;

export const buildRepositoryPhase = definePhase({
  name: 'build-registry',
  title: 'Artifact Registry repository for built images',
  needs: ['apis'],
  enabled: (config) => config.image.strategy === 'build',
  apis: () => ['artifactregistry.googleapis.com'],
  permissions: () => ['artifactregistry.repositories.get', 'artifactregistry.repositories.create', 'artifactregistry.repositories.update'],
  clients: ['artifactRegistry'],
  record: BUILD_REPOSITORY_RECORD,

  async read(ctx: PhaseContext): Promise<Live> {
    return { repository: await absentIfDisabled(ctx, getRepository(ctx.gcp, desiredOf(ctx)!.name), undefined) };
  },

  plan(ctx, live): PhasePlan<Decision> {
    const desired = desiredOf(ctx)!;
    const body = desired.body as unknown as Body;
    const resource = desired.repositoryId;
    if (!live.repository) {
      const keep = (body.cleanupPolicies['keep-newest'] as { mostRecentVersions: { keepCount: number } }).mostRecentVersions.keepCount;
      return {
        changes: [
          {
            kind: 'repository',
            resource,
            action: 'create',
            fields: [
              { path: 'mode', to: 'STANDARD_REPOSITORY' },
              { path: 'cleanupPolicies', to: `keep the newest ${keep} images` },
            ],
          },
        ],
        decision: { action: 'create', desired },
      };
    }
    const repo = live.repository;
    if (repo.mode !== 'STANDARD_REPOSITORY' || repo.format !== 'DOCKER') {
      return {
        changes: [],
        blockers: [
          new ConfigError(
            'image.buildRepository',
            `repository ${resource} exists in ${ctx.config.region} but is not a standard docker repository (mode ${repo.mode}, format ${repo.format})`,
            { hint: 'set image.buildRepository to another id' },
          ),
        ],
        decision: { action: 'none', desired },
      };
    }
    const fields = [
      ...diffFields({ description: body.description, labels: body.labels, cleanupPolicies: body.cleanupPolicies }, repo),
      ...(repo.cleanupPolicyDryRun ? [{ path: 'cleanupPolicyDryRun', from: true, to: false }] : []),
    ];
    if (fields.length === 0) return { changes: [], decision: { action: 'none', desired } };
    return {
      changes: [{ kind: 'repository', resource, action: 'update', fields }],
      // Labels someone else added stay.
      decision: { action: 'update', desired, fields, labels: { ...repo.labels, ...body.labels } },
    };
  },

  async apply(ctx, decision) {
    const { desired } = decision;
    const body = desired.body as unknown as Body;
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
        // Made by a run killed before it recorded it: ours; the plan's checks ran on the next read.
        if (!isAlreadyExists(err)) throw err;
      }
      ctx.emit({ type: 'resource-changed', phase: 'build-registry', kind: 'repository', resource: desired.repositoryId, action: 'create' });
    } else if (decision.action === 'update') {
      await updateRepository(ctx.gcp, desired.name, {
        description: body.description,
        labels: decision.labels,
        cleanupPolicies: body.cleanupPolicies,
        cleanupPolicyDryRun: false,
      });
      ctx.emit({
        type: 'resource-changed',
        phase: 'build-registry',
        kind: 'repository',
        resource: desired.repositoryId,
        action: 'update',
        fields: decision.fields,
      });
    }
    return { record: { name: desired.name }, summary: desired.repositoryId };
  },

  teardown: teardownOne({
    name: (ctx) => desiredOf(ctx)?.name ?? lockRecord(ctx.lock, BUILD_REPOSITORY_RECORD)?.name,
    exists: (ctx, name) => getRepository(ctx.gcp, name),
    kind: 'repository',
    label: lastSegment,
    remove: (ctx, name) => deleteRepository(ctx.gcp, name, ctx.waitTimeoutMs),
  }),
});
