// `status` as a use case: the live deployment (URL, ready revision, image, instance settings), the
// secret versions in use against the newest, and drift against the configuration (what deploy would
// change) and against the lockfile (what changed since this tool last recorded it). Built from one
// read-only engine run; formatted separately so both halves can be tested without a terminal.
import type { RunContext } from '../engine/context.js';
import type { PlannedChange } from '../engine/phase.js';
import { liveOf, runEngine } from '../engine/runner.js';
import { getRevision, shortName } from '../gcp/apis/run.js';
import { lockRecord } from '../state/lockfile.js';
import { pinnedVersions } from '../cloudrun/pins.js';
import { SERVICE_RECORD, serviceUrl } from '../cloudrun/service.js';
import { SECRETS_RECORD } from '../secret-values/record.js';
import { PHASES } from '../phases/index.js';
import { formatPlan } from '../ui/plan-format.js';
import { secretsPhase } from '../phases/secrets.js';
import { servicePhase } from '../phases/service.js';
import { imagePhase, knownImages } from '../phases/image.js';
import { trafficOf } from '../cloudrun/traffic.js';
import { versionOf, withVersion } from '../cloudrun/version.js';
import { persistenceStatus, type PersistenceStatus } from './persistence-status.js';

export interface SecretStatus {
  name: string;
  secretId: string;
  inUse?: string;
  latest?: string;
  staged: boolean;
}

export interface ServiceSettings {
  minInstances: number;
  maxInstances?: number;
  cpu?: string;
  memory?: string;
  cpuIdle: boolean;
  executionEnvironment?: string;
  serviceAccount?: string;
}

export interface DeploymentStatus {
  project: string;
  region: string;
  service: string;
  deployed: boolean;
  url?: string;
  webhookUrl?: string;
  ready: boolean;
  readyRevision?: string;
  latestCreatedRevision?: string;
  condition?: string;
  image?: string;
  /** The Atlantis version (image tag) the image is, when something vouches for it. */
  version?: string;
  /** Where traffic goes: pinned to named revisions by a rollback, or following the latest ready revision. */
  traffic?: { pinned: boolean; pinnedTo: string[]; serving: { revision?: string; percent: number; version?: string }[] };
  settings?: ServiceSettings;
  secrets: SecretStatus[];
  /** Where plans, locks and the data dir live, and whether what holds them is healthy. */
  persistence: PersistenceStatus;
  drift: { config: (PlannedChange & { phase: string })[]; lockfile: string[] };
  /** What would stop a deploy now (a secret without a value, a missing permission…). */
  blockers: { message: string; hint?: string }[];
}

export async function buildStatus(run: RunContext): Promise<DeploymentStatus> {
  const { config } = run;
  const result = await runEngine(PHASES, run, { mode: 'plan', collectBlockers: true });
  const service = liveOf(result, servicePhase)?.service;
  const pinned = pinnedVersions(service);
  const secrets: SecretStatus[] = (liveOf(result, secretsPhase)?.secrets ?? []).map((s) => ({
    name: s.desired.name,
    secretId: s.desired.secretId,
    inUse: pinned[s.desired.secretId],
    latest: s.latest?.version,
    staged: Boolean(s.latest && pinned[s.desired.secretId] && s.latest.version !== pinned[s.desired.secretId]),
  }));
  const drift = result.plan.phases.flatMap((p) => p.plan.changes.map((c) => ({ phase: p.name, ...c })));

  const template = service?.template;
  const container = template?.containers?.[0];
  const readyRevision = shortName(service?.latestReadyRevision);
  const createdRevision = shortName(service?.latestCreatedRevision);
  const recordedService = lockRecord(run.lock, SERVICE_RECORD);
  const recordedSecrets = lockRecord(run.lock, SECRETS_RECORD) ?? {};
  const lockDrift: string[] = [];
  if (recordedService?.readyRevision && readyRevision && recordedService.readyRevision !== readyRevision) {
    lockDrift.push(`ready revision is ${readyRevision}, the lockfile recorded ${recordedService.readyRevision}`);
  }
  if (recordedService?.image && container?.image && recordedService.image !== container.image) {
    lockDrift.push(`image is ${container.image}, the lockfile recorded ${recordedService.image}`);
  }
  for (const s of secrets) {
    const version = recordedSecrets[s.name]?.version;
    if (version && s.inUse && version !== s.inUse)
      lockDrift.push(`${s.secretId} is pinned to version ${s.inUse}, the lockfile recorded ${version}`);
  }
  if (recordedService && !service) lockDrift.push('the service the lockfile records no longer exists');

  const resolved = liveOf(result, imagePhase)?.resolved;
  const known = [
    ...(resolved && config.image.strategy === 'upstream' ? [{ reference: resolved, version: config.atlantis.version }] : []),
    ...knownImages(run.lock),
  ];
  const traffic = trafficOf(service);
  if (
    recordedService &&
    service &&
    JSON.stringify(recordedService.pinnedTo ?? []) !== JSON.stringify(traffic.pinned ? traffic.pinnedTo : [])
  ) {
    lockDrift.push(
      traffic.pinned
        ? `traffic is pinned to ${traffic.pinnedTo.join(', ')}, the lockfile recorded ${recordedService.pinnedTo?.length ? `it pinned to ${recordedService.pinnedTo.join(', ')}` : 'it following the latest revision'}`
        : `traffic follows the latest revision, the lockfile recorded it pinned to ${recordedService.pinnedTo?.join(', ')}`,
    );
  }
  // The version each serving revision runs: the template's for the latest; a pinned one is read.
  const servingVersions = new Map<string, string>();
  for (const target of traffic.serving) {
    if (!target.revision || servingVersions.has(target.revision)) continue;
    const spec =
      target.revision === readyRevision ? template : await getRevision(run.gcp, `${config.names.serviceName}/revisions/${target.revision}`);
    const version = versionOf(spec, known);
    if (version) servingVersions.set(target.revision, version);
  }
  const url = serviceUrl(service);
  return {
    project: config.project,
    region: config.region,
    service: config.service,
    deployed: Boolean(service),
    url,
    webhookUrl: url ? `${url}/events` : undefined,
    ready: Boolean(service && service.terminalCondition?.state === 'CONDITION_SUCCEEDED' && readyRevision === createdRevision),
    readyRevision,
    latestCreatedRevision: createdRevision,
    condition: service?.terminalCondition?.message,
    image: container?.image,
    version: service ? versionOf(template, known) : undefined,
    traffic: service
      ? {
          pinned: traffic.pinned,
          pinnedTo: traffic.pinnedTo,
          serving: traffic.serving.map((t) => {
            const version = t.revision ? servingVersions.get(t.revision) : undefined;
            return { ...(t.revision ? { revision: t.revision } : {}), percent: t.percent, ...(version ? { version } : {}) };
          }),
        }
      : undefined,
    settings: service
      ? {
          minInstances: template?.scaling?.minInstanceCount ?? 0,
          maxInstances: template?.scaling?.maxInstanceCount,
          cpu: container?.resources?.limits?.cpu,
          memory: container?.resources?.limits?.memory,
          cpuIdle: Boolean(container?.resources?.cpuIdle),
          executionEnvironment: template?.executionEnvironment,
          serviceAccount: template?.serviceAccount,
        }
      : undefined,
    secrets,
    persistence: persistenceStatus(run.config, result, service),
    drift: { config: drift, lockfile: lockDrift },
    blockers: result.blockers.map((b) => {
      const hint = (b as { hint?: unknown }).hint;
      return { message: b.message, ...(typeof hint === 'string' ? { hint } : {}) };
    }),
  };
}

/** Where traffic goes, in words: a pin by a rollback says how to undo it. */
function describeTraffic(status: DeploymentStatus): string {
  const traffic = status.traffic;
  const serving = (traffic?.serving ?? [])
    .filter((t) => t.percent > 0)
    .map((t) => `${t.percent}% ${t.revision ?? '?'}${t.version ? ` (${t.version})` : ''}`);
  if (traffic?.pinned) {
    return `${serving.join(', ') || `none yet (pinned to ${traffic.pinnedTo.join(', ')})`} — PINNED by a rollback; the latest ready revision is ${status.readyRevision ?? '(none)'}, and \`atlantis-run deploy\` returns traffic to it`;
  }
  return `${serving.join(', ') || 'nothing serves'} (follows the latest ready revision)`;
}

/** The status for a terminal. `configFile`: the file drift is measured against. */
export function formatStatus(status: DeploymentStatus, options: { configFile: string; hasLockfile: boolean; flags?: string }): string {
  const lines: string[] = [];
  if (!status.deployed) {
    lines.push(
      `${status.service} is not deployed in ${status.project}/${status.region}. Run \`atlantis-run deploy${options.flags ?? ''}\`.`,
    );
  } else {
    const s = status.settings!;
    const created = status.latestCreatedRevision;
    lines.push(
      `Service:        ${status.service} (${status.project}, ${status.region}) — ${status.ready ? 'ready' : 'NOT READY'}`,
      `URL:            ${status.url}`,
      `Webhook URL:    ${status.webhookUrl}`,
      `Ready revision: ${status.readyRevision ?? '(none)'}${created && created !== status.readyRevision ? `  (latest created ${created} is not ready${status.condition ? `: ${status.condition}` : ''})` : ''}`,
      `Image:          ${withVersion(status.image, status.version)}`,
      `Traffic:        ${describeTraffic(status)}`,
      `Instances:      min ${s.minInstances}, max ${s.maxInstances ?? '-'} · ${s.cpu} CPU, ${s.memory} · ${s.cpuIdle ? 'CPU only during requests (cpuIdle true!)' : 'CPU always allocated'} · ${s.executionEnvironment ?? ''}`,
      `Runs as:        ${s.serviceAccount}`,
    );
  }
  if (status.secrets.length) {
    lines.push('Secrets:');
    for (const s of status.secrets) {
      lines.push(
        `  ${s.name.padEnd(15)} ${s.secretId.padEnd(32)} in use: ${s.inUse ?? '-'}  latest: ${s.latest ?? '-'}${s.staged ? '  (newer version staged: deploy rolls it out)' : ''}`,
      );
    }
  }
  lines.push('Persistence:');
  for (const item of [
    status.persistence.plans,
    status.persistence.locks,
    status.persistence.dataDir,
    ...(status.persistence.network ? [status.persistence.network] : []),
  ]) {
    lines.push(`  ${item.what.padEnd(9)} ${item.where}  ${item.healthy ? 'ok' : 'NOT OK'}${item.detail ? ` — ${item.detail}` : ''}`);
  }
  lines.push(`  a restart keeps: ${status.persistence.survivesRestart.kept.join('; ') || 'nothing'}`);
  const drift = status.drift.config;
  lines.push(
    !status.deployed && drift.length
      ? `Deploy would make ${drift.length} change${drift.length === 1 ? '' : 's'}: \`atlantis-run plan${options.flags ?? ''}\` lists them.`
      : drift.length
        ? `Drift against ${options.configFile}: ${drift.length} change${drift.length === 1 ? '' : 's'} (deploy would apply them)\n${formatPlan(drift)}`
        : 'Drift against the configuration: none',
  );
  const lockDrift = status.drift.lockfile;
  lines.push(
    lockDrift.length
      ? `Drift against the lockfile:\n${lockDrift.map((d) => `  - ${d}`).join('\n')}`
      : `Drift against the lockfile: ${options.hasLockfile ? 'none' : 'no lockfile'}`,
  );
  if (status.blockers.length) {
    lines.push(`Before deploy can run:`);
    for (const b of status.blockers) lines.push(`  - ${b.message}${b.hint ? `\n    hint: ${b.hint}` : ''}`);
  }
  return lines.join('\n');
}
