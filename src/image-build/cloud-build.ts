// Building on Cloud Build: the request (a recipe's Dockerfile travels inline in the step, a context
// is uploaded to the tool's bucket first), the wait with progress, and — when it fails — the
// build's own last log lines and its console URL. The build runs as the dedicated build account,
// logging to Cloud Logging only, and pushes one image whose digest the service is deployed by.
import { OperationError } from '../errors.js';
import type { RunContext } from '../engine/context.js';
import type { DesiredBuild } from '../desired/index.js';
import { createBuild, FINISHED, getBuild, listBuilds, type BuildInfo } from '../gcp/apis/cloud-build.js';
import { listLogEntries, type LogEntry } from '../gcp/apis/logging.js';
import { uploadObject } from '../gcp/apis/storage.js';
import { poll, seconds } from '../gcp/poll.js';
import { packContext } from './context.js';
import type { BuildInputs } from './inputs.js';

export const DOCKER_BUILDER = 'gcr.io/cloud-builders/docker';
export const BASE_ARG = 'ATLANTIS_IMAGE';
const LOG_TAIL_LINES = 20;

export interface BuiltImage {
  digest: string;
  /** IMAGE@sha256:… */
  reference: string;
  buildId?: string;
}

type Ctx = Pick<RunContext, 'gcp' | 'config' | 'emit' | 'waitTimeoutMs'>;

/** The Cloud Build request for `inputs` (pure, so it can be shown and tested). */
export function cloudBuildRequest(
  project: string,
  build: DesiredBuild,
  inputs: BuildInputs,
  source: { bucket: string; object: string; generation?: string } | undefined,
): Record<string, unknown> {
  const image = `${build.image}:${inputs.tag}`;
  const dockerBuild = ['build', '--network', 'cloudbuild', '--platform', 'linux/amd64'];
  const step =
    inputs.kind === 'recipe'
      ? {
          // No upload: the generated Dockerfile travels in the request, base64 so no character of it
          // meets the shell or Cloud Build's $-substitutions.
          name: DOCKER_BUILDER,
          entrypoint: 'bash',
          args: [
            '-c',
            `echo ${Buffer.from(inputs.dockerfileText ?? '').toString('base64')} | base64 -d > Dockerfile && docker ${dockerBuild.join(' ')} -t ${image} .`,
          ],
        }
      : {
          name: DOCKER_BUILDER,
          args: [...dockerBuild, '--build-arg', `${BASE_ARG}=${inputs.base}`, '-f', inputs.context!.dockerfile, '-t', image, '.'],
        };
  return {
    ...(source ? { source: { storageSource: source } } : {}),
    steps: [step],
    images: [image],
    // The dedicated least-privilege account; with it, Cloud Build requires logs to go to Cloud Logging (or a bucket).
    serviceAccount: `projects/${project}/serviceAccounts/${build.serviceAccount!.email}`,
    options: { logging: 'CLOUD_LOGGING_ONLY' },
    // A protobuf Duration: the client encodes it for gRPC and as "1200s" over REST.
    timeout: { seconds: Number(build.timeout.replace(/s$/, '')) },
    tags: ['atlantis-run', inputs.tag],
  };
}

export async function buildWithCloudBuild(ctx: Ctx, phase: string, build: DesiredBuild, inputs: BuildInputs): Promise<BuiltImage> {
  const parent = `projects/${ctx.config.project}/locations/${ctx.config.region}`;
  // A run stopped while its build ran left it going: follow that build rather than start a second.
  const earlier = await listBuilds(ctx.gcp, parent, `tags="${inputs.tag}"`);
  const running = earlier.find((b) => !FINISHED.includes(b.status));
  let started: BuildInfo;
  if (running) {
    started = running;
    ctx.emit({ type: 'info', phase, message: `following Cloud Build ${running.id}, started by an earlier run: ${running.logUrl}` });
  } else {
    const source = inputs.kind === 'context' ? await uploadContext(ctx, phase, build, inputs) : undefined;
    started = await createBuild(ctx.gcp, parent, cloudBuildRequest(ctx.config.project, build, inputs, source), {
      tag: inputs.tag,
      known: earlier,
    });
    ctx.emit({ type: 'info', phase, message: `Cloud Build ${started.id} started: ${started.logUrl}` });
  }
  const finished = await waitForBuild(ctx, phase, started);
  if (finished.status !== 'SUCCESS') throw await buildFailure(ctx, finished);
  const image = `${build.image}:${inputs.tag}`;
  const pushed = finished.images.find((i) => i.name === image) ?? finished.images[0];
  if (!pushed?.digest)
    throw new OperationError(`Cloud Build ${finished.id} succeeded but reported no digest for ${image}`, { hint: finished.logUrl });
  return { digest: pushed.digest, reference: `${build.image}@${pushed.digest}`, buildId: finished.id };
}

async function uploadContext(ctx: Ctx, phase: string, build: DesiredBuild, inputs: BuildInputs) {
  const archive = await packContext(inputs.context!);
  const bucket = build.bucket!.name;
  // Named by content hash: a retried deploy reuses the upload.
  const object = `${ctx.config.service}/${inputs.hash}.tar.gz`;
  ctx.emit({ type: 'info', phase, message: `uploading the build context (${formatBytes(archive.length)}) to gs://${bucket}/${object}` });
  const stored = await uploadObject(ctx.gcp, bucket, object, archive, 'application/gzip', { ifAbsent: true });
  return { bucket, object, generation: String(stored.generation) };
}

function waitForBuild(ctx: Ctx, phase: string, started: BuildInfo): Promise<BuildInfo> {
  let last = started.status;
  return poll<BuildInfo>(
    {
      timeoutMs: ctx.waitTimeoutMs,
      firstDelayMs: ctx.gcp.caller.timing.pollMs,
      maxDelayMs: 5_000,
      onProgress: (elapsedMs) =>
        ctx.emit({
          type: 'operation-progress',
          phase,
          operation: 'building',
          resource: `Cloud Build ${started.id}`,
          elapsedMs,
          message: last,
        }),
      timeoutError: (elapsed) =>
        new OperationError(`timed out waiting for Cloud Build ${started.id}: still ${last} after ${seconds(elapsed)}s`, {
          hint: `the build goes on (${started.logUrl}); run deploy again to pick it up, or raise --wait-timeout`,
        }),
    },
    async () => {
      const build = await getBuild(ctx.gcp, started.name);
      last = build.status;
      return FINISHED.includes(build.status) ? { done: true, value: build } : { done: false };
    },
  );
}

/** The failure as the build tells it: its status detail, then the last lines of its log. */
async function buildFailure(ctx: Ctx, build: BuildInfo): Promise<OperationError> {
  const tail = await logTail(ctx, build).catch(() => [] as string[]);
  const why = build.failure?.detail ?? build.statusDetail ?? '';
  const lines = [`Cloud Build ${build.id} ended ${build.status}${why ? `: ${why}` : ''}`];
  if (tail.length > 0) lines.push('last lines of the build log:', ...tail.map((l) => `  ${l}`));
  return new OperationError(lines.join('\n'), { hint: `the whole log: ${build.logUrl}; nothing was deployed` });
}

async function logTail(ctx: Ctx, build: BuildInfo): Promise<string[]> {
  const filter = `resource.type="build" AND resource.labels.build_id="${build.id}"`;
  // Log entries can arrive a moment after the build ends: look twice before giving up.
  for (let attempt = 0; attempt < 2; attempt++) {
    const { entries } = await listLogEntries(ctx.gcp, {
      resourceNames: [`projects/${ctx.config.project}`],
      filter,
      orderBy: 'timestamp desc',
      pageSize: LOG_TAIL_LINES,
    });
    if (entries.length > 0) return entries.reverse().map(lineOf);
    await new Promise((resolve) => setTimeout(resolve, ctx.gcp.caller.timing.pollMs));
  }
  return [];
}

function lineOf(entry: LogEntry): string {
  const step = entry.labels?.build_step;
  const text = entry.textPayload ?? JSON.stringify(entry.jsonPayload ?? {});
  return step && step !== 'MAIN' && !text.startsWith(step) ? `${step}: ${text}` : text;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}
