// Building on this machine with docker, podman or buildah (through execa, never a shell), always
// for linux/amd64 — Cloud Run runs x86-64, and an Apple-silicon laptop would otherwise build arm64.
// The caller's Google access token logs the tool in to Artifact Registry on stdin (never in argv)
// with a throwaway credentials file; the image is pushed and its digest read back from the registry.
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OperationError } from '../errors.js';
import type { RunContext } from '../engine/context.js';
import type { DesiredBuild } from '../desired/index.js';
import { registerSecret } from '../util/redact.js';
import { BASE_ARG, type BuiltImage } from './cloud-build.js';
import type { BuildInputs } from './inputs.js';
import { resolveImage } from './registry.js';

export type LocalTool = 'docker' | 'podman' | 'buildah';
export const LOCAL_TOOLS: readonly LocalTool[] = ['docker', 'podman', 'buildah'];
const TAIL_LINES = 15;

type Ctx = Pick<RunContext, 'gcp' | 'config' | 'emit' | 'env'>;

export interface FoundBuilder {
  tool: LocalTool;
  version: string;
}

/** The first builder that works here (or the one asked for); what to install when none does. */
export async function findBuilder(env: NodeJS.ProcessEnv, wanted: 'local' | LocalTool): Promise<FoundBuilder> {
  const candidates = wanted === 'local' ? LOCAL_TOOLS : [wanted];
  const why: string[] = [];
  for (const tool of candidates) {
    const probe = await probeTool(env, tool);
    if ('version' in probe) return { tool, version: probe.version };
    why.push(probe.why);
  }
  throw new OperationError(`no local image builder works on this machine: ${why.join('; ')}`, {
    hint: 'install Docker (https://docs.docker.com/engine/install/), Podman or Buildah (e.g. apt-get install buildah), or build on Cloud Build: image.builder: cloud-build',
  });
}

async function probeTool(env: NodeJS.ProcessEnv, tool: LocalTool): Promise<{ version: string } | { why: string }> {
  const { execa } = await import('execa');
  // docker needs its daemon: `docker version` asks it for the server version.
  const args =
    tool === 'buildah' ? ['version'] : ['version', '--format', tool === 'docker' ? '{{.Server.Version}}' : '{{.Client.Version}}'];
  const result = await execa(tool, args, { env, extendEnv: false, reject: false, timeout: 20_000, stdin: 'ignore' });
  if ((result as { code?: string }).code === 'ENOENT') return { why: `${tool} is not installed` };
  if (result.exitCode !== 0) {
    const first = `${result.stderr}`.split('\n').find((l) => l.trim()) ?? `exit ${String(result.exitCode)}`;
    return { why: `${tool} does not work here (${first.trim()})` };
  }
  const text = String(result.stdout);
  const version = tool === 'buildah' ? (/Version:\s+(\S+)/.exec(text)?.[1] ?? text.trim()) : text.trim();
  return { version };
}

/** An Artifact Registry reference as this machine reaches it (ATLANTIS_RUN_REGISTRY_HOST stands in for *-docker.pkg.dev). */
function physical(ctx: Ctx, ref: string): string {
  const host = ctx.gcp.factory.options.registryHost;
  return host ? ref.replace(/^[a-z0-9-]+-docker\.pkg\.dev\//, `${host}/`) : ref;
}

export async function buildLocally(
  ctx: Ctx,
  phase: string,
  build: DesiredBuild,
  inputs: BuildInputs,
  found: FoundBuilder,
): Promise<BuiltImage> {
  const { tool } = found;
  const work = await mkdtemp(path.join(os.tmpdir(), 'atlantis-run-build-'));
  try {
    const contextDir = path.join(work, 'context');
    await mkdir(contextDir);
    const dockerfile = await stageContext(inputs, contextDir);
    const image = `${build.image}:${inputs.tag}`;
    const target = physical(ctx, image);
    const host = target.split('/')[0];
    // A plain-HTTP stand-in registry (tests) is not TLS.
    const tls = ctx.gcp.factory.options.registryHost && tool !== 'docker' ? ['--tls-verify=false'] : [];
    const authDir = path.join(work, 'auth');
    await mkdir(authDir, { mode: 0o700 });
    if (tool === 'docker') await dockerConfigWithoutCredentials(ctx.env, authDir);
    // Credentials go to a throwaway file, not the user's ~/.docker or containers auth.json.
    const env = { ...ctx.env, DOCKER_CONFIG: authDir, REGISTRY_AUTH_FILE: path.join(authDir, 'auth.json') };
    const token = await ctx.gcp.factory.accessToken();
    registerSecret(token);
    const run = (step: string, args: string[], input?: string) => runTool(ctx, phase, tool, step, args, env, input);

    ctx.emit({ type: 'info', phase, message: `building with ${tool} ${found.version} for linux/amd64` });
    await run('login', ['login', ...tls, '-u', 'oauth2accesstoken', '--password-stdin', host], token);
    await run('build', [
      'build',
      '--platform',
      'linux/amd64',
      ...tls,
      '-f',
      path.join(contextDir, dockerfile),
      '--build-arg',
      `${BASE_ARG}=${physical(ctx, inputs.base)}`,
      '-t',
      target,
      contextDir,
    ]);
    await run('push', ['push', ...tls, target]);
    const pushed = await resolveImage(ctx.gcp, image);
    return { digest: pushed.digest, reference: `${build.image}@${pushed.digest}` };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A docker config folder for this build: the user's current context (Docker Desktop talks to its VM
 * through one) and CLI plugins (buildx), but no credentials store — the login lands in this folder's
 * config.json, deleted with it.
 */
async function dockerConfigWithoutCredentials(env: NodeJS.ProcessEnv, dir: string): Promise<void> {
  const source = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
  const current = await readFile(path.join(source, 'config.json'), 'utf8')
    .then((text) => (JSON.parse(text) as { currentContext?: unknown }).currentContext)
    .catch(() => undefined);
  await writeFile(
    path.join(dir, 'config.json'),
    JSON.stringify({ auths: {}, ...(typeof current === 'string' ? { currentContext: current } : {}) }),
    {
      mode: 0o600,
    },
  );
  for (const sub of ['contexts', 'cli-plugins']) {
    const from = path.join(source, sub);
    if (
      await stat(from).then(
        (s) => s.isDirectory(),
        () => false,
      )
    )
      await symlink(from, path.join(dir, sub));
  }
}

/** The exact files the tag was computed over (a recipe: its generated Dockerfile), in a fresh folder. */
async function stageContext(inputs: BuildInputs, dir: string): Promise<string> {
  if (inputs.kind === 'recipe') {
    await writeFile(path.join(dir, 'Dockerfile'), inputs.dockerfileText ?? '');
    return 'Dockerfile';
  }
  const context = inputs.context!;
  for (const entry of context.entries) {
    const to = path.join(dir, entry.path);
    if (entry.type === 'dir') await mkdir(to, { recursive: true });
    else if (entry.type === 'symlink') await symlink(entry.target, to);
    else {
      await mkdir(path.dirname(to), { recursive: true });
      await cp(path.join(context.dir, entry.path), to, { preserveTimestamps: false });
    }
  }
  return context.dockerfile;
}

async function runTool(
  ctx: Ctx,
  phase: string,
  tool: LocalTool,
  step: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input: string | undefined,
): Promise<void> {
  const { execa } = await import('execa');
  ctx.gcp.caller.log('local-builder', { tool, args });
  const started = Date.now();
  const tail: string[] = [];
  const child = execa(tool, args, {
    env,
    extendEnv: false,
    reject: false,
    all: true,
    ...(input !== undefined ? { input } : { stdin: 'ignore' }),
  });
  child.all?.setEncoding('utf8');
  let partial = '';
  child.all?.on('data', (chunk: string) => {
    partial += chunk;
    const lines = partial.split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 200) tail.shift();
      ctx.gcp.caller.log('local-builder-output', { tool, step, line });
      if (/^(STEP \d+\/\d+|#\d+ \[|Step \d+\/\d+|Copying|Writing manifest|Pushing)/.test(line) || step !== 'build') {
        ctx.emit({ type: 'operation-progress', phase, operation: step, resource: tool, elapsedMs: Date.now() - started, message: line });
      }
    }
  });
  const result = await child;
  if (partial.trim()) tail.push(partial);
  if ((result as { code?: string }).code === 'ENOENT') throw new OperationError(`${tool} is not installed`);
  if (result.exitCode === 0) return;
  const lines = tail.slice(-TAIL_LINES).map((l) => `  ${l}`);
  throw new OperationError(
    `image build failed: ${tool} ${step} exited with ${String(result.exitCode ?? result.signal)}\n${lines.join('\n')}`,
    {
      hint:
        step === 'build'
          ? 'fix the Dockerfile (or image.tools) and deploy again; nothing was deployed'
          : step === 'login'
            ? 'the Google access token was refused by the registry: check `gcloud auth application-default print-access-token`'
            : 'the push was refused: the caller needs artifactregistry.repositories.uploadArtifacts on the build repository',
    },
  );
}
