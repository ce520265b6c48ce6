// Cloud Build v1: builds created in a region as long-running operations, then followed through
// GetBuild (the operation carries the build's id in its BuildOperationMetadata).
// https://cloud.google.com/build/docs/api/reference/rest/v1/projects.locations.builds
import { orMissing, type Gcp } from '../call.js';

const API = 'cloudbuild.googleapis.com';

export type BuildStatus =
  'STATUS_UNKNOWN' | 'PENDING' | 'QUEUED' | 'WORKING' | 'SUCCESS' | 'FAILURE' | 'INTERNAL_ERROR' | 'TIMEOUT' | 'CANCELLED' | 'EXPIRED';

export const FINISHED: readonly BuildStatus[] = ['SUCCESS', 'FAILURE', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCELLED', 'EXPIRED'];

export interface BuildInfo {
  id: string;
  /** projects/P/locations/L/builds/ID */
  name: string;
  status: BuildStatus;
  statusDetail: string;
  logUrl: string;
  images: { name: string; digest: string }[];
  failure: { type: string; detail: string } | undefined;
  tags: string[];
}

/** The fields of the client's Build the tool reads (enums arrive as names). */
interface BuildResource {
  id?: string | null;
  name?: string | null;
  status?: string | number | null;
  statusDetail?: string | null;
  logUrl?: string | null;
  tags?: string[] | null;
  results?: { images?: { name?: string | null; digest?: string | null }[] | null } | null;
  failureInfo?: { type?: string | number | null; detail?: string | null } | null;
}

function toInfo(b: BuildResource): BuildInfo {
  return {
    id: b.id ?? '',
    name: b.name ?? '',
    status: String(b.status ?? 'STATUS_UNKNOWN') as BuildStatus,
    statusDetail: b.statusDetail ?? '',
    logUrl: b.logUrl ?? '',
    images: (b.results?.images ?? []).map((i) => ({ name: i.name ?? '', digest: i.digest ?? '' })),
    failure: b.failureInfo?.detail ? { type: String(b.failureInfo.type ?? ''), detail: b.failureInfo.detail } : undefined,
    tags: [...(b.tags ?? [])],
  };
}

/**
 * Starts a build in `parent` (projects/P/locations/L); answers it as first reported. A create is
 * not idempotent: when its reply is lost and it is retried, the newest build carrying `adopt.tag`,
 * if it is none of `adopt.known` (the builds with that tag listed before), is the one it started
 * (the run lock keeps other runs out): it is followed, whatever its state, instead of a second.
 */
export async function createBuild(
  gcp: Gcp,
  parent: string,
  build: Record<string, unknown>,
  adopt: { tag: string; known: readonly BuildInfo[] },
): Promise<BuildInfo> {
  const client = await gcp.factory.client('cloudBuild');
  const projectId = parent.split('/')[1];
  const known = new Set(adopt.known.map((b) => b.id));
  return gcp.caller.run(
    { api: API, method: 'CreateBuild', resource: parent, mutating: true },
    async (o) => {
      const [operation] = await client.createBuild({ parent, projectId, build }, o);
      const metadata = operation.metadata as { build?: BuildResource } | null | undefined;
      const started = toInfo(metadata?.build ?? {});
      if (!started.id) throw new Error(`Cloud Build answered operation ${operation.name ?? '?'} without a build id`);
      return started;
    },
    async () => {
      const [newest] = await listBuilds(gcp, parent, `tags="${adopt.tag}"`, 1);
      return newest && !known.has(newest.id) ? newest : undefined;
    },
  );
}

export async function getBuild(gcp: Gcp, name: string): Promise<BuildInfo> {
  const client = await gcp.factory.client('cloudBuild');
  const [build] = await gcp.caller.run({ api: API, method: 'GetBuild', resource: name }, (o) => client.getBuild({ name }, o));
  return toInfo(build);
}

/** The newest builds in `parent` matching `filter` (e.g. tags="x"), first page only. */
export async function listBuilds(gcp: Gcp, parent: string, filter: string, pageSize = 5): Promise<BuildInfo[]> {
  const client = await gcp.factory.client('cloudBuild');
  const projectId = parent.split('/')[1];
  const builds = await orMissing(
    gcp.caller.run({ api: API, method: 'ListBuilds', resource: parent }, (o) =>
      client.listBuilds({ parent, projectId, filter, pageSize }, { ...o, autoPaginate: false }),
    ),
  );
  return (builds?.[0] ?? []).map(toInfo);
}
