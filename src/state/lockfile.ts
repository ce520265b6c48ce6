// atlantis-run.lock: JSON the tool owns (DESIGN §4). A record and a cache, never the only truth:
// every phase reads live state first, so a missing, stale or corrupt lockfile still converges.
// It holds no secret values by construction: no field carries one, and every write is checked.
import { readFile } from 'node:fs/promises';
import { OperationError } from '../errors.js';
import { redact } from '../util/redact.js';
import { writeFileAtomic } from './atomic-write.js';

export const LOCKFILE_SCHEMA_VERSION = 1;
export const DEFAULT_LOCKFILE = 'atlantis-run.lock';

interface Stamped {
  updatedAt?: string;
}

export interface LockedSecret extends Stamped {
  /** projects/P/secrets/ID */
  name: string;
  /** The version number the service is pinned to. */
  version?: string;
  /** The newest version added by the tool and not yet rolled out (secrets push --stage). */
  stagedVersion?: string;
  /** SHA-256 (hex) of the value last pushed: how the tool knows a value changed without storing it. */
  sha256?: string;
  generated?: boolean;
}

export interface LockedResources {
  apis?: Stamped & { enabled: string[] };
  repository?: Stamped & { name: string; mode?: string };
  secrets?: Record<string, LockedSecret>;
  serviceAccount?: Stamped & { email: string; uniqueId?: string };
  bindings?: Stamped & { items: { resource: string; role: string; member: string }[] };
  image?: Stamped & { reference: string; digest?: string; source?: string };
  service?: Stamped & {
    name: string;
    uri?: string;
    generation?: string;
    etag?: string;
    readyRevision?: string;
    image?: string;
  };
  domain?: Stamped & { name: string; records?: { type: string; name: string; rrdata: string }[] };
}

export interface LockfileData {
  schemaVersion: typeof LOCKFILE_SCHEMA_VERSION;
  generator: string;
  project: string;
  projectNumber?: string;
  region: string;
  service: string;
  updatedAt: string;
  resources: LockedResources;
}

export type LockfileRead =
  | { status: 'missing' }
  | { status: 'ok'; data: LockfileData }
  /** Unreadable or for another deployment: ignored (live state wins), with the reason for a warning. */
  | { status: 'ignored'; reason: string };

export async function readLockfile(file: string, expect?: { project: string; region: string; service: string }): Promise<LockfileRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'ignored', reason: `cannot read ${file}: ${(err as Error).message}` };
  }
  let data: LockfileData;
  try {
    data = JSON.parse(text) as LockfileData;
  } catch {
    return { status: 'ignored', reason: `${file} is not valid JSON; it will be rewritten from live state` };
  }
  if (typeof data !== 'object' || data === null || typeof data.schemaVersion !== 'number') {
    return { status: 'ignored', reason: `${file} has no schemaVersion; it will be rewritten from live state` };
  }
  if (data.schemaVersion > LOCKFILE_SCHEMA_VERSION) {
    throw new OperationError(
      `${file} was written by a newer atlantis-run (schema ${data.schemaVersion}, this one knows ${LOCKFILE_SCHEMA_VERSION})`,
      {
        hint: 'upgrade atlantis-run, or delete the lockfile to rebuild it from live state',
      },
    );
  }
  if (expect && (data.project !== expect.project || data.region !== expect.region || data.service !== expect.service)) {
    return {
      status: 'ignored',
      reason: `${file} records ${data.service} in ${data.project}/${data.region}, not ${expect.service} in ${expect.project}/${expect.region}; it will be rewritten`,
    };
  }
  data.resources ??= {};
  return { status: 'ok', data };
}

export function emptyLockfile(generator: string, ids: { project: string; region: string; service: string }): LockfileData {
  return { schemaVersion: LOCKFILE_SCHEMA_VERSION, generator, ...ids, updatedAt: new Date().toISOString(), resources: {} };
}

/** Serialises and writes atomically; refuses to write anything that contains a registered secret. */
export async function writeLockfile(file: string, data: LockfileData): Promise<void> {
  const text = `${JSON.stringify({ ...data, updatedAt: new Date().toISOString() }, null, 2)}\n`;
  assertNoSecrets(text, file);
  await writeFileAtomic(file, text);
}

export function assertNoSecrets(text: string, where: string): void {
  if (redact(text) !== text) {
    // A bug, never user error: fail loudly rather than persist a secret.
    throw new OperationError(`refusing to write ${where}: it would contain a secret value`, {
      hint: 'this is a bug in atlantis-run; please report it (run with --verbose for details)',
    });
  }
}
