// The image-build phases' plans against fixture live states, and what they declare to the engine
// (APIs, permissions, needs) — no emulator, no Google.
import { describe, expect, it } from 'vitest';
import { desiredState } from '../../src/desired/index.js';
import { orderPhases, requirementsOf } from '../../src/engine/phase.js';
import type { RepositoryInfo } from '../../src/gcp/apis/artifact-registry.js';
import { readContext } from '../../src/image-build/context.js';
import { BUILD_RECORD, buildRecordOf, computeInputs } from '../../src/image-build/inputs.js';
import { loadRecipeTemplates } from '../../src/image-build/recipe.js';
import { buildAccessPhase } from '../../src/phases/build-access.js';
import { buildRepositoryPhase } from '../../src/phases/build-repository.js';
import { buildPhase } from '../../src/phases/build.js';
import { imagePhase } from '../../src/phases/image.js';
import { PHASES } from '../../src/phases/index.js';
import { sourceBucketPhase } from '../../src/phases/source-bucket.js';
import { emptyLockfile } from '../../src/state/lockfile.js';
import { configOf, fakeRun, phaseContext } from '../support/phase-context.js';

const NUMBER = '123456789012';
const BASE = `europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:${'a'.repeat(64)}`;
const IMAGE = 'europe-west1-docker.pkg.dev/my-project/atlantis-images/atlantis';

const config = (image: string) => `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
image: {strategy: build, ${image}}
`;

async function ctxFor(image: string, lockRecords: Record<string, unknown> = {}) {
  const cfg = await configOf(config(image));
  const lock = { ...emptyLockfile('test', { project: cfg.project, region: cfg.region, service: cfg.service }), resources: lockRecords };
  return phaseContext(fakeRun(cfg, lock), { projectNumber: NUMBER });
}

async function inputsFor(image: string) {
  const cfg = await configOf(config(image));
  const build = desiredState(cfg).build!;
  const context = build.context ? await readContext(build.context, build.dockerfile!) : undefined;
  return computeInputs(build, cfg.atlantis.version, BASE, await loadRecipeTemplates(), context);
}

describe('build', () => {
  it('builds nothing when the image of this content hash is in the repository, and predicts its digest', async () => {
    const ctx = await ctxFor('tools: {terragrunt: 0.68.1}');
    const inputs = await inputsFor('tools: {terragrunt: 0.68.1}');
    const digest = `sha256:${'c'.repeat(64)}`;
    const plan = buildPhase.plan(ctx, { context: undefined, inputs, found: { reference: `${IMAGE}@${digest}`, digest } });
    expect(plan.changes).toEqual([]);
    expect(plan.facts).toEqual({ image: `${IMAGE}@${digest}` });
    expect(plan.decision).toMatchObject({ action: 'none' });
  });

  it('says which tool version changed since the last build', async () => {
    const before = await inputsFor('tools: {terragrunt: 0.67.16}');
    const record = buildRecordOf(before, { digest: 'sha256:1', reference: `${IMAGE}@sha256:1` }, 'cloud-build');
    const ctx = await ctxFor('tools: {terragrunt: 0.68.1}', { [BUILD_RECORD.key]: record });
    const inputs = await inputsFor('tools: {terragrunt: 0.68.1}');
    const plan = buildPhase.plan(ctx, { context: undefined, inputs, found: undefined });
    expect(plan.changes).toEqual([
      expect.objectContaining({
        kind: 'image build',
        resource: `atlantis:${inputs.tag}`,
        action: 'create',
        reason: 'terragrunt 0.67.16 → 0.68.1',
      }),
    ]);
    expect(plan.facts).toEqual({ image: `${IMAGE}:${inputs.tag}` });
    expect(plan.warnings).toEqual([]);
  });

  it('before the proxy exists, plans a build whose tag is known once the base is resolved, and warns of unpinned versions', async () => {
    const ctx = await ctxFor('tools: {terragrunt: 9.9.9}');
    const plan = buildPhase.plan(ctx, { context: undefined, inputs: undefined, found: undefined });
    expect(plan.changes[0]).toMatchObject({
      resource: 'atlantis:<built-at-deploy>',
      reason: 'the base image v0.47.1 is resolved once the ghcr.io proxy exists',
    });
    expect(plan.warnings?.[0]?.message).toMatch(
      /^terragrunt 9\.9\.9 has no SHA-256 pinned in atlantis-run: the build verifies it against the release's own checksum file/,
    );
  });

  it('leaves the image to the build: the image phase predicts nothing for a build', async () => {
    const ctx = await ctxFor('tools: {terragrunt: 0.68.1}');
    expect(imagePhase.plan(ctx, { resolved: undefined, digest: undefined }).facts).toBeUndefined();
  });
});

describe('build repository', () => {
  const repo = (over: Partial<RepositoryInfo> = {}): RepositoryInfo => ({
    name: 'projects/my-project/locations/europe-west1/repositories/atlantis-images',
    format: 'DOCKER',
    mode: 'STANDARD_REPOSITORY',
    description: 'Atlantis images built for atlantis; managed by atlantis-run',
    labels: { 'managed-by': 'atlantis-run' },
    remoteUri: undefined,
    cleanupPolicies: {
      'delete-older': { id: 'delete-older', action: 'DELETE', condition: { tagState: 'ANY', tagPrefixes: [] }, conditionType: 'condition' },
      'keep-newest': { id: 'keep-newest', action: 'KEEP', mostRecentVersions: { keepCount: 5, packageNamePrefixes: [] } },
    },
    cleanupPolicyDryRun: false,
    ...over,
  });

  it('creates a standard repository keeping the newest images; leaves a matching one alone', async () => {
    const ctx = await ctxFor('tools: {tflint: 0.64.0}');
    expect(buildRepositoryPhase.plan(ctx, { repository: undefined }).changes[0]).toMatchObject({
      action: 'create',
      fields: [
        { path: 'mode', to: 'STANDARD_REPOSITORY' },
        { path: 'cleanupPolicies', to: 'keep the newest 5 images' },
      ],
    });
    expect(buildRepositoryPhase.plan(ctx, { repository: repo() }).changes).toEqual([]);
  });

  it('repairs a changed cleanup policy, and refuses a repository of another kind', async () => {
    const ctx = await ctxFor('tools: {tflint: 0.64.0}, keep: 3');
    const plan = buildRepositoryPhase.plan(ctx, { repository: repo({ cleanupPolicyDryRun: true }) });
    expect(plan.changes[0]?.fields).toEqual([
      { path: 'cleanupPolicies.keep-newest.mostRecentVersions.keepCount', from: 5, to: 3 },
      { path: 'cleanupPolicyDryRun', from: true, to: false },
    ]);
    const remote = buildRepositoryPhase.plan(ctx, { repository: repo({ mode: 'REMOTE_REPOSITORY' }) });
    expect(remote.blockers?.[0]?.message).toMatch(
      /^image\.buildRepository: repository atlantis-images exists in europe-west1 but is not a standard docker repository/,
    );
  });
});

describe('build access and the source bucket', () => {
  it('grants exactly the four roles a context build needs, each on its own resource', async () => {
    const ctx = await ctxFor('context: ./docker');
    const plan = buildAccessPhase.plan(ctx, { policies: new Map() });
    expect(plan.changes.map((c) => c.resource)).toEqual([
      'roles/logging.logWriter → atlantis-builder@my-project.iam.gserviceaccount.com on projects/my-project',
      'roles/artifactregistry.writer → atlantis-builder@my-project.iam.gserviceaccount.com on projects/my-project/locations/europe-west1/repositories/atlantis-images',
      'roles/artifactregistry.reader → atlantis-builder@my-project.iam.gserviceaccount.com on projects/my-project/locations/europe-west1/repositories/atlantis-ghcr',
      'roles/storage.objectViewer → atlantis-builder@my-project.iam.gserviceaccount.com on projects/_/buckets/my-project-atlantis-build-src',
    ]);
  });

  it('creates the bucket with a one-day lifecycle and repairs a rule removed out of band', async () => {
    const ctx = await ctxFor('context: ./docker');
    expect(sourceBucketPhase.plan(ctx, { bucket: undefined }).changes[0]).toMatchObject({
      action: 'create',
      resource: 'my-project-atlantis-build-src',
    });
    const plan = sourceBucketPhase.plan(ctx, {
      bucket: {
        name: 'my-project-atlantis-build-src',
        location: 'EUROPE-WEST1',
        labels: { 'managed-by': 'atlantis-run' },
        iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
      },
    });
    expect(plan.changes[0]).toMatchObject({ action: 'update', fields: [{ path: 'lifecycle' }] });
  });
});

describe('what the build phases declare', () => {
  it('Cloud Build with a context: the APIs, permissions and order a deploy needs', async () => {
    const cfg = await configOf(config('context: ./docker'));
    const req = requirementsOf(PHASES, cfg);
    expect(req.apis).toEqual([
      'artifactregistry.googleapis.com',
      'cloudbuild.googleapis.com',
      'iam.googleapis.com',
      'logging.googleapis.com',
      'run.googleapis.com',
      'secretmanager.googleapis.com',
      'storage.googleapis.com',
    ]);
    expect(req.permissions).toEqual(
      expect.arrayContaining(['cloudbuild.builds.create', 'storage.buckets.setIamPolicy', 'artifactregistry.repositories.setIamPolicy']),
    );
    // Builds run as the build account: actAs is asked of that account, never of the project.
    expect(req.permissions).not.toContain('iam.serviceAccounts.actAs');
    expect(req.actAs).toContain('atlantis-builder@my-project.iam.gserviceaccount.com');
    const order = orderPhases(PHASES.filter((p) => p.enabled(cfg))).map((p) => p.name);
    for (const [before, after] of [
      ['build-identity', 'build-access'],
      ['source-bucket', 'build-access'],
      ['registry', 'build'],
      ['build-access', 'build'],
      ['build', 'image'],
      ['image', 'service'],
    ] as const) {
      expect(order.indexOf(before), `${before} before ${after}`).toBeLessThan(order.indexOf(after));
    }
  });

  it('a local builder needs neither Cloud Build, nor a build account, nor a bucket', async () => {
    const cfg = await configOf(config('builder: local, tools: {tflint: 0.64.0}'));
    const enabled = PHASES.filter((p) => p.enabled(cfg)).map((p) => p.name);
    expect(enabled).toEqual(expect.arrayContaining(['registry', 'build-registry', 'build', 'image']));
    expect(enabled).not.toContain('build-identity');
    expect(enabled).not.toContain('build-access');
    expect(enabled).not.toContain('source-bucket');
    const req = requirementsOf(PHASES, cfg);
    expect(req.apis).not.toContain('cloudbuild.googleapis.com');
    expect(req.permissions).toContain('artifactregistry.repositories.uploadArtifacts');
  });
});
