// One mutating run per lockfile at a time. A PID marker (like the AWS CDK CLI's rwlock) rather than
// an mtime-based lock: a run killed with SIGKILL must not block the next run for a staleness
// window — if the recorded process is gone on this host, the lock is taken over at once.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LockHeldError } from '../errors.js';
import { ensureStateDir } from './state-dir.js';

interface LockOwner {
  pid: number;
  hostname: string;
  token: string;
  command: string;
  startedAt: string;
}

export interface RunLock {
  readonly path: string;
  release(): void;
}

export function runLockPath(lockfile: string): string {
  const dir = ensureStateDir(path.dirname(path.resolve(lockfile)));
  return path.join(dir, `${path.basename(lockfile)}.pid`);
}

export function acquireRunLock(lockfile: string, command: string): RunLock {
  const lockPath = runLockPath(lockfile);
  const me: LockOwner = { pid: process.pid, hostname: os.hostname(), token: randomUUID(), command, startedAt: new Date().toISOString() };
  if (!tryCreate(lockPath, me)) {
    const holder = readOwner(lockPath);
    if (holder && isAlive(holder)) throw heldError(lockfile, lockPath, holder);
    takeOver(lockfile, lockPath, holder, me);
  }
  const release = () => {
    // Only remove the marker if it is still ours (a later run may have taken it over).
    if (readOwner(lockPath)?.token === me.token) {
      try {
        unlinkSync(lockPath);
      } catch {
        /* already gone */
      }
    }
    process.off('exit', release);
  };
  process.on('exit', release);
  return { path: lockPath, release };
}

function tryCreate(lockPath: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockOwner;
  } catch {
    return undefined; // missing or half-written: treated as stale
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== os.hostname()) return true; // cannot check another machine: assume alive
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Two runs may find the same dead owner at once: a second marker file serialises the takeover.
function takeOver(lockfile: string, lockPath: string, stale: LockOwner | undefined, me: LockOwner): void {
  const mutex = `${lockPath}.takeover`;
  if (!tryCreate(mutex, me)) {
    const age = safeAgeMs(mutex);
    if (age !== undefined && age < 10_000) throw heldError(lockfile, lockPath, readOwner(lockPath) ?? stale);
    try {
      unlinkSync(mutex);
    } catch {
      /* raced */
    }
    if (!tryCreate(mutex, me)) throw heldError(lockfile, lockPath, readOwner(lockPath) ?? stale);
  }
  try {
    const current = readOwner(lockPath);
    if (current && current.token !== stale?.token && isAlive(current)) throw heldError(lockfile, lockPath, current);
    try {
      unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
    if (!tryCreate(lockPath, me)) throw heldError(lockfile, lockPath, readOwner(lockPath));
  } finally {
    try {
      unlinkSync(mutex);
    } catch {
      /* ignore */
    }
  }
}

function safeAgeMs(file: string): number | undefined {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function heldError(lockfile: string, lockPath: string, holder: LockOwner | undefined): LockHeldError {
  const who = holder ? `process ${holder.pid} on ${holder.hostname} (${holder.command}, since ${holder.startedAt})` : 'another process';
  return new LockHeldError(`another run holds the lock on ${lockfile}: ${who}`, {
    hint: `wait for it to finish; if you are sure it is gone, delete ${lockPath}`,
  });
}
