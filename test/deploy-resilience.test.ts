// Deploy when things go wrong: missing permissions, IAM eventual consistency and etag races, a
// revision that cannot start, runs killed at any point, two runs at once, Ctrl-C, timeouts, missing
// secret values — and secret values never leaking anywhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ServicesClient } from '@google-cloud/run';
import { runCli, runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';
import type { RunningEmulator } from '../src/emulator/index.js';
import type { RequestLogEntry } from '../src/emulator/core/request-log.js';

const SECRET_IDS = ['atlantis-vcs-token', 'atlantis-webhook-secret', 'atlantis-web-password'];

async function versionCounts(emu: { port: number }): Promise<Record<string, number>> {
  const client = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
  const counts: Record<string, number> = {};
  for (const id of SECRET_IDS) {
    try {
      const [versions] = await client.listSecretVersions({ parent: `projects/my-project/secrets/${id}` });
      counts[id] = versions.length;
    } catch {
      counts[id] = 0;
    }
  }
  await client.close();
  return counts;
}

/** The failed calls of the newest debug log, to explain a failure. */
function debugLogErrors(dir: string): string {
  const logs = path.join(dir, '.atlantis-run', 'logs');
  if (!existsSync(logs)) return '';
  const last = readdirSync(logs).sort().at(-1);
  if (!last) return '';
  return readFileSync(path.join(logs, last), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"call-failed"') || l.includes('"entry":"error"'))
    .join('\n')
    .slice(0, 3000);
}

function lockfileIsValid(dir: string): void {
  const file = path.join(dir, 'atlantis-run.lock');
  if (existsSync(file)) expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
}

describe('deploy resilience', () => {
  it('lists every missing permission in preflight and changes nothing', async () => {
    const emu = await emulator({ deny: ['run.services.create', 'iam.serviceAccounts.create'] });
    const dir = projectDir();
    const calls = since(emu);
    const result = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('iam.serviceAccounts.create');
    expect(result.stderr).toContain('run.services.create');
    expect(mutatingCalls(calls())).toEqual([]);
  });

  it('needs --yes to change anything when not interactive (exit 2, nothing changed)', async () => {
    const emu = await emulator();
    const calls = since(emu);
    const result = await runCli(['deploy'], { cwd: projectDir(), env: emulatorEnv(emu, 'grpc') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
    expect(mutatingCalls(calls())).toEqual([]);
  });

  it('stops before any change when a secret has no value anywhere, with the command to supply it', async () => {
    const emu = await emulator();
    const calls = since(emu);
    const result = await runCli(['deploy', '-y'], { cwd: projectDir(), env: { ...emulatorEnv(emu, 'grpc'), GITHUB_TOKEN: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('secret vcs-token');
    expect(result.stderr).toContain('GITHUB_TOKEN');
    expect(result.stderr).toContain('atlantis-run secrets push vcs-token');
    expect(mutatingCalls(calls())).toEqual([]);
  });

  it('absorbs IAM propagation delay and etag conflicts', async () => {
    const emu = await emulator({ iamPropagationDelayMs: 800, faults: 'secretmanager.SetIamPolicy=ABORTED:0.5', seed: 3 });
    const dir = projectDir();
    const result = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(result.code, result.stderr).toBe(0);
    const setCalls = emu.requestLog().filter((e) => e.method.endsWith('/SetIamPolicy'));
    const statuses = new Set(setCalls.map((e) => e.status));
    expect(statuses.has('OK')).toBe(true);
    expect([...statuses].some((s) => s === 'INVALID_ARGUMENT' || s === 'ABORTED')).toBe(true);
  });

  it('reports a revision that cannot start (secret access revoked mid-deploy) with its message and logs', async () => {
    const emu = await emulator();
    const dir = projectDir();
    // Secret Manager keeps policies under the project number, as Google names secrets.
    const resource = `projects/${emu.projectNumber('my-project')}/secrets/atlantis-vcs-token`;
    let revoked = false;
    const result = await runCli(['deploy', '-y', '--json'], {
      cwd: dir,
      env: emulatorEnv(emu, 'grpc'),
      // Between the bindings phase and the service phase, someone removes the accessor binding.
      onStdoutLine: (line) => {
        const event = JSON.parse(line) as { type: string; phase?: string; status?: string };
        if (!revoked && event.type === 'phase-end' && event.phase === 'bindings' && event.status === 'ok') {
          revoked = true;
          emu.mutate((services) => {
            const policy = services.iamPolicies.get(resource);
            services.iamPolicies.set(resource, { ...policy, bindings: [] }, undefined, Date.now());
          });
        }
      },
    });
    expect(revoked).toBe(true);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/revision atlantis-\S+ failed: .*[Pp]ermission denied on secret/);
    expect(result.stderr).toContain('console.cloud.google.com/logs');
    expect(result.stderr).toContain('gcloud logging read');
    // The next deploy repairs the binding and rolls out.
    const retry = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(retry.code, retry.stderr).toBe(0);
  });

  it('exits 3 while another run holds the lock', async () => {
    const emu = await emulator({ operationDelayMs: 2500 });
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    let child: import('node:child_process').ChildProcess | undefined;
    const first = runCliProcess(['deploy', '-y'], { cwd: dir, env, onSpawn: (c) => (child = c) });
    const lockMarker = path.join(dir, '.atlantis-run', 'atlantis-run.lock.pid');
    for (let i = 0; i < 400 && !existsSync(lockMarker); i++) await new Promise((r) => setTimeout(r, 25));
    const second = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('another run holds the lock');
    child!.kill('SIGKILL');
    await first;
  });

  for (const killAfter of [1, 4, 8, 12]) {
    it(`converges after being killed with SIGKILL after ${killAfter} mutating calls`, async () => {
      const emu = await emulator({ operationDelayMs: 150 });
      const dir = projectDir();
      const env = emulatorEnv(emu, 'grpc');
      const { killed, outcome } = await killedWhen(emu, ['deploy', '-y'], dir, env, (calls) => mutatingCalls(calls).length >= killAfter);
      expect(killed || outcome.code === 0).toBe(true);
      lockfileIsValid(dir);

      const rerun = await runCli(['deploy', '-y'], { cwd: dir, env });
      expect(rerun.code, rerun.stderr + debugLogErrors(dir)).toBe(0);
      lockfileIsValid(dir);
      // No duplicate secret versions, one service, and a third run has nothing to do.
      expect(await versionCounts(emu)).toEqual(Object.fromEntries(SECRET_IDS.map((id) => [id, 1])));
      const again = since(emu);
      expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
      expect(mutatingCalls(again())).toEqual([]);
    });
  }

  /** Runs the CLI in a child process and kills it with SIGKILL once the emulator has seen `when`. */
  async function killedWhen(
    emu: RunningEmulator,
    args: string[],
    dir: string,
    env: NodeJS.ProcessEnv,
    when: (calls: RequestLogEntry[]) => boolean,
  ) {
    let child: import('node:child_process').ChildProcess | undefined;
    const emuCalls = since(emu);
    const run = runCliProcess(args, { cwd: dir, env, onSpawn: (c) => (child = c) });
    let killed = false;
    const watcher = setInterval(() => {
      if (!killed && when(emuCalls())) {
        killed = true;
        child!.kill('SIGKILL');
      }
    }, 2);
    const outcome = await run;
    clearInterval(watcher);
    return { killed, outcome };
  }

  for (const killAfter of [1, 3, 6]) {
    it(`destroy killed with SIGKILL after ${killAfter} mutating calls: the rerun removes the rest and forgets what is gone`, async () => {
      const emu = await emulator({ operationDelayMs: 150 });
      const dir = projectDir();
      const env = emulatorEnv(emu, 'grpc');
      expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
      const { killed, outcome } = await killedWhen(
        emu,
        ['destroy', '-y', '--purge-secrets'],
        dir,
        env,
        (calls) => mutatingCalls(calls).length >= killAfter,
      );
      expect(killed, outcome.stderr).toBe(true);
      expect(outcome.signal).toBe('SIGKILL');
      lockfileIsValid(dir);

      const rerun = await runCli(['destroy', '-y', '--purge-secrets'], { cwd: dir, env });
      expect(rerun.code, rerun.stderr + debugLogErrors(dir)).toBe(0);
      // Nothing is left, and nothing is remembered.
      expect(existsSync(path.join(dir, 'atlantis-run.lock'))).toBe(false);
      expect(await versionCounts(emu)).toEqual(Object.fromEntries(SECRET_IDS.map((id) => [id, 0])));
      const run = new ServicesClient(clientOptions(emu, 'grpc'));
      await expect(run.getService({ name: 'projects/my-project/locations/europe-west1/services/atlantis' })).rejects.toMatchObject({
        code: 5,
      });
      await run.close();
    });
  }

  it('secrets rotate killed with SIGKILL right after adding the version: the value is in --output, and deploy calls it out', async () => {
    // Every call takes 50 ms: the kill lands before the rollout that follows the add is answered.
    const emu = await emulator({ latencyMs: 50 });
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const out = path.join(dir, 'new-webhook-secret.txt');
    const { killed, outcome } = await killedWhen(emu, ['secrets', 'rotate', 'webhook-secret', '-y', '--output', out], dir, env, (calls) =>
      calls.some((e) => e.method.endsWith('/AddSecretVersion') && e.status === 'OK'),
    );
    expect(killed, outcome.stderr).toBe(true);
    lockfileIsValid(dir);
    const secrets = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const [version] = await secrets.accessSecretVersion({ name: 'projects/my-project/secrets/atlantis-webhook-secret/versions/2' });
    await secrets.close();
    expect(readFileSync(out, 'utf8')).toBe(Buffer.from(version.payload!.data as Uint8Array).toString('utf8'));

    const calls = since(emu);
    const refused = await runCli(['deploy', '-y'], { cwd: dir, env: { ...env, GITHUB_TOKEN: 'ghp_anothertoken000000000000000000000000' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('atlantis-webhook-secret version 2 is newer than version 1 the service uses');
    expect(mutatingCalls(calls())).toEqual([]);
  });

  it('stops cleanly on Ctrl-C after the call in flight, exits 130, and the next run converges', async () => {
    const emu = await emulator({ operationDelayMs: 400 });
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    const calls = since(emu);
    let child: import('node:child_process').ChildProcess | undefined;
    const run = runCliProcess(['deploy', '-y'], { cwd: dir, env, onSpawn: (c) => (child = c) });
    for (let i = 0; i < 800 && mutatingCalls(calls()).length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    child!.kill('SIGINT');
    const outcome = await run;
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toContain('stopping after the call in flight');
    lockfileIsValid(dir);
    const rerun = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await versionCounts(emu)).toEqual(Object.fromEntries(SECRET_IDS.map((id) => [id, 1])));
  });

  it('bounds waiting by --wait-timeout with a clear message', async () => {
    const emu = await emulator({ operationDelayMs: 5000 });
    const result = await runCli(['deploy', '-y', '--wait-timeout', '1s'], { cwd: projectDir(), env: emulatorEnv(emu, 'grpc') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/timed out waiting to .*--wait-timeout/s);
  });

  it('never shows a secret value: stdout, stderr, --json, lockfile, debug logs', async () => {
    const canary = 'ghp_CANARYcanary0123456789abcdefCANARY42';
    const emu = await emulator();
    const dir = projectDir(MINIMAL_CONFIG.replace('GITHUB_TOKEN', 'CANARY_TOKEN'));
    const env = { ...emulatorEnv(emu, 'grpc'), CANARY_TOKEN: canary };
    const outputs: string[] = [];
    for (const args of [
      ['deploy', '-y', '--json', '--verbose'],
      ['deploy', '-y'],
      ['plan', '--json'],
      ['status'],
      ['status', '--json'],
      ['render', '--json'],
    ]) {
      const r = await runCli(args, { cwd: dir, env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    // A failure path too, with --verbose (stack traces, causes), after the value was read.
    const denied = await emulator({ deny: ['run.services.create'] });
    const failing = await runCli(['deploy', '-y', '--verbose', '--json'], {
      cwd: dir,
      env: { ...emulatorEnv(denied, 'grpc'), CANARY_TOKEN: canary },
    });
    expect(failing.code).toBe(1);
    outputs.push(failing.stdout, failing.stderr);
    for (const text of outputs) expect(text).not.toContain(canary);
    expect(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).not.toContain(canary);
    const logs = path.join(dir, '.atlantis-run', 'logs');
    for (const file of readdirSync(logs)) {
      const text = readFileSync(path.join(logs, file), 'utf8');
      expect(text, file).not.toContain(canary);
      expect(text, file).not.toContain(Buffer.from(canary).toString('base64'));
    }
    // The value did reach Secret Manager (that is where it belongs).
    const client = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const [access] = await client.accessSecretVersion({ name: 'projects/my-project/secrets/atlantis-vcs-token/versions/latest' });
    expect(Buffer.from(access.payload!.data as Uint8Array).toString()).toBe(canary);
    await client.close();
  });

  it('keeps the previous revision serving when a new one fails, and status says so', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const run = new ServicesClient(clientOptions(emu, 'grpc'));
    const [before] = await run.getService({ name: 'projects/my-project/locations/europe-west1/services/atlantis' });
    // A bring-your-own image that does not exist.
    const broken = projectDir(
      MINIMAL_CONFIG +
        `image:\n  strategy: reference\n  reference: europe-west1-docker.pkg.dev/my-project/missing/atlantis@sha256:${'b'.repeat(64)}\n`,
    );
    const failed = await runCli(['deploy', '-y'], { cwd: broken, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/revision atlantis-\S+ failed:/);
    expect(failed.stderr).toContain(`${before.latestReadyRevision!.split('/').pop()} keeps serving`);
    const [after] = await run.getService({ name: 'projects/my-project/locations/europe-west1/services/atlantis' });
    expect(after.latestReadyRevision).toBe(before.latestReadyRevision);
    const status = await runCli(['status', '--json'], { cwd: broken, env });
    const out = JSON.parse(status.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(out.ready).toBe(false);
    expect(out.readyRevision).toBe(before.latestReadyRevision!.split('/').pop());
    await run.close();
  });
});
