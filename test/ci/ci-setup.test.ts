// `ci setup` / `ci teardown` through the CLI against the emulator: from an empty project, setup makes
// the pool, the provider restricted to one repository, the deployer, its custom role (exactly what
// the enabled phases declare) and its grants; a deploy as that deployer — an emulator whose caller
// holds exactly the role's permissions plus what roles/iam.serviceAccountUser on the runtime account
// gives — succeeds; a configuration needing more is refused by preflight until `ci setup` runs again;
// `destroy` leaves it alone; teardown removes it and a later setup undeletes instead of creating.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { denyAllExcept, type RunningEmulator } from '../../src/emulator/index.js';
import { requirementsOf } from '../../src/engine/phase.js';
import { PHASES } from '../../src/phases/index.js';
import { runCli } from '../support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since, TRANSPORTS, type Transport } from '../support/emulator.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from '../support/fixtures.js';
import { configOf } from '../support/phase-context.js';
import { restCall } from '../emulator/clients.js';

const PROJECT = 'my-project';
const DEPLOYER = `atlantis-deployer@${PROJECT}.iam.gserviceaccount.com`;
const RUNTIME = `atlantis-runtime@${PROJECT}.iam.gserviceaccount.com`;
const ROLE = `projects/${PROJECT}/roles/atlantisDeployer`;
const POOL = `projects/${PROJECT}/locations/global/workloadIdentityPools/atlantis-ci`;

function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

/** One emulated project that outlives emulators: a state file, reopened with other permissions. */
function project(transport: Transport) {
  const state = path.join(tempDir(), 'emulator-state.json');
  let current: RunningEmulator | undefined;
  return {
    /** The emulator, as an administrator (deny nothing) or as a caller holding exactly `granted`. */
    async as(granted?: string[]): Promise<{ emu: RunningEmulator; env: NodeJS.ProcessEnv }> {
      await current?.close();
      current = await emulator({ stateFile: state, ...(granted ? { deny: await denyAllExcept(granted) } : {}) });
      return { emu: current, env: emulatorEnv(current, transport) };
    },
  };
}

async function policyOf(emu: RunningEmulator, account: string): Promise<{ role: string; members: string[] }[]> {
  const answer = await restCall(emu, 'POST', `/v1/projects/${PROJECT}/serviceAccounts/${account}:getIamPolicy`, {});
  expect(answer.status).toBe(200);
  return answer.body.bindings ?? [];
}

async function customRole(emu: RunningEmulator, name = ROLE): Promise<Record<string, any>> {
  const answer = await restCall(emu, 'GET', `/v1/${name}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** What the deployer holds: its custom role's permissions and those of roles/iam.serviceAccountUser (granted on the runtime account). */
async function deployerPermissions(emu: RunningEmulator): Promise<string[]> {
  const role = await customRole(emu);
  const accountUser = await restCall(emu, 'GET', '/v1/roles/iam.serviceAccountUser');
  return [...role.includedPermissions, ...accountUser.body.includedPermissions];
}

describe.each(TRANSPORTS)('ci setup over %s', (transport) => {
  it('gives one repository a least-privilege deployer that can deploy, and follows the configuration', async () => {
    const dir = projectDir();
    const gcp = project(transport);
    let { emu, env } = await gcp.as();
    const number = emu.projectNumber(PROJECT);

    // 1. From an empty project.
    const setup = await runCli(['ci', 'setup', 'github', '--repo', 'acme/infra', '-y', '--json'], { cwd: dir, env });
    expect(setup.code, setup.stderr).toBe(0);
    const result = lastJson(setup.stdout);
    const provider = `projects/${number}/locations/global/workloadIdentityPools/atlantis-ci/providers/github`;
    const principal = `principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/atlantis-ci/attribute.repository/acme/infra`;
    const declared = requirementsOf(PHASES, await configOf()).permissions;
    expect(result).toMatchObject({
      ok: true,
      command: 'ci setup',
      system: 'github',
      repo: 'acme/infra',
      projectNumber: number,
      workloadIdentityProvider: provider,
      serviceAccount: DEPLOYER,
      principal,
      attributeCondition: "assertion.repository == 'acme/infra'",
      role: ROLE,
      permissions: declared,
      actAs: [RUNTIME],
      variables: { ATLANTIS_RUN_WORKLOAD_IDENTITY_PROVIDER: provider, ATLANTIS_RUN_SERVICE_ACCOUNT: DEPLOYER },
    });
    expect(declared).not.toContain('iam.serviceAccounts.actAs');

    // Live state: the provider admits one repository; the grants are exactly these.
    const live = await restCall(emu, 'GET', `/v1/${POOL}/providers/github`);
    expect(live.body).toMatchObject({
      state: 'ACTIVE',
      attributeCondition: "assertion.repository == 'acme/infra'",
      attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' },
      oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
    });
    expect((await customRole(emu)).includedPermissions.sort()).toEqual(declared);
    expect(await policyOf(emu, DEPLOYER)).toEqual([{ role: 'roles/iam.workloadIdentityUser', members: [principal] }]);
    expect(await policyOf(emu, RUNTIME)).toEqual([{ role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${DEPLOYER}`] }]);
    const projectPolicy = await restCall(emu, 'POST', `/v1/projects/${PROJECT}:getIamPolicy`, {});
    expect(projectPolicy.body.bindings).toEqual([{ role: ROLE, members: [`serviceAccount:${DEPLOYER}`] }]);
    for (const api of ['iam.googleapis.com', 'sts.googleapis.com', 'iamcredentials.googleapis.com']) {
      expect(emu.isServiceEnabled(PROJECT, api), api).toBe(true);
    }

    // 2. Idempotent: nothing to change, no mutating call.
    const again = since(emu);
    const second = await runCli(['ci', 'setup', 'github', '--repo', 'acme/infra', '-y', '--json'], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(lastJson(second.stdout).changes).toBe(0);
    expect(mutatingCalls(again())).toEqual([]);

    // 3. A deploy as the deployer, from the empty deployment: it holds exactly what it was given.
    const rolePermissions = (await customRole(emu)).includedPermissions as string[];
    const held = await deployerPermissions(emu);
    ({ emu, env } = await gcp.as(held));
    const deploy = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(lastJson(deploy.stdout)).toMatchObject({ ok: true, url: `https://atlantis-${number}.europe-west1.run.app` });

    // 4. Without actAs on the runtime account (the role alone), preflight refuses before any change.
    ({ emu, env } = await gcp.as(rolePermissions));
    const noActAs = since(emu);
    const refusedActAs = await runCli(['deploy', '-y'], {
      cwd: dir,
      env: { ...env, GITHUB_TOKEN: 'ghp_changedtoken0000000000000000000000000' },
    });
    expect(refusedActAs.code).toBe(1);
    expect(refusedActAs.stderr).toContain(`) may not act as ${RUNTIME} (iam.serviceAccounts.actAs on that account)`);
    expect(mutatingCalls(noActAs())).toEqual([]);

    // 5. The configuration grows (project roles for the runtime account): the role no longer suffices.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), `${MINIMAL_CONFIG}serviceAccount: {roles: [roles/storage.admin]}\n`);
    ({ emu, env } = await gcp.as(held));
    const refused = since(emu);
    const tooLittle = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(tooLittle.code).toBe(1);
    expect(tooLittle.stderr).toContain(') lacks 1 permission on project my-project: resourcemanager.projects.setIamPolicy');
    expect(tooLittle.stderr).toContain('run `ci setup` again');
    expect(mutatingCalls(refused())).toEqual([]);

    // 6. ci setup again updates the role (and nothing else); then the deployer's deploy goes through.
    ({ emu, env } = await gcp.as());
    const update = since(emu);
    const grown = await runCli(['ci', 'setup', 'github', '--repo', 'acme/infra', '-y', '--json'], { cwd: dir, env });
    expect(grown.code, grown.stderr).toBe(0);
    expect(lastJson(grown.stdout).permissions).toEqual(expect.arrayContaining(['resourcemanager.projects.setIamPolicy']));
    expect(mutatingCalls(update()).map((e) => e.method.split('/').pop())).toEqual(['UpdateRole']);
    ({ emu, env } = await gcp.as(await deployerPermissions(emu)));
    const enough = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
    expect(enough.code, enough.stderr).toBe(0);
    const bound = await restCall(emu, 'POST', `/v1/projects/${PROJECT}:getIamPolicy`, {});
    expect(bound.body.bindings).toContainEqual({ role: 'roles/storage.admin', members: [`serviceAccount:${RUNTIME}`] });
  });
});

describe('ci setup and teardown', () => {
  it('moves the grant with --repo, keeps its resources through destroy, tears down, and undeletes on the next setup', async () => {
    const dir = projectDir();
    const emu = await emulator();
    const env = emulatorEnv(emu, 'rest');
    const number = emu.projectNumber(PROJECT);
    const cli = (...args: string[]) => runCli([...args, '-y', '--json'], { cwd: dir, env });

    expect((await cli('ci', 'setup', 'github', '--repo', 'acme/infra')).code).toBe(0);
    // Another repository: the condition and the principal move; the old repository loses its grant.
    const moved = await cli('ci', 'setup', 'github', '--repo', 'acme/platform');
    expect(moved.code, moved.stderr).toBe(0);
    const prefix = `principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/atlantis-ci/attribute.repository/`;
    expect(await policyOf(emu, DEPLOYER)).toEqual([{ role: 'roles/iam.workloadIdentityUser', members: [`${prefix}acme/platform`] }]);
    expect((await restCall(emu, 'GET', `/v1/${POOL}/providers/github`)).body.attributeCondition).toBe(
      "assertion.repository == 'acme/platform'",
    );

    // GitLab beside it: its own provider (project path, audience), the same deployer; GitHub's grant stays.
    const gitlab = await cli('ci', 'setup', 'gitlab', '--repo', 'platform/terraform/live');
    expect(gitlab.code, gitlab.stderr).toBe(0);
    const gl = lastJson(gitlab.stdout);
    expect(gl).toMatchObject({ system: 'gitlab', audience: 'https://gitlab.com', serviceAccount: DEPLOYER });
    expect(gl.variables).toBeUndefined();
    expect(gl.nextSteps.join('\n')).toContain(
      `ci init gitlab --workload-identity-provider ${gl.workloadIdentityProvider} --service-account ${DEPLOYER}`,
    );
    expect((await restCall(emu, 'GET', `/v1/${POOL}/providers/gitlab`)).body).toMatchObject({
      attributeCondition: "assertion.project_path == 'platform/terraform/live'",
      oidc: { issuerUri: 'https://gitlab.com', allowedAudiences: ['https://gitlab.com'] },
    });
    const members = (await policyOf(emu, DEPLOYER))[0].members;
    expect(members.sort()).toEqual(
      [
        `${prefix}acme/platform`,
        `principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/atlantis-ci/attribute.project_path/platform/terraform/live`,
      ].sort(),
    );

    // The printed values are what ci init takes: its credential file names this provider and account.
    const repo = tempDir();
    writeFileSync(path.join(repo, 'atlantis-run.yaml'), MINIMAL_CONFIG);
    const init = await runCli(
      ['ci', 'init', 'gitlab', '--workload-identity-provider', gl.workloadIdentityProvider, '--service-account', gl.serviceAccount],
      { cwd: repo, env },
    );
    expect(init.code, init.stderr).toBe(0);
    const credentials = JSON.parse(readFileSync(path.join(repo, '.gitlab/atlantis-run-credentials.json'), 'utf8'));
    expect(credentials.audience).toBe(`//iam.googleapis.com/${gl.workloadIdentityProvider}`);
    expect(credentials.service_account_impersonation_url).toContain(`/serviceAccounts/${DEPLOYER}:generateAccessToken`);

    // destroy removes the deployment, not the CI access.
    expect((await cli('deploy')).code).toBe(0);
    const destroyed = await cli('destroy');
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect((await restCall(emu, 'GET', `/v1/${POOL}`)).body.state).toBe('ACTIVE');
    expect((await customRole(emu)).deleted).toBeUndefined();
    expect((await restCall(emu, 'GET', `/v1/projects/${PROJECT}/serviceAccounts/${DEPLOYER}`)).status).toBe(200);

    // Teardown: grants, role, deployer, both providers, the pool. The runtime account (recreated) stays.
    expect((await cli('ci', 'setup', 'github', '--repo', 'acme/platform')).code).toBe(0);
    const teardown = await cli('ci', 'teardown');
    expect(teardown.code, teardown.stderr).toBe(0);
    const deleted = lastJson(teardown.stdout).deleted as { kind: string; resource: string }[];
    expect(deleted.map((d) => d.kind).sort()).toEqual([
      'IAM binding',
      'IAM binding',
      'custom role',
      'service account',
      'workload identity pool',
      'workload identity provider',
      'workload identity provider',
    ]);
    expect((await restCall(emu, 'GET', `/v1/${POOL}`)).body.state).toBe('DELETED');
    expect((await restCall(emu, 'GET', `/v1/${POOL}/providers/gitlab`)).body.state).toBe('DELETED');
    expect((await customRole(emu)).deleted).toBe(true);
    expect((await restCall(emu, 'GET', `/v1/projects/${PROJECT}/serviceAccounts/${DEPLOYER}`)).status).toBe(404);
    expect(await policyOf(emu, RUNTIME)).toEqual([]);
    const projectPolicy = await restCall(emu, 'POST', `/v1/projects/${PROJECT}:getIamPolicy`, {});
    expect(JSON.stringify(projectPolicy.body.bindings ?? [])).not.toContain(DEPLOYER);
    const twice = await cli('ci', 'teardown');
    expect(lastJson(twice.stdout).deleted).toEqual([]);

    // Setup again: Google keeps the pool, provider and role ids after a deletion, so they are undeleted.
    const back = since(emu);
    const restored = await cli('ci', 'setup', 'github', '--repo', 'acme/platform');
    expect(restored.code, restored.stderr).toBe(0);
    const methods = mutatingCalls(back()).map((e) => e.method.split('/').pop());
    expect(methods).toEqual(
      expect.arrayContaining(['UndeleteWorkloadIdentityPool', 'UndeleteWorkloadIdentityPoolProvider', 'UndeleteRole']),
    );
    expect(methods).not.toContain('CreateWorkloadIdentityPool');
    expect(methods).not.toContain('CreateWorkloadIdentityPoolProvider');
    expect(methods).not.toContain('CreateRole');
    expect((await restCall(emu, 'GET', `/v1/${POOL}/providers/github`)).body.state).toBe('ACTIVE');
    expect((await customRole(emu)).deleted).toBeUndefined();
  });

  it('takes the next role id while Google still holds a role deleted more than 7 days ago', async () => {
    const dir = projectDir();
    const emu = await emulator();
    const env = emulatorEnv(emu, 'rest');
    const cli = (...args: string[]) => runCli([...args, '-y', '--json'], { cwd: dir, env });
    expect((await cli('ci', 'setup', 'github', '--repo', 'acme/infra')).code).toBe(0);
    expect((await cli('ci', 'teardown')).code).toBe(0);
    // Eight days later: past undelete, the id still reserved (37 days).
    emu.mutate((services) => {
      const roles = services.store.collection<{ deleteTime?: number }>('iam.roles');
      const role = roles.get(ROLE)!;
      roles.set(ROLE, { ...role, deleteTime: Date.now() - 8 * 24 * 3600 * 1000 });
    });
    const setup = await cli('ci', 'setup', 'github', '--repo', 'acme/infra');
    expect(setup.code, setup.stderr).toBe(0);
    expect(lastJson(setup.stdout).role).toBe(`${ROLE}_2`);
    const projectPolicy = await restCall(emu, 'POST', `/v1/projects/${PROJECT}:getIamPolicy`, {});
    expect(projectPolicy.body.bindings).toContainEqual({ role: `${ROLE}_2`, members: [`serviceAccount:${DEPLOYER}`] });
    // And the next run finds it again without a lockfile.
    const again = since(emu);
    rmSync(path.join(dir, 'atlantis-run.lock'));
    expect(lastJson((await cli('ci', 'setup', 'github', '--repo', 'acme/infra')).stdout).changes).toBe(0);
    expect(mutatingCalls(again())).toEqual([]);
  });

  it('refuses a bad system or repository before any call, and needs -y without a terminal', async () => {
    const dir = projectDir();
    const emu = await emulator();
    const env = emulatorEnv(emu, 'rest');
    const cases: [string[], string][] = [
      [['ci', 'setup', 'bitbucket', '--repo', 'a/b'], 'ci setup: expected github or gitlab, got "bitbucket"'],
      [['ci', 'setup', 'github'], '--repo: which repository may deploy?'],
      [['ci', 'setup', 'github', '--repo', "acme/x' || true || '"], '--repo: expected a GitHub repository OWNER/NAME'],
      [['ci', 'setup', 'github', '--repo', 'acme'], '--repo: expected a GitHub repository OWNER/NAME'],
      [['ci', 'setup', 'gitlab', '--repo', 'project'], '--repo: expected the GitLab project path'],
      [['ci', 'setup', 'github', '--repo', 'acme/infra', '--audience', 'https://x'], '--audience is for GitLab'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
    const noYes = await runCli(['ci', 'setup', 'github', '--repo', 'acme/infra'], { cwd: dir, env });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('confirmation required');
    expect(mutatingCalls(emu.requestLog())).toEqual([]);
  });
});
