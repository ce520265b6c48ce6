// The persistence resources as Google's APIs take them (proto3 JSON / JSON API bodies), and what
// they add to the Cloud Run service: volumes, mounts, environment, Direct VPC egress, the startup
// probe and the data-dir owner sidecar. Pure; facts only the cloud knows (Memorystore's address,
// Filestore's IP) are placeholders until the phases that create them have read them.
import type { AtlantisRunConfig } from '../config/load.js';
import {
  DATA_OWNER_SIDECAR,
  PLANS_MOUNT,
  PLANS_MOUNT_OPTIONS,
  persistenceSettings,
  type PersistenceSettings,
} from '../config/persistence.js';
import type { RunContainer, RunProbe, RunVolume, RunVpcAccess } from '../gcp/apis/run-types.js';

export const MANAGED_DESCRIPTION = (service: string) => `Managed by atlantis-run for the Atlantis service ${service}`;

export interface DesiredBucket {
  name: string;
  /** The bucket as buckets.insert takes it. */
  body: {
    name: string;
    location: string;
    storageClass: string;
    labels: Record<string, string>;
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true }; publicAccessPrevention: 'enforced' };
    lifecycle: { rule: { action: { type: 'Delete' }; condition: { age: number } }[] };
    softDeletePolicy: { retentionDurationSeconds: string };
  };
  /** The bucket's IAM resource, as the bindings phase names it. */
  policyResource: string;
}

export interface DesiredNetwork {
  network: string;
  subnet: string;
  range: string;
  region: string;
  /** projects/P/global/networks/N */
  networkPath: string;
  description: string;
}

export interface DesiredRedis {
  name: string;
  parent: string;
  instanceId: string;
  body: {
    displayName: string;
    labels: Record<string, string>;
    tier: 'BASIC' | 'STANDARD_HA';
    memorySizeGb: number;
    authorizedNetwork: string;
    connectMode: 'DIRECT_PEERING';
    authEnabled: true;
    transitEncryptionMode: 'DISABLED' | 'SERVER_AUTHENTICATION';
  };
}

export interface DesiredFilestore {
  name: string;
  parent: string;
  instanceId: string;
  zone: string;
  body: {
    description: string;
    labels: Record<string, string>;
    tier: 'BASIC_HDD';
    fileShares: { name: string; capacityGb: number }[];
    networks: { network: string; modes: ['MODE_IPV4']; connectMode: 'DIRECT_PEERING' }[];
  };
}

export interface DesiredPersistence {
  settings: PersistenceSettings;
  bucket?: DesiredBucket;
  network?: DesiredNetwork;
  redis?: DesiredRedis;
  filestore?: DesiredFilestore;
}

/** Facts about persistence only the cloud knows: where Redis listens, Filestore's address. */
export interface PersistenceFacts {
  redisEndpoint?: { host: string; port: number } | undefined;
  filestoreIp?: string | undefined;
}

export const redisHostPlaceholder = (instanceId: string) => `<host-of:${instanceId}>`;
export const filestoreIpPlaceholder = (instanceId: string) => `<ip-of:${instanceId}>`;

export function desiredPersistence(config: AtlantisRunConfig, labels: Record<string, string>): DesiredPersistence {
  const settings = persistenceSettings(config);
  const { project, region, service } = config;
  const out: DesiredPersistence = { settings };
  if (settings.plans.kind === 'gcs') {
    const name = settings.plans.bucket;
    out.bucket = {
      name,
      policyResource: `projects/_/buckets/${name}`,
      body: {
        name,
        location: region,
        storageClass: 'STANDARD',
        labels: { ...labels, 'atlantis-run-service': service },
        iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
        lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: settings.plans.retentionDays } }] },
        // Plans are transient: soft delete would keep (and bill) every deleted plan for 7 more days.
        softDeletePolicy: { retentionDurationSeconds: '0' },
      },
    };
  }
  if (settings.network) {
    out.network = {
      ...settings.network,
      region,
      networkPath: `projects/${project}/global/networks/${settings.network.network}`,
      description: MANAGED_DESCRIPTION(service),
    };
  }
  if (settings.locks.kind === 'memorystore' && out.network) {
    const parent = `projects/${project}/locations/${region}`;
    out.redis = {
      name: `${parent}/instances/${settings.locks.instanceId}`,
      parent,
      instanceId: settings.locks.instanceId,
      body: {
        displayName: `Atlantis locks (${service})`,
        labels: { ...labels, 'atlantis-run-service': service },
        tier: settings.locks.tier,
        memorySizeGb: settings.locks.sizeGb,
        authorizedNetwork: out.network.networkPath,
        connectMode: 'DIRECT_PEERING',
        authEnabled: true,
        transitEncryptionMode: settings.locks.transitEncryption ? 'SERVER_AUTHENTICATION' : 'DISABLED',
      },
    };
  }
  if (settings.dataDir.kind === 'filestore' && out.network) {
    const parent = `projects/${project}/locations/${settings.dataDir.zone}`;
    out.filestore = {
      name: `${parent}/instances/${settings.dataDir.instanceId}`,
      parent,
      instanceId: settings.dataDir.instanceId,
      zone: settings.dataDir.zone,
      body: {
        description: `Atlantis data dir (${service}); managed by atlantis-run`,
        labels: { ...labels, 'atlantis-run-service': service },
        tier: 'BASIC_HDD',
        fileShares: [{ name: settings.dataDir.share, capacityGb: settings.dataDir.capacityGb }],
        networks: [{ network: out.network.network, modes: ['MODE_IPV4'], connectMode: 'DIRECT_PEERING' }],
      },
    };
  }
  return out;
}

/** What persistence adds to the Atlantis container and the revision template. */
export interface ServicePersistence {
  env: Record<string, string>;
  /** The data dir's volume (emptyDir in memory, or the Filestore share). */
  dataVolume: RunVolume;
  volumes: RunVolume[];
  mounts: { name: string; mountPath: string }[];
  vpcAccess?: RunVpcAccess;
  /** Containers that must start before Atlantis (the data-dir owner). */
  sidecars: RunContainer[];
  startupProbe: RunProbe;
}

export function servicePersistence(
  p: DesiredPersistence,
  facts: PersistenceFacts,
  inputs: { dataDir: string; memorySizeLimit: string; port: number },
): ServicePersistence {
  const s = p.settings;
  const env: Record<string, string> = {};
  const volumes: RunVolume[] = [];
  const mounts: ServicePersistence['mounts'] = [];
  const sidecars: RunContainer[] = [];

  let dataVolume: RunVolume = { name: 'atlantis-data', emptyDir: { medium: 'MEMORY', sizeLimit: inputs.memorySizeLimit } };
  if (s.dataDir.kind === 'filestore' && p.filestore) {
    const server = facts.filestoreIp ?? filestoreIpPlaceholder(p.filestore.instanceId);
    dataVolume = { name: 'atlantis-data', nfs: { server, path: `/${s.dataDir.share}`, readOnly: false } };
    // Filestore exports are owned by root (755): a root container makes the share Atlantis's (uid
    // 100, gid 1000) before Atlantis starts — at every start, so a replaced share is fixed too.
    sidecars.push({
      name: DATA_OWNER_SIDECAR.name,
      image: DATA_OWNER_SIDECAR.image,
      command: ['sh', '-c'],
      args: [`chown 100:1000 ${inputs.dataDir} && chmod 0770 ${inputs.dataDir} && exec httpd -f -p ${DATA_OWNER_SIDECAR.port} -h /tmp`],
      resources: { limits: { cpu: String(DATA_OWNER_SIDECAR.cpu), memory: DATA_OWNER_SIDECAR.memory }, cpuIdle: false },
      volumeMounts: [{ name: 'atlantis-data', mountPath: inputs.dataDir }],
      startupProbe: {
        tcpSocket: { port: DATA_OWNER_SIDECAR.port },
        initialDelaySeconds: 0,
        timeoutSeconds: 1,
        periodSeconds: 2,
        failureThreshold: 60,
      },
    });
  }

  if (s.plans.kind === 'gcs' && p.bucket) {
    volumes.push({ name: 'plans', gcs: { bucket: p.bucket.name, readOnly: false, mountOptions: [...PLANS_MOUNT_OPTIONS] } });
    mounts.push({ name: 'plans', mountPath: PLANS_MOUNT });
    env.ATLANTIS_SHARE_PLAN_DIR = PLANS_MOUNT;
  }

  if (s.locks.kind === 'memorystore' && p.redis) {
    const endpoint = facts.redisEndpoint;
    env.ATLANTIS_LOCKING_DB_TYPE = 'redis';
    env.ATLANTIS_REDIS_HOST = endpoint?.host ?? redisHostPlaceholder(p.redis.instanceId);
    env.ATLANTIS_REDIS_PORT = String(endpoint?.port ?? (s.locks.transitEncryption ? 6378 : 6379));
    env.ATLANTIS_REDIS_DB = String(s.locks.db);
    if (s.locks.transitEncryption) env.ATLANTIS_REDIS_TLS_ENABLED = 'true';
  } else if (s.locks.kind === 'external') {
    env.ATLANTIS_LOCKING_DB_TYPE = 'redis';
    env.ATLANTIS_REDIS_HOST = s.locks.host;
    env.ATLANTIS_REDIS_PORT = String(s.locks.port);
    env.ATLANTIS_REDIS_DB = String(s.locks.db);
    if (s.locks.tls) env.ATLANTIS_REDIS_TLS_ENABLED = 'true';
    if (s.locks.insecureSkipVerify) env.ATLANTIS_REDIS_INSECURE_SKIP_VERIFY = 'true';
  }

  const vpcAccess: RunVpcAccess | undefined = p.network
    ? {
        networkInterfaces: [{ network: p.network.network, subnetwork: p.network.subnet }],
        // GitHub and the other VCS stay on the public path: only private ranges go through the VPC.
        egress: 'PRIVATE_RANGES_ONLY',
      }
    : undefined;

  // TCP, not HTTP: Cloud Run reserves paths ending in "z", so /healthz is not reachable. With Direct
  // VPC egress the network can take a minute or more at start-up: the probe waits up to 240 s (its maximum).
  const startupProbe: RunProbe = vpcAccess
    ? { tcpSocket: { port: inputs.port }, initialDelaySeconds: 0, timeoutSeconds: 5, periodSeconds: 10, failureThreshold: 24 }
    : { tcpSocket: { port: inputs.port }, initialDelaySeconds: 0, timeoutSeconds: 5, periodSeconds: 10, failureThreshold: 12 };

  return { env, dataVolume, volumes, mounts, ...(vpcAccess ? { vpcAccess } : {}), sidecars, startupProbe };
}
