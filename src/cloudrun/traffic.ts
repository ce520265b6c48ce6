// Where a Cloud Run service sends its traffic: to the latest ready revision (what every deploy
// sets), or pinned to a named revision (what `rollback` sets), and which revision serves now. A
// rollback's choice of revision lives here too, pure, so it can be tested without a cloud.
import { LATEST_TRAFFIC } from '../desired/index.js';
import { shortName, type RunRevision, type RunService } from '../gcp/apis/run.js';
import type { RunTrafficTarget } from '../gcp/apis/run-types.js';

// Enums arrive by name (proto3 JSON, gRPC) or by number (some REST paths): both are understood.
const LATEST = new Set<unknown>(['TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', 1]);
const REVISION = new Set<unknown>(['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', 2]);

export interface ServingTarget {
  /** The revision this target resolved to (short name). */
  revision: string | undefined;
  percent: number;
  /** Whether the target follows the latest ready revision. */
  latest: boolean;
  tag?: string;
}

export interface TrafficState {
  /** True when the service's traffic names revisions instead of following the latest one. */
  pinned: boolean;
  /** The revisions the spec names (when pinned), short names. */
  pinnedTo: string[];
  /** What serves now (trafficStatuses). */
  serving: ServingTarget[];
  /** The revision serving the largest share now. */
  servingRevision: string | undefined;
}

/** True for no traffic at all (Cloud Run's default: 100% to the latest ready revision) or exactly that. */
export function followsLatest(traffic: readonly RunTrafficTarget[] | undefined): boolean {
  const targets = (traffic ?? []).filter((t) => Number(t.percent ?? 0) > 0);
  return targets.length === 0 || targets.every((t) => LATEST.has(t.type));
}

export function trafficOf(service: RunService | undefined): TrafficState {
  const spec = service?.traffic ?? [];
  // Google names no revision in the status of a LATEST target: it is the latest ready one.
  const serving = (service?.trafficStatuses ?? []).map((t) => ({
    revision: shortName(t.revision) ?? (LATEST.has(t.type) ? shortName(service?.latestReadyRevision) : undefined),
    percent: Number(t.percent ?? 0),
    latest: LATEST.has(t.type),
    ...(t.tag ? { tag: t.tag } : {}),
  }));
  const top = [...serving].filter((t) => t.percent > 0).sort((a, b) => b.percent - a.percent)[0];
  const pinnedTo = spec.filter((t) => REVISION.has(t.type) && Number(t.percent ?? 0) > 0).map((t) => shortName(t.revision ?? ''));
  return {
    pinned: !followsLatest(spec),
    pinnedTo,
    serving,
    servingRevision: top?.revision ?? (followsLatest(spec) ? shortName(service?.latestReadyRevision) : undefined),
  };
}

/** The service with all traffic sent to `revision` (short name), as an update body needs it. */
export function pinTraffic(service: RunService, revision: string): RunService {
  return { ...service, traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision, percent: 100 }] };
}

/** For diffs: a service that names no traffic follows the latest revision (Cloud Run's default). */
export function withDefaultTraffic(service: RunService): RunService {
  return service.traffic && service.traffic.length > 0 ? service : { ...service, traffic: structuredClone(LATEST_TRAFFIC) };
}

// ─── Revisions ──────────────────────────────────────────────────────────────────────────────

/** A revision's Ready condition: whether it became ready, and Cloud Run's message when it did not. */
export function readiness(revision: RunRevision): { ready: boolean; message: string | undefined } {
  const ready = revision.conditions?.find((c) => c.type === 'Ready');
  const succeeded = ready?.state === 'CONDITION_SUCCEEDED' || (ready?.state as unknown) === 1;
  return { ready: succeeded, message: succeeded ? undefined : (ready?.message ?? (revision.reconciling ? 'still deploying' : undefined)) };
}

/** Newest first: by creation time, then by the generation number in the name (SERVICE-00012-abc). */
export function newestFirst(revisions: readonly RunRevision[]): RunRevision[] {
  const generation = (r: RunRevision) => Number(/-(\d{5,})-[a-z0-9]+$/.exec(shortName(r.name ?? ''))?.[1] ?? 0);
  return [...revisions].sort((a, b) => Date.parse(b.createTime ?? '') - Date.parse(a.createTime ?? '') || generation(b) - generation(a));
}

/** The newest ready revision older than `serving` (the one to roll back to), if any. */
export function previousReady(revisions: readonly RunRevision[], serving: string | undefined): RunRevision | undefined {
  const ordered = newestFirst(revisions);
  const index = serving ? ordered.findIndex((r) => shortName(r.name ?? '') === serving) : -1;
  return ordered.slice(index + 1).find((r) => readiness(r).ready);
}
