// The real gcloud CLI pointed at the emulator (skipped only where gcloud is not installed).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { gcloudAvailable, gcloudFor, type Gcloud } from './gcloud.js';

const projectId = 'gcloud-test-project';

describe.skipIf(!gcloudAvailable())('gcloud against the emulator', () => {
  let emulator: RunningEmulator;
  let gcloud: Gcloud;

  beforeAll(async () => {
    emulator = await startEmulator();
    gcloud = await gcloudFor(emulator, ['serviceusage', 'cloudresourcemanager', 'iam']);
  }, 120_000);
  afterAll(async () => {
    await gcloud?.cleanup();
    await emulator?.close();
  });

  test('gcloud services enable', async () => {
    const result = await gcloud.run(['services', 'enable', 'run.googleapis.com', 'iam.googleapis.com', '--project', projectId]);
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.code).toBe(0);
    expect(emulator.isServiceEnabled(projectId, 'run.googleapis.com')).toBe(true);
    expect(emulator.isServiceEnabled(projectId, 'iam.googleapis.com')).toBe(true);
    const methods = emulator.requestLog().map((entry) => entry.method);
    expect(methods).toContain('google.api.serviceusage.v1.ServiceUsage/BatchEnableServices');
    expect(emulator.requestLog().every((entry) => entry.transport === 'rest' && entry.status === 'OK')).toBe(true);
  });

  test('gcloud services disable refuses a recently enabled service without --force, as gcloud documents', async () => {
    const refused = await gcloud.run(['services', 'disable', 'iam.googleapis.com', '--project', projectId]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Provide the --force flag if you wish to force disable services\./);
    expect(refused.stderr).toMatch(/enabled in the past 3 days/);
    expect(emulator.isServiceEnabled(projectId, 'iam.googleapis.com')).toBe(true);
    const forced = await gcloud.run(['services', 'disable', 'run.googleapis.com', '--force', '--project', projectId]);
    expect(forced.stderr).not.toMatch(/ERROR/);
    expect(forced.code).toBe(0);
    expect(emulator.isServiceEnabled(projectId, 'run.googleapis.com')).toBe(false);
  });

  test('gcloud projects describe', async () => {
    const result = await gcloud.run(['projects', 'describe', projectId, '--format=json']);
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ projectId, projectNumber: emulator.projectNumber(projectId), lifecycleState: 'ACTIVE' });
  });

  test('gcloud projects update --name (a v1 PUT of the project it read)', async () => {
    const result = await gcloud.run(['projects', 'update', projectId, '--name=Atlantis Ops', '--format=json']);
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.code).toBe(0);
    const described = await gcloud.run(['projects', 'describe', projectId, '--format=json']);
    expect(described.json).toMatchObject({ projectId, name: 'Atlantis Ops', lifecycleState: 'ACTIVE' });
  });

  test('gcloud iam service-accounts create / describe', async () => {
    const created = await gcloud.run([
      'iam',
      'service-accounts',
      'create',
      'atlantis-sa',
      '--project',
      projectId,
      '--display-name',
      'Atlantis',
      '--format=json',
    ]);
    expect(created.stderr).not.toMatch(/ERROR/);
    expect(created.code).toBe(0);
    const email = `atlantis-sa@${projectId}.iam.gserviceaccount.com`;
    const described = await gcloud.run(['iam', 'service-accounts', 'describe', email, '--project', projectId, '--format=json']);
    expect(described.code).toBe(0);
    expect(described.json).toMatchObject({
      email,
      displayName: 'Atlantis',
      projectId,
      name: `projects/${projectId}/serviceAccounts/${email}`,
    });
    const account = emulator.state().collections['iam.serviceAccounts']?.[email] as { displayName?: string } | undefined;
    expect(account?.displayName).toBe('Atlantis');

    const again = await gcloud.run(['iam', 'service-accounts', 'create', 'atlantis-sa', '--project', projectId]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
  });

  test('gcloud sees SERVICE_DISABLED like at Google', async () => {
    const result = await gcloud.run(['iam', 'service-accounts', 'list', '--project', 'gcloud-other-project', '--format=json']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/has not been used in project \d+ before or it is disabled/);
  });
  test('gcloud iam workload-identity-pools create / providers create-oidc / describe', async () => {
    const pool = await gcloud.run([
      'iam',
      'workload-identity-pools',
      'create',
      'github',
      '--location=global',
      '--display-name=GitHub Actions',
      '--project',
      projectId,
    ]);
    expect(pool.stderr).toMatch(/Created workload identity pool \[github\]/);
    expect(pool.code).toBe(0);
    const described = await gcloud.run([
      'iam',
      'workload-identity-pools',
      'describe',
      'github',
      '--location=global',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(described.json).toEqual({
      name: `projects/${emulator.projectNumber(projectId)}/locations/global/workloadIdentityPools/github`,
      displayName: 'GitHub Actions',
      state: 'ACTIVE',
    });
    const provider = [
      'iam',
      'workload-identity-pools',
      'providers',
      'create-oidc',
      'atlantis-run',
      '--location=global',
      '--workload-identity-pool=github',
      '--issuer-uri=https://token.actions.githubusercontent.com',
      '--attribute-mapping=google.subject=assertion.sub,attribute.repository=assertion.repository',
      '--project',
      projectId,
    ];
    const unrestricted = await gcloud.run(provider);
    expect(unrestricted.code).not.toBe(0);
    expect(unrestricted.stderr).toMatch(/INVALID_ARGUMENT: The attribute condition must reference one of the provider's claims/);
    const restricted = await gcloud.run([...provider, "--attribute-condition=assertion.repository == 'my-org/infra'"]);
    expect(restricted.stderr).toMatch(/Created workload identity pool provider \[atlantis-run\]/);
    const read = await gcloud.run([
      'iam',
      'workload-identity-pools',
      'providers',
      'describe',
      'atlantis-run',
      '--location=global',
      '--workload-identity-pool=github',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(read.json).toMatchObject({
      attributeCondition: "assertion.repository == 'my-org/infra'",
      oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
      state: 'ACTIVE',
    });
  });

  test('gcloud iam service-accounts add-iam-policy-binding / get-iam-policy with a workload identity principalSet', async () => {
    const email = `atlantis-sa@${projectId}.iam.gserviceaccount.com`;
    const member = `principalSet://iam.googleapis.com/projects/${emulator.projectNumber(projectId)}/locations/global/workloadIdentityPools/github/attribute.repository/my-org/infra`;
    const bound = await gcloud.run([
      'iam',
      'service-accounts',
      'add-iam-policy-binding',
      email,
      '--role=roles/iam.workloadIdentityUser',
      `--member=${member}`,
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(bound.stderr).not.toMatch(/ERROR/);
    expect(bound.json?.bindings).toEqual([{ role: 'roles/iam.workloadIdentityUser', members: [member] }]);
    // Several read-modify-writes in a row: gcloud sends the etag back URL-safe, which must match.
    for (const role of ['roles/iam.serviceAccountUser', 'roles/iam.serviceAccountTokenCreator']) {
      const again = await gcloud.run([
        'iam',
        'service-accounts',
        'add-iam-policy-binding',
        email,
        `--role=${role}`,
        `--member=${member}`,
        '--project',
        projectId,
      ]);
      expect(again.code, again.stderr).toBe(0);
    }
    const policy = await gcloud.run(['iam', 'service-accounts', 'get-iam-policy', email, '--project', projectId, '--format=json']);
    expect(policy.json?.bindings.map((binding: { role: string }) => binding.role)).toEqual([
      'roles/iam.workloadIdentityUser',
      'roles/iam.serviceAccountUser',
      'roles/iam.serviceAccountTokenCreator',
    ]);
    const missing = await gcloud.run([
      'iam',
      'service-accounts',
      'get-iam-policy',
      `ghost-account@${projectId}.iam.gserviceaccount.com`,
      '--project',
      projectId,
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(
      /PERMISSION_DENIED: Permission 'iam.serviceAccounts.getIamPolicy' denied on resource \(or it may not exist\)/,
    );
  });

  test('gcloud iam service-accounts disable / enable', async () => {
    const email = `atlantis-sa@${projectId}.iam.gserviceaccount.com`;
    const disabled = await gcloud.run(['iam', 'service-accounts', 'disable', email, '--project', projectId]);
    expect(disabled.stderr).toMatch(/Disabled service account/);
    const described = await gcloud.run(['iam', 'service-accounts', 'describe', email, '--project', projectId, '--format=json']);
    expect(described.json?.disabled).toBe(true);
    const enabled = await gcloud.run(['iam', 'service-accounts', 'enable', email, '--project', projectId]);
    expect(enabled.stderr).toMatch(/Enabled service account/);
    const after = await gcloud.run(['iam', 'service-accounts', 'describe', email, '--project', projectId, '--format=json']);
    expect(after.json?.disabled).toBeUndefined();
  });

  test('gcloud iam roles create / update / describe / delete / undelete, and describe of a predefined role', async () => {
    const created = await gcloud.run([
      'iam',
      'roles',
      'create',
      'atlantisDeployer',
      '--project',
      projectId,
      '--title=Atlantis deployer',
      '--permissions=run.services.create,run.services.get,iam.serviceAccounts.actAs',
      '--stage=GA',
      '--format=json',
    ]);
    expect(created.stderr).toMatch(/Created role \[atlantisDeployer\]/);
    expect(created.json).toMatchObject({
      name: `projects/${projectId}/roles/atlantisDeployer`,
      includedPermissions: ['run.services.create', 'run.services.get', 'iam.serviceAccounts.actAs'],
      stage: 'GA',
    });
    const invalid = await gcloud.run(['iam', 'roles', 'create', 'invalidRole', '--project', projectId, '--permissions=run.services.fly']);
    expect(invalid.stderr).toMatch(/INVALID_ARGUMENT: Permission run.services.fly is not valid./);
    // gcloud asks queryTestablePermissions first and warns about permissions of disabled APIs.
    const updated = await gcloud.run([
      'iam',
      'roles',
      'update',
      'atlantisDeployer',
      '--project',
      projectId,
      '--add-permissions=secretmanager.secrets.create',
      '--format=json',
    ]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stderr).toMatch(/API is not enabled for permissions: \[secretmanager.secrets.create\]/);
    expect(updated.json?.includedPermissions).toContain('secretmanager.secrets.create');
    const deleted = await gcloud.run(['iam', 'roles', 'delete', 'atlantisDeployer', '--project', projectId, '--format=json']);
    expect(deleted.json?.deleted).toBe(true);
    const undeleted = await gcloud.run(['iam', 'roles', 'undelete', 'atlantisDeployer', '--project', projectId, '--format=json']);
    expect(undeleted.json?.deleted).toBeUndefined();
    const predefined = await gcloud.run(['iam', 'roles', 'describe', 'roles/iam.workloadIdentityUser', '--format=json']);
    expect(predefined.json).toMatchObject({ name: 'roles/iam.workloadIdentityUser', title: 'Workload Identity User', stage: 'GA' });
  });
});
