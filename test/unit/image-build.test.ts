// The pure parts of image builds: the tool catalogue and its checksums, the recipe Dockerfile from
// templates/image, .dockerignore as Docker reads it, the packed context (checked with GNU tar), the
// content-hash tag and the rebuild reasons, the Cloud Build request, and the configuration rules.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, TOOLS, UPSTREAM_TOOLS } from '../../src/atlantis/tools.js';
import { withBuilderFlag } from '../../src/cli/options.js';
import { desiredState } from '../../src/desired/index.js';
import { cloudBuildRequest } from '../../src/image-build/cloud-build.js';
import { contextListing, fileHashes, packContext, readContext } from '../../src/image-build/context.js';
import { isIgnored, parseDockerignore } from '../../src/image-build/dockerignore.js';
import { buildRecordOf, computeInputs, rebuildReasons } from '../../src/image-build/inputs.js';
import { generateDockerfile, loadRecipeTemplates } from '../../src/image-build/recipe.js';
import { tempDir } from '../support/fixtures.js';
import { configOf } from '../support/phase-context.js';

const BASE = `europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:${'a'.repeat(64)}`;
const OTHER_BASE = `europe-west1-docker.pkg.dev/my-project/atlantis-ghcr/runatlantis/atlantis@sha256:${'b'.repeat(64)}`;

const buildConfig = (image: string) => `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
image:
${image
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;

describe('the tool catalogue', () => {
  it('pins every version to a 64-hex SHA-256 with its source, over https assets', () => {
    for (const spec of Object.values(TOOLS)) {
      expect(Object.keys(spec.versions).length, spec.name).toBeGreaterThan(0);
      for (const [version, pinned] of Object.entries(spec.versions)) {
        expect(pinned.sha256, `${spec.name} ${version}`).toMatch(/^[a-f0-9]{64}$/);
        // Each source names a repository at a commit (and the file), never just "the internet".
        expect(pinned.source, `${spec.name} ${version}`).toMatch(/[\w-]+\/[\w-]+@[0-9a-f]{7,}/);
        expect(spec.assetUrl(version)).toMatch(
          new RegExp(`^https://[^ ]+/[^/]*${spec.assetFile.replace(/\./g, '\\.').replace(/^google-cloud-sdk/, 'google-cloud-sdk.*')}$`),
        );
      }
    }
    const hashes = Object.values(TOOLS).flatMap((s) => Object.values(s.versions).map((v) => v.sha256));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('knows at least terragrunt, infracost, tflint and gcloud, and nothing the upstream image ships', () => {
    expect(Object.keys(TOOLS)).toEqual(expect.arrayContaining(['terragrunt', 'infracost', 'tflint', 'gcloud']));
    for (const shipped of UPSTREAM_TOOLS) expect(TOOLS[shipped]).toBeUndefined();
    expect(['0.9.0', '0.10.0', '0.68.1', '0.67.16'].sort(compareVersions)).toEqual(['0.9.0', '0.10.0', '0.67.16', '0.68.1']);
  });
});

describe('the recipe Dockerfile', () => {
  it('starts FROM the base by digest as an argument, installs each tool as root with its checksum, and ends as USER atlantis', async () => {
    const templates = await loadRecipeTemplates();
    const text = generateDockerfile(templates, {
      atlantisVersion: 'v0.47.1',
      base: BASE,
      tools: { tflint: '0.64.0', terragrunt: '1.1.3' },
    });
    const instructions = text.split('\n').filter((l) => /^[A-Z]+ /.test(l));
    expect(instructions[0]).toBe(`ARG ATLANTIS_IMAGE=${BASE}`);
    expect(instructions[1]).toBe('FROM ${ATLANTIS_IMAGE}');
    expect(instructions[2]).toBe('USER root');
    expect(instructions.at(-1)).toBe('USER atlantis');
    expect(text).toContain(`echo '${TOOLS.terragrunt.versions['1.1.3'].sha256}  terragrunt_linux_amd64' | sha256sum -c -`);
    expect(text).toContain(`echo '${TOOLS.tflint.versions['0.64.0'].sha256}  tflint_linux_amd64.zip' | sha256sum -c -`);
    expect(text).toContain("'https://github.com/gruntwork-io/terragrunt/releases/download/v1.1.3/terragrunt_linux_amd64'");
    // Sorted by name: the same recipe, the same text.
    expect(text.indexOf('# terragrunt 1.1.3')).toBeLessThan(text.indexOf('# tflint 0.64.0'));
    expect(
      generateDockerfile(templates, { atlantisVersion: 'v0.47.1', base: BASE, tools: { terragrunt: '1.1.3', tflint: '0.64.0' } }),
    ).toBe(text);
    expect(text).toContain('unzip -q tflint_linux_amd64.zip');
    expect(text).toContain('terragrunt --version');
    expect(text).not.toMatch(/@@/);
  });

  it('verifies a version it has no pin for against the release checksum file, and sends downloads to a mirror', async () => {
    const text = generateDockerfile(await loadRecipeTemplates(), {
      atlantisVersion: 'v0.47.1',
      base: BASE,
      tools: { terragrunt: '9.9.9', infracost: '0.10.44' },
      mirror: 'http://127.0.0.1:9999/remote',
    });
    expect(text).toContain(
      "curl -fsSL -o checksums 'http://127.0.0.1:9999/remote/github.com/gruntwork-io/terragrunt/releases/download/v9.9.9/SHA256SUMS'",
    );
    expect(text).toContain('echo "$expected  terragrunt_linux_amd64" | sha256sum -c -');
    expect(text).toContain(
      "'http://127.0.0.1:9999/remote/github.com/infracost/infracost/releases/download/v0.10.44/infracost-linux-amd64.tar.gz'",
    );
    expect(text).toContain('for f in infracost-linux-amd64 infracost; do');
    expect(text).not.toContain('https://github.com');
  });

  it('installs gcloud with python3 from the image’s package manager', async () => {
    const text = generateDockerfile(await loadRecipeTemplates(), { atlantisVersion: 'v0.47.1', base: BASE, tools: { gcloud: '581.0.0' } });
    expect(text).toContain('ENV CLOUDSDK_PYTHON=python3');
    expect(text).toContain('apk add --no-cache python3');
    expect(text).toContain(`echo '${TOOLS.gcloud.versions['581.0.0'].sha256}  google-cloud-sdk-linux-x86_64.tar.gz' | sha256sum -c -`);
    expect(text).toContain('tar -xzf google-cloud-sdk-linux-x86_64.tar.gz -C /opt');
  });
});

describe('.dockerignore', () => {
  // Examples from Docker's documentation ("Dockerignore files") and moby's patternmatcher tests.
  const ignored = (patterns: string, file: string) => isIgnored(parseDockerignore(patterns), file);

  it('matches as Docker documents it', () => {
    expect(ignored('*/temp*', 'somedir/temporary.txt')).toBe(true);
    expect(ignored('*/temp*', 'temp')).toBe(false);
    expect(ignored('*/*/temp*', 'somedir/subdir/temporary.txt')).toBe(true);
    expect(ignored('temp?', 'tempa')).toBe(true);
    expect(ignored('temp?', 'temp/x')).toBe(false);
    expect(ignored('**/*.go', 'a/b/c.go')).toBe(true);
    expect(ignored('**/*.go', 'c.go')).toBe(true);
    expect(ignored('*.md\n!README.md', 'README.md')).toBe(false);
    expect(ignored('*.md\n!README.md', 'CHANGES.md')).toBe(true);
    // The last matching line wins.
    expect(ignored('*.md\n!README*.md\nREADME-secret.md', 'README-secret.md')).toBe(true);
    expect(ignored('*.md\nREADME-secret.md\n!README*.md', 'README-secret.md')).toBe(false);
  });

  it('cleans paths, skips comments, matches directories’ contents and refuses a lone !', () => {
    expect(ignored('/node_modules/', 'node_modules/x/y.js')).toBe(true);
    expect(ignored('# a comment\n\n  build  ', 'build/out.txt')).toBe(true);
    expect(ignored('./a/../b', 'b/c')).toBe(true);
    expect(ignored('data\n!data/keep', 'data/keep')).toBe(false);
    expect(ignored('data\n!data/keep', 'data/drop')).toBe(true);
    expect(ignored('[!a]*', 'b.txt')).toBe(true);
    expect(ignored('[!a]*', 'a.txt')).toBe(false);
    expect(ignored('file\\*', 'file*')).toBe(true);
    expect(ignored('file\\*', 'files')).toBe(false);
    expect(ignored('a.b', 'axb')).toBe(false);
    expect(() => parseDockerignore('!')).toThrow('illegal exclusion pattern: "!"');
  });
});

describe('a build context', () => {
  function makeContext(): string {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'scripts'));
    mkdirSync(path.join(dir, 'node_modules/pkg'), { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), 'ARG ATLANTIS_IMAGE\nFROM ${ATLANTIS_IMAGE}\nCOPY . /opt/ctx/\n');
    writeFileSync(path.join(dir, '.dockerignore'), 'node_modules\n*.log\nDockerfile\n.dockerignore\n');
    writeFileSync(path.join(dir, 'scripts/run.sh'), '#!/bin/sh\necho run\n');
    chmodSync(path.join(dir, 'scripts/run.sh'), 0o755);
    writeFileSync(path.join(dir, 'node_modules/pkg/index.js'), 'x');
    writeFileSync(path.join(dir, 'debug.log'), 'noise');
    symlinkSync('scripts/run.sh', path.join(dir, 'run'));
    const deep = path.join(dir, 'd'.repeat(60), 'e'.repeat(60));
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, `${'f'.repeat(90)}.txt`), 'a long path');
    return dir;
  }

  it('leaves out what .dockerignore names, but always the Dockerfile and .dockerignore', async () => {
    const context = await readContext(makeContext(), 'Dockerfile');
    const paths = context.entries.map((e) => e.path);
    expect(paths).toContain('Dockerfile');
    expect(paths).toContain('.dockerignore');
    expect(paths).toContain('scripts/run.sh');
    expect(paths).toContain('run');
    expect(paths).not.toContain('debug.log');
    expect(paths.some((p) => p.startsWith('node_modules'))).toBe(false);
    expect(context.ignored).toBe(2);
    expect(contextListing(context)).toMatch(/^f 755 [a-f0-9]{64} scripts\/run\.sh$/m);
    expect(fileHashes(context).run).toBe('-> scripts/run.sh');
  });

  it('packs exactly those files, reproducibly, as GNU tar reads them (long paths, modes, links)', async () => {
    const context = await readContext(makeContext(), 'Dockerfile');
    const archive = await packContext(context);
    expect((await packContext(context)).equals(archive)).toBe(true);
    const out = tempDir();
    writeFileSync(path.join(out, 'ctx.tar.gz'), archive);
    const listing = execFileSync('tar', ['-tvzf', path.join(out, 'ctx.tar.gz')], { encoding: 'utf8' });
    expect(listing).toMatch(/-rwxr-xr-x root\/root\s+\d+ 1970-01-01 00:00 scripts\/run\.sh/);
    expect(listing).toMatch(/lrwxrwxrwx root\/root\s+0 1970-01-01 00:00 run -> scripts\/run\.sh/);
    execFileSync('tar', ['-xzf', path.join(out, 'ctx.tar.gz'), '-C', out]);
    const longFile = path.join(out, 'd'.repeat(60), 'e'.repeat(60), `${'f'.repeat(90)}.txt`);
    expect(readFileSync(longFile, 'utf8')).toBe('a long path');
    expect(readFileSync(path.join(out, 'Dockerfile'), 'utf8')).toContain('COPY . /opt/ctx/');
    expect(() => readFileSync(path.join(out, 'debug.log'))).toThrow();
  });

  it('names a missing directory or Dockerfile as a configuration error', async () => {
    await expect(readContext('/nonexistent/ctx', 'Dockerfile')).rejects.toMatchObject({ exitCode: 2, path: 'image.context' });
    const dir = tempDir();
    await expect(readContext(dir, 'Dockerfile')).rejects.toMatchObject({ exitCode: 2, path: 'image.dockerfile' });
    await expect(readContext(dir, '../Dockerfile')).rejects.toMatchObject({ message: expect.stringMatching(/must be inside the context/) });
  });
});

describe('content-hash tags and rebuild reasons', () => {
  async function inputs(image: string, base = BASE, context?: string) {
    const config = await configOf(buildConfig(image), context ?? '/work/project');
    const build = desiredState(config).build!;
    const ctx = build.context ? await readContext(build.context, build.dockerfile!) : undefined;
    return computeInputs(build, config.atlantis.version, base, await loadRecipeTemplates(), ctx);
  }

  it('gives the same tag for the same inputs and another for any change', async () => {
    const a = await inputs('strategy: build\ntools: {terragrunt: 0.67.16}');
    expect(a.tag).toMatch(/^v0\.47\.1-[a-f0-9]{16}$/);
    expect((await inputs('strategy: build\ntools: {terragrunt: 0.67.16}')).tag).toBe(a.tag);
    expect((await inputs('strategy: build\ntools: {terragrunt: 0.68.1}')).tag).not.toBe(a.tag);
    expect((await inputs('strategy: build\ntools: {terragrunt: 0.67.16}', OTHER_BASE)).tag).not.toBe(a.tag);
    // The builder does not change what is built.
    expect((await inputs('strategy: build\nbuilder: local\ntools: {terragrunt: 0.67.16}')).tag).toBe(a.tag);
  });

  it('says why a build is needed', async () => {
    const before = await inputs('strategy: build\ntools: {terragrunt: 0.67.16, infracost: 0.10.43}');
    const record = buildRecordOf(before, { digest: 'sha256:1', reference: 'x@sha256:1' }, 'cloud-build');
    const after = await inputs('strategy: build\ntools: {terragrunt: 0.68.1, tflint: 0.64.0}');
    expect(rebuildReasons(record, after)).toEqual(['- infracost 0.10.43', 'terragrunt 0.67.16 → 0.68.1', '+ tflint 0.64.0']);
    expect(rebuildReasons(record, await inputs('strategy: build\ntools: {terragrunt: 0.67.16, infracost: 0.10.43}', OTHER_BASE))).toEqual([
      'base image v0.47.1 moved: aaaaaaaaaaaa → bbbbbbbbbbbb',
    ]);
    expect(rebuildReasons(undefined, after)).toEqual(['no image built yet for atlantis v0.47.1 + terragrunt 0.68.1, tflint 0.64.0']);
    expect(rebuildReasons(record, before)).toEqual([`image ${before.tag} is no longer in the repository`]);
  });

  it('names the context files that changed', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'docker'));
    writeFileSync(path.join(dir, 'docker/Dockerfile'), 'FROM x\n');
    writeFileSync(path.join(dir, 'docker/a.sh'), 'a\n');
    const before = await inputs('strategy: build\ncontext: ./docker', BASE, dir);
    const record = buildRecordOf(before, { digest: 'sha256:1', reference: 'x@sha256:1' }, 'cloud-build');
    writeFileSync(path.join(dir, 'docker/Dockerfile'), 'FROM y\n');
    writeFileSync(path.join(dir, 'docker/b.sh'), 'b\n');
    const after = await inputs('strategy: build\ncontext: ./docker', BASE, dir);
    expect(after.tag).not.toBe(before.tag);
    expect(rebuildReasons(record, after)).toEqual(['context changed: Dockerfile, b.sh']);
  });
});

describe('the Cloud Build request', () => {
  it('carries a recipe inline: no source, one docker step, the build account, Cloud Logging only', async () => {
    const config = await configOf(buildConfig('strategy: build\ntools: {terragrunt: 1.1.3}'));
    const build = desiredState(config).build!;
    const inputs = computeInputs(build, 'v0.47.1', BASE, await loadRecipeTemplates(), undefined);
    const request = cloudBuildRequest('my-project', build, inputs, undefined);
    const image = `europe-west1-docker.pkg.dev/my-project/atlantis-images/atlantis:${inputs.tag}`;
    expect(request).toMatchObject({
      images: [image],
      serviceAccount: 'projects/my-project/serviceAccounts/atlantis-builder@my-project.iam.gserviceaccount.com',
      options: { logging: 'CLOUD_LOGGING_ONLY' },
      timeout: { seconds: 1200 },
      tags: ['atlantis-run', inputs.tag],
    });
    expect(request.source).toBeUndefined();
    const step = (request.steps as { name: string; entrypoint: string; args: string[] }[])[0];
    expect(step).toMatchObject({ name: 'gcr.io/cloud-builders/docker', entrypoint: 'bash' });
    const script = step.args[1];
    expect(script).not.toContain('$');
    const encoded = /^echo (\S+) \| base64 -d > Dockerfile && docker build --network cloudbuild --platform linux\/amd64 -t (\S+) \.$/.exec(
      script,
    )!;
    expect(Buffer.from(encoded[1], 'base64').toString('utf8')).toBe(inputs.dockerfileText);
    expect(encoded[2]).toBe(image);
  });

  it('builds a context from its uploaded archive, passing the base as a build argument', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'docker'));
    writeFileSync(path.join(dir, 'docker/Containerfile'), 'ARG ATLANTIS_IMAGE\nFROM ${ATLANTIS_IMAGE}\n');
    const config = await configOf(buildConfig('strategy: build\ncontext: docker\ndockerfile: Containerfile\ntimeout: 1h'), dir);
    const build = desiredState(config).build!;
    const inputs = computeInputs(build, 'v0.47.1', BASE, await loadRecipeTemplates(), await readContext(build.context!, build.dockerfile!));
    const request = cloudBuildRequest('my-project', build, inputs, { bucket: 'b', object: 'atlantis/x.tar.gz', generation: '7' });
    expect(request.source).toEqual({ storageSource: { bucket: 'b', object: 'atlantis/x.tar.gz', generation: '7' } });
    expect(request.timeout).toEqual({ seconds: 3600 });
    expect((request.steps as { args: string[] }[])[0].args).toEqual([
      'build',
      '--network',
      'cloudbuild',
      '--platform',
      'linux/amd64',
      '--build-arg',
      `ATLANTIS_IMAGE=${BASE}`,
      '-f',
      'Containerfile',
      '-t',
      `europe-west1-docker.pkg.dev/my-project/atlantis-images/atlantis:${inputs.tag}`,
      '.',
    ]);
  });
});

describe('configuration of a build', () => {
  const problem = async (image: string) => {
    try {
      await configOf(buildConfig(image));
    } catch (err) {
      return err as { message: string; hint?: string; exitCode: number };
    }
    throw new Error('accepted');
  };

  it('names the field and the fix', async () => {
    expect(await problem('strategy: build\ntools: {terragrunnt: 0.68.1}')).toMatchObject({
      exitCode: 2,
      message: 'image.tools.terragrunnt: is not a tool atlantis-run knows',
      hint: 'did you mean terragrunt?',
    });
    expect(await problem('strategy: build\ntools: {terraform: 1.9.0}')).toMatchObject({
      message: 'image.tools.terraform: is already in the upstream Atlantis image',
    });
    expect((await problem('strategy: build\ntools: {gcloud: 499.0.0}')).message).toMatch(
      /^image\.tools\.gcloud: 499\.0\.0 is not a version atlantis-run has a checksum for/,
    );
    expect((await problem('strategy: build\ntools: {tflint: 0.64.0}\ncontext: ./docker')).message).toMatch(/^image: give either tools/);
    expect((await problem('strategy: build')).message).toMatch(/^image: strategy build needs tools/);
    expect((await problem('strategy: build\ntools: {tflint: "0.64 0"}')).message).toMatch(/^image\.tools\.tflint: expected a version/);
    expect((await problem('strategy: build\ntools: {tflint: 0.64.0}\nbuildRepository: atlantis-ghcr')).message).toMatch(
      /must differ from image.repository/,
    );
    expect((await problem('strategy: build\ntools: {tflint: 0.64.0}\nbuilder: kaniko')).message).toMatch(
      /^image\.builder: "kaniko": expected one of cloud-build, local/,
    );
  });

  it('derives the build resources’ names and least-privilege bindings', async () => {
    const config = await configOf(buildConfig('strategy: build\ncontext: ./docker'));
    const build = desiredState(config).build!;
    expect(build).toMatchObject({
      kind: 'context',
      builder: 'cloud-build',
      image: 'europe-west1-docker.pkg.dev/my-project/atlantis-images/atlantis',
    });
    expect(build.bindings.map((b) => `${b.role} ${b.resource}`)).toEqual([
      'roles/logging.logWriter projects/my-project',
      'roles/artifactregistry.writer projects/my-project/locations/europe-west1/repositories/atlantis-images',
      'roles/artifactregistry.reader projects/my-project/locations/europe-west1/repositories/atlantis-ghcr',
      'roles/storage.objectViewer projects/_/buckets/my-project-atlantis-build-src',
    ]);
    expect(build.bucket?.body).toMatchObject({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] } });
    const local = desiredState(await configOf(buildConfig('strategy: build\nbuilder: buildah\ntools: {tflint: 0.64.0}'))).build!;
    expect(local.bindings).toEqual([]);
    expect(local.serviceAccount).toBeUndefined();
    expect(local.bucket).toBeUndefined();
  });

  it('--builder applies only to a build, and only with a known builder', async () => {
    const config = await configOf(buildConfig('strategy: build\ntools: {tflint: 0.64.0}'));
    expect(withBuilderFlag(config, 'podman').image).toMatchObject({ builder: 'podman' });
    expect(() => withBuilderFlag(config, 'kaniko')).toThrow(
      '--builder: expected one of cloud-build, local, docker, podman, buildah, got "kaniko"',
    );
    const upstream = await configOf();
    expect(() => withBuilderFlag(upstream, 'local')).toThrow(
      '--builder: only applies to image.strategy build (this configuration uses upstream)',
    );
  });
});
