// The local builder with stand-in `docker`, `podman` and `buildah` scripts on PATH: which builder is
// found (and what to install when none works), and how docker is driven — the access token on stdin
// only, a throwaway credentials folder that keeps the user's context and plugins, the builder's own
// lines when a step fails. (test/image-build-local.test.ts runs the real buildah.)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredState } from '../../src/desired/index.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { Gcp } from '../../src/gcp/call.js';
import { computeInputs } from '../../src/image-build/inputs.js';
import { buildLocally, findBuilder } from '../../src/image-build/local.js';
import { loadRecipeTemplates } from '../../src/image-build/recipe.js';
import { tempDir } from '../support/fixtures.js';
import { configOf } from '../support/phase-context.js';

const TOKEN = 'ya29.local-builder-test-token-0123456789';

/** PATH is only a folder of these scripts and the few shell tools they use: no real builder is found. */
function fakeTools(scripts: Record<string, string>): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = tempDir('atlantis-run-fake-tools-');
  for (const tool of ['cat', 'cp', 'ls'])
    symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(dir, tool));
  for (const [name, body] of Object.entries(scripts)) writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { dir, env: { PATH: dir, HOME: tempDir('atlantis-run-home-') } };
}

const NO_DAEMON = 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1';

describe('finding a local builder', () => {
  it('takes the first that works, and the one named', async () => {
    const { env } = fakeTools({ docker: NO_DAEMON, buildah: 'echo "Version:         1.28.2"; echo "Go Version:      go1.19.8"' });
    expect(await findBuilder(env, 'local')).toEqual({ tool: 'buildah', version: '1.28.2' });
    const both = fakeTools({ docker: 'echo 27.3.1', podman: 'echo 4.3.1' });
    expect(await findBuilder(both.env, 'local')).toEqual({ tool: 'docker', version: '27.3.1' });
    expect(await findBuilder(both.env, 'podman')).toEqual({ tool: 'podman', version: '4.3.1' });
  });

  it('says why each did not work and what to install', async () => {
    const { env } = fakeTools({ docker: NO_DAEMON });
    const err = await findBuilder(env, 'local').then(
      () => undefined,
      (e: unknown) => e as { message: string; hint: string; exitCode: number },
    );
    expect(err).toMatchObject({
      exitCode: 1,
      message:
        'no local image builder works on this machine: docker does not work here (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?); podman is not installed; buildah is not installed',
    });
    expect(err?.hint).toMatch(/^install Docker \(https:\/\/docs\.docker\.com\/engine\/install\/\), Podman or Buildah/);
  });
});

describe('building with docker', () => {
  it('logs in with the token on stdin into a throwaway config that keeps the user’s context and plugins, and reports a failed push in docker’s words', async () => {
    const record = tempDir('atlantis-run-record-');
    const { env } = fakeTools({
      // login: the password must arrive on stdin; remember where DOCKER_CONFIG was and what it held.
      docker: `echo "$*" >> ${record}/argv
case "$1" in
  login) cat > ${record}/stdin; echo "$DOCKER_CONFIG" > ${record}/config-dir; cp "$DOCKER_CONFIG/config.json" ${record}/config.json; ls "$DOCKER_CONFIG" > ${record}/config-entries ;;
  build) echo "#5 [2/2] RUN true"; echo "#6 DONE 0.1s" ;;
  push) echo "denied: Permission \\"artifactregistry.repositories.uploadArtifacts\\" denied on resource" >&2; exit 1 ;;
esac`,
    });
    // The user's docker config: Docker Desktop's context and a plugins folder.
    mkdirSync(path.join(env.HOME!, '.docker/cli-plugins'), { recursive: true });
    mkdirSync(path.join(env.HOME!, '.docker/contexts'), { recursive: true });
    writeFileSync(path.join(env.HOME!, '.docker/config.json'), JSON.stringify({ credsStore: 'desktop', currentContext: 'desktop-linux' }));

    const config = await configOf(`project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
image: {strategy: build, builder: docker, tools: {tflint: 0.64.0}}
`);
    const build = desiredState(config).build!;
    const base = `europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:${'a'.repeat(64)}`;
    const inputs = computeInputs(build, 'v0.47.1', base, await loadRecipeTemplates(), undefined);
    const events: EngineEvent[] = [];
    const logged: unknown[] = [];
    const gcp = {
      factory: { options: {}, accessToken: () => Promise.resolve(TOKEN) },
      caller: { log: (_kind: string, data: unknown) => logged.push(data) },
    } as unknown as Gcp;
    const ctx = { gcp, config, emit: (e: EngineEvent) => events.push(e), env };

    const err = await buildLocally(ctx, 'build', build, inputs, { tool: 'docker', version: '27.3.1' }).then(
      () => undefined,
      (e: unknown) => e as { message: string; hint: string },
    );
    expect(err?.message).toMatch(
      /^image build failed: docker push exited with 1\n {2}denied: Permission "artifactregistry\.repositories\.uploadArtifacts" denied on resource$/,
    );
    expect(err?.hint).toMatch(/needs artifactregistry\.repositories\.uploadArtifacts/);

    const argv = readFileSync(path.join(record, 'argv'), 'utf8').trim().split('\n');
    expect(argv[0]).toBe('login -u oauth2accesstoken --password-stdin europe-west1-docker.pkg.dev');
    expect(argv[1]).toMatch(
      /^build --platform linux\/amd64 -f \S+\/Dockerfile --build-arg ATLANTIS_IMAGE=europe-west1-docker\.pkg\.dev\/\S+@sha256:a{64} -t europe-west1-docker\.pkg\.dev\/my-project\/atlantis-images\/atlantis:v0\.47\.1-[a-f0-9]{16} \S+$/,
    );
    expect(argv[2]).toMatch(/^push europe-west1-docker\.pkg\.dev\/my-project\/atlantis-images\/atlantis:v0\.47\.1-/);
    expect(argv.join('\n')).not.toContain(TOKEN);
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
    expect(readFileSync(path.join(record, 'stdin'), 'utf8')).toBe(TOKEN);
    // A throwaway DOCKER_CONFIG: the context kept, no credentials store, gone afterwards.
    expect(JSON.parse(readFileSync(path.join(record, 'config.json'), 'utf8'))).toEqual({ auths: {}, currentContext: 'desktop-linux' });
    expect(readFileSync(path.join(record, 'config-entries'), 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['cli-plugins', 'contexts']),
    );
    expect(existsSync(readFileSync(path.join(record, 'config-dir'), 'utf8').trim())).toBe(false);
    // The builder's step lines are progress.
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'operation-progress', operation: 'build', message: '#5 [2/2] RUN true' }),
    );
  });
});
