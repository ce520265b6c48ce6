// The whole journey through the CLI as a user runs it, against the project's emulator, over gRPC
// and over REST: empty project → deploy → no-op deploy → lockfile-less deploy → drift repair →
// destroy. Assertions look at the result object, the emulator's request log and live state read
// back through the real client libraries.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServicesClient } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since, TRANSPORTS } from './support/emulator.js';
import { projectDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';

const SERVICE = 'projects/my-project/locations/europe-west1/services/atlantis';

function lastJson(stdout: string): Record<string, any> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines.at(-1)!) as Record<string, any>;
}

describe.each(TRANSPORTS)('deploy journey over %s', (transport) => {
  it('takes an empty project to a running Atlantis, then converges without changes', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, transport);
    const number = emu.projectNumber('my-project');

    // 1. Fresh deploy.
    const first = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const result = lastJson(first.stdout);
    expect(result).toMatchObject({
      type: 'result',
      ok: true,
      command: 'deploy',
      url: `https://atlantis-${number}.europe-west1.run.app`,
      webhookUrl: `https://atlantis-${number}.europe-west1.run.app/events`,
    });
    expect(result.revision).toMatch(/^atlantis-/);
    expect(result.image).toMatch(/^europe-west1-docker\.pkg\.dev\/my-project\/atlantis-ghcr\/runatlantis\/atlantis@sha256:[a-f0-9]{64}$/);
    expect(result.changes).toBeGreaterThan(5);

    // Live state, through the real clients.
    const run = new ServicesClient(clientOptions(emu, transport));
    const [service] = await run.getService({ name: SERVICE });
    const container = service.template!.containers![0];
    const env0 = Object.fromEntries(container.env!.map((e) => [e.name, e]));
    expect(service.terminalCondition?.state).toBe('CONDITION_SUCCEEDED');
    expect(service.invokerIamDisabled).toBe(true);
    expect(service.template!.scaling).toMatchObject({ minInstanceCount: 1, maxInstanceCount: 1 });
    expect(container.resources?.cpuIdle).toBe(false);
    expect(env0.ATLANTIS_ATLANTIS_URL!.value).toBe(`https://atlantis-${number}.europe-west1.run.app`);
    expect(env0.ATLANTIS_GH_TOKEN!.valueSource?.secretKeyRef).toMatchObject({ version: '1' });
    const secrets = new SecretManagerServiceClient(clientOptions(emu, transport));
    for (const id of ['atlantis-vcs-token', 'atlantis-webhook-secret', 'atlantis-web-password']) {
      const [versions] = await secrets.listSecretVersions({ parent: `projects/my-project/secrets/${id}` });
      expect(
        versions.map((v) => v.name?.split('/').pop()),
        id,
      ).toEqual(['1']);
    }
    const [policy] = await secrets.getIamPolicy({ resource: 'projects/my-project/secrets/atlantis-vcs-token' });
    expect(policy.bindings).toContainEqual(
      expect.objectContaining({
        role: 'roles/secretmanager.secretAccessor',
        members: ['serviceAccount:atlantis-runtime@my-project.iam.gserviceaccount.com'],
      }),
    );

    const lockfile = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')) as Record<string, any>;
    expect(lockfile).toMatchObject({
      schemaVersion: 1,
      project: 'my-project',
      projectNumber: number,
      region: 'europe-west1',
      service: 'atlantis',
    });
    expect(lockfile.resources.service.readyRevision).toBe(result.revision);
    expect(lockfile.resources.secrets['vcs-token']).toMatchObject({ version: '1' });

    // 2. Nothing changed: zero mutating calls.
    const noop = since(emu);
    const second = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(lastJson(second.stdout).changes).toBe(0);
    expect(mutatingCalls(noop())).toEqual([]);

    // 3. A fresh CI runner: no lockfile. Still zero mutating calls, and the lockfile is rebuilt.
    rmSync(path.join(dir, 'atlantis-run.lock'));
    const fresh = since(emu);
    const third = await runCli(['deploy', '--yes', '--json'], { cwd: dir, env });
    expect(third.code, third.stderr).toBe(0);
    expect(mutatingCalls(fresh())).toEqual([]);
    const rebuilt = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')) as Record<string, any>;
    expect(rebuilt.resources.secrets['vcs-token'].version).toBe('1');
    expect(rebuilt.resources.service.readyRevision).toBe(result.revision);

    // 4. plan agrees: no changes (exit 0 with --detailed-exitcode).
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes');

    // 5. A changed token: one new version, the service pinned to it, nothing else touched.
    const rotate = since(emu);
    const changed = await runCli(['deploy', '--yes', '--json'], {
      cwd: dir,
      env: { ...env, GITHUB_TOKEN: 'ghp_rotatedtoken00000000000000000000000000' },
    });
    expect(changed.code, changed.stderr).toBe(0);
    const methods = mutatingCalls(rotate()).map((e) => e.method.split('/').pop());
    expect(methods.sort()).toEqual(['AddSecretVersion', 'UpdateService']);
    const [after] = await run.getService({ name: SERVICE });
    const tokenRef = after.template!.containers![0].env!.find((e) => e.name === 'ATLANTIS_GH_TOKEN')!.valueSource!.secretKeyRef!;
    expect(tokenRef.version).toBe('2');

    // 6. Destroy, twice.
    const destroy = await runCli(['destroy', '--yes', '--json'], { cwd: dir, env });
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(lastJson(destroy.stdout).kept).toEqual(['atlantis-vcs-token', 'atlantis-webhook-secret', 'atlantis-web-password']);
    await expect(run.getService({ name: SERVICE })).rejects.toMatchObject({});
    const again = await runCli(['destroy', '--yes', '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(lastJson(again.stdout).deleted).toEqual([]);
    await run.close();
    await secrets.close();
  });
});

describe('drift repair', () => {
  it('repairs a resource deleted or changed out of band, and only it', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const secrets = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const run = new ServicesClient(clientOptions(emu, 'grpc'));

    // Out of band: an env var changed in the service, then a binding removed (in that order: the
    // other way round the out-of-band revision could not start, exactly as on Google).
    const resource = 'projects/my-project/secrets/atlantis-web-password';
    const [service] = await run.getService({ name: SERVICE });
    const env0 = service.template!.containers![0].env!;
    const allowlist = env0.find((e) => e.name === 'ATLANTIS_REPO_ALLOWLIST')!;
    allowlist.value = 'github.com/evil/*';
    const [op] = await run.updateService({ service });
    await op.promise();
    const [policy] = await secrets.getIamPolicy({ resource });
    await secrets.setIamPolicy({ resource, policy: { ...policy, bindings: [] } });

    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.code).toBe(4);
    expect(plan.stdout).toContain('roles/secretmanager.secretAccessor');
    expect(plan.stdout).toContain('env[ATLANTIS_REPO_ALLOWLIST].value: "github.com/evil/*" → "github.com/acme/*"');

    const repair = since(emu);
    const fixed = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(fixed.code, fixed.stderr).toBe(0);
    const methods = mutatingCalls(repair()).map((e) => `${e.method.split('/').pop()} ${e.resource}`);
    expect(methods.sort()).toEqual([`SetIamPolicy ${resource}`, `UpdateService ${SERVICE}`]);
    const [repaired] = await run.getService({ name: SERVICE });
    expect(repaired.template!.containers![0].env!.find((e) => e.name === 'ATLANTIS_REPO_ALLOWLIST')!.value).toBe('github.com/acme/*');
    await run.close();
    await secrets.close();
  });
});
