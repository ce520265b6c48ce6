// Where a service keeps Atlantis's plans, locks and data dir, read off its spec (the environment and
// volumes the desired state gives it), and what a switch from one choice to another loses — so
// `plan` can say it before `deploy` does it, and `status` can say where things live now.
import type { RunService } from '../gcp/apis/run-types.js';

export interface ServicePersistence {
  plans: 'memory' | 'gcs';
  /** gs://bucket when plans are on Cloud Storage. */
  bucket?: string;
  locks: 'local' | 'redis';
  /** host:port when locks are in Redis. */
  redis?: string;
  dataDir: 'memory' | 'filestore';
  /** server:/path when the data dir is on NFS. */
  nfs?: string;
}

/** The persistence a service spec (live or desired) uses. */
export function persistenceOf(service: RunService | undefined): ServicePersistence | undefined {
  const template = service?.template;
  const container = template?.containers?.find((c) => c.name === 'atlantis') ?? template?.containers?.[0];
  if (!container) return undefined;
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
  const sharePlanDir = env.ATLANTIS_SHARE_PLAN_DIR;
  const plansMount = sharePlanDir ? container.volumeMounts?.find((m) => m.mountPath === sharePlanDir) : undefined;
  const bucket = plansMount ? template?.volumes?.find((v) => v.name === plansMount.name)?.gcs?.bucket : undefined;
  const dataMount = container.volumeMounts?.find((m) => m.mountPath === env.ATLANTIS_DATA_DIR);
  const nfs = dataMount ? template?.volumes?.find((v) => v.name === dataMount.name)?.nfs : undefined;
  const redis = env.ATLANTIS_LOCKING_DB_TYPE === 'redis';
  return {
    plans: bucket ? 'gcs' : 'memory',
    ...(bucket ? { bucket: `gs://${bucket}` } : {}),
    locks: redis ? 'redis' : 'local',
    ...(redis ? { redis: `${env.ATLANTIS_REDIS_HOST ?? '?'}:${env.ATLANTIS_REDIS_PORT ?? '6379'}` } : {}),
    dataDir: nfs ? 'filestore' : 'memory',
    ...(nfs ? { nfs: `${nfs.server}:${nfs.path}` } : {}),
  };
}

/** What moving from `from` to `to` loses or leaves behind, one sentence each (empty: no switch). */
export function switchLosses(from: ServicePersistence, to: ServicePersistence): string[] {
  const out: string[] = [];
  if (from.dataDir !== to.dataDir) {
    out.push(
      to.dataDir === 'filestore'
        ? "the data dir moves to Filestore: the clones, plans and BoltDB locks in the running instance's memory are not copied — comment `atlantis plan` again on open pull requests"
        : `the data dir moves back into memory: what is on the Filestore share (${from.nfs ?? '?'}) is no longer used, and is lost at every restart from now on`,
    );
  }
  if (from.plans !== to.plans) {
    out.push(
      to.plans === 'gcs'
        ? `plans move to ${to.bucket ?? 'Cloud Storage'}: plans made before this deploy are in the old instance's data dir and are lost when it stops — plan again before applying`
        : `plans move back into the data dir: the plans in ${from.bucket ?? 'the bucket'} are no longer used (the bucket is kept: \`destroy --purge-data\` deletes it)`,
    );
  }
  if (from.locks !== to.locks) {
    out.push(
      to.locks === 'redis'
        ? 'locks and pull-request statuses move to Redis: those in BoltDB are not carried over — unlock or plan again where a pull request held a lock'
        : `locks and pull-request statuses move back to BoltDB in the data dir: those in Redis (${from.redis ?? '?'}) are left behind`,
    );
  }
  return out;
}
