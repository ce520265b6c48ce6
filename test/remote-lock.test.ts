// Runs from two machines: the run lock lives in the project (an object in a Cloud Storage bucket
// the tool owns, created with ifGenerationMatch=0), so two runs with different lockfiles cannot
// change one deployment at once; generated values are created once even when two runs race.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ServicesClient } from '@google-cloud/run';
import { runCli, runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv, lockCalls, mutatingCalls, since } from './support/emulator.js';
import { projectDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';
import type { RunningEmulator } from '../src/emulator/index.js';
import { openRun } from '../src/cli/session.js';
import { IoHost } from '../src/ui/host.js';
import { DebugLog } from '../src/util/debug-log.js';
import { runEngine } from '../src/engine/runner.js';
import { PHASES } from '../src/phases/index.js';
import type { CommandContext } from '../src/cli/context.js';
import { loadConfigFile } from '../src/config/load.js';

const BUCKET = 'my-project-atlantis-run';
const OBJECT = 'locks/europe-west1/atlantis.json';
const GENERATED = ['atlantis-webhook-secret', 'atlantis-web-password'];

async function storage(emu: RunningEmulator, pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://${emu.host}${pathAndQuery}`, { ...init, headers: { Authorization: 'Bearer test', ...(init.headers ?? {}) } });
}

/** Leaves a lock in the project as another machine's run would. */
async function plantLock(emu: RunningEmulator, holder: { id: string; expiresAt: string; host?: string; pid?: number }): Promise<void> {
  await storage(emu, '/storage/v1/b?project=my-project', {
    method: 'POST',
    body: JSON.stringify({ name: BUCKET, location: 'europe-west1' }),
  });
  const body = JSON.stringify({
    holder: 'alice',
    host: 'ci-runner-7',
    pid: 4242,
    command: 'deploy',
    startedAt: '2026-01-01T10:00:00.000Z',
    tool: 'atlantis-run 0.1.0',
    ...holder,
  });
  const answer = await storage(emu, `/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encodeURIComponent(OBJECT)}`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json' },
  });
  expect(answer.status).toBe(200);
}

async function lockObject(emu: RunningEmulator): Promise<Record<string, unknown> | undefined> {
  const answer = await storage(emu, `/storage/v1/b/${BUCKET}/o/${encodeURIComponent(OBJECT)}?alt=media`);
  return answer.status === 200 ? ((await answer.json()) as Record<string, unknown>) : undefined;
}

async function enabledVersions(emu: RunningEmulator, secretId: string): Promise<string[]> {
  const client = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
  const [versions] = await client.listSecretVersions({ parent: `projects/my-project/secrets/${secretId}` });
  await client.close();
  return versions.filter((v) => v.state === 'ENABLED' || String(v.state) === '1').map((v) => String(v.name).split('/').pop()!);
}

describe('the run lock in the project', () => {
  it('is taken before the first change and released at the end; a run that changes nothing never takes it', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    const first = since(emu);
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const calls = lockCalls(first()).map((c) => `${c.method.split('/').pop()} ${c.status}`);
    // The first insert finds no bucket (404), creates it, then takes the lock; the end deletes it.
    expect(calls).toEqual(['InsertObject NOT_FOUND', 'InsertBucket OK', 'InsertObject OK', 'DeleteObject OK']);
    // Nothing else was changed before the lock was held.
    const log = first();
    const lockedAt = log.findIndex((c) => c.method.endsWith('/InsertObject') && c.status === 'OK');
    expect(mutatingCalls(log.slice(0, lockedAt))).toEqual([]);
    expect(await lockObject(emu)).toBeUndefined();

    const noop = since(emu);
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    expect(lockCalls(noop())).toEqual([]);
  });

  it('held by another machine: exit 3 naming the holder and the id; --force-unlock ID takes it over, a wrong id does not', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    await plantLock(emu, { id: 'abc123def456', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });

    const calls = since(emu);
    const held = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(held.code).toBe(3);
    expect(held.stderr).toContain('another run holds the lock on atlantis in my-project/europe-west1');
    expect(held.stderr).toContain('deploy by alice on ci-runner-7 since 2026-01-01T10:00:00.000Z, lock abc123def456');
    expect(held.stderr).toContain('--force-unlock abc123def456');
    expect(mutatingCalls(calls())).toEqual([]);

    // Reading needs no lock.
    expect((await runCli(['plan'], { cwd: dir, env })).code).toBe(0);
    expect((await runCli(['deploy', '-y', '--force-unlock', 'somethingelse'], { cwd: dir, env })).code).toBe(3);

    const forced = await runCli(['deploy', '-y', '--force-unlock', 'abc123def456'], { cwd: dir, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('forced open the run lock abc123def456 of deploy by alice on ci-runner-7');
    expect(await lockObject(emu)).toBeUndefined();
  });

  it('expired: taken over with a warning', async () => {
    const emu = await emulator();
    const dir = projectDir();
    await plantLock(emu, { id: 'deadbeef0001', expiresAt: new Date(Date.now() - 1_000).toISOString() });
    const result = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('took over the expired run lock deadbeef0001');
  });

  it('left by a process of this machine that is gone (SIGKILL, a crash): taken over at once, not at expiry', async () => {
    const emu = await emulator();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await plantLock(emu, { id: 'killed000001', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), host: hostname(), pid: gone });
    const result = await runCli(['deploy', '-y'], { cwd: projectDir(), env: emulatorEnv(emu, 'grpc') });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('took over the run lock of a process that is gone: killed000001');
  });

  it('is renewed while a long run holds it, each time on the generation it wrote', async () => {
    const emu = await emulator({ operationDelayMs: 2_500 });
    const calls = since(emu);
    const result = await runCli(['deploy', '-y'], {
      cwd: projectDir(),
      env: emulatorEnv(emu, 'grpc', { ATLANTIS_RUN_LOCK_TTL_MS: '3000' }),
    });
    expect(result.code, result.stderr).toBe(0);
    const writes = lockCalls(calls()).filter((c) => c.method.endsWith('/InsertObject') && c.status === 'OK');
    // Taken once, then renewed (every third of the 3 s lifetime, at least every second) while Cloud Run works.
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(await lockObject(emu)).toBeUndefined();
  });

  it('serialises two machines: two processes with their own lockfiles on one emulator create every secret once', async () => {
    const emu = await emulator({ latencyMs: 15 });
    const env = emulatorEnv(emu, 'grpc');
    const dirs = [projectDir(), projectDir()];
    const results = await Promise.all(dirs.map((cwd) => runCliProcess(['deploy', '-y'], { cwd, env, timeoutMs: 90_000 })));
    const codes = results.map((r) => r.code).sort();
    expect(
      [
        [0, 0],
        [0, 3],
      ],
      results.map((r) => r.stderr).join('\n---\n'),
    ).toContainEqual(codes);
    for (const loser of results.filter((r) => r.code === 3)) {
      expect(loser.stderr).toMatch(/another run holds the lock on atlantis in my-project\/europe-west1: deploy by .* lock [0-9a-f]{12}/);
      expect(loser.stderr).toContain('--force-unlock');
    }
    for (const id of ['atlantis-vcs-token', ...GENERATED]) expect(await enabledVersions(emu, id), id).toHaveLength(1);
    expect(await lockObject(emu)).toBeUndefined();
    // The lockfiles of both machines agree with what is live.
    const locked = dirs
      .filter((_, i) => results[i].code === 0)
      .map(
        (d) =>
          (
            JSON.parse(readFileSync(path.join(d, 'atlantis-run.lock'), 'utf8')) as {
              resources: { secrets: Record<string, { version: string }> };
            }
          ).resources.secrets['webhook-secret'].version,
      );
    expect(new Set(locked)).toEqual(new Set(['1']));
  });
});

describe('generated values when two runs race anyway (a lock forced open, a client that takes none)', () => {
  it("are created once: the loser disables its own version and adopts the winner's", async () => {
    const emu = await emulator();
    const env = emulatorEnv(emu, 'grpc');
    const dir = projectDir();
    const opened = await openRun(commandContext(dir, env), { waitTimeoutMs: 60_000 });
    // This run takes no lock, as if it had been forced open under it.
    opened.gcp.caller.beforeMutation = undefined;
    const run = { ...opened, runLock: undefined };
    let raced = false;
    try {
      const result = await runEngine(PHASES, run, {
        mode: 'deploy',
        // Between this run's plan (no generated value yet) and its apply, another run creates them.
        confirm: async () => {
          const other = await runCli(['deploy', '-y'], { cwd: projectDir(), env });
          raced = other.code === 0;
          return true;
        },
      });
      expect(raced).toBe(true);
      expect(result.facts.secretVersions?.['webhook-secret']).toBe('1');
      expect(result.facts.secretVersions?.['web-password']).toBe('1');
    } finally {
      for (const fn of cleanups.splice(0).reverse()) await fn();
    }
    for (const id of GENERATED) expect(await enabledVersions(emu, id), id).toEqual(['1']);
    const services = new ServicesClient(clientOptions(emu, 'grpc'));
    const [service] = await services.getService({ name: 'projects/my-project/locations/europe-west1/services/atlantis' });
    const pin = service.template!.containers![0].env!.find((e) => e.name === 'ATLANTIS_GH_WEBHOOK_SECRET')!.valueSource!.secretKeyRef!;
    expect(pin.version).toBe('1');
    await services.close();
  });
});

const cleanups: (() => Promise<void> | void)[] = [];

/** A command context for driving the engine directly (as `deploy` does), against the emulator. */
function commandContext(dir: string, env: NodeJS.ProcessEnv): CommandContext {
  const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const host = new IoHost({
    json: true,
    env,
    streams: { stdout: quiet(), stderr: quiet(), stdin: new PassThrough() },
    debugLog: DebugLog.disabled(),
  });
  return {
    command: 'deploy',
    globals: { json: true, yes: true, verbose: false, emulator: false },
    env,
    cwd: dir,
    host,
    log: DebugLog.disabled(),
    signal: new AbortController().signal,
    configPath: path.join(dir, 'atlantis-run.yaml'),
    lockfilePath: path.join(dir, 'atlantis-run.lock'),
    stateDir: path.join(dir, '.atlantis-run'),
    config: () => loadConfigFile(path.join(dir, 'atlantis-run.yaml'), {}, env),
    onCleanup: (fn) => cleanups.push(fn),
  };
}
