// image.strategy build through the CLI against the emulator's Cloud Build, Artifact Registry, IAM,
// Cloud Storage and Cloud Logging: a recipe and a context from an empty project, no rebuild without
// a change (0 mutating calls), one rebuild per change with the reason in the plan, a failed build
// that leaves the service alone and names its cause, an Atlantis upgrade on a new base, and
// destroy removing the build repository, the build account and the source bucket.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { CloudBuildClient, type protos } from '@google-cloud/cloudbuild';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { ServicesClient } from '@google-cloud/run';
import type { RunningEmulator } from '../src/emulator/index.js';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since, TRANSPORTS, type Transport } from './support/emulator.js';
import { projectDir, tempDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';

const PARENT = 'projects/my-project/locations/europe-west1';
const SERVICE = `${PARENT}/services/atlantis`;
const BUILD_REPO = `${PARENT}/repositories/atlantis-images`;
const PROXY_REPO = `${PARENT}/repositories/atlantis-ghcr`;
const BUILDER = 'atlantis-builder@my-project.iam.gserviceaccount.com';
const BUCKET = 'my-project-atlantis-build-src';
const IMAGE = 'europe-west1-docker.pkg.dev/my-project/atlantis-images/atlantis';

function config(image: string, version = 'v0.47.1'): string {
  return `project: my-project
region: europe-west1
atlantis:
  version: ${version}
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
image: {strategy: build, ${image}}
`;
}

function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

const methods = (log: ReturnType<RunningEmulator['requestLog']>) => mutatingCalls(log).map((e) => e.method.split('/').pop()!);

function clients(emu: RunningEmulator, transport: Transport) {
  const options = clientOptions(emu, transport);
  return {
    build: new CloudBuildClient(options),
    registry: new ArtifactRegistryClient(options),
    run: new ServicesClient(options),
    projects: new ProjectsClient(options),
    async close() {
      await Promise.all([this.build.close(), this.registry.close(), this.run.close(), this.projects.close()]);
    },
  };
}

type Build = protos.google.devtools.cloudbuild.v1.IBuild;

async function builds(c: ReturnType<typeof clients>): Promise<Build[]> {
  const [list] = await c.build.listBuilds({ parent: PARENT, projectId: 'my-project' }, { autoPaginate: false });
  return list;
}

/** The Dockerfile a recipe build carried inline (base64 in its one bash step). */
function inlineDockerfile(build: Build): string {
  const script = build.steps![0].args![1];
  return Buffer.from(/^echo (\S+) \|/.exec(script)![1], 'base64').toString('utf8');
}

async function rest(emu: RunningEmulator, urlPath: string): Promise<Response> {
  return fetch(`http://${emu.host}${urlPath}`, { headers: { Authorization: 'Bearer test' } });
}

const hasMember = (policy: { bindings?: { role?: string | null; members?: string[] | null }[] | null }, role: string) =>
  (policy.bindings ?? []).some((b) => b.role === role && b.members?.includes(`serviceAccount:${BUILDER}`));

describe.each(TRANSPORTS)('a recipe built on Cloud Build, over %s', (transport) => {
  it('deploys from an empty project, builds nothing again, rebuilds once per change with the reason, destroys what the build made', async () => {
    const emu = await emulator();
    const dir = projectDir(config('tools: {terragrunt: 0.67.16, tflint: 0.64.0}', 'v0.47.0'));
    const env = emulatorEnv(emu, transport);
    const c = clients(emu, transport);

    // 1. From an empty project: the build resources, one build, the service on its digest.
    const first = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const image = lastJson(first.stdout).image as string;
    expect(image).toMatch(new RegExp(`^${IMAGE}@sha256:[a-f0-9]{64}$`));
    const [built] = await builds(c);
    expect(built).toMatchObject({
      status: 'SUCCESS',
      serviceAccount: `projects/my-project/serviceAccounts/${BUILDER}`,
      options: expect.objectContaining({ logging: 'CLOUD_LOGGING_ONLY' }),
    });
    expect(built.source?.storageSource).toBeFalsy();
    expect(`${IMAGE}@${built.results!.images![0].digest}`).toBe(image);
    const dockerfile = inlineDockerfile(built);
    expect(dockerfile).toMatch(
      /^ARG ATLANTIS_IMAGE=europe-west1-docker\.pkg\.dev\/my-project\/atlantis-ghcr\/runatlantis\/atlantis@sha256:[a-f0-9]{64}$/m,
    );
    expect(dockerfile).toContain('releases/download/v0.67.16/terragrunt_linux_amd64');
    expect(dockerfile.trimEnd().split('\n').at(-1)).toBe('USER atlantis');
    const [service] = await c.run.getService({ name: SERVICE });
    expect(service.template!.containers![0].image).toBe(image);

    const [repo] = await c.registry.getRepository({ name: BUILD_REPO });
    expect(repo).toMatchObject({ mode: 'STANDARD_REPOSITORY', format: 'DOCKER' });
    expect(repo.cleanupPolicies!['keep-newest']).toMatchObject({ action: 'KEEP', mostRecentVersions: { keepCount: 5 } });
    expect(hasMember((await c.registry.getIamPolicy({ resource: BUILD_REPO }))[0], 'roles/artifactregistry.writer')).toBe(true);
    expect(hasMember((await c.registry.getIamPolicy({ resource: PROXY_REPO }))[0], 'roles/artifactregistry.reader')).toBe(true);
    expect(hasMember((await c.projects.getIamPolicy({ resource: 'projects/my-project' }))[0], 'roles/logging.logWriter')).toBe(true);
    expect((await rest(emu, `/v1/projects/my-project/serviceAccounts/${BUILDER}`)).status).toBe(200);
    const lock = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')) as Record<string, any>;
    expect(lock.resources.build).toMatchObject({
      kind: 'recipe',
      builder: 'cloud-build',
      tools: { terragrunt: '0.67.16', tflint: '0.64.0' },
    });

    // 2. Nothing changed: nothing built, no mutating call.
    const noop = since(emu);
    const second = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(lastJson(second.stdout).changes).toBe(0);
    expect(mutatingCalls(noop())).toEqual([]);
    // Also without the lockfile (a fresh CI runner): the built tag is found, nothing is built again.
    const lockText = readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8');
    rmSync(path.join(dir, 'atlantis-run.lock'));
    const fresh = since(emu);
    const lockless = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(lockless.code, lockless.stderr).toBe(0);
    expect(lastJson(lockless.stdout)).toMatchObject({ changes: 0, image });
    expect(mutatingCalls(fresh())).toEqual([]);
    // Rebuilt from live state: everything but the id of the build that made the image (history, not state).
    const { buildId: _buildId, ...recorded } = JSON.parse(lockText).resources.build as Record<string, unknown>;
    expect(JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).resources.build).toEqual(recorded);

    // 3. A tool version changes: the plan says so, and one build later the service runs it.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), config('tools: {terragrunt: 0.68.1, tflint: 0.64.0}', 'v0.47.0'));
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(4);
    expect(plan.stdout).toMatch(/\+ image build atlantis:v0\.47\.0-[a-f0-9]{16} {2}\(terragrunt 0\.67\.16 → 0\.68\.1\)/);
    const change = since(emu);
    const third = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(third.code, third.stderr).toBe(0);
    expect(methods(change()).sort()).toEqual(['CreateBuild', 'UpdateService']);
    const newImage = lastJson(third.stdout).image as string;
    expect(newImage).not.toBe(image);
    expect(inlineDockerfile((await builds(c))[0])).toContain('releases/download/v0.68.1/terragrunt_linux_amd64');
    const again = since(emu);
    expect((await runCli(['deploy', '--yes'], { cwd: dir, env })).code).toBe(0);
    expect(mutatingCalls(again())).toEqual([]);

    // 4. An Atlantis upgrade: rebuilt FROM the new version's digest.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), config('tools: {terragrunt: 0.68.1, tflint: 0.64.0}', 'v0.47.1'));
    const upgradePlan = await runCli(['plan'], { cwd: dir, env });
    expect(upgradePlan.stdout).toContain('(atlantis v0.47.0 → v0.47.1)');
    const upgrade = since(emu);
    expect((await runCli(['deploy', '--yes'], { cwd: dir, env })).code).toBe(0);
    expect(methods(upgrade()).sort()).toEqual(['CreateBuild', 'UpdateService']);
    const [newest, previous] = await builds(c);
    const baseOf = (b: Build) => /^ARG ATLANTIS_IMAGE=(\S+)$/m.exec(inlineDockerfile(b))![1];
    expect(baseOf(newest)).not.toBe(baseOf(previous));
    expect(inlineDockerfile(newest)).toMatch(/^# Atlantis v0\.47\.1 with terragrunt 0\.68\.1, tflint 0\.64\.0\.$/m);

    // 5. Destroy: the build repository (and its images), the build account and its project grant go.
    const destroy = await runCli(['destroy', '--yes', '--json'], { cwd: dir, env });
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(lastJson(destroy.stdout).deleted).toEqual(
      expect.arrayContaining([
        { kind: 'repository', resource: 'atlantis-images' },
        { kind: 'service account', resource: BUILDER },
        { kind: 'IAM binding', resource: `roles/logging.logWriter → ${BUILDER} on projects/my-project` },
      ]),
    );
    await expect(c.registry.getRepository({ name: BUILD_REPO })).rejects.toMatchObject({ code: 5 });
    expect((await rest(emu, `/v1/projects/my-project/serviceAccounts/${BUILDER}`)).status).toBe(404);
    expect(hasMember((await c.projects.getIamPolicy({ resource: 'projects/my-project' }))[0], 'roles/logging.logWriter')).toBe(false);
    await c.close();
  });
});

describe('a build context on Cloud Build', () => {
  it('uploads the context .dockerignore leaves, rebuilds only when a built file changes, and destroy empties and deletes the bucket', async () => {
    const emu = await emulator();
    const dir = projectDir(config('context: ./docker'));
    mkdirSync(path.join(dir, 'docker/scripts'), { recursive: true });
    writeFileSync(path.join(dir, 'docker/Dockerfile'), 'ARG ATLANTIS_IMAGE\nFROM ${ATLANTIS_IMAGE}\nCOPY scripts/ /usr/local/bin/\n');
    writeFileSync(path.join(dir, 'docker/.dockerignore'), '*.md\n');
    writeFileSync(path.join(dir, 'docker/scripts/hello.sh'), '#!/bin/sh\necho hello\n');
    writeFileSync(path.join(dir, 'docker/NOTES.md'), 'not sent\n');
    const env = emulatorEnv(emu, 'grpc');
    const c = clients(emu, 'grpc');

    const first = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const [built] = await builds(c);
    const source = built.source!.storageSource!;
    expect(source.bucket).toBe(BUCKET);
    expect(source.object).toMatch(/^atlantis\/[a-f0-9]{64}\.tar\.gz$/);
    expect(built.steps![0].args).toEqual(
      expect.arrayContaining([
        '--build-arg',
        expect.stringMatching(/^ATLANTIS_IMAGE=europe-west1-docker\.pkg\.dev\/my-project\/atlantis-ghcr\/runatlantis\/atlantis@sha256:/),
      ]),
    );
    // The uploaded archive holds exactly the context minus what .dockerignore names.
    const archive = await rest(emu, `/storage/v1/b/${BUCKET}/o/${encodeURIComponent(source.object!)}?alt=media`);
    expect(archive.status).toBe(200);
    const scratch = tempDir();
    writeFileSync(path.join(scratch, 'ctx.tar.gz'), Buffer.from(await archive.arrayBuffer()));
    const listed = execFileSync('tar', ['-tzf', path.join(scratch, 'ctx.tar.gz')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    expect(listed).toEqual(['.dockerignore', 'Dockerfile', 'scripts/', 'scripts/hello.sh']);
    const bucket = (await (await rest(emu, `/storage/v1/b/${BUCKET}`)).json()) as Record<string, any>;
    expect(bucket.lifecycle).toEqual({ rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] });
    expect(bucket.iamConfiguration.uniformBucketLevelAccess.enabled).toBe(true);
    const bucketPolicy = (await (await rest(emu, `/storage/v1/b/${BUCKET}/iam`)).json()) as {
      bindings: { role: string; members: string[] }[];
    };
    expect(hasMember(bucketPolicy, 'roles/storage.objectViewer')).toBe(true);

    // A file .dockerignore leaves out changes: nothing to build, nothing changed.
    writeFileSync(path.join(dir, 'docker/NOTES.md'), 'still not sent\n');
    const ignored = since(emu);
    expect((await runCli(['deploy', '--yes'], { cwd: dir, env })).code).toBe(0);
    expect(mutatingCalls(ignored())).toEqual([]);

    // A built file changes: the plan names it; one upload, one build, the service updated.
    writeFileSync(path.join(dir, 'docker/scripts/hello.sh'), '#!/bin/sh\necho hello again\n');
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.stdout).toContain('(context changed: scripts/hello.sh)');
    const change = since(emu);
    expect((await runCli(['deploy', '--yes'], { cwd: dir, env })).code).toBe(0);
    expect(methods(change()).sort()).toEqual(['CreateBuild', 'InsertObject', 'UpdateService']);

    const destroy = await runCli(['destroy', '--yes', '--json'], { cwd: dir, env });
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(lastJson(destroy.stdout).deleted).toEqual(expect.arrayContaining([{ kind: 'bucket', resource: BUCKET }]));
    expect((await rest(emu, `/storage/v1/b/${BUCKET}`)).status).toBe(404);
    await expect(c.registry.getRepository({ name: BUILD_REPO })).rejects.toMatchObject({ code: 5 });
    await c.close();
  });
});

describe('a failed Cloud Build', () => {
  it('changes nothing on the service, names its cause with the log tail and console URL, and the next deploy recovers', async () => {
    const emu = await emulator();
    const dir = projectDir(config('tools: {tflint: 0.63.1}'));
    const env = emulatorEnv(emu, 'grpc');
    const c = clients(emu, 'grpc');
    expect((await runCli(['deploy', '--yes'], { cwd: dir, env })).code).toBe(0);
    const [before] = await c.run.getService({ name: SERVICE });
    const lockBefore = readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8');

    // Between the grants and the build, someone takes the build account's push access away.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), config('tools: {tflint: 0.64.0}'));
    const failing = since(emu);
    const failed = await runCli(['deploy', '--yes', '--json'], {
      cwd: dir,
      env,
      onStdoutLine: (line) => {
        const event = JSON.parse(line) as { type: string; phase?: string };
        if (event.type !== 'phase-end' || event.phase !== 'build-access') return;
        emu.mutate((services) => {
          const policy = services.iamPolicies.get(BUILD_REPO) as { bindings?: { role: string }[] };
          const bindings = (policy.bindings ?? []).filter((b) => b.role !== 'roles/artifactregistry.writer');
          services.iamPolicies.set(BUILD_REPO, { bindings }, undefined, Date.now());
        });
      },
    });
    expect(failed.code).toBe(1);
    const error = lastJson(failed.stdout).error as { message: string; hint: string };
    expect(error.message).toMatch(
      /^Cloud Build [0-9a-f-]{36} ended FAILURE: failed to push image "europe-west1-docker\.pkg\.dev\/my-project\/atlantis-images\/atlantis:v0\.47\.1-[a-f0-9]{16}": denied: Permission "artifactregistry\.repositories\.uploadArtifacts" denied/,
    );
    expect(error.message).toContain('last lines of the build log:');
    expect(error.message).toMatch(/^ {2}ERROR: failed to push image/m);
    expect(error.hint).toMatch(
      /^the whole log: https:\/\/console\.cloud\.google\.com\/cloud-build\/builds;region=europe-west1\/[0-9a-f-]{36}\?project=\d+; nothing was deployed$/,
    );
    expect(failed.stderr).toContain('last lines of the build log:');
    // Nothing reached the service; the lockfile still records the image that runs.
    expect(methods(failing())).toEqual(['CreateBuild']);
    const [after] = await c.run.getService({ name: SERVICE });
    expect(after.template!.containers![0].image).toBe(before.template!.containers![0].image);
    expect(after.latestCreatedRevision).toBe(before.latestCreatedRevision);
    expect(JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).resources.build).toEqual(
      JSON.parse(lockBefore).resources.build,
    );

    // The next deploy grants the access again and builds.
    const retry = since(emu);
    const recovered = await runCli(['deploy', '--yes'], { cwd: dir, env });
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(methods(retry()).sort()).toEqual(['CreateBuild', 'SetIamPolicy', 'UpdateService']);
    await c.close();
  });
});

describe('render and flags for a build', () => {
  it('shows a running build’s status while it waits for it', async () => {
    const emu = await emulator({ operationDelayMs: 600 });
    const dir = projectDir(config('tools: {tflint: 0.64.0}'));
    const deployed = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(deployed.code, deployed.stderr).toBe(0);
    const progress = deployed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.type === 'operation-progress' && e.phase === 'build');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatchObject({ operation: 'building', resource: expect.stringMatching(/^Cloud Build [0-9a-f-]{36}$/) });
    expect(['QUEUED', 'WORKING']).toContain(progress[0].message);
  });

  it('render --dockerfile prints the recipe offline; --builder and a missing context are refused before anything happens', async () => {
    const dir = projectDir(config('tools: {terragrunt: 0.68.1}'));
    const rendered = await runCli(['render', '--dockerfile'], { cwd: dir });
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toMatch(/^# Atlantis v0\.47\.1 with terragrunt 0\.68\.1\./);
    expect(rendered.stdout).toContain(
      'ARG ATLANTIS_IMAGE=europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis:v0.47.1',
    );
    const json = await runCli(['render', '--json'], { cwd: dir });
    expect(lastJson(json.stdout).build).toMatchObject({ kind: 'recipe', builder: 'cloud-build', tools: { terragrunt: '0.68.1' } });
    const bad = await runCli(['deploy', '--yes', '--builder', 'kaniko'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--builder: expected one of cloud-build, local, docker, podman, buildah, got "kaniko"');
    // A context that is not there: exit 2 naming the field, before any change.
    const emu = await emulator();
    const missing = projectDir(config('context: ./docker'));
    const noChange = since(emu);
    const refused = await runCli(['deploy', '--yes'], { cwd: missing, env: emulatorEnv(emu, 'grpc') });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`Error: image.context: ${path.join(missing, 'docker')} is not a directory`);
    expect(mutatingCalls(noChange())).toEqual([]);
    const upstream = await runCli(['render', '--dockerfile'], { cwd: projectDir() });
    expect(upstream.code).toBe(2);
    expect(upstream.stderr).toContain('--dockerfile: only image.strategy build has a Dockerfile');
  });
});
