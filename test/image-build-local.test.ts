// The local builder for real: Debian's buildah (vfs storage, chroot isolation) builds a context and
// a recipe FROM a small base image this test builds from busybox-static and pushes to Debian's
// docker-registry (standing in for Artifact Registry through ATLANTIS_RUN_REGISTRY_HOST), pushes
// the result, and the CLI deploys its digest against the emulator. No network: recipe downloads
// come from a local mirror (image.mirror). Failures — a failing RUN, a missing tool, an unknown
// version, a wrong checksum — exit 1 with buildah's own lines and leave the service alone.
// podman (Debian's) builds a context the same way. Skipped with the reason when buildah or
// docker-registry is missing, except in CI.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { ServicesClient } from '@google-cloud/run';
import { registerImage } from '../src/emulator/apis/artifact-registry.js';
import type { RunningEmulator } from '../src/emulator/index.js';
import { runCli } from './support/cli.js';
import {
  buildahAvailability,
  buildahEnv,
  onPath,
  buildAndPushBase,
  startDownloads,
  startRegistryFront,
  type RegistryFront,
} from './support/buildah.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { projectDir, tempDir } from './support/fixtures.js';
import { registryAvailability, startRegistry, type TestRegistry } from './support/registry.js';
import { clientOptions } from './emulator/clients.js';

const SERVICE = 'projects/my-project/locations/europe-west1/services/atlantis';
const BUILD_REPO = 'projects/my-project/locations/europe-west1/repositories/atlantis-images';
const IMAGE = 'europe-west1-docker.pkg.dev/my-project/atlantis-images/atlantis';
const REPO = 'my-project/atlantis-images/atlantis';
const EMULATOR_TOKEN = 'atlantis-run-emulator-token';

const buildah = buildahAvailability();
const registryBinary = registryAvailability();
const why = !buildah.ok ? buildah.reason : !registryBinary.ok ? registryBinary.reason : undefined;
if (why) process.stderr.write(`local builder tests skipped: ${why}\n`);

// In CI both are installed by .ci/run: a skip there would hide a broken install.
it.runIf(why !== undefined && process.env.CI)(
  'buildah, busybox-static and docker-registry are installed (CI installs them in .ci/run)',
  () => {
    expect.fail(why);
  },
);

// podman drives the same containers-storage and chroot isolation as buildah (Debian's podman).
const podman = onPath('podman');
it.runIf(!podman && process.env.CI)('podman is installed (CI installs it in .ci/run)', () => {
  expect.fail('podman is not installed (apt-get install podman)');
});

function config(image: string): string {
  return `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
image: {strategy: build, builder: buildah, ${image}}
`;
}

function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

describe.skipIf(why !== undefined)(`the local builder (buildah)${why ? ` — SKIPPED: ${why}` : ''}`, () => {
  let registry: TestRegistry;
  let front: RegistryFront;
  let current: RunningEmulator | undefined;
  const buildahStorage = buildahEnv();
  const storage = buildahStorage.env;

  beforeAll(async () => {
    registry = await startRegistry();
    // Pushes of built images become known to whichever emulator the running test uses.
    front = await startRegistryFront(registry.baseUrl, (name, reference, digest) => {
      if (!name.startsWith('my-project/atlantis-images/') || !current) return;
      const image = `europe-west1-docker.pkg.dev/${name}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
      current.mutate((services) => registerImage(services, image, digest));
    });
    await buildAndPushBase(storage, `${front.host}/my-project/atlantis-ghcr/runatlantis/atlantis:v0.47.1`);
  }, 180_000);

  afterAll(async () => {
    await front?.close();
    await registry?.stop();
    buildahStorage.remove();
  });

  async function setup(image: string, files: Record<string, string> = {}) {
    current = await emulator();
    const dir = projectDir(config(image));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    const env = emulatorEnv(current, 'grpc', { ...storage, ATLANTIS_RUN_REGISTRY_HOST: front.host });
    return { emu: current, dir, env };
  }

  /** The registry's manifest and config of a pushed tag, and a file's content from its layers. */
  async function pulled(tag: string) {
    const manifestRes = await fetch(`${registry.baseUrl}/v2/${REPO}/manifests/${tag}`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifestRes.status).toBe(200);
    const digest = manifestRes.headers.get('docker-content-digest');
    const manifest = (await manifestRes.json()) as { config: { digest: string }; layers: { digest: string }[] };
    const blob = async (d: string) => Buffer.from(await (await fetch(`${registry.baseUrl}/v2/${REPO}/blobs/${d}`)).arrayBuffer());
    const imageConfig = JSON.parse((await blob(manifest.config.digest)).toString('utf8')) as {
      architecture: string;
      os: string;
      config: { User?: string };
    };
    const scratch = tempDir();
    const files = new Map<string, string>();
    for (const [i, layer] of manifest.layers.entries()) {
      const file = path.join(scratch, `layer-${i}.tar.gz`);
      writeFileSync(file, await blob(layer.digest));
      for (const name of execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n')) {
        if (!name.endsWith('/')) files.set(name.replace(/^\.\//, ''), file);
      }
    }
    const read = (name: string) => execFileSync('tar', ['-xzOf', files.get(name)!, name], { encoding: 'utf8' });
    return { digest, imageConfig, files, read };
  }

  it('builds a context, pushes it, deploys its digest; a second deploy builds nothing; the token never reaches argv', async () => {
    const { emu, dir, env } = await setup('context: ./docker', {
      'docker/Dockerfile': [
        'ARG ATLANTIS_IMAGE',
        'FROM ${ATLANTIS_IMAGE}',
        'USER root',
        'COPY . /opt/context/',
        'RUN /opt/context/hello.sh > /opt/hello.out',
        'USER atlantis',
        '',
      ].join('\n'),
      'docker/hello.sh': '#!/bin/sh\necho hello from the context\n',
      'docker/.dockerignore': '*.secret\n',
      'docker/token.secret': 'never in the image\n',
    });
    chmodSync(path.join(dir, 'docker/hello.sh'), 0o755);

    const first = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/"message":"building with buildah \d+\.\d+/);
    const image = lastJson(first.stdout).image as string;
    expect(image).toMatch(new RegExp(`^${IMAGE}@sha256:[a-f0-9]{64}$`));
    const tag = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).resources.build.tag as string;

    // The digest deployed is the registry's, for an amd64 image running as atlantis with the context's work in it.
    const pushed = await pulled(tag);
    expect(`${IMAGE}@${pushed.digest}`).toBe(image);
    expect(pushed.imageConfig).toMatchObject({ architecture: 'amd64', os: 'linux', config: { User: 'atlantis' } });
    expect(pushed.read('opt/hello.out')).toBe('hello from the context\n');
    expect(pushed.files.has('opt/context/hello.sh')).toBe(true);
    expect(pushed.files.has('opt/context/token.secret')).toBe(false);
    const run = new ServicesClient(clientOptions(emu, 'grpc'));
    const [service] = await run.getService({ name: SERVICE });
    expect(service.template!.containers![0].image).toBe(image);

    // The access token went to the builder on stdin only: every command line is in the debug log.
    const logDir = path.join(dir, '.atlantis-run/logs');
    const commands = readdirSync(logDir)
      .flatMap((f) => readFileSync(path.join(logDir, f), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as { entry?: string; args?: string[] })
      .filter((e) => e.entry === 'local-builder');
    expect(commands.map((c) => c.args![0])).toEqual(['login', 'build', 'push']);
    expect(commands[0].args).toEqual(expect.arrayContaining(['-u', 'oauth2accesstoken', '--password-stdin']));
    for (const c of commands) expect(c.args!.join(' ')).not.toMatch(new RegExp(`${EMULATOR_TOKEN}|REDACTED`));
    expect(commands[1].args).toEqual(expect.arrayContaining(['--platform', 'linux/amd64']));

    const noop = since(emu);
    const second = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(lastJson(second.stdout).changes).toBe(0);
    expect(mutatingCalls(noop())).toEqual([]);
    expect(second.stdout).not.toContain('building with buildah');

    // A failing RUN and a missing tool: exit 1 with buildah's own lines; the service is untouched.
    for (const [step, expected] of [
      ['RUN exit 3', /exit status 3/],
      ['RUN terraformer --version', /terraformer: not found/],
    ] as const) {
      writeFileSync(path.join(dir, 'docker/Dockerfile'), `ARG ATLANTIS_IMAGE\nFROM \${ATLANTIS_IMAGE}\n${step}\n`);
      const failing = since(emu);
      const failed = await runCli(['deploy', '--yes'], { cwd: dir, env });
      expect(failed.code, step).toBe(1);
      expect(failed.stderr).toMatch(/Error: image build failed: buildah build exited with \d+/);
      expect(failed.stderr).toMatch(expected);
      expect(failed.stderr).toContain(step);
      expect(mutatingCalls(failing())).toEqual([]);
    }
    const [after] = await run.getService({ name: SERVICE });
    expect(after.template!.containers![0].image).toBe(image);
    await run.close();
  });

  it.skipIf(!podman)('podman builds a context the same way: pushed, deployed by digest, the token on stdin only', async () => {
    const { emu, dir, env } = await setup('context: ./docker', {
      'docker/Dockerfile': [
        'ARG ATLANTIS_IMAGE',
        'FROM ${ATLANTIS_IMAGE}',
        'USER root',
        'RUN echo built by podman > /tmp/podman.out',
        'USER atlantis',
        '',
      ].join('\n'),
    });
    const first = await runCli(['deploy', '--yes', '--json', '--builder', 'podman'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/"message":"building with podman \d+\.\d+/);
    const image = lastJson(first.stdout).image as string;
    const tag = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).resources.build.tag as string;
    const pushed = await pulled(tag);
    expect(`${IMAGE}@${pushed.digest}`).toBe(image);
    expect(pushed.imageConfig).toMatchObject({ architecture: 'amd64', os: 'linux', config: { User: 'atlantis' } });
    expect(pushed.read('tmp/podman.out')).toBe('built by podman\n');
    const run = new ServicesClient(clientOptions(emu, 'grpc'));
    const [service] = await run.getService({ name: SERVICE });
    expect(service.template!.containers![0].image).toBe(image);
    await run.close();

    const logDir = path.join(dir, '.atlantis-run/logs');
    const commands = readdirSync(logDir)
      .flatMap((f) => readFileSync(path.join(logDir, f), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as { entry?: string; args?: string[] })
      .filter((e) => e.entry === 'local-builder');
    expect(commands.map((c) => c.args![0])).toEqual(['login', 'build', 'push']);
    for (const c of commands) expect(c.args!.join(' ')).not.toMatch(new RegExp(`${EMULATOR_TOKEN}|REDACTED`));

    // A failing RUN: exit 1 with podman's own lines; nothing changed.
    writeFileSync(path.join(dir, 'docker/Dockerfile'), 'ARG ATLANTIS_IMAGE\nFROM ${ATLANTIS_IMAGE}\nRUN exit 3\n');
    const failing = since(emu);
    const failed = await runCli(['deploy', '--yes', '--builder', 'podman'], { cwd: dir, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Error: image build failed: podman build exited with \d+/);
    expect(failed.stderr).toMatch(/exit status 3/);
    expect(mutatingCalls(failing())).toEqual([]);

    // destroy removes the build repository (and the images in it) as with Cloud Build.
    const destroyed = await runCli(['destroy', '-y'], { cwd: dir, env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    const registry = new ArtifactRegistryClient(clientOptions(emu, 'grpc'));
    const gone = await registry.getRepository({ name: BUILD_REPO }).then(
      () => 'still there',
      (e: { code?: number }) => e.code,
    );
    expect(gone).toBe(5); // NOT_FOUND
    await registry.close();
  });

  it('builds a recipe from a mirror, and refuses a wrong checksum and an unpublished version with buildah’s lines', async () => {
    const fake = '#!/bin/sh\necho "terragrunt version v9.9.9"\n';
    const sha = createHash('sha256').update(fake).digest('hex');
    const release = (v: string) => `/github.com/gruntwork-io/terragrunt/releases/download/v${v}`;
    const downloads = await startDownloads({
      [`${release('9.9.9')}/terragrunt_linux_amd64`]: fake,
      [`${release('9.9.9')}/SHA256SUMS`]: `${'0'.repeat(64)}  terragrunt_darwin_arm64\n${sha}  terragrunt_linux_amd64\n`,
      // Not the real terragrunt 1.1.3: its pinned checksum must refuse these bytes.
      [`${release('1.1.3')}/terragrunt_linux_amd64`]: fake,
    });
    try {
      const { emu, dir, env } = await setup(`tools: {terragrunt: 9.9.9}, mirror: "${downloads.url}"`);
      const first = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(
        "terragrunt 9.9.9 has no SHA-256 pinned in atlantis-run: the build verifies it against the release's own checksum file",
      );
      expect(downloads.requests).toEqual(
        expect.arrayContaining([`${release('9.9.9')}/terragrunt_linux_amd64`, `${release('9.9.9')}/SHA256SUMS`]),
      );
      const tag = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).resources.build.tag as string;
      const pushed = await pulled(tag);
      expect(pushed.read('usr/local/bin/terragrunt')).toBe(fake);
      expect(pushed.imageConfig.config.User).toBe('atlantis');
      const image = lastJson(first.stdout).image as string;

      for (const [version, expected] of [
        ['1.1.3', /terragrunt_linux_amd64: FAILED/],
        ['9.9.8', /server returned error: HTTP\/1\.1 404 Not Found/],
      ] as const) {
        writeFileSync(path.join(dir, 'atlantis-run.yaml'), config(`tools: {terragrunt: ${version}}, mirror: "${downloads.url}"`));
        const failing = since(emu);
        const failed = await runCli(['deploy', '--yes'], { cwd: dir, env });
        expect(failed.code, version).toBe(1);
        expect(failed.stderr).toMatch(/Error: image build failed: buildah build exited with \d+/);
        expect(failed.stderr).toMatch(expected);
        expect(mutatingCalls(failing())).toEqual([]);
      }
      const run = new ServicesClient(clientOptions(emu, 'grpc'));
      const [service] = await run.getService({ name: SERVICE });
      expect(service.template!.containers![0].image).toBe(image);
      await run.close();
    } finally {
      await downloads.close();
    }
  });
});
