// The persistence rules that span keys (README, "Persistence"): what Google or Atlantis would
// refuse later, or accept and then misbehave with, refused here with the reason and the fix.
import {
  FILESTORE_MAX_GB,
  FILESTORE_MIN_GB,
  olderThan,
  REDIS_LOCKING_SINCE,
  SHARE_PLAN_DIR_SINCE,
  persistenceSettings,
} from './persistence.js';
import type { ParsedConfig } from './schema.js';

type Add = (path: string, problem: string, hint?: string) => void;

// Google's naming rules: buckets (Storage "Bucket names"), Memorystore instance ids (1–40), Compute
// and Filestore resource names (RFC 1035, 1–63).
const BUCKET_NAME = /^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/;
const REDIS_INSTANCE_ID = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;
const RFC1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;

export function validatePersistence(config: ParsedConfig, add: Add): void {
  const p = config.persistence;
  const version = config.atlantis.version;
  const s = persistenceSettings(config);

  if (p.mode === 'memory' && p.dataDir === 'filestore') {
    add('persistence.mode', 'says memory while persistence.dataDir says filestore', 'remove persistence.mode (dataDir replaces it)');
  }
  if (p.plans === 'gcs' && olderThan(version, SHARE_PLAN_DIR_SINCE)) {
    add(
      'persistence.plans',
      `gcs needs Atlantis ${SHARE_PLAN_DIR_SINCE} or newer (--share-plan-dir), and atlantis.version is ${version}`,
      `set atlantis.version to ${SHARE_PLAN_DIR_SINCE} or newer, or keep plans: memory`,
    );
  }
  if (p.bucket !== undefined && p.plans !== 'gcs') add('persistence.bucket', 'is used only with plans: gcs');
  if (s.plans.kind === 'gcs' && (!BUCKET_NAME.test(s.plans.bucket) || /g[o0][o0]g[l1]e|^goog/.test(s.plans.bucket))) {
    add(
      p.bucket !== undefined ? 'persistence.bucket' : 'persistence.plans',
      `"${s.plans.bucket}" is not a valid bucket name: 3–63 lowercase letters, digits, hyphens, underscores or dots, not containing "google"`,
      p.bucket === undefined ? 'set persistence.bucket to a name of your choice' : undefined,
    );
  }

  if (p.locks === 'redis' && olderThan(version, REDIS_LOCKING_SINCE)) {
    add('persistence.locks', `redis needs Atlantis ${REDIS_LOCKING_SINCE} or newer, and atlantis.version is ${version}`);
  }
  if (p.redis !== undefined && p.locks !== 'redis') add('persistence.redis', 'is used only with locks: redis', 'add locks: redis');
  validateRedis(config, add);

  if (p.dataDir === 'filestore' && p.locks === 'local') {
    add(
      'persistence.dataDir',
      'filestore needs locks: redis: BoltDB keeps its locks in a file, NFS has no locking across hosts, and during a deploy the old and the new revision run at the same time — two writers on one BoltDB file can corrupt it',
      'add locks: redis (a Memorystore instance, or an existing Redis with redis.host)',
    );
  }
  if (p.sizeLimit !== undefined && p.dataDir === 'filestore') {
    add('persistence.sizeLimit', 'sizes the in-memory data dir; with dataDir: filestore there is none', 'remove it');
  }
  if (p.filestore !== undefined && p.dataDir !== 'filestore') add('persistence.filestore', 'is used only with dataDir: filestore');
  if (s.dataDir.kind === 'filestore') {
    if (!RFC1035.test(s.dataDir.instanceId))
      add('persistence.filestore.instance', `"${s.dataDir.instanceId}" is not a valid Filestore instance id (RFC 1035, 1–63 characters)`);
    if (!ZONE.test(s.dataDir.zone) || (config.region && !s.dataDir.zone.startsWith(`${config.region}-`)))
      add(
        'persistence.filestore.zone',
        `"${s.dataDir.zone}" is not a zone of ${config.region ?? 'the region'}, such as ${config.region ?? 'europe-west1'}-b`,
      );
    if (s.dataDir.capacityGb < FILESTORE_MIN_GB || s.dataDir.capacityGb > FILESTORE_MAX_GB)
      add(
        'persistence.filestore.capacityGb',
        `${s.dataDir.capacityGb} is outside what a Basic HDD instance holds (${FILESTORE_MIN_GB}–${FILESTORE_MAX_GB} GiB)`,
      );
  }

  if (p.network !== undefined && !s.network) {
    add('persistence.network', 'is used only with a Memorystore instance, Filestore, or an existing Redis reached through a VPC');
  }
  if (s.network) {
    if (!RFC1035.test(s.network.network)) add('persistence.network.name', `"${s.network.network}" is not a valid VPC network name`);
    if (!RFC1035.test(s.network.subnet)) add('persistence.network.subnet', `"${s.network.subnet}" is not a valid subnetwork name`);
    const range = CIDR.exec(s.network.range);
    if (!range || range.slice(1, 5).some((o) => Number(o) > 255)) {
      add('persistence.network.range', `"${s.network.range}" is not an IPv4 range such as 10.8.0.0/26`);
    } else if (Number(range[5]) > 26 || Number(range[5]) < 8) {
      add(
        'persistence.network.range',
        `${s.network.range} is too small: Direct VPC egress takes about two addresses per instance (and more while revisions overlap), so Google asks for /26 or larger`,
      );
    }
  }
}

function validateRedis(config: ParsedConfig, add: Add): void {
  const r = config.persistence.redis;
  if (!r || config.persistence.locks !== 'redis') return;
  if (r.host !== undefined) {
    // An existing Redis: the Memorystore settings do not apply.
    for (const key of ['tier', 'sizeGb', 'transitEncryption', 'instance'] as const) {
      if (r[key] !== undefined) add(`persistence.redis.${key}`, 'applies to a Memorystore instance, not to an existing Redis (host:)');
    }
    if (/\s|:\/\//.test(r.host)) add('persistence.redis.host', `"${r.host}" must be a host name or IP address (no scheme, no port)`);
    if (r.insecureSkipVerify && !r.tls) add('persistence.redis.insecureSkipVerify', 'applies only with tls: true');
    return;
  }
  for (const key of ['port', 'tls', 'insecureSkipVerify', 'password'] as const) {
    if (r[key] !== undefined) {
      add(
        `persistence.redis.${key}`,
        'comes from the Memorystore instance the tool creates; it is set only for an existing Redis',
        'name your Redis with redis.host, or remove the setting',
      );
    }
  }
  if (r.instance !== undefined || `${config.service}-redis`.length > 40) {
    const id = r.instance ?? `${config.service}-redis`;
    if (!REDIS_INSTANCE_ID.test(id)) {
      add(
        'persistence.redis.instance',
        `"${id}" is not a valid Memorystore instance id: 1–40 lowercase letters, digits or hyphens, starting with a letter`,
        r.instance === undefined ? 'the default is SERVICE-redis; set persistence.redis.instance' : undefined,
      );
    }
  }
  if (r.sizeGb !== undefined && (r.sizeGb < 1 || r.sizeGb > 300))
    add('persistence.redis.sizeGb', `${r.sizeGb} is outside Memorystore's 1–300 GiB`);
}
