// `atlantis-run render`: the desired state, offline. Facts only the cloud knows (project number,
// pinned secret versions, the image digest) come from the lockfile when it has them.
import { stringify } from 'yaml';
import { desiredState, type DesiredState } from '../../desired/index.js';
import { factsFromLock } from '../../deployment/facts.js';
import { deployRequirements } from '../../phases/index.js';
import { describeSource } from '../../secret-values/source.js';
import { survivesRestart } from '../../config/persistence.js';
import { readLockfile } from '../../state/lockfile.js';
import type { Handler } from '../command.js';
import { emitResult } from '../emit-result.js';
import type { ResultOf } from '../results.js';

export const handler: Handler = async (ctx) => {
  const config = await ctx.config();
  const lock = await readLockfile(ctx.lockfilePath, { project: config.project, region: config.region, service: config.service });
  if (lock.status === 'ignored') ctx.host.emit({ type: 'warning', message: lock.reason });
  const desired = desiredState(config, factsFromLock(lock.status === 'ok' ? lock.data : undefined));
  // The APIs are what the enabled phases declare, as deploy will enable them.
  const apis = deployRequirements(config).apis;
  if (ctx.globals.json) {
    emitResult(ctx, 'render', renderable(desired, apis));
  } else {
    ctx.host.print(humanRender(desired, apis));
  }
};

/** The desired state without internals: secret sources by kind, never a value (there is none here). */
function renderable(d: DesiredState, apis: string[]): ResultOf<'render'> {
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

function humanRender(d: DesiredState, apis: string[]): string {
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
  if (d.domain) {
    section('Domain mapping');
    lines.push(`- ${d.domain.name} → ${d.domain.routeName}`);
  }
  section('Cloud Run service (v2)');
  lines.push(stringify(d.service).trimEnd());
  return `${lines.join('\n')}\n`;
}
