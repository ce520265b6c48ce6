// Persistence as the rest of the tool sees it: the `persistence:` block of atlantis-run.yaml resolved
// into one typed choice per concern (plans, locks, data dir, network) with every default and every
// derived name filled in. Pure, so render, plan, the cost model and the phases agree on one answer.
import { createHash } from 'node:crypto';
import type { ParsedConfig, SecretSourceConfig } from './schema.js';

/** Where the plans bucket is mounted, and what ATLANTIS_SHARE_PLAN_DIR points at. */
export const PLANS_MOUNT = '/atlantis-plans';
/** Cloud Storage FUSE options for Atlantis's user: uid 100 (atlantis), gid 1000 (the image's group). */
export const PLANS_MOUNT_OPTIONS = ['uid=100', 'gid=1000', 'file-mode=0640', 'dir-mode=0750'];
/** The Filestore file share holding the data dir. */
export const FILESTORE_SHARE = 'atlantis';
/** Basic HDD's minimum (and our default) capacity, and its maximum (Filestore "Service tiers"). */
export const FILESTORE_MIN_GB = 1024;
export const FILESTORE_MAX_GB = 65434;
/**
 * The container that makes the Filestore share writable for Atlantis (uid 100) at every start: a
 * root busybox that chowns the share's root (exports are root-owned 755) and then idles. Its size is
 * the smallest Cloud Run takes (0.08 vCPU; 512 MiB, the second generation's minimum per container); it
 * is billed like the rest of the instance (the cost model counts it: about $6.40 a month).
 */
export const DATA_OWNER_SIDECAR = {
  name: 'data-owner',
  image: 'mirror.gcr.io/library/busybox:1.37',
  cpu: 0.08,
  memory: '512Mi',
  port: 8089,
};
/** The subnet range the tool gives a subnet it creates: /26 is the smallest Direct VPC egress wants. */
export const DEFAULT_SUBNET_RANGE = '10.8.0.0/26';

/** Atlantis versions that introduced what persistence needs (Atlantis release notes). */
export const SHARE_PLAN_DIR_SINCE = 'v0.47.0';
export const REDIS_LOCKING_SINCE = 'v0.19.9';

export type PlansSetting = { kind: 'memory' } | { kind: 'gcs'; bucket: string; retentionDays: number };

export type LocksSetting =
  | { kind: 'local' }
  | {
      kind: 'memorystore';
      instanceId: string;
      tier: 'BASIC' | 'STANDARD_HA';
      sizeGb: number;
      transitEncryption: boolean;
      db: number;
    }
  | {
      kind: 'external';
      host: string;
      port: number;
      db: number;
      tls: boolean;
      insecureSkipVerify: boolean;
      password: SecretSourceConfig | undefined;
    };

export type DataDirSetting =
  | { kind: 'memory'; sizeLimit: string | undefined }
  | { kind: 'filestore'; instanceId: string; zone: string; capacityGb: number; share: string };

export interface NetworkSetting {
  network: string;
  subnet: string;
  /** The range of the subnet when the tool creates it. */
  range: string;
}

export interface PersistenceSettings {
  plans: PlansSetting;
  locks: LocksSetting;
  dataDir: DataDirSetting;
  /** The VPC the service reaches by Direct VPC egress, when something lives there. */
  network: NetworkSetting | undefined;
}

type Inputs = Pick<ParsedConfig, 'persistence' | 'service'> & { project?: string | undefined; region?: string | undefined };

/** The resolved persistence of a configuration (project and region must be known for the names). */
export function persistenceSettings(config: Inputs): PersistenceSettings {
  const p = config.persistence;
  const project = config.project ?? 'project';
  const region = config.region ?? 'region';
  const plans: PlansSetting =
    p.plans === 'gcs'
      ? { kind: 'gcs', bucket: p.bucket ?? defaultBucketName(project, config.service, region), retentionDays: p.planRetentionDays }
      : { kind: 'memory' };
  const locks = locksSetting(config);
  const dataDir: DataDirSetting =
    p.dataDir === 'filestore'
      ? {
          kind: 'filestore',
          instanceId: p.filestore?.instance ?? `${config.service}-data`,
          zone: p.filestore?.zone ?? `${region}-b`,
          capacityGb: p.filestore?.capacityGb ?? FILESTORE_MIN_GB,
          share: FILESTORE_SHARE,
        }
      : { kind: 'memory', sizeLimit: p.sizeLimit };
  const needsVpc = locks.kind === 'memorystore' || dataDir.kind === 'filestore' || (locks.kind === 'external' && p.network !== undefined);
  const networkName = p.network?.name ?? config.service;
  const network = needsVpc
    ? { network: networkName, subnet: p.network?.subnet ?? networkName, range: p.network?.range ?? DEFAULT_SUBNET_RANGE }
    : undefined;
  return { plans, locks, dataDir, network };
}

function locksSetting(config: Inputs): LocksSetting {
  const p = config.persistence;
  if (p.locks !== 'redis') return { kind: 'local' };
  const r = p.redis ?? {};
  if (r.host !== undefined) {
    return {
      kind: 'external',
      host: r.host,
      port: r.port ?? 6379,
      db: r.db ?? 0,
      tls: r.tls ?? false,
      insecureSkipVerify: r.insecureSkipVerify ?? false,
      password: r.password,
    };
  }
  return {
    kind: 'memorystore',
    instanceId: r.instance ?? `${config.service}-redis`,
    tier: r.tier === 'standard' ? 'STANDARD_HA' : 'BASIC',
    sizeGb: r.sizeGb ?? 1,
    transitEncryption: r.transitEncryption ?? false,
    db: r.db ?? 0,
  };
}

/**
 * The plans bucket's default name. Bucket names are global, so it carries the project, service and
 * region; when that is longer than Storage's 63 characters it is cut and made unique by a hash.
 */
export function defaultBucketName(project: string, service: string, region: string): string {
  const full = `${project}-${service}-plans-${region}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, 52).replace(/[-.]+$/, '')}-${hash}`;
}

/** What a restart of the instance keeps under these settings, in words (init, README, plan warnings). */
export function survivesRestart(s: PersistenceSettings): { kept: string[]; lost: string[] } {
  const kept: string[] = [];
  const lost: string[] = ['the job output shown in the web UI (Atlantis holds it in memory)'];
  if (s.dataDir.kind === 'filestore') kept.push('the whole data dir: clones, plans, downloaded Terraform binaries');
  else {
    lost.push('cloned repositories and downloaded Terraform binaries (fetched again on the next plan)');
    (s.plans.kind === 'gcs' ? kept : lost).push(s.plans.kind === 'gcs' ? 'plan files (in the bucket)' : 'unapplied plans');
  }
  if (s.locks.kind !== 'local') kept.push('locks and pull-request statuses (in Redis)');
  else if (s.dataDir.kind === 'filestore') kept.push('locks and pull-request statuses (BoltDB on the share)');
  else lost.push('locks and pull-request statuses');
  return { kept, lost };
}

/** `v0.47.1` → [0, 47, 1]; undefined for a tag that is not a version (a branch, `latest`, a digest). */
export function parseVersionTag(tag: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(tag);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Whether version tag `tag` is older than `since`; false when `tag` is not a version (cannot tell). */
export function olderThan(tag: string, since: string): boolean {
  const a = parseVersionTag(tag);
  const b = parseVersionTag(since)!;
  if (!a) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
