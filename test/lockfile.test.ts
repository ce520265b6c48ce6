import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockHeldError } from '../src/errors.js';
import { emptyLockfile, readLockfile, writeLockfile } from '../src/state/lockfile.js';
import { acquireRunLock, runLockPath } from '../src/state/run-lock.js';
import { clearRegisteredSecrets, registerSecret } from '../src/util/redact.js';
import { tempDir } from './support/fixtures.js';

const ids = { project: 'my-project', region: 'europe-west1', service: 'atlantis' };

afterEach(() => clearRegisteredSecrets());

describe('lockfile', () => {
  it('round-trips, with a schema version', async () => {
    const file = path.join(tempDir(), 'atlantis-run.lock');
    expect(await readLockfile(file)).toEqual({ status: 'missing' });
    const data = emptyLockfile('atlantis-run test', ids);
    data.projectNumber = '123456789012';
    data.resources.secrets = {
      'vcs-token': { name: 'projects/my-project/secrets/atlantis-vcs-token', version: '2', sha256: 'ab'.repeat(32) },
    };
    await writeLockfile(file, data);
    const read = await readLockfile(file, ids);
    expect(read.status).toBe('ok');
    if (read.status === 'ok') {
      expect(read.data.schemaVersion).toBe(1);
      expect((read.data.resources.secrets as Record<string, { version?: string }> | undefined)?.['vcs-token']?.version).toBe('2');
    }
  });

  it('ignores (with a reason) a corrupt lockfile or one for another deployment', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'atlantis-run.lock');
    writeFileSync(file, '{"schemaVersion": 1, "proj');
    expect(await readLockfile(file, ids)).toMatchObject({ status: 'ignored', reason: expect.stringContaining('not valid JSON') });
    await writeLockfile(file, emptyLockfile('t', { ...ids, project: 'other-project' }));
    expect(await readLockfile(file, ids)).toMatchObject({ status: 'ignored', reason: expect.stringContaining('other-project') });
  });

  it('refuses a lockfile from a newer schema', async () => {
    const file = path.join(tempDir(), 'atlantis-run.lock');
    writeFileSync(file, JSON.stringify({ ...emptyLockfile('t', ids), schemaVersion: 99 }));
    await expect(readLockfile(file, ids)).rejects.toThrow(/newer atlantis-run/);
  });

  it('never writes a registered secret value (by construction and by check)', async () => {
    const file = path.join(tempDir(), 'atlantis-run.lock');
    const canary = 'canary-secret-value-8d1f2a';
    registerSecret(canary);
    const data = emptyLockfile('t', ids);
    await writeLockfile(file, data);
    (data.resources as Record<string, unknown>).leak = { note: `oops ${canary}` };
    await expect(writeLockfile(file, data)).rejects.toThrow(/would contain a secret value/);
    expect(readFileSync(file, 'utf8')).not.toContain(canary);
  });

  it('writes atomically: a reader never sees a partial file, even when the writer is killed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'atlantis-run.lock');
    const writer = path.join(dir, 'writer.mjs');
    const moduleUrl = new URL('../dist/state/lockfile.js', import.meta.url).href;
    writeFileSync(
      writer,
      `import { writeLockfile, emptyLockfile } from ${JSON.stringify(moduleUrl)};
       const big = Array.from({ length: 2000 }, (_, i) => ({ resource: 'projects/p/secrets/s' + i, role: 'roles/x', member: 'serviceAccount:a@b' }));
       for (let i = 0; ; i++) { const d = emptyLockfile('w' + i, ${JSON.stringify(ids)}); d.resources.bindings = { items: big }; await writeLockfile(${JSON.stringify(file)}, d); }`,
    );
    const child = spawn(process.execPath, [writer], { stdio: 'ignore' });
    const deadline = Date.now() + 1500;
    let reads = 0;
    while (Date.now() < deadline) {
      if (existsSync(file)) {
        const text = readFileSync(file, 'utf8');
        expect(() => JSON.parse(text)).not.toThrow();
        reads++;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(reads).toBeGreaterThan(10);
    expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
    // No temp files left that a reader could mistake for the lockfile (only hidden temp files).
    expect(readdirSync(dir).filter((f) => !f.startsWith('.') && f !== 'writer.mjs')).toEqual(['atlantis-run.lock']);
  });
});

describe('run lock', () => {
  it('lets one run in; a second gets exit code 3 naming the holder', () => {
    const file = path.join(tempDir(), 'atlantis-run.lock');
    // The holder is another live process (this test's parent stands in for it).
    writeFileSync(
      runLockPath(file),
      JSON.stringify({ pid: process.ppid, hostname: os.hostname(), token: 'x', command: 'deploy', startedAt: new Date().toISOString() }),
    );
    let error: unknown;
    try {
      acquireRunLock(file, 'deploy');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).exitCode).toBe(3);
    expect((error as Error).message).toContain(`process ${process.ppid}`);
  });

  it('takes over a lock left by a dead process at once', async () => {
    const file = path.join(tempDir(), 'atlantis-run.lock');
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((r) => child.on('close', r));
    writeFileSync(
      runLockPath(file),
      JSON.stringify({ pid: deadPid, hostname: os.hostname(), token: 'stale', command: 'deploy', startedAt: new Date().toISOString() }),
    );
    const lock = acquireRunLock(file, 'deploy');
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('is released and can be taken again', () => {
    const file = path.join(tempDir(), 'atlantis-run.lock');
    const first = acquireRunLock(file, 'deploy');
    first.release();
    const second = acquireRunLock(file, 'deploy');
    second.release();
  });

  it('keeps its marker out of git (the state folder ignores itself)', () => {
    const dir = tempDir();
    const lockPath = runLockPath(path.join(dir, 'atlantis-run.lock'));
    expect(path.dirname(lockPath)).toBe(path.join(dir, '.atlantis-run'));
    expect(readFileSync(path.join(dir, '.atlantis-run', '.gitignore'), 'utf8')).toBe('*\n');
  });
});
