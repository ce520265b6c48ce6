// Service: the Cloud Run v2 service with the Atlantis defaults, created or replaced as a whole
// when any field the tool manages differs, then awaited until its new revision is Ready. A failed
// revision is reported with its condition message and where its logs are; Cloud Run keeps serving
// the previous Ready revision, and the next deploy simply tries again.
import { OperationError } from '../errors.js';
import { definePhase, type PhaseContext, type PlannedChange } from '../engine/phase.js';
import { diffFields } from '../engine/diff.js';
import type { FieldChange } from '../engine/events.js';
import { createService, getRevision, getService, updateService, type ServiceJson } from '../gcp/apis/run.js';
import { GcpError } from '../gcp/errors.js';
import { progress, unlessApiDisabled } from './read-helpers.js';

interface Live {
  service: ServiceJson | undefined;
}

/** Set on the template to make Cloud Run try a failed revision again when nothing else changed. */
export const RETRY_ANNOTATION = 'atlantis-run.dev/retry';

export function failedRevision(service: ServiceJson | undefined): string | undefined {
  if (!service) return undefined;
  const created = service.latestCreatedRevision as string | undefined;
  const ready = service.latestReadyRevision as string | undefined;
  const state = service.terminalCondition?.state as string | undefined;
  if (state === 'CONDITION_FAILED' || (created && created !== ready && !service.reconciling)) return created;
  return undefined;
}

function desiredService(ctx: PhaseContext): ServiceJson {
  return ctx.desired().service;
}

function serviceChanges(ctx: PhaseContext, live: ServiceJson | undefined): { fields: FieldChange[]; retry: string | undefined } {
  if (!live) return { fields: [], retry: undefined };
  const fields = diffFields(desiredService(ctx), live);
  return { fields, retry: fields.length === 0 ? failedRevision(live) : undefined };
}

export function loggingQuery(project: string, service: string, revision: string): { url: string; command: string } {
  const query = `resource.type="cloud_run_revision"\nresource.labels.service_name="${service}"\nresource.labels.revision_name="${revision}"`;
  return {
    url: `https://console.cloud.google.com/logs/query;query=${encodeURIComponent(query)}?project=${project}`,
    command: `gcloud logging read '${query.replace(/\n/g, ' AND ')}' --project ${project} --limit 50`,
  };
}

export async function revisionFailure(ctx: PhaseContext, service: ServiceJson, cause?: unknown): Promise<OperationError> {
  const revisionName = (service.latestCreatedRevision as string | undefined) ?? '';
  const revision = revisionName ? await getRevision(ctx.gcp, revisionName).catch(() => undefined) : undefined;
  const condition = (revision?.conditions as { type?: string; state?: string; message?: string }[] | undefined)?.find(
    (c) => c.type === 'Ready' && c.state !== 'CONDITION_SUCCEEDED',
  );
  const message =
    condition?.message ??
    service.terminalCondition?.message ??
    (cause instanceof Error ? cause.message : 'the revision did not become ready');
  const short = revisionName.split('/').pop() ?? revisionName;
  const logs = loggingQuery(ctx.config.project, ctx.config.service, short);
  const serving = (service.latestReadyRevision as string | undefined)?.split('/').pop();
  return new OperationError(`revision ${short} failed: ${message}`, {
    hint: `${serving ? `${serving} keeps serving. ` : ''}Logs: ${logs.url} (or: ${logs.command}). Fix the cause and run deploy again.`,
    cause,
  });
}

export const servicePhase = definePhase<Live>({
  name: 'service',
  title: 'Cloud Run service',
  needs: ['image', 'secrets', 'bindings'],
  enabled: () => true,

  async read(ctx) {
    return { service: await unlessApiDisabled(ctx, getService(ctx.gcp, ctx.config.names.serviceName), undefined) };
  },

  plan(ctx, live) {
    const changes: PlannedChange[] = [];
    if (!live.service) {
      changes.push({ kind: 'Cloud Run service', resource: ctx.config.service, action: 'create' });
    } else {
      const { fields, retry } = serviceChanges(ctx, live.service);
      if (fields.length > 0) changes.push({ kind: 'Cloud Run service', resource: ctx.config.service, action: 'update', fields });
      else if (retry)
        changes.push({
          kind: 'Cloud Run service',
          resource: ctx.config.service,
          action: 'update',
          reason: `retry failed revision ${retry.split('/').pop()}`,
          fields: [{ path: `template.annotations.${RETRY_ANNOTATION}`, to: '(now)' }],
        });
    }
    return { changes };
  },

  async apply(ctx, live) {
    const name = ctx.config.names.serviceName;
    const desired = desiredService(ctx);
    const onProgress = progress(ctx, 'service', 'waiting for the revision of', ctx.config.service);
    const emitChange = (action: 'create' | 'update', fields?: FieldChange[]) =>
      ctx.emit({
        type: 'resource-changed',
        phase: 'service',
        kind: 'Cloud Run service',
        resource: ctx.config.service,
        action,
        ...(fields ? { fields } : {}),
      });
    const { fields, retry } = serviceChanges(ctx, live.service);
    let current: ServiceJson;
    if (!live.service) {
      current = await writeAndSettle(ctx, onProgress, async () => {
        await createService(ctx.gcp, `projects/${ctx.config.project}/locations/${ctx.config.region}`, ctx.config.service, desired, {
          timeoutMs: ctx.waitTimeoutMs,
          onProgress,
        });
        emitChange('create');
      });
    } else if (fields.length > 0 || retry) {
      const body = retry
        ? { ...desired, template: { ...(desired.template as object), annotations: { [RETRY_ANNOTATION]: new Date().toISOString() } } }
        : desired;
      current = await writeAndSettle(ctx, onProgress, async () => {
        await updateService(ctx.gcp, body, { timeoutMs: ctx.waitTimeoutMs, onProgress });
        emitChange('update', fields);
      });
    } else if (live.service.reconciling) {
      // A run killed mid-rollout left the service reconciling: wait for that rollout to settle.
      current = await settledService(ctx, onProgress);
    } else {
      // Nothing differs and nothing failed (a failed latest revision is retried above).
      current = live.service;
    }
    const ready = (current.latestReadyRevision as string | undefined)?.split('/').pop();
    return {
      record: {
        service: {
          name,
          ...(current.uri ? { uri: String(current.uri) } : {}),
          ...(current.generation ? { generation: String(current.generation) } : {}),
          ...(current.etag ? { etag: String(current.etag) } : {}),
          ...(ready ? { readyRevision: ready } : {}),
          image: String((current.template as { containers?: { image?: string }[] } | undefined)?.containers?.[0]?.image ?? ''),
        },
      },
      summary: ready ? `revision ${ready} ready` : 'no ready revision',
    };
  },
});

/**
 * Writes the service (`write`: a create or an update that waits for its operation), then waits until
 * Cloud Run has settled it and returns it — or throws the failed revision's reason, with where its
 * logs are. Deploy and `secrets push` both roll out through here.
 */
export async function writeAndSettle(
  ctx: PhaseContext,
  onProgress: (ms: number) => void,
  write: () => Promise<void>,
): Promise<ServiceJson> {
  try {
    await write();
  } catch (err) {
    // A revision that cannot become ready ends the operation with an error; say why it failed.
    if (err instanceof GcpError && err.method !== 'CreateService' && err.method !== 'UpdateService') {
      const now = await getService(ctx.gcp, ctx.config.names.serviceName);
      if (now && failedRevision(now)) throw await revisionFailure(ctx, now, err);
    }
    throw err;
  }
  return settledService(ctx, onProgress);
}

/** The service once Cloud Run is done reconciling it; its failed revision, if any, as an error. */
export async function settledService(ctx: PhaseContext, onProgress: (ms: number) => void): Promise<ServiceJson> {
  const current = await waitUntilSettled(ctx, ctx.config.names.serviceName, onProgress);
  if (!current) throw new OperationError(`service ${ctx.config.service} disappeared while it was being rolled out`);
  if (failedRevision(current)) throw await revisionFailure(ctx, current);
  return current;
}

export async function waitUntilSettled(
  ctx: PhaseContext,
  name: string,
  onProgress: (ms: number) => void,
): Promise<ServiceJson | undefined> {
  const started = Date.now();
  let delay = 250;
  for (;;) {
    const service = await getService(ctx.gcp, name);
    if (!service || !service.reconciling) return service;
    const elapsed = Date.now() - started;
    if (elapsed > ctx.waitTimeoutMs) {
      throw new OperationError(
        `timed out waiting for service ${ctx.config.service} to finish rolling out (${Math.round(elapsed / 1000)}s)`,
        {
          hint: 'the rollout goes on in Cloud Run; run deploy again later, or raise --wait-timeout',
        },
      );
    }
    onProgress(elapsed);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 5_000);
  }
}
