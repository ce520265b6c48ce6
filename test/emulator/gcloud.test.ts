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
});
