// Privileges that outlive the configuration: the runtime service account is the tool's own, so every
// project-level binding of it that atlantis-run.yaml does not name is drift — shown by plan and
// status, removed by deploy and destroy — whether or not a lockfile remembers adding it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from './support/fixtures.js';
import { projectsClient } from './emulator/clients.js';
import type { RunningEmulator } from '../src/emulator/index.js';

const SA = 'serviceAccount:atlantis-runtime@my-project.iam.gserviceaccount.com';
const WITH_ROLES = `${MINIMAL_CONFIG}serviceAccount:\n  roles: [roles/viewer, roles/storage.objectAdmin]\n`;
const ONLY_VIEWER = `${MINIMAL_CONFIG}serviceAccount:\n  roles: [roles/viewer]\n`;

async function rolesOfRuntimeAccount(emu: RunningEmulator): Promise<string[]> {
  const client = projectsClient(emu, 'grpc');
  const [policy] = await client.getIamPolicy({ resource: 'projects/my-project', options: { requestedPolicyVersion: 3 } });
  await client.close();
  return (policy.bindings ?? [])
    .filter((b) => b.members?.includes(SA))
    .map((b) => (b.condition ? `${b.role} if ${b.condition.title}` : b.role!))
    .sort();
}

/** Binds `role` to the runtime account out of band (the console, another tool), optionally with a condition. */
async function grantOutOfBand(emu: RunningEmulator, role: string, condition?: { title: string; expression: string }): Promise<void> {
  const client = projectsClient(emu, 'grpc');
  const [policy] = await client.getIamPolicy({ resource: 'projects/my-project', options: { requestedPolicyVersion: 3 } });
  const bindings = [...(policy.bindings ?? []), { role, members: [SA], ...(condition ? { condition } : {}) }];
  await client.setIamPolicy({ resource: 'projects/my-project', policy: { ...policy, version: 3, bindings } });
  await client.close();
}

describe('project roles of the runtime account that the configuration does not name', () => {
  it('are drift without a lockfile: plan and status show them, deploy removes them', async () => {
    const emu = await emulator();
    const dir = projectDir(WITH_ROLES);
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    expect(await rolesOfRuntimeAccount(emu)).toEqual(['roles/storage.objectAdmin', 'roles/viewer']);

    // roles/storage.objectAdmin leaves the config; the CI runner has no lockfile; someone also granted
    // roles/owner by hand, and a conditional role.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), ONLY_VIEWER);
    rmSync(path.join(dir, 'atlantis-run.lock'));
    await grantOutOfBand(emu, 'roles/owner');
    await grantOutOfBand(emu, 'roles/storage.admin', {
      title: 'tf-state',
      expression: 'resource.name.startsWith("projects/_/buckets/tf")',
    });

    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(4);
    expect(plan.stdout).toContain(
      '- IAM binding roles/storage.objectAdmin → atlantis-runtime@my-project.iam.gserviceaccount.com on projects/my-project',
    );
    expect(plan.stdout).toContain('roles/owner → atlantis-runtime');
    expect(plan.stdout).toContain('roles/storage.admin (condition "tf-state")');
    expect(plan.stdout).not.toContain('roles/viewer');

    const status = await runCli(['status', '--json'], { cwd: dir, env });
    const drift = (JSON.parse(status.stdout.trim().split('\n').at(-1)!) as { drift: { config: { resource: string; action: string }[] } })
      .drift.config;
    expect(drift.filter((d) => d.action === 'delete').map((d) => d.resource.split(' ')[0])).toEqual(
      expect.arrayContaining(['roles/storage.objectAdmin', 'roles/owner', 'roles/storage.admin']),
    );

    const calls = since(emu);
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(await rolesOfRuntimeAccount(emu)).toEqual(['roles/viewer']);
    expect(mutatingCalls(calls()).map((c) => `${c.method.split('/').pop()} ${c.resource}`)).toEqual(['SetIamPolicy projects/my-project']);

    const again = await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env });
    expect(again.code, again.stdout).toBe(0);
  });

  it('are removed by destroy, with or without a lockfile, before the account goes', async () => {
    const emu = await emulator();
    const dir = projectDir(ONLY_VIEWER);
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    await grantOutOfBand(emu, 'roles/editor');
    rmSync(path.join(dir, 'atlantis-run.lock'));
    // Even a config that names no role any more.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), MINIMAL_CONFIG);

    const destroy = await runCli(['destroy', '-y', '--json'], { cwd: dir, env });
    expect(destroy.code, destroy.stderr).toBe(0);
    const deleted = (JSON.parse(destroy.stdout.trim().split('\n').at(-1)!) as { deleted: { resource: string }[] }).deleted.map(
      (d) => d.resource.split(' ')[0],
    );
    expect(deleted).toEqual(expect.arrayContaining(['roles/viewer', 'roles/editor']));
    expect(await rolesOfRuntimeAccount(emu)).toEqual([]);
  });

  it('with no role configured, removing one needs setIamPolicy: plan warns, deploy stops before any change', async () => {
    const state = path.join(tempDir(), 'emulator.json');
    const first = await emulator({ stateFile: state });
    const dir = projectDir(MINIMAL_CONFIG);
    expect((await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(first, 'grpc') })).code).toBe(0);
    await grantOutOfBand(first, 'roles/editor');
    expect(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).not.toContain('roles/editor');
    await first.close();

    // A caller without project IAM admin (no role is configured, so preflight does not ask for it).
    const limited = await emulator({ stateFile: state, deny: ['resourcemanager.projects.setIamPolicy'] });
    const env = emulatorEnv(limited, 'grpc');
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('- IAM binding roles/editor');
    expect(plan.stderr).toContain('deploy would fail');
    const calls = since(limited);
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain('resourcemanager.projects.setIamPolicy');
    expect(deploy.stderr).toContain('roles/editor');
    expect(mutatingCalls(calls())).toEqual([]);
    await limited.close();

    const full = await emulator({ stateFile: state });
    expect((await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(full, 'grpc') })).code).toBe(0);
    expect(await rolesOfRuntimeAccount(full)).toEqual([]);
  });
});
