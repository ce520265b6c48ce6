// What the lockfile knows that the configuration does not (project number, pinned secret versions,
// the resolved image, Memorystore's address, Filestore's): the facts `render` fills the desired state with, offline.
import type { Facts } from '../desired/index.js';
import { lockRecord, type LockfileData } from '../state/lockfile.js';
import { IMAGE_RECORD } from '../phases/image.js';
import { SECRETS_RECORD } from '../secret-values/record.js';
import { REDIS_RECORD } from '../phases/redis.js';
import { FILESTORE_RECORD } from '../phases/filestore.js';

export function factsFromLock(lock: LockfileData | undefined): Facts {
  if (!lock) return {};
  const image = lockRecord(lock, IMAGE_RECORD);
  const secrets = lockRecord(lock, SECRETS_RECORD) ?? {};
  const redis = lockRecord(lock, REDIS_RECORD);
  const filestore = lockRecord(lock, FILESTORE_RECORD);
  return {
    ...(redis?.host ? { redisEndpoint: { host: redis.host, port: redis.port ?? 6379 } } : {}),
    ...(filestore?.ip ? { filestoreIp: filestore.ip } : {}),
    projectNumber: lock.projectNumber,
    image: image?.digest ? image.reference : undefined,
    secretVersions: Object.fromEntries(Object.entries(secrets).flatMap(([name, s]) => (s.version ? [[name, s.version]] : []))),
  };
}
