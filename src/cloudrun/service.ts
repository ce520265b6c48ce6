// The Cloud Run service as a domain object: what its URL is, which revision failed and why (with
// where its logs are), and the lockfile's record of it. Shared by the service phase, the secrets
// rollout and status, so each question has one answer.
import { OperationError } from '../errors.js';
import { getRevision, shortName, type RunService } from '../gcp/apis/run.js';
import type { RunContext } from '../engine/context.js';
import { recordKey } from '../state/lockfile.js';
import { trafficOf } from './traffic.js';

/** Set on the template to make Cloud Run try a failed revision again when nothing else changed. */
export const RETRY_ANNOTATION = 'atlantis-run.dev/retry';

/** What the lockfile records of the service. */
export interface ServiceRecord {
  name: string;
  uri?: string;
  generation?: string;
  etag?: string;
  readyRevision?: string;
  image?: string;
  /** The revisions a rollback pinned all traffic to (absent while traffic follows the latest revision). */
  pinnedTo?: string[];
}

export const SERVICE_RECORD = recordKey<ServiceRecord>('service');

/** The record of a live service. */
export function serviceRecord(service: RunService, fallbackName: string): ServiceRecord {
  const ready = shortName(service.latestReadyRevision);
  const image = service.template?.containers?.[0]?.image;
  const traffic = trafficOf(service);
  return {
    name: service.name ?? fallbackName,
    ...(service.uri ? { uri: service.uri } : {}),
    ...(service.generation !== undefined ? { generation: String(service.generation) } : {}),
    ...(service.etag ? { etag: service.etag } : {}),
    ...(ready ? { readyRevision: ready } : {}),
    ...(image ? { image } : {}),
    ...(traffic.pinned ? { pinnedTo: traffic.pinnedTo } : {}),
  };
}

/** The URL a live service answers on: the first of `urls` (the deterministic one), else `uri`. */
export function serviceUrl(service: RunService | undefined): string | undefined {
  return service?.urls?.[0] ?? service?.uri;
}

/** The revision that was created but never became ready (and is not still reconciling), if any. */
export function failedRevision(service: RunService | undefined): string | undefined {
  if (!service) return undefined;
  const created = service.latestCreatedRevision;
  if (
    service.terminalCondition?.state === 'CONDITION_FAILED' ||
    (created && created !== service.latestReadyRevision && !service.reconciling)
  ) {
    return created;
  }
  return undefined;
}

/** Where a revision's logs are: the Logs Explorer URL and the equivalent gcloud command. */
export function loggingQuery(project: string, service: string, revision: string): { url: string; command: string } {
  const query = `resource.type="cloud_run_revision"\nresource.labels.service_name="${service}"\nresource.labels.revision_name="${revision}"`;
  return {
    url: `https://console.cloud.google.com/logs/query;query=${encodeURIComponent(query)}?project=${project}`,
    command: `gcloud logging read '${query.replace(/\n/g, ' AND ')}' --project ${project} --limit 50`,
  };
}

/** Why the service's newest revision failed, as an error naming it, the revision still serving, and its logs. */
export async function revisionFailure(
  ctx: Pick<RunContext, 'gcp' | 'config'>,
  service: RunService,
  cause?: unknown,
): Promise<OperationError> {
  const revisionName = service.latestCreatedRevision ?? '';
  const revision = revisionName ? await getRevision(ctx.gcp, revisionName).catch(() => undefined) : undefined;
  const condition = revision?.conditions?.find((c) => c.type === 'Ready' && c.state !== 'CONDITION_SUCCEEDED');
  const message =
    condition?.message ??
    service.terminalCondition?.message ??
    (cause instanceof Error ? cause.message : 'the revision did not become ready');
  const short = shortName(revisionName);
  const logs = loggingQuery(ctx.config.project, ctx.config.service, short);
  const serving = shortName(service.latestReadyRevision);
  return new OperationError(`revision ${short} failed: ${message}`, {
    hint: `${serving ? `${serving} keeps serving. ` : ''}Logs: \`atlantis-run logs --revision ${short}\`, ${logs.url} (or: ${logs.command}). Fix the cause and run deploy again.`,
    cause,
  });
}
