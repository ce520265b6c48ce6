// The real gcloud CLI against the emulator's Compute, Memorystore and Filestore APIs (skipped only
// where gcloud is not installed): what a user rehearsing by hand would type.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { gcloudAvailable, gcloudFor, type Gcloud } from './gcloud.js';

const projectId = 'gcloud-network-project';

describe.skipIf(!gcloudAvailable())('gcloud compute networks, redis and filestore against the emulator', () => {
  let emulator: RunningEmulator;
  let gcloud: Gcloud;

  beforeAll(async () => {
    emulator = await startEmulator();
    for (const api of ['compute.googleapis.com', 'redis.googleapis.com', 'file.googleapis.com']) emulator.setServiceEnabled(projectId, api);
    gcloud = await gcloudFor(emulator, ['redis', 'file']);
    // Compute's endpoint override is its full base URL, version path included.
    const override = await gcloud.run(['config', 'set', 'api_endpoint_overrides/compute', `http://${emulator.host}/compute/v1/`]);
    expect(override.code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await gcloud?.cleanup();
    await emulator?.close();
  });

  test('gcloud compute networks create / subnets create / describe', async () => {
    const network = await gcloud.run([
      'compute',
      'networks',
      'create',
      'atlantis',
      '--subnet-mode=custom',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(network.stderr).not.toMatch(/ERROR/);
    expect(network.code).toBe(0);
    const subnet = await gcloud.run([
      'compute',
      'networks',
      'subnets',
      'create',
      'atlantis',
      '--network=atlantis',
      '--region=us-central1',
      '--range=10.8.0.0/26',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(subnet.stderr, subnet.stderr).not.toMatch(/ERROR/);
    expect(subnet.code).toBe(0);
    const described = await gcloud.run([
      'compute',
      'networks',
      'subnets',
      'describe',
      'atlantis',
      '--region=us-central1',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(described.json).toMatchObject({ name: 'atlantis', ipCidrRange: '10.8.0.0/26', gatewayAddress: '10.8.0.1' });
  });

  test('gcloud redis instances create / describe / get-auth-string', async () => {
    const created = await gcloud.run(
      [
        'redis',
        'instances',
        'create',
        'locks',
        '--region=us-central1',
        '--size=1',
        '--tier=basic',
        '--network=atlantis',
        '--enable-auth',
        '--project',
        projectId,
        '--format=json',
      ],
      { timeoutMs: 120_000 },
    );
    expect(created.stderr).not.toMatch(/ERROR/);
    expect(created.code).toBe(0);
    const described = await gcloud.run([
      'redis',
      'instances',
      'describe',
      'locks',
      '--region=us-central1',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(described.json).toMatchObject({
      name: `projects/${projectId}/locations/us-central1/instances/locks`,
      state: 'READY',
      tier: 'BASIC',
      memorySizeGb: 1,
      authEnabled: true,
      authorizedNetwork: `projects/${projectId}/global/networks/atlantis`,
    });
    const auth = await gcloud.run([
      'redis',
      'instances',
      'get-auth-string',
      'locks',
      '--region=us-central1',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(auth.code).toBe(0);
    expect(auth.json?.authString).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('gcloud filestore instances create / describe / delete', async () => {
    const created = await gcloud.run(
      [
        'filestore',
        'instances',
        'create',
        'data',
        '--zone=us-central1-b',
        '--tier=BASIC_HDD',
        '--file-share=name=atlantis,capacity=1TB',
        '--network=name=atlantis',
        '--project',
        projectId,
        '--format=json',
      ],
      { timeoutMs: 120_000 },
    );
    expect(created.stderr).not.toMatch(/ERROR/);
    expect(created.code).toBe(0);
    const described = await gcloud.run([
      'filestore',
      'instances',
      'describe',
      'data',
      '--zone=us-central1-b',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(described.json).toMatchObject({ state: 'READY', tier: 'BASIC_HDD', fileShares: [{ name: 'atlantis', capacityGb: '1024' }] });
    const small = await gcloud.run([
      'filestore',
      'instances',
      'create',
      'small',
      '--zone=us-central1-b',
      '--tier=BASIC_HDD',
      '--file-share=name=atlantis,capacity=500GB',
      '--network=name=atlantis',
      '--project',
      projectId,
    ]);
    expect(small.code).not.toBe(0);
    const deleted = await gcloud.run(
      ['filestore', 'instances', 'delete', 'data', '--zone=us-central1-b', '--project', projectId, '--quiet'],
      {
        timeoutMs: 120_000,
      },
    );
    expect(deleted.stderr).not.toMatch(/ERROR/);
    expect(deleted.code).toBe(0);
  });
});
