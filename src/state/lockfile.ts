// atlantis-run.lock: JSON the tool owns (ARCHITECTURE.md, "The lockfile"). A record and a cache, never the only truth:
// every phase reads live state first, so a missing, stale or corrupt lockfile still converges.
// It holds no secret values by construction: no field carries one, and every write is checked.
import { constants } from 'node:fs';
import { access, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError } from '../util/files.js';
import { OperationError, UsageError } from '../errors.js';
import { redact } from '../util/redact.js';
import { writeFileAtomic } from './atomic-write.js';

export const LOCKFILE_SCHEMA_VERSION = 1;

/**
 * The lockfile's record of one phase, keyed by the phase's record key. The lockfile layer knows no
 * phase: each phase (or the domain module it shares with a command) declares its key and the type
 * of its record with `recordKey`, and reads it back with `lockRecord`.
 */
export interface RecordKey<T> {
  readonly key: string;
  /** Phantom: carries the record's type; never set. */
  readonly record?: T;
}

export function recordKey<T>(key: string): RecordKey<T> {
  return { key };
}

/** Every phase's record, by key. */
export type LockedResources = Record<string, unknown>;

/** A phase's record in a lockfile (as read, or being written), typed by its key. */
export function lockRecord<T>(data: { resources: LockedResources } | undefined, key: RecordKey<T>): T | undefined {
  return data?.resources[key.key] as T | undefined;
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
    return { status: 'ignored', reason: `the lockfile ${file} ${describeFsError(err)}; it is ignored (live state decides)` };
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
  const leak = credentialShapedField(data);
  if (leak) {
    // Never a value the tool wrote (the writer refuses them): an edit, a merge, a paste. Writing
    // it back would keep it in the repository; reading on would carry it into the debug log.
    throw new UsageError(`${file}: ${leak} holds a string shaped like a credential; a lockfile never holds secret values`, {
      hint: `delete ${file} (the next run rebuilds it from live state) or remove that field — and revoke the credential if it is real`,
    });
  }
  return { status: 'ok', data };
}

/** The dotted path of the first string that the redactor would change (a token, a key), if any. */
export function credentialShapedField(value: unknown, at = ''): string | undefined {
  if (typeof value === 'string') return redact(value) === value ? undefined : at || '(top level)';
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = credentialShapedField(item, `${at}[${i}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, item] of Object.entries(value)) {
      // A key can carry a token as well as a value.
      if (redact(k) !== k) return `${at ? `${at}.` : ''}(a key)`;
      const found = credentialShapedField(item, at ? `${at}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

/** Whether two lockfile records say the same, apart from their `updatedAt` stamps. */
export function sameRecord(a: unknown, b: unknown): boolean {
  return JSON.stringify(withoutStamps(a)) === JSON.stringify(withoutStamps(b));
}

function withoutStamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStamps);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'updatedAt')
      // Only equality is asked of the result: any fixed order of keys does, and code units need no ICU.
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => [k, withoutStamps(v)]),
  );
}

/**
 * Before a run changes anything: the lockfile can be written where it is (a file, or nothing yet,
 * in a folder this user may write to). Otherwise exit 2 naming the path — not a failure after
 * the first change.
 */
export async function checkLockfileWritable(file: string): Promise<void> {
  const fix = 'point --lockfile (or ATLANTIS_RUN_LOCKFILE) at a file in a folder you may write to, e.g. ./atlantis-run.lock';
  const refuse = (problem: string) => new UsageError(`the lockfile ${file} ${problem}`, { hint: fix });
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw refuse('is a folder, not a file');
    if (!info.isFile()) throw refuse('is not a regular file');
    await access(file, constants.W_OK);
    return;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw refuse(`cannot be written: it ${describeFsError(err)}`);
  }
  const folder = path.dirname(file);
  try {
    if (!(await stat(folder)).isDirectory()) throw refuse(`cannot be created: ${folder} is not a folder`);
    // A file created and removed, not access(W_OK): root passes that check on a folder that still
    // refuses new files (sysfs, some network mounts).
    const probe = path.join(folder, `.atlantis-run-write-check-${process.pid}`);
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err; // left by a killed run of the same pid: the folder takes files
    });
    await rm(probe, { force: true });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw refuse(`cannot be created: its folder ${folder} ${describeFsError(err)}`);
  }
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
