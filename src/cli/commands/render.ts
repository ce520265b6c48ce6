// `atlantis-run render`: the desired state, offline. Facts only the cloud knows (project number,
// pinned secret versions, the image digest) come from the lockfile when it has them. With
// image.strategy build it also shows the build, and the Dockerfile a recipe generates.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { AtlantisRunConfig } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { desiredState, type DesiredBuild, type DesiredState } from '../../desired/index.js';
import { readContext } from '../../image-build/context.js';
import { BUILD_RECORD } from '../../image-build/inputs.js';
import { generateDockerfile, loadRecipeTemplates } from '../../image-build/recipe.js';
import { factsFromLock } from '../../deployment/facts.js';
import { deployRequirements } from '../../phases/index.js';
import { describeSource } from '../../secret-values/source.js';
import { survivesRestart } from '../../config/persistence.js';
import { lockRecord, readLockfile, type LockfileData } from '../../state/lockfile.js';
import type { Handler } from '../command.js';
import type { renderOptions } from '../command-table.js';
import { emitResult } from '../emit-result.js';
import type { ResultOf } from '../results.js';

export const handler: Handler<typeof renderOptions> = async (ctx, input) => {
  const config = await ctx.config();
  const lock = await readLockfile(ctx.lockfilePath, { project: config.project, region: config.region, service: config.service });
  if (lock.status === 'ignored') ctx.host.emit({ type: 'warning', message: lock.reason });
  const data = lock.status === 'ok' ? lock.data : undefined;
  const desired = desiredState(config, factsFromLock(data));
  const build = desired.build ? await renderBuild(config, desired.build, data) : undefined;
  if (input.options.dockerfile) {
    if (ctx.globals.json) {
      throw new UsageError('--dockerfile prints the Dockerfile as text, not JSON', {
        hint: 'drop --json, or read .build.dockerfileText from `render --json`',
      });
    }
    if (!build)
      throw new UsageError(`--dockerfile: only image.strategy build has a Dockerfile (this configuration uses ${config.image.strategy})`);
    ctx.host.print(build.dockerfileText.trimEnd());
    return;
  }
  // The APIs are what the enabled phases declare, as deploy will enable them.
  const apis = deployRequirements(config).apis;
  if (ctx.globals.json) {
    emitResult(ctx, 'render', renderable(desired, apis, build));
  } else {
    ctx.host.print(humanRender(desired, apis, build));
  }
};

interface RenderedBuild {
  desired: DesiredBuild;
  /** The Dockerfile: generated for a recipe, the user's own for a context. */
  dockerfileText: string;
  files?: number;
  ignored?: number;
}

/** The build as deploy would run it; the base digest from the lockfile when it built this version before. */
async function renderBuild(config: AtlantisRunConfig, build: DesiredBuild, lock: LockfileData | undefined): Promise<RenderedBuild> {
  if (build.kind === 'context') {
    const context = await readContext(build.context!, build.dockerfile ?? 'Dockerfile');
    const dockerfileText = await readFile(path.join(context.dir, context.dockerfile), 'utf8');
    return { desired: build, dockerfileText, files: context.entries.filter((e) => e.type === 'file').length, ignored: context.ignored };
  }
  const record = lockRecord(lock, BUILD_RECORD);
  const base = record?.atlantisVersion === config.atlantis.version ? record.base : build.base;
  const dockerfileText = generateDockerfile(await loadRecipeTemplates(), {
    atlantisVersion: config.atlantis.version,
    base,
    tools: build.tools ?? {},
    mirror: build.mirror,
  });
  return { desired: build, dockerfileText };
}

/** The desired state without internals: secret sources by kind, never a value (there is none here). */
function renderable(d: DesiredState, apis: string[], build: RenderedBuild | undefined): ResultOf<'render'> {
  return {
    project: d.project,
    region: d.region,
    projectNumber: d.projectNumber,
    url: d.url,
    webhookUrl: d.webhookUrl,
    apis,
    repository: d.repository ?? null,
    secrets: d.secrets.map((s) => ({
      name: s.name,
      secretId: s.secretId,
      resource: s.resourceName,
      origin: s.spec.origin,
      description: s.spec.description,
      source: s.source,
      delivery: s.spec.delivery,
      labels: s.labels,
    })),
    serviceAccount: d.serviceAccount,
    bindings: d.bindings,
    image: d.image,
    service: d.service,
    domain: d.domain ?? null,
    build: build
      ? {
          ...build.desired,
          dockerfileText: build.dockerfileText,
          ...(build.files !== undefined ? { files: build.files, ignored: build.ignored ?? 0 } : {}),
        }
      : null,
    persistence: renderPersistence(d),
  };
}

/** Where plans, locks and the data dir live, what a restart keeps, and the resources behind them. */
function renderPersistence(d: DesiredState): ResultOf<'render'>['persistence'] {
  const p = d.persistence;
  const s = p.settings;
  return {
    plans: s.plans.kind === 'gcs' ? `gs://${s.plans.bucket}` : s.dataDir.kind === 'filestore' ? 'the data dir (Filestore)' : 'memory',
    locks:
      s.locks.kind === 'memorystore'
        ? `redis (Memorystore ${s.locks.instanceId})`
        : s.locks.kind === 'external'
          ? `redis (${s.locks.host}:${s.locks.port})`
          : 'local',
    dataDir: s.dataDir.kind === 'filestore' ? `filestore (${s.dataDir.instanceId})` : 'memory',
    survivesRestart: survivesRestart(s),
    bucket: p.bucket?.body ?? null,
    network: p.network ? { network: p.network.network, subnet: p.network.subnet, region: p.network.region, range: p.network.range } : null,
    redis: p.redis ? { name: p.redis.name, ...p.redis.body } : null,
    filestore: p.filestore ? { name: p.filestore.name, ...p.filestore.body } : null,
  };
}

function humanRender(d: DesiredState, apis: string[], build: RenderedBuild | undefined): string {
  const lines: string[] = [];
  const section = (title: string) => lines.push('', `# ${title}`);
  lines.push(`# atlantis-run render — ${d.project} / ${d.region}`);
  lines.push(`# URL:         ${d.url}`, `# Webhook URL: ${d.webhookUrl}`);
  section('APIs to enable');
  for (const api of apis) lines.push(`- ${api}`);
  if (d.repository) {
    section(`Artifact Registry repository ${d.repository.name}`);
    lines.push(stringify(d.repository.body).trimEnd());
  }
  section('Secrets (Secret Manager)');
  for (const s of d.secrets) {
    const from =
      s.source.kind === 'generated'
        ? 'generated once'
        : s.source.kind === 'none'
          ? 'no source configured'
          : `from ${describeSource(s.source)}`;
    lines.push(`- ${s.secretId}: ${s.spec.description} (${from})`);
  }
  section('Runtime service account');
  lines.push(`- ${d.serviceAccount.email}`);
  section('IAM bindings');
  for (const b of d.bindings) lines.push(`- ${b.role} for ${b.member} on ${b.resource}`);
  section('Image');
  lines.push(
    `- ${d.image.reference}${d.image.upstream ? ` (proxy of ${d.image.upstream})` : ''}${d.image.resolved ? '' : ' — resolved to a digest at deploy'}`,
  );
  const p = d.persistence;
  section('Persistence');
  const persisted = renderPersistence(d);
  lines.push(`- plans: ${persisted.plans}`, `- locks: ${persisted.locks}`, `- data dir: ${persisted.dataDir}`);
  lines.push(`- a restart keeps: ${persisted.survivesRestart.kept.join('; ') || 'nothing'}`);
  lines.push(`- a restart loses: ${persisted.survivesRestart.lost.join('; ')}`);
  if (p.bucket) {
    section(`Cloud Storage bucket gs://${p.bucket.name}`);
    lines.push(stringify(p.bucket.body).trimEnd());
  }
  if (p.network) {
    section(`VPC network ${p.network.network}, subnet ${p.network.subnet} (${p.network.region})`);
    lines.push(`- created when absent (custom mode; subnet ${p.network.range}); used as it is when it exists`);
  }
  if (p.redis) {
    section(`Memorystore for Redis instance ${p.redis.name}`);
    lines.push(stringify(p.redis.body).trimEnd());
  }
  if (p.filestore) {
    section(`Filestore instance ${p.filestore.name}`);
    lines.push(stringify(p.filestore.body).trimEnd());
  }
  if (build) renderBuildSection(lines, section, build);
  if (d.domain) {
    section('Domain mapping');
    lines.push(`- ${d.domain.name} → ${d.domain.routeName}`);
  }
  section('Cloud Run service (v2)');
  lines.push(stringify(d.service).trimEnd());
  return `${lines.join('\n')}\n`;
}

function renderBuildSection(lines: string[], section: (title: string) => void, build: RenderedBuild): void {
  const b = build.desired;
  section(
    `Image build (${b.kind === 'recipe' ? 'recipe' : 'your Dockerfile'}, ${b.builder === 'cloud-build' ? 'Cloud Build' : `local: ${b.builder}`})`,
  );
  lines.push(`- built to ${b.image}:<content hash>, FROM ${b.base} by digest`);
  lines.push(`- repository ${b.repository.name}`, stringify(b.repository.body).trimEnd());
  if (b.serviceAccount) lines.push(`- runs as ${b.serviceAccount.email}`);
  for (const binding of b.bindings) lines.push(`- ${binding.role} for ${binding.member} on ${binding.resource}`);
  if (b.bucket) lines.push(`- context uploads to gs://${b.bucket.name} (deleted after 1 day)`);
  if (b.context)
    lines.push(`- context ${b.context}: ${build.files ?? 0} files (${build.ignored ?? 0} left out by .dockerignore), ${b.dockerfile}`);
  section(b.kind === 'recipe' ? 'Dockerfile (generated)' : `Dockerfile (${b.dockerfile}, receives --build-arg ATLANTIS_IMAGE)`);
  lines.push(build.dockerfileText.trimEnd());
}
