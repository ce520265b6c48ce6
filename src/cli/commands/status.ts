// `atlantis-run status`: live — URL, ready revision, image, instance settings, secret versions in
// use against the newest, and drift against the configuration (what deploy would change) and
// against the lockfile (what changed since this tool last recorded it).
import { runEngine } from '../../engine/runner.js';
import type { PlannedChange } from '../../engine/phase.js';
import type { ServiceJson } from '../../gcp/apis/run.js';
import { PHASES } from '../../phases/index.js';
import type { LiveSecret } from '../../phases/secrets.js';
import { pinnedVersions } from '../../secrets/pins.js';
import { formatPlan } from '../../ui/plan-format.js';
import type { CommandHandler } from '../command.js';
import { openSession } from '../session.js';
import { waitTimeout } from './deploy.js';

interface SecretStatus {
  name: string;
  secretId: string;
  inUse: string | undefined;
  latest: string | undefined;
  staged: boolean;
}

// Version numbers the service's template pins, by secret id (moved beside the secrets commands).
export { pinnedVersions };

export const handler: CommandHandler = async (ctx, input) => {
  const session = await openSession(ctx);
  const config = session.config;
  const result = await runEngine(PHASES, {
    config,
    gcp: session.gcp,
    // Status shows drift as its own output; progress and warnings still go to stderr.
    emit: (event) => {
      if (event.type === 'resource-changed' && event.planned) return;
      ctx.host.emit(event);
    },
    lock: session.lock,
    env: ctx.env,
    waitTimeoutMs: waitTimeout(input.options),
    mode: 'plan',
  });
  const service = (result.live.get('service') as { service?: ServiceJson } | undefined)?.service;
  const liveSecrets = (result.live.get('secrets') as { secrets: LiveSecret[] } | undefined)?.secrets ?? [];
  const pinned = pinnedVersions(service);
  const secrets: SecretStatus[] = liveSecrets.map((s) => ({
    name: s.desired.name,
    secretId: s.desired.secretId,
    inUse: pinned[s.desired.secretId],
    latest: s.latest?.version,
    staged: Boolean(s.latest && pinned[s.desired.secretId] && s.latest.version !== pinned[s.desired.secretId]),
  }));
  const drift: (PlannedChange & { phase: string })[] = result.plan.phases.flatMap((p) =>
    p.plan.changes.map((c) => ({ phase: p.name, ...c })),
  );

  const template = service?.template as Record<string, any> | undefined;
  const container = template?.containers?.[0] as Record<string, any> | undefined;
  const readyRevision = (service?.latestReadyRevision as string | undefined)?.split('/').pop();
  const createdRevision = (service?.latestCreatedRevision as string | undefined)?.split('/').pop();
  const recorded = session.lock?.resources;
  const lockDrift: string[] = [];
  if (recorded?.service?.readyRevision && readyRevision && recorded.service.readyRevision !== readyRevision) {
    lockDrift.push(`ready revision is ${readyRevision}, the lockfile recorded ${recorded.service.readyRevision}`);
  }
  if (recorded?.service?.image && container?.image && recorded.service.image !== container.image) {
    lockDrift.push(`image is ${container.image}, the lockfile recorded ${recorded.service.image}`);
  }
  for (const s of secrets) {
    const version = recorded?.secrets?.[s.name]?.version;
    if (version && s.inUse && version !== s.inUse)
      lockDrift.push(`${s.secretId} is pinned to version ${s.inUse}, the lockfile recorded ${version}`);
  }
  if (recorded?.service && !service) lockDrift.push('the service the lockfile records no longer exists');

  const status = {
    ok: true,
    command: 'status',
    project: config.project,
    region: config.region,
    service: config.service,
    deployed: Boolean(service),
    url: service ? ((service.urls as string[] | undefined)?.[0] ?? (service.uri as string | undefined)) : undefined,
    webhookUrl: service ? `${(service.urls as string[] | undefined)?.[0] ?? service.uri}/events` : undefined,
    ready: Boolean(service && service.terminalCondition?.state === 'CONDITION_SUCCEEDED' && readyRevision === createdRevision),
    readyRevision,
    latestCreatedRevision: createdRevision,
    condition: service?.terminalCondition?.message as string | undefined,
    image: container?.image as string | undefined,
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
    drift: { config: drift, lockfile: lockDrift },
  };
  if (ctx.globals.json) {
    ctx.host.result(status);
    return 0;
  }
  const lines: string[] = [];
  if (!service) {
    lines.push(`${config.service} is not deployed in ${config.project}/${config.region}. Run \`atlantis-run deploy\`.`);
  } else {
    const s = status.settings!;
    lines.push(
      `Service:        ${config.service} (${config.project}, ${config.region}) — ${status.ready ? 'ready' : 'NOT READY'}`,
      `URL:            ${status.url}`,
      `Webhook URL:    ${status.webhookUrl}`,
      `Ready revision: ${readyRevision ?? '(none)'}${createdRevision && createdRevision !== readyRevision ? `  (latest created ${createdRevision} is not ready${status.condition ? `: ${status.condition}` : ''})` : ''}`,
      `Image:          ${status.image}`,
      `Instances:      min ${s.minInstances}, max ${s.maxInstances ?? '-'} · ${s.cpu} CPU, ${s.memory} · ${s.cpuIdle ? 'CPU only during requests (cpuIdle true!)' : 'CPU always allocated'} · ${s.executionEnvironment ?? ''}`,
      `Runs as:        ${s.serviceAccount}`,
    );
  }
  if (secrets.length) {
    lines.push('Secrets:');
    for (const s of secrets) {
      lines.push(
        `  ${s.name.padEnd(15)} ${s.secretId.padEnd(32)} in use: ${s.inUse ?? '-'}  latest: ${s.latest ?? '-'}${s.staged ? '  (newer version staged: deploy rolls it out)' : ''}`,
      );
    }
  }
  lines.push(
    drift.length
      ? `Drift against ${config.configPath.split('/').pop()}: ${drift.length} change${drift.length === 1 ? '' : 's'} (deploy would apply them)\n${formatPlan(drift)}`
      : 'Drift against the configuration: none',
  );
  lines.push(
    lockDrift.length
      ? `Drift against the lockfile:\n${lockDrift.map((d) => `  - ${d}`).join('\n')}`
      : `Drift against the lockfile: ${session.lock ? 'none' : 'no lockfile'}`,
  );
  ctx.host.print(lines.join('\n'));
  return 0;
};
