// The lockfile is a cache the user commits: where it disagrees with live state, live state wins; a
// run that changes nothing leaves it byte for byte as it was; a destroy finished by a rerun leaves
// no entry for what is gone; and a lockfile edited to hold something credential-shaped is refused
// with the field and the way out, not reported as a bug.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { projectDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';

type Lock = { resources: Record<string, Record<string, Record<string, unknown>>> };
const lockPath = (dir: string) => path.join(dir, 'atlantis-run.lock');
const readLock = (dir: string) => JSON.parse(readFileSync(lockPath(dir), 'utf8')) as Lock;
const writeLock = (dir: string, lock: Lock) => writeFileSync(lockPath(dir), `${JSON.stringify(lock, null, 2)}\n`);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const methods = (entries: { method: string }[]) => entries.map((e) => e.method.split('/').pop()).sort();

describe('the lockfile as a cache', () => {
  it('loses to live state when its digest of a secret disagrees with the live payload, either way', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);

    // A wrong digest for the version in use (a merge, an edit): the value did not change.
    const lock = readLock(dir);
    lock.resources.secrets['vcs-token'].sha256 = sha('something else');
    writeLock(dir, lock);
    const calls = since(emu);
    const same = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(same.code, same.stderr).toBe(0);
    expect(mutatingCalls(calls())).toEqual([]);
    expect(same.stderr).toContain("the lockfile's digest of atlantis-vcs-token version 1 disagrees with the live payload");

    // The reverse: the digest of the new value, while the live version still holds the old one.
    const token = 'ghp_newtoken0000000000000000000000000000';
    const edited = readLock(dir);
    edited.resources.secrets['vcs-token'].sha256 = sha(token);
    writeLock(dir, edited);
    const update = since(emu);
    const changed = await runCli(['deploy', '-y'], { cwd: dir, env: { ...env, GITHUB_TOKEN: token } });
    expect(changed.code, changed.stderr).toBe(0);
    expect(methods(mutatingCalls(update()))).toEqual(['AddSecretVersion', 'UpdateService']);
  });

  it('stays byte for byte the same after a deploy that changes nothing', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const before = readFileSync(lockPath(dir), 'utf8');
    await new Promise((r) => setTimeout(r, 20));
    for (const command of [['deploy', '-y'], ['status'], ['plan'], ['secrets', 'push', 'vcs-token']]) {
      const result = await runCli(command, { cwd: dir, env });
      expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(0);
      expect(readFileSync(lockPath(dir), 'utf8'), command.join(' ')).toBe(before);
    }
  });

  it('drops the entries of resources an earlier, killed destroy deleted', async () => {
    const emu = await emulator();
    const env = emulatorEnv(emu, 'grpc');
    const client = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));

    // With --purge-secrets: the killed run deleted vcs-token before it could forget it.
    const purged = projectDir();
    expect((await runCli(['deploy', '-y'], { cwd: purged, env })).code).toBe(0);
    await client.deleteSecret({ name: 'projects/my-project/secrets/atlantis-vcs-token' });
    const rerun = await runCli(['destroy', '-y', '--purge-secrets'], { cwd: purged, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(existsSync(lockPath(purged)), existsSync(lockPath(purged)) ? readFileSync(lockPath(purged), 'utf8') : '').toBe(false);

    // Without: the kept secrets stay recorded, a gone one does not.
    const kept = projectDir();
    const env2 = emulatorEnv(await emulator(), 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: kept, env: env2 })).code).toBe(0);
    const emu2Client = new SecretManagerServiceClient(
      clientOptions({ port: Number(env2.ATLANTIS_RUN_EMULATOR_HOST!.split(':')[1]) }, 'grpc'),
    );
    await emu2Client.deleteSecret({ name: 'projects/my-project/secrets/atlantis-web-password' });
    expect((await runCli(['destroy', '-y'], { cwd: kept, env: env2 })).code).toBe(0);
    expect(Object.keys(readLock(kept).resources).sort()).toEqual(['apis', 'secrets']);
    expect(Object.keys(readLock(kept).resources.secrets).sort()).toEqual(['vcs-token', 'webhook-secret']);
    await client.close();
    await emu2Client.close();
  });

  it('holding a credential-shaped string: exit 2 naming the field and the way out, nothing called', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const lock = readLock(dir);
    (lock.resources.service as unknown as Record<string, unknown>).note = 'ghp_pastedbymistake000000000000000000000';
    writeLock(dir, lock);
    const calls = since(emu);
    for (const command of [['deploy', '-y'], ['plan']]) {
      const result = await runCli(command, { cwd: dir, env });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('resources.service.note holds a string shaped like a credential');
      expect(result.stderr).toContain('delete');
      expect(result.stderr).not.toContain('ghp_pasted');
      expect(result.stderr).not.toContain('bug');
    }
    expect(calls()).toEqual([]);
  });
});
