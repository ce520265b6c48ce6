// Replies lost after the write happened (the emulator's `--faults METHOD=after:CODE:RATE`): Google
// carried the call out, and a 503, a 504 or a reset connection reached the tool instead of the
// answer. A version is never added twice, a create that meets ALREADY_EXISTS adopts what it made,
// and reads are retried on INTERNAL and ABORTED as on UNAVAILABLE.
import { describe, expect, it } from 'vitest';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ServicesClient } from '@google-cloud/run';
import { CloudBuildClient } from '@google-cloud/cloudbuild';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, TRANSPORTS } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clientOptions } from './emulator/clients.js';
import type { RunningEmulator } from '../src/emulator/index.js';

const SECRET_IDS = ['atlantis-vcs-token', 'atlantis-webhook-secret', 'atlantis-web-password'];

async function versionCounts(emu: RunningEmulator): Promise<Record<string, number>> {
  const client = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
  const counts: Record<string, number> = {};
  for (const id of SECRET_IDS) {
    const [versions] = await client.listSecretVersions({ parent: `projects/my-project/secrets/${id}` });
    counts[id] = versions.length;
  }
  await client.close();
  return counts;
}

const calls = (emu: RunningEmulator, method: string) =>
  emu
    .requestLog()
    .filter((e) => e.method.endsWith(`/${method}`))
    .map((e) => e.status);

describe.each(TRANSPORTS)('replies lost after the write happened (%s)', (transport) => {
  it('adds every secret version exactly once, and adopts the service and account its lost creates made', async () => {
    const emu = await emulator({
      faults: [
        'secretmanager.AddSecretVersion=after:UNAVAILABLE:1',
        'run.CreateService=after:DEADLINE_EXCEEDED:1',
        '*CreateServiceAccount=after:RESET:1',
        'secretmanager.CreateSecret=after:RESET:1',
      ].join(','),
      seed: 1,
    });
    const dir = projectDir();
    const result = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, transport) });
    expect(result.code, result.stderr).toBe(0);
    // Each add was carried out and its reply lost; the tool found its version instead of adding again.
    expect(calls(emu, 'AddSecretVersion')).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    // The create was sent again and met the service it had made.
    expect(calls(emu, 'CreateService')).toEqual(['DEADLINE_EXCEEDED', 'ALREADY_EXISTS']);
    expect(await versionCounts(emu)).toEqual({ 'atlantis-vcs-token': 1, 'atlantis-webhook-secret': 1, 'atlantis-web-password': 1 });
    const run = new ServicesClient(clientOptions(emu, 'grpc'));
    const [service] = await run.getService({ name: 'projects/my-project/locations/europe-west1/services/atlantis' });
    expect(service.latestReadyRevision).toBeTruthy();
    await run.close();

    // And the next deploy finds nothing to do.
    const again = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env: emulatorEnv(emu, transport) });
    expect(again.code, again.stdout).toBe(0);
  });

  it('adopts the network, subnet, Memorystore and Filestore instances its lost creates made', async () => {
    const emu = await emulator({
      faults: [
        // Compute's inserts carry a request id: the retry answers the first insert's operation.
        // Seed 8 loses the first reply of each and not the second.
        'google.cloud.compute.v1.Networks/Insert=after:UNAVAILABLE:0.5',
        '*Subnetworks/Insert=after:RESET:0.5',
        'redis.CreateInstance=after:UNAVAILABLE:1',
        'file.CreateInstance=after:DEADLINE_EXCEEDED:1',
      ].join(','),
      seed: 8,
      operationDelayMs: 200,
    });
    const dir = projectDir(`${MINIMAL_CONFIG}persistence: {locks: redis, dataDir: filestore}\n`);
    const env = emulatorEnv(emu, transport);
    const result = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(calls(emu, 'Insert')).toEqual(['UNAVAILABLE', 'OK', 'UNAVAILABLE', 'OK']);
    expect(calls(emu, 'CreateInstance').sort()).toEqual(['ALREADY_EXISTS', 'ALREADY_EXISTS', 'DEADLINE_EXCEEDED', 'UNAVAILABLE']);
    const { resources } = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')) as { resources: Record<string, any> };
    expect(resources).toMatchObject({
      network: { name: 'atlantis', owned: true },
      subnet: { name: 'atlantis', owned: true },
      redis: { name: 'projects/my-project/locations/europe-west1/instances/atlantis-redis', port: 6379 },
      filestore: { name: 'projects/my-project/locations/europe-west1-b/instances/atlantis-data' },
    });
    expect(resources.redis.host).toMatch(/^10\./);
    expect(resources.filestore.ip).toMatch(/^10\./);
    const again = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(again.code, again.stdout).toBe(0);
  });

  it('follows the build its lost CreateBuild started instead of starting a second', async () => {
    const emu = await emulator({ faults: 'cloudbuild.CreateBuild=after:UNAVAILABLE:1', seed: 1 });
    const dir = projectDir(`${MINIMAL_CONFIG}image: {strategy: build, tools: {tflint: 0.64.0}}\n`);
    const result = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, transport) });
    expect(result.code, result.stderr).toBe(0);
    // Sent once; the retry found the build it had started.
    expect(calls(emu, 'CreateBuild')).toEqual(['UNAVAILABLE']);
    const client = new CloudBuildClient(clientOptions(emu, 'grpc'));
    const [builds] = await client.listBuilds(
      { parent: 'projects/my-project/locations/europe-west1', projectId: 'my-project' },
      { autoPaginate: false },
    );
    await client.close();
    expect(builds.map((b) => b.status)).toEqual(['SUCCESS']);
  });

  it('retries idempotent reads on INTERNAL and ABORTED', async () => {
    const emu = await emulator({
      faults: 'secretmanager.GetSecret=INTERNAL:0.5,run.GetService=ABORTED:0.5,*ListSecretVersions=INTERNAL:0.5,*GetIamPolicy=ABORTED:0.5',
      seed: 3,
    });
    const result = await runCli(['deploy', '-y'], { cwd: projectDir(), env: emulatorEnv(emu, transport) });
    expect(result.code, result.stderr).toBe(0);
    const failed = emu.requestLog().filter((e) => e.status === 'INTERNAL' || e.status === 'ABORTED');
    expect(failed.length).toBeGreaterThan(0);
  });
});

describe('a Google API that stays unavailable', () => {
  it('costs a bounded number of attempts per call — one retry layer, no retries around retries — and fails naming it', async () => {
    const emu = await emulator({ faults: 'secretmanager.SetIamPolicy=UNAVAILABLE:1', seed: 1 });
    const result = await runCli(['deploy', '-y'], { cwd: projectDir(), env: emulatorEnv(emu, 'grpc') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/UNAVAILABLE/);
    expect(result.stderr).not.toContain('probably a bug');
    // Each secret's policy write: 11 attempts at most (an IAM write waits out a new account's
    // propagation: 10 retries) — not multiplied by the read-modify-write around it, which retries
    // only etag conflicts (before, a persistent UNAVAILABLE cost 11 × 9 attempts here).
    const writes = emu.requestLog().filter((e) => e.method.endsWith('/SetIamPolicy') && e.method.includes('secretmanager'));
    const perSecret = new Map<string, number>();
    for (const w of writes) perSecret.set(w.resource, (perSecret.get(w.resource) ?? 0) + 1);
    expect(writes.length).toBeGreaterThan(0);
    for (const [secret, count] of perSecret) expect(count, secret).toBeLessThanOrEqual(11);
    expect(writes.every((w) => w.status === 'UNAVAILABLE')).toBe(true);
  });
});
