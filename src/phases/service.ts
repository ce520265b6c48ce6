// Service: the Cloud Run v2 service with the Atlantis defaults, created or replaced as a whole
// when any field the tool manages differs, then awaited until its new revision is Ready. A failed
// revision is reported with its condition message and where its logs are; Cloud Run keeps serving
// the previous Ready revision, and the next deploy simply tries again.
import { absentIfDisabled, progress } from '../engine/context.js';
import { definePhase, type PhaseContext, type PlannedChange } from '../engine/phase.js';
import { diffFields } from '../engine/diff.js';
import type { FieldChange } from '../engine/events.js';
import { createService, deleteService, getService, shortName, updateService, type RunService } from '../gcp/apis/run.js';
import { existing } from '../gcp/call.js';
import { GcpError } from '../gcp/errors.js';
import { OperationError } from '../errors.js';
import { MANAGED_LABEL } from '../desired/index.js';
import { settledService, waitUntilSettled, writeAndSettle } from '../cloudrun/rollout.js';
import { failedRevision, RETRY_ANNOTATION, SERVICE_RECORD, serviceRecord } from '../cloudrun/service.js';
import { pinnedVersions } from '../cloudrun/pins.js';
import { acknowledgeHint, configRisks, unacknowledged, type Risk } from '../config/risks.js';
import { lockRecord } from '../state/lockfile.js';
import { SECRETS_RECORD } from '../secret-values/record.js';

interface Live {
  service: RunService | undefined;
}

interface Decision {
  live: RunService | undefined;
  /** The service to write, as the desired state has it. */
  body: RunService;
  fields: FieldChange[];
  /** A failed revision to try again (nothing else differs). */
  retry: string | undefined;
}

/** The diff of the live service against the desired one, with the facts known now. */
function decide(ctx: PhaseContext, live: RunService | undefined): Decision {
  const body = ctx.desired().service;
  if (!live) return { live, body, fields: [], retry: undefined };
  const fields = diffFields(body, live);
  return { live, body, fields, retry: fields.length === 0 ? failedRevision(live) : undefined };
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
  needs: ['image', 'secrets', 'bindings'],
  enabled: () => true,
  apis: () => ['run.googleapis.com'],
  permissions: () => [
    'run.services.get',
    'run.services.create',
    'run.services.update',
    // invokerIamDisabled is an IAM decision: Cloud Run asks for setIamPolicy to turn the check off.
    'run.services.setIamPolicy',
    'run.operations.get',
    'run.revisions.get',
    // The revision runs as the runtime service account.
    'iam.serviceAccounts.actAs',
  ],
  clients: ['services'],
  record: SERVICE_RECORD,

  async read(ctx): Promise<Live> {
    return { service: await absentIfDisabled(ctx, getService(ctx.gcp, ctx.config.names.serviceName), undefined) };
  },

  plan(ctx, live) {
    const decision = decide(ctx, live.service);
    const changes: PlannedChange[] = [];
    const resource = ctx.config.service;
    if (!live.service) changes.push({ kind: 'Cloud Run service', resource, action: 'create' });
    else if (decision.fields.length > 0) changes.push({ kind: 'Cloud Run service', resource, action: 'update', fields: decision.fields });
    else if (decision.retry) {
      changes.push({
        kind: 'Cloud Run service',
        resource,
        action: 'update',
        reason: `retry failed revision ${shortName(decision.retry)}`,
        fields: [{ path: `template.annotations.${RETRY_ANNOTATION}`, to: '(now)' }],
      });
    }
    const risks = [...configRisks(ctx.config).service, ...secretSwitches(ctx, live.service)];
    return { changes, warnings: unacknowledged(risks, ctx.config.acceptRisks), decision };
  },

  // The plan pinned the secret versions it predicted; the secrets phase has now added them.
  refresh: (ctx, decision) => decide(ctx, decision.live),

  async apply(ctx, { live, body, fields, retry }) {
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
          if (!(err instanceof GcpError && err.code === 'ALREADY_EXISTS')) throw err;
          await adoptCreated(ctx, body, write, onProgress);
        }
        emitChange('create');
      });
    } else if (fields.length > 0 || retry) {
      const sent = retry
        ? { ...body, template: { ...body.template, annotations: { [RETRY_ANNOTATION]: new Date().toISOString() } } }
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
    return { record, summary: record.readyRevision ? `revision ${record.readyRevision} ready` : 'no ready revision' };
  },

  teardown: {
    async read(ctx) {
      return (await existing(getService(ctx.gcp, ctx.config.names.serviceName))) !== undefined;
    },
    plan: (ctx, exists) => ({
      steps: exists
        ? [
            {
              kind: 'Cloud Run service',
              resource: ctx.config.service,
              run: async () => void (await deleteService(ctx.gcp, ctx.config.names.serviceName, ctx.waitTimeoutMs)),
            },
          ]
        : [],
    }),
  },
});
