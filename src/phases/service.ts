// Service: the Cloud Run v2 service with the Atlantis defaults, created or replaced as a whole
// when any field the tool manages differs, then awaited until its new revision is Ready. A failed
// revision is reported with its condition message and where its logs are; Cloud Run keeps serving
// the previous Ready revision, and the next deploy simply tries again.
import { absentIfDisabled, progress } from '../engine/context.js';
import { teardownOne, definePhase, type PhaseContext, type PlannedChange } from '../engine/phase.js';
import { diffFields } from '../engine/diff.js';
import type { FieldChange } from '../engine/events.js';
import { createService, deleteService, getService, shortName, updateService, type RunService } from '../gcp/apis/run.js';
import { existing } from '../gcp/call.js';
import { isAlreadyExists } from '../gcp/errors.js';
import { OperationError } from '../errors.js';
import { MANAGED_LABEL, VERSION_ANNOTATION } from '../desired/index.js';
import { settledService, waitUntilSettled, writeAndSettle } from '../cloudrun/rollout.js';
import { failedRevision, RETRY_ANNOTATION, SERVICE_RECORD, serviceRecord } from '../cloudrun/service.js';
import { trafficOf, withDefaultTraffic } from '../cloudrun/traffic.js';
import { versionOf } from '../cloudrun/version.js';
import { knownImages } from './image.js';
import { persistenceOf, switchLosses } from '../cloudrun/persistence.js';
import { lockRecord } from '../state/lockfile.js';
import { getNetwork, lastSegment } from '../gcp/apis/compute.js';
import { getFilestoreInstance } from '../gcp/apis/filestore.js';
import { getRedisInstance } from '../gcp/apis/redis.js';
import { resourceMonthly, usd } from '../cost/model.js';
import type { Warning } from '../engine/events.js';
import { FILESTORE_RECORD } from './filestore.js';
import { REDIS_RECORD } from './redis.js';
import { NETWORK_RECORD } from './network.js';
import { pinnedVersions } from '../cloudrun/pins.js';
import { acknowledgeHint, configRisks, unacknowledged, type Risk } from '../config/risks.js';
import { SECRETS_RECORD } from '../secret-values/record.js';

interface Live {
  service: RunService | undefined;
  /** Paid resources an earlier configuration created and this one no longer uses: still there, or gone. */
  retired: Retired[];
}

interface Retired {
  key: string;
  kind: 'redis' | 'filestore' | 'network';
  name: string;
  exists: boolean;
}

interface Decision {
  live: RunService | undefined;
  /** The service to write, as the desired state has it. */
  body: RunService;
  fields: FieldChange[];
  /** A failed revision to try again (nothing else differs). */
  retry: string | undefined;
  /** The revisions a rollback pinned traffic to, which this deploy sends back to the latest one. */
  unpin: string[];
  /** Lockfile records of retired resources that no longer exist: dropped at apply. */
  forget?: string[];
}

/**
 * The desired service as compared with the live one. The version annotation only travels with a
 * template written for another reason: a deployment made before the tool wrote it must not get a
 * new revision (an Atlantis restart) for a label.
 */
function comparable(body: RunService): RunService {
  const annotations = { ...body.template?.annotations };
  delete annotations[VERSION_ANNOTATION];
  const { annotations: _annotations, ...template } = body.template ?? {};
  return { ...body, template: Object.keys(annotations).length > 0 ? { ...template, annotations } : template };
}

/** The diff of the live service against the desired one, with the facts known now. */
function decide(ctx: PhaseContext, live: RunService | undefined): Decision {
  const body = ctx.desired().service;
  if (!live) return { live, body, fields: [], retry: undefined, unpin: [] };
  const fields = diffFields(comparable(body), withDefaultTraffic(live));
  const traffic = trafficOf(live);
  return {
    live,
    body,
    fields,
    retry: fields.length === 0 ? failedRevision(live) : undefined,
    unpin: traffic.pinned ? traffic.pinnedTo : [],
  };
}

/** What the plan says besides the fields: the Atlantis versions next to the digests, traffic coming back. */
function reasons(ctx: PhaseContext, decision: Decision): string[] {
  const said: string[] = [];
  const desired = versionOf(decision.body.template, []);
  if (!decision.live) {
    if (desired) said.push(`Atlantis ${desired}`);
  } else if (decision.fields.some((f) => /^template\.containers\[[^\]]+\]\.image$/.test(f.path))) {
    const live = versionOf(decision.live.template, knownImages(ctx.lock));
    if (desired && live !== desired) said.push(`image: ${live ?? 'unknown version'} → ${desired}`);
  }
  if (decision.unpin.length > 0) said.push(`traffic returns to the latest revision: a rollback pinned it to ${decision.unpin.join(', ')}`);
  return said;
}

/**
 * A create answered ALREADY_EXISTS: this run's own create whose reply was lost (and was sent
 * again), or a run killed after creating it. Adopted once it is checked to be the tool's own
 * service (its managed-by label), awaited, and brought to the desired spec if it differs.
 */
async function adoptCreated(
  ctx: PhaseContext,
  body: RunService,
  write: { timeoutMs: number; onProgress: (ms: number) => void },
  onProgress: (ms: number) => void,
): Promise<void> {
  const found = await waitUntilSettled(ctx, onProgress);
  if (!found || found.labels?.['managed-by'] !== MANAGED_LABEL['managed-by']) {
    throw new OperationError(`service ${ctx.config.service} already exists in ${ctx.config.region} and is not managed by atlantis-run`, {
      hint: 'choose another service name (service:), or delete that service if it is a leftover',
    });
  }
  if (diffFields(body, found).length > 0) await updateService(ctx.gcp, body, write);
}

/**
 * A generated secret this deploy would switch the service to although no command rolled it out:
 * a newer version an interrupted `secrets rotate` added (the VCS may never have got it), or a
 * webhook secret the service did not use before. Deliberately staged versions (`secrets push
 * --stage`, recorded in the lockfile) are not a surprise.
 */
function secretSwitches(ctx: PhaseContext, live: RunService | undefined): Risk[] {
  if (!live) return [];
  const pinned = pinnedVersions(live);
  const recorded = lockRecord(ctx.lock, SECRETS_RECORD) ?? {};
  const risks: Risk[] = [];
  for (const s of ctx.desired().secrets) {
    if (s.spec.origin !== 'generated') continue;
    const planned = ctx.facts.secretVersions?.[s.name];
    const inUse = pinned[s.secretId];
    if (!planned || planned === inUse || recorded[s.name]?.stagedVersion === planned) continue;
    const webhook = s.name === 'webhook-secret';
    const effect = webhook ? 'webhooks are refused until the VCS sends it' : `the web UI asks for it (user ${ctx.config.access.uiUser})`;
    if (inUse === undefined && !webhook) continue;
    // A version this run adds (a first or regenerated value) is announced by the plan: not a surprise.
    if (inUse !== undefined && ctx.facts.secretsAdded?.includes(s.name)) continue;
    const message =
      inUse === undefined
        ? `this deploy starts checking webhooks against ${s.secretId} (version ${planned}): ${effect}`
        : `${s.secretId} version ${planned} is newer than version ${inUse} the service uses, and was never rolled out by the command that added it (an interrupted \`secrets rotate\`?): this deploy switches Atlantis to it, and ${effect}`;
    risks.push({
      risk: 'secret-switch',
      message,
      hint: `\`atlantis-run secrets show ${s.name}\` prints it: set it ${webhook ? 'in the VCS webhook settings' : 'where you keep it'} first; then ${acknowledgeHint('secret-switch')}`,
    });
  }
  return risks;
}

export const servicePhase = definePhase({
  name: 'service',
  title: 'Cloud Run service',
  // Persistence first: the service mounts the bucket and the share and reaches Redis through the subnet.
  needs: ['image', 'secrets', 'bindings', 'plans', 'subnet', 'redis', 'filestore'],
  enabled: () => true,
  apis: () => ['run.googleapis.com'],
  permissions: (config) => [
    'run.services.get',
    'run.services.create',
    'run.services.update',
    // invokerIamDisabled is an IAM decision: Cloud Run asks for setIamPolicy to turn the check off.
    'run.services.setIamPolicy',
    'run.operations.get',
    'run.revisions.get',
    // Direct VPC egress attaches the revision to the subnet.
    ...(config.persistence.locks === 'redis' || config.persistence.dataDir === 'filestore' ? ['compute.subnetworks.get'] : []),
  ],
  // The revision runs as the runtime service account: actAs on that account only.
  actAs: (config) => [config.names.serviceAccountEmail],
  clients: ['services'],
  record: SERVICE_RECORD,

  async read(ctx): Promise<Live> {
    const [service, retired] = await Promise.all([
      absentIfDisabled(ctx, getService(ctx.gcp, ctx.config.names.serviceName), undefined),
      readRetired(ctx),
    ]);
    return { service, retired };
  },

  plan(ctx, live) {
    const decision = decide(ctx, live.service);
    const changes: PlannedChange[] = [];
    const resource = ctx.config.service;
    const reason = reasons(ctx, decision).join('; ') || undefined;
    if (!live.service) changes.push({ kind: 'Cloud Run service', resource, action: 'create', ...(reason ? { reason } : {}) });
    else if (decision.fields.length > 0)
      changes.push({ kind: 'Cloud Run service', resource, action: 'update', fields: decision.fields, ...(reason ? { reason } : {}) });
    else if (decision.retry) {
      changes.push({
        kind: 'Cloud Run service',
        resource,
        action: 'update',
        reason: `retry failed revision ${shortName(decision.retry)}`,
        fields: [{ path: `template.annotations.${RETRY_ANNOTATION}`, to: '(now)' }],
      });
    }
    const forget = live.retired.filter((r) => !r.exists).map((r) => r.key);
    const risks = [...configRisks(ctx.config).service, ...secretSwitches(ctx, live.service)];
    return {
      changes,
      decision: { ...decision, ...(forget.length ? { forget } : {}) },
      warnings: [...persistenceWarnings(ctx, live.service, decision.body, live.retired), ...unacknowledged(risks, ctx.config.acceptRisks)],
    };
  },

  // The plan pinned the secret versions it predicted; the secrets phase has now added them.
  refresh: (ctx, decision) => ({ ...decide(ctx, decision.live), ...(decision.forget ? { forget: decision.forget } : {}) }),

  async apply(ctx, { live, body, fields, retry, unpin, forget }) {
    if (forget?.length) {
      await ctx.rewrite((data) => ({
        ...data,
        resources: Object.fromEntries(Object.entries(data.resources).filter(([key]) => !forget.includes(key))),
      }));
    }
    const onProgress = progress(ctx.emit, 'service', 'waiting for the revision of', ctx.config.service);
    const emitChange = (action: 'create' | 'update', changed?: FieldChange[]) =>
      ctx.emit({
        type: 'resource-changed',
        phase: 'service',
        kind: 'Cloud Run service',
        resource: ctx.config.service,
        action,
        ...(changed ? { fields: changed } : {}),
      });
    const write = { timeoutMs: ctx.waitTimeoutMs, onProgress };
    let current: RunService;
    if (!live) {
      current = await writeAndSettle(ctx, onProgress, async () => {
        try {
          await createService(ctx.gcp, `projects/${ctx.config.project}/locations/${ctx.config.region}`, ctx.config.service, body, write);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          await adoptCreated(ctx, body, write, onProgress);
        }
        emitChange('create');
      });
    } else if (fields.length > 0 || retry) {
      const sent = retry
        ? {
            ...body,
            template: { ...body.template, annotations: { ...body.template?.annotations, [RETRY_ANNOTATION]: new Date().toISOString() } },
          }
        : body;
      current = await writeAndSettle(ctx, onProgress, async () => {
        await updateService(ctx.gcp, sent, write);
        emitChange('update', fields);
      });
    } else if (live.reconciling) {
      // A run killed mid-rollout left the service reconciling: wait for that rollout to settle.
      current = await settledService(ctx, onProgress);
    } else {
      // Nothing differs and nothing failed (a failed latest revision is retried above).
      current = live;
    }
    const record = serviceRecord(current, ctx.config.names.serviceName);
    const returned = unpin.length > 0 && !trafficOf(current).pinned;
    if (returned) {
      ctx.emit({
        type: 'info',
        phase: 'service',
        message: `traffic is back on the latest revision ${record.readyRevision ?? ''} (a rollback had pinned it to ${unpin.join(', ')})`,
      });
    }
    const ready = record.readyRevision ? `revision ${record.readyRevision} ready` : 'no ready revision';
    return { record, summary: returned ? `${ready}; traffic back on the latest revision` : ready };
  },

  teardown: teardownOne({
    name: (ctx) => ctx.config.names.serviceName,
    exists: (ctx, name) => getService(ctx.gcp, name),
    kind: 'Cloud Run service',
    label: lastSegment,
    remove: (ctx, name) => deleteService(ctx.gcp, name, ctx.waitTimeoutMs),
  }),
});

/**
 * What the plan should say about persistence: what a switch of plans, locks or data dir loses, and
 * the paid resources an earlier configuration created that this one no longer uses (they go on
 * costing money until deleted: `destroy` removes only what the configuration or lockfile names).
 */
function persistenceWarnings(ctx: PhaseContext, live: RunService | undefined, desired: RunService, retired: Retired[]): Warning[] {
  const warnings: Warning[] = [];
  const from = persistenceOf(live);
  const to = persistenceOf(desired);
  if (from && to) for (const message of switchLosses(from, to)) warnings.push({ message: `persistence: ${message}` });
  const region = ctx.config.region;
  const project = ctx.config.project;
  for (const r of retired.filter((x) => x.exists)) {
    const id = lastSegment(r.name);
    if (r.kind === 'redis') {
      warnings.push({
        message: `Memorystore instance ${id} is no longer used by this configuration and still costs about ${usd(resourceMonthly('memorystore', { region, redis: { kind: 'memorystore', tier: 'BASIC', sizeGb: 1 } }))} a month`,
        hint: `delete it once this deploy is done: gcloud redis instances delete ${id} --region ${r.name.split('/')[3]} --project ${project}`,
      });
    } else if (r.kind === 'filestore') {
      warnings.push({
        message: `Filestore instance ${id} is no longer used by this configuration and still costs about ${usd(resourceMonthly('filestore', { region, filestore: { capacityGb: 1024 } }))} a month`,
        hint: `delete it once this deploy is done (its files go with it): gcloud filestore instances delete ${id} --zone ${r.name.split('/')[3]} --project ${project}`,
      });
    } else {
      warnings.push({
        message: `VPC network ${id} (created by atlantis-run) is no longer used by this configuration`,
        hint: `it costs nothing; once nothing uses it: gcloud compute networks subnets delete ${id} --region ${region} && gcloud compute networks delete ${id} --project ${project}`,
      });
    }
  }
  return warnings;
}

/** The resources the lockfile records for persistence the configuration no longer wants, and whether they still exist. */
async function readRetired(ctx: PhaseContext): Promise<Retired[]> {
  const settings = ctx.desired().persistence.settings;
  const candidates: Omit<Retired, 'exists'>[] = [];
  const redis = lockRecord(ctx.lock, REDIS_RECORD);
  if (redis && settings.locks.kind !== 'memorystore') candidates.push({ key: REDIS_RECORD.key, kind: 'redis', name: redis.name });
  const filestore = lockRecord(ctx.lock, FILESTORE_RECORD);
  if (filestore && settings.dataDir.kind !== 'filestore')
    candidates.push({ key: FILESTORE_RECORD.key, kind: 'filestore', name: filestore.name });
  const network = lockRecord(ctx.lock, NETWORK_RECORD);
  if (network?.owned && !settings.network) candidates.push({ key: NETWORK_RECORD.key, kind: 'network', name: network.name });
  return Promise.all(
    candidates.map(async (c) => {
      const found =
        c.kind === 'redis'
          ? await existing(getRedisInstance(ctx.gcp, c.name))
          : c.kind === 'filestore'
            ? await existing(getFilestoreInstance(ctx.gcp, c.name))
            : await existing(getNetwork(ctx.gcp, ctx.config.project, c.name));
      return { ...c, exists: found !== undefined };
    }),
  );
}
