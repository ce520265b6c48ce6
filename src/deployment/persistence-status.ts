// Persistence in `status`: where plans, locks and the data dir live — as the running service uses
// them and as the configuration wants them — and whether what holds them is healthy (the bucket
// and the runtime account's access to it, the Memorystore and Filestore instances, the VPC).
import type { AtlantisRunConfig } from '../config/load.js';
import { persistenceSettings, survivesRestart } from '../config/persistence.js';
import { desiredState } from '../desired/index.js';
import { liveOf, type EngineResult } from '../engine/runner.js';
import type { RunService } from '../gcp/apis/run-types.js';
import { hasBinding } from '../gcp/apis/iam-policy.js';
import { persistenceOf, type ServicePersistence } from '../cloudrun/persistence.js';
import { bindingsPhase } from '../phases/bindings.js';
import { filestoreIp, filestorePhase } from '../phases/filestore.js';
import { networkPhase, subnetPhase } from '../phases/network.js';
import { plansBucketPhase } from '../phases/plans-bucket.js';
import { redisPhase } from '../phases/redis.js';

export interface PersistenceItem {
  what: 'plans' | 'locks' | 'data dir' | 'network';
  /** Where, in words: "gs://bucket", "Memorystore atlantis-redis (10.0.0.3:6379)", "memory". */
  where: string;
  healthy: boolean;
  detail?: string;
}

export interface PersistenceStatus {
  plans: PersistenceItem;
  locks: PersistenceItem;
  dataDir: PersistenceItem;
  network?: PersistenceItem;
  /** What the running service uses now (undefined: not deployed). */
  running?: ServicePersistence;
  survivesRestart: { kept: string[]; lost: string[] };
}

export function persistenceStatus(config: AtlantisRunConfig, result: EngineResult, service: RunService | undefined): PersistenceStatus {
  const s = persistenceSettings(config);
  const desired = desiredState(config, result.facts);
  const running = persistenceOf(service);

  let plans: PersistenceItem =
    s.dataDir.kind === 'filestore'
      ? { what: 'plans', where: 'the data dir on Filestore', healthy: true, detail: 'kept with the data dir' }
      : { what: 'plans', where: 'memory (the data dir)', healthy: true, detail: 'lost when the instance restarts' };
  if (s.plans.kind === 'gcs') {
    const bucket = liveOf(result, plansBucketPhase)?.bucket;
    const policy = liveOf(result, bindingsPhase)?.policies.get(desired.persistence.bucket!.policyResource);
    const access = hasBinding(policy, 'roles/storage.objectUser', `serviceAccount:${desired.serviceAccount.email}`);
    plans = {
      what: 'plans',
      where: `gs://${s.plans.bucket}`,
      healthy: Boolean(bucket && access),
      detail: !bucket
        ? 'the bucket does not exist'
        : !access
          ? `${desired.serviceAccount.email} lacks roles/storage.objectUser on it`
          : `kept ${s.plans.retentionDays} days${running?.plans === 'gcs' ? '' : '; the running service does not use it yet'}`,
    };
  }

  let locks: PersistenceItem = {
    what: 'locks',
    where: s.dataDir.kind === 'filestore' ? 'BoltDB on the Filestore share' : 'BoltDB in the data dir (memory)',
    healthy: true,
    detail: s.dataDir.kind === 'filestore' ? undefined : 'lost when the instance restarts',
  };
  if (s.locks.kind === 'memorystore') {
    const instance = liveOf(result, redisPhase)?.instance;
    locks = {
      what: 'locks',
      where: `Memorystore ${s.locks.instanceId}${instance?.host ? ` (${instance.host}:${instance.port ?? 6379})` : ''}`,
      healthy: instance?.state === 'READY',
      detail: instance
        ? `${instance.state ?? '?'}, ${instance.tier ?? '?'} ${instance.memorySizeGb ?? '?'} GiB${instance.statusMessage ? `: ${instance.statusMessage}` : ''}`
        : 'the instance does not exist',
    };
  } else if (s.locks.kind === 'external') {
    locks = {
      what: 'locks',
      where: `Redis at ${s.locks.host}:${s.locks.port}`,
      healthy: true,
      detail: 'an existing Redis: not checked from here',
    };
  }

  let dataDir: PersistenceItem = {
    what: 'data dir',
    where: 'memory',
    healthy: true,
    detail: 'clones and Terraform binaries are fetched again after a restart',
  };
  if (s.dataDir.kind === 'filestore') {
    const instance = liveOf(result, filestorePhase)?.instance;
    const ip = filestoreIp(instance);
    dataDir = {
      what: 'data dir',
      where: `Filestore ${s.dataDir.instanceId}${ip ? ` (${ip}:/${s.dataDir.share})` : ''}`,
      healthy: instance?.state === 'READY',
      detail: instance
        ? `${instance.state ?? '?'}, ${String(instance.fileShares?.[0]?.capacityGb ?? '?')} GiB`
        : 'the instance does not exist',
    };
  }

  let network: PersistenceItem | undefined;
  if (s.network) {
    const net = liveOf(result, networkPhase)?.network;
    const subnet = liveOf(result, subnetPhase)?.subnet;
    network = {
      what: 'network',
      where: `${s.network.network} / ${s.network.subnet} (${config.region})`,
      healthy: Boolean(net && subnet),
      detail: !net
        ? 'the network does not exist'
        : !subnet
          ? 'the subnet does not exist'
          : `${subnet.ipCidrRange}, Direct VPC egress (private ranges only)`,
    };
  }
  return {
    plans,
    locks,
    dataDir,
    ...(network ? { network } : {}),
    ...(running ? { running } : {}),
    survivesRestart: survivesRestart(s),
  };
}
