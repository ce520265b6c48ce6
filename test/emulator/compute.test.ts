// Compute Engine v1 networks, subnetworks and operations over REST, called the way the tool calls
// Compute: google-auth-library's authClient.request(). Also the recorded gcloud exchanges replayed,
// and the network directory other APIs use (services.networks).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { restCall } from './clients.js';
import { formatDifferences, hasRecording, loadRecording, missingRecordingNote, replayRecording } from './recordings.js';

const COMPUTE = 'compute.googleapis.com';
const URL_PREFIX = 'https://www.googleapis.com/compute/v1/';
const OPERATION_NAME = /^operation-\d{13}-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$/;

function paths(projectId: string) {
  const base = `/compute/v1/projects/${projectId}`;
  return {
    networks: `${base}/global/networks`,
    network: (name: string) => `${base}/global/networks/${name}`,
    subnetworks: (region: string) => `${base}/regions/${region}/subnetworks`,
    subnetwork: (region: string, name: string) => `${base}/regions/${region}/subnetworks/${name}`,
    globalOperation: (name: string) => `${base}/global/operations/${name}`,
    regionOperation: (region: string, name: string) => `${base}/regions/${region}/operations/${name}`,
  };
}

describe('Compute Engine networks and subnetworks', () => {
  const projectId = 'compute-test-project';
  const at = paths(projectId);
  let emulator: RunningEmulator;

  async function createNetwork(name: string, body: Record<string, unknown> = { autoCreateSubnetworks: false }) {
    const inserted = await restCall(emulator, 'POST', at.networks, { name, ...body });
    expect(inserted.status).toBe(200);
    const waited = await restCall(emulator, 'POST', `${at.globalOperation(inserted.body.name)}/wait`);
    expect(waited.body.status).toBe('DONE');
    return waited.body;
  }

  async function createSubnetwork(region: string, body: Record<string, unknown>) {
    const inserted = await restCall(emulator, 'POST', at.subnetworks(region), body);
    expect(inserted.status, JSON.stringify(inserted.body)).toBe(200);
    const waited = await restCall(emulator, 'POST', `${at.regionOperation(region, inserted.body.name)}/wait`);
    expect(waited.body.status).toBe('DONE');
    return waited.body;
  }

  beforeAll(async () => {
    emulator = await startEmulator({ operationDelayMs: 500 });
  });
  afterAll(() => emulator.close());

  test('the API starts disabled: 403 accessNotConfigured, with Google’s SERVICE_DISABLED details', async () => {
    const answer = await restCall(emulator, 'GET', at.network('default'));
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({
      code: 403,
      status: 'PERMISSION_DENIED',
      errors: [{ domain: 'usageLimits', reason: 'accessNotConfigured', extendedHelp: expect.stringContaining(COMPUTE) }],
      details: expect.arrayContaining([expect.objectContaining({ reason: 'SERVICE_DISABLED' })]),
    });
    expect(answer.body.error.message).toMatch(/^Compute Engine API has not been used in project \d+ before or it is disabled/);
    emulator.setServiceEnabled(projectId, COMPUTE);
  });

  test('an enabled project has the auto mode default network, one subnetwork per region', async () => {
    const network = await restCall(emulator, 'GET', at.network('default'));
    expect(network.status).toBe(200);
    expect(network.body).toMatchObject({
      kind: 'compute#network',
      name: 'default',
      description: 'Default network for the project',
      autoCreateSubnetworks: true,
      selfLink: `${URL_PREFIX}projects/${projectId}/global/networks/default`,
      networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
    });
    expect(network.body.subnetworks).toContain(`${URL_PREFIX}projects/${projectId}/regions/us-central1/subnetworks/default`);
    const subnetwork = await restCall(emulator, 'GET', at.subnetwork('europe-west1', 'default'));
    expect(subnetwork.body).toMatchObject({ ipCidrRange: '10.132.0.0/20', gatewayAddress: '10.132.0.1' });
  });

  test('networks.insert answers a RUNNING compute#operation; wait returns it DONE; the network then reads as Google’s', async () => {
    const inserted = await restCall(emulator, 'POST', at.networks, {
      name: 'atlantis',
      autoCreateSubnetworks: false,
      description: 'Atlantis VPC',
      routingConfig: { routingMode: 'REGIONAL' },
    });
    expect(inserted.status).toBe(200);
    expect(inserted.body).toEqual({
      kind: 'compute#operation',
      id: expect.stringMatching(/^\d{19}$/),
      name: expect.stringMatching(OPERATION_NAME),
      operationType: 'insert',
      targetLink: `${URL_PREFIX}projects/${projectId}/global/networks/atlantis`,
      targetId: expect.stringMatching(/^\d{19}$/),
      status: 'RUNNING',
      user: 'user@example.com',
      progress: 0,
      insertTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[78]:00$/),
      startTime: expect.any(String),
      selfLink: `${URL_PREFIX}projects/${projectId}/global/operations/${inserted.body.name}`,
    });
    const polled = await restCall(emulator, 'GET', at.globalOperation(inserted.body.name));
    expect(polled.body.status).toBe('RUNNING');
    const waited = await restCall(emulator, 'POST', `${at.globalOperation(inserted.body.name)}/wait`);
    expect(waited.body).toMatchObject({ status: 'DONE', progress: 100, endTime: expect.any(String), targetId: inserted.body.targetId });

    const network = await restCall(emulator, 'GET', at.network('atlantis'));
    expect(network.body).toEqual({
      kind: 'compute#network',
      id: inserted.body.targetId,
      creationTimestamp: expect.any(String),
      name: 'atlantis',
      description: 'Atlantis VPC',
      selfLink: `${URL_PREFIX}projects/${projectId}/global/networks/atlantis`,
      selfLinkWithId: `${URL_PREFIX}projects/${projectId}/global/networks/${inserted.body.targetId}`,
      autoCreateSubnetworks: false,
      routingConfig: { bgpBestPathSelectionMode: 'LEGACY', routingMode: 'REGIONAL' },
      networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
    });
  });

  test('Compute’s error body: a code, a message and errors[{domain, reason, message}], no status', async () => {
    const missing = await restCall(emulator, 'GET', at.network('nope'));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: {
        code: 404,
        message: `The resource 'projects/${projectId}/global/networks/nope' was not found`,
        errors: [
          { message: `The resource 'projects/${projectId}/global/networks/nope' was not found`, domain: 'global', reason: 'notFound' },
        ],
      },
    });
    const duplicate = await restCall(emulator, 'POST', at.networks, { name: 'atlantis', autoCreateSubnetworks: false });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.errors[0]).toMatchObject({
      reason: 'alreadyExists',
      message: `The resource 'projects/${projectId}/global/networks/atlantis' already exists`,
    });
    const badName = await restCall(emulator, 'POST', at.networks, { name: 'Bad_Name', autoCreateSubnetworks: false });
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toBe(
      "Invalid value for field 'resource.name': 'Bad_Name'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
    );
    expect(badName.body.error.errors[0].reason).toBe('invalid');
    const unknown = await restCall(emulator, 'POST', at.networks, { name: 'x1', autoCreateSubnetworks: false, colour: 'blue' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(`Invalid JSON payload received. Unknown name "colour" at 'resource': Cannot find field.`);
    const legacy = await restCall(emulator, 'POST', at.networks, { name: 'legacy' });
    expect(legacy.status).toBe(400);
    expect(legacy.body.error.message).toMatch(/^Invalid value for field 'resource.autoCreateSubnetworks'/);
  });

  test('a subnetwork of a network still being created is refused: resourceNotReady', async () => {
    const inserted = await restCall(emulator, 'POST', at.networks, { name: 'slow-net', autoCreateSubnetworks: false });
    const early = await restCall(emulator, 'POST', at.subnetworks('us-central1'), {
      name: 'slow-subnet',
      network: `projects/${projectId}/global/networks/slow-net`,
      ipCidrRange: '10.50.0.0/24',
    });
    expect(early.status).toBe(400);
    expect(early.body.error.errors[0]).toMatchObject({
      reason: 'resourceNotReady',
      message: `The resource 'projects/${projectId}/global/networks/slow-net' is not ready`,
    });
    await restCall(emulator, 'POST', `${at.globalOperation(inserted.body.name)}/wait`);
    await createSubnetwork('us-central1', {
      name: 'slow-subnet',
      network: `projects/${projectId}/global/networks/slow-net`,
      ipCidrRange: '10.50.0.0/24',
    });
  });

  test('subnetworks.insert: a regional operation; the subnetwork reads as Google’s, with the network URL forms accepted', async () => {
    const operation = await createSubnetwork('us-central1', {
      name: 'atlantis-run',
      network: `https://compute.googleapis.com/compute/v1/projects/${projectId}/global/networks/atlantis`,
      ipCidrRange: '10.8.0.0/26',
      privateIpGoogleAccess: true,
    });
    expect(operation).toMatchObject({
      kind: 'compute#operation',
      operationType: 'insert',
      region: `${URL_PREFIX}projects/${projectId}/regions/us-central1`,
      selfLink: `${URL_PREFIX}projects/${projectId}/regions/us-central1/operations/${operation.name}`,
      targetLink: `${URL_PREFIX}projects/${projectId}/regions/us-central1/subnetworks/atlantis-run`,
    });
    const subnetwork = await restCall(emulator, 'GET', at.subnetwork('us-central1', 'atlantis-run'));
    expect(subnetwork.body).toEqual({
      kind: 'compute#subnetwork',
      id: operation.targetId,
      creationTimestamp: expect.any(String),
      name: 'atlantis-run',
      network: `${URL_PREFIX}projects/${projectId}/global/networks/atlantis`,
      ipCidrRange: '10.8.0.0/26',
      gatewayAddress: '10.8.0.1',
      region: `${URL_PREFIX}projects/${projectId}/regions/us-central1`,
      selfLink: `${URL_PREFIX}projects/${projectId}/regions/us-central1/subnetworks/atlantis-run`,
      privateIpGoogleAccess: true,
      privateIpv6GoogleAccess: 'DISABLE_GOOGLE_ACCESS',
      fingerprint: expect.stringMatching(/^[A-Za-z0-9+/]{11}=$/),
      purpose: 'PRIVATE',
      stackType: 'IPV4_ONLY',
      state: 'READY',
    });
    await createSubnetwork('europe-west1', { name: 'eu-subnet', network: 'global/networks/atlantis', ipCidrRange: '10.9.0.0/24' });
    await createSubnetwork('europe-west1', {
      name: 'eu-subnet-2',
      network: `projects/${projectId}/global/networks/atlantis`,
      ipCidrRange: '10.9.1.0/24',
    });
    const network = await restCall(emulator, 'GET', at.network('atlantis'));
    expect(network.body.subnetworks).toEqual([
      `${URL_PREFIX}projects/${projectId}/regions/europe-west1/subnetworks/eu-subnet`,
      `${URL_PREFIX}projects/${projectId}/regions/europe-west1/subnetworks/eu-subnet-2`,
      `${URL_PREFIX}projects/${projectId}/regions/us-central1/subnetworks/atlantis-run`,
    ]);
  });

  test('ipCidrRange and network are checked as Compute does', async () => {
    const insert = (body: Record<string, unknown>) =>
      restCall(emulator, 'POST', at.subnetworks('us-east1'), { name: 'check', network: 'global/networks/atlantis', ...body });
    const overlap = await insert({ ipCidrRange: '10.8.0.32/27' });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.message).toBe(
      "Invalid value for field 'resource.ipCidrRange': '10.8.0.32/27'. Invalid IPCidrRange: 10.8.0.32/27 conflicts with existing subnetwork 'atlantis-run' in region 'us-central1'.",
    );
    expect(overlap.body.error.errors[0].reason).toBe('invalid');
    for (const range of ['10.8.1.0/30', '10.8.1.1/24', 'ten/8', '127.0.0.0/24']) {
      const answer = await insert({ ipCidrRange: range });
      expect(answer.status, range).toBe(400);
      expect(answer.body.error.message, range).toMatch(
        new RegExp(`^Invalid value for field 'resource.ipCidrRange': '${range.replace(/\./g, '\\.')}'`),
      );
    }
    const missingRange = await insert({});
    expect(missingRange.body.error).toMatchObject({ message: "Required field 'resource.ipCidrRange' not specified" });
    const bareName = await insert({ network: 'atlantis', ipCidrRange: '10.70.0.0/24' });
    expect(bareName.body.error.message).toBe("Invalid value for field 'resource.network': 'atlantis'. The URL is malformed.");
    const noNetwork = await insert({ network: 'global/networks/absent', ipCidrRange: '10.70.0.0/24' });
    expect(noNetwork.body.error.message).toBe(
      "Invalid value for field 'resource.network': 'global/networks/absent'. The referenced network resource cannot be found.",
    );
    const autoMode = await restCall(emulator, 'POST', at.subnetworks('us-east1'), {
      name: 'extra',
      network: 'global/networks/default',
      ipCidrRange: '10.200.0.0/16',
    });
    expect(autoMode.body.error.message).toBe(
      "Invalid value for field 'resource.ipCidrRange': '10.200.0.0/16'. Extended subnetworks in auto subnet mode networks cannot overlap with 10.128.0.0/9.",
    );
    const unknownRegion = await restCall(emulator, 'GET', at.subnetwork('moon-west1', 'x'));
    expect(unknownRegion.status).toBe(404);
    expect(unknownRegion.body.error.message).toBe(`The resource 'projects/${projectId}/regions/moon-west1' was not found`);
  });

  test('deleting a network still in use ends its operation with RESOURCE_IN_USE_BY_ANOTHER_RESOURCE', async () => {
    const deleted = await restCall(emulator, 'DELETE', at.network('atlantis'));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ operationType: 'delete', status: 'RUNNING' });
    const waited = await restCall(emulator, 'POST', `${at.globalOperation(deleted.body.name)}/wait`);
    expect(waited.body).toMatchObject({
      status: 'DONE',
      error: {
        errors: [
          {
            code: 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
            message: `The network resource 'projects/${projectId}/global/networks/atlantis' is already being used by 'projects/${projectId}/regions/europe-west1/subnetworks/eu-subnet'`,
          },
        ],
      },
      httpErrorStatusCode: 400,
      httpErrorMessage: 'BAD REQUEST',
    });
    expect((await restCall(emulator, 'GET', at.network('atlantis'))).status).toBe(200);
  });

  test('subnetworks, then the network, delete; an auto subnetwork cannot be deleted on its own', async () => {
    for (const [region, name] of [
      ['europe-west1', 'eu-subnet'],
      ['europe-west1', 'eu-subnet-2'],
      ['us-central1', 'atlantis-run'],
    ]) {
      const deleted = await restCall(emulator, 'DELETE', at.subnetwork(region, name));
      expect(deleted.body).toMatchObject({ operationType: 'delete', region: `${URL_PREFIX}projects/${projectId}/regions/${region}` });
      const polled = await restCall(emulator, 'POST', `${at.regionOperation(region, deleted.body.name)}/wait`);
      expect(polled.body.error).toBeUndefined();
    }
    const deleted = await restCall(emulator, 'DELETE', at.network('atlantis'));
    const waited = await restCall(emulator, 'POST', `${at.globalOperation(deleted.body.name)}/wait`);
    expect(waited.body.error).toBeUndefined();
    expect((await restCall(emulator, 'GET', at.network('atlantis'))).status).toBe(404);

    const auto = await restCall(emulator, 'DELETE', at.subnetwork('us-central1', 'default'));
    expect(auto.status).toBe(400);
    expect(auto.body.error.message).toBe("Invalid resource usage: 'Cannot delete auto subnetwork from an auto subnet mode network.'.");
  });

  test('a repeated requestId answers the first operation and acts once', async () => {
    const requestId = '8b1a9953-c461-4296-b7f3-4e0c8a2d5c71';
    const first = await restCall(emulator, 'POST', `${at.networks}?requestId=${requestId}`, { name: 'once', autoCreateSubnetworks: false });
    const second = await restCall(emulator, 'POST', `${at.networks}?requestId=${requestId}`, {
      name: 'once',
      autoCreateSubnetworks: false,
    });
    expect(second.status).toBe(200);
    expect(second.body.name).toBe(first.body.name);
    expect(second.body.clientOperationId).toBe(requestId);
  });

  test('list: items, maxResults pages, and a name filter', async () => {
    await createNetwork('list-a');
    await createNetwork('list-b');
    const all = await restCall(emulator, 'GET', at.networks);
    expect(all.body).toMatchObject({
      kind: 'compute#networkList',
      id: `projects/${projectId}/global/networks`,
      selfLink: `${URL_PREFIX}projects/${projectId}/global/networks`,
    });
    const names = all.body.items.map((item: { name: string }) => item.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'list-a', 'list-b']));
    const first = await restCall(emulator, 'GET', `${at.networks}?maxResults=1`);
    expect(first.body.items).toHaveLength(1);
    const next = await restCall(emulator, 'GET', `${at.networks}?maxResults=1&pageToken=${first.body.nextPageToken}`);
    expect(next.body.items[0].name).not.toBe(first.body.items[0].name);
    const filtered = await restCall(emulator, 'GET', `${at.networks}?filter=${encodeURIComponent('name = "list-b"')}`);
    expect(filtered.body.items.map((item: { name: string }) => item.name)).toEqual(['list-b']);
    const regex = await restCall(emulator, 'GET', `${at.networks}?filter=${encodeURIComponent('name eq list-.*')}`);
    expect(regex.body.items).toHaveLength(2);
    const subnetworks = await restCall(emulator, 'GET', at.subnetworks('us-central1'));
    expect(subnetworks.body).toMatchObject({ kind: 'compute#subnetworkList', id: `projects/${projectId}/regions/us-central1/subnetworks` });
  });

  test('unknown operations are 404; the request log names Compute’s RPCs, polling is not mutating', async () => {
    const missing = await restCall(emulator, 'GET', at.globalOperation('operation-1-abc'));
    expect(missing.status).toBe(404);
    const methods = emulator
      .requestLog()
      .filter((entry) => entry.api === COMPUTE)
      .map((entry) => `${entry.method}:${entry.mutating}`);
    expect(methods).toEqual(
      expect.arrayContaining([
        'google.cloud.compute.v1.Networks/Insert:true',
        'google.cloud.compute.v1.Networks/Get:false',
        'google.cloud.compute.v1.Subnetworks/Delete:true',
        'google.cloud.compute.v1.GlobalOperations/Wait:false',
        'google.cloud.compute.v1.RegionOperations/Wait:false',
      ]),
    );
  });
});

describe('Compute Engine: --deny, faults, state', () => {
  test('--deny answers Compute’s 403 wording', async () => {
    const emulator = await startEmulator({ deny: ['compute.networks.create'] });
    try {
      emulator.setServiceEnabled('compute-deny-project', COMPUTE);
      const answer = await restCall(emulator, 'POST', paths('compute-deny-project').networks, {
        name: 'vpc',
        autoCreateSubnetworks: false,
      });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toEqual({
        code: 403,
        message: "Required 'compute.networks.create' permission for 'projects/compute-deny-project/global/networks/vpc'",
        errors: [
          {
            message: "Required 'compute.networks.create' permission for 'projects/compute-deny-project/global/networks/vpc'",
            domain: 'global',
            reason: 'forbidden',
          },
        ],
      });
    } finally {
      await emulator.close();
    }
  });

  test('faults match the full RPC name', async () => {
    const emulator = await startEmulator({ faults: 'google.cloud.compute.v1.Subnetworks/Insert=UNAVAILABLE:1' });
    try {
      emulator.setServiceEnabled('compute-fault-project', COMPUTE);
      const at = paths('compute-fault-project');
      expect((await restCall(emulator, 'POST', at.networks, { name: 'vpc', autoCreateSubnetworks: false })).status).toBe(200);
      const failed = await restCall(emulator, 'POST', at.subnetworks('us-central1'), {
        name: 's',
        network: 'global/networks/vpc',
        ipCidrRange: '10.0.0.0/24',
      });
      expect(failed.status).toBe(503);
      expect(failed.body.error.errors[0].reason).toBe('backendError');
    } finally {
      await emulator.close();
    }
  });

  test('the default network, once deleted, stays deleted', async () => {
    const emulator = await startEmulator();
    try {
      emulator.setServiceEnabled('compute-nodefault', COMPUTE);
      const at = paths('compute-nodefault');
      const deleted = await restCall(emulator, 'DELETE', at.network('default'));
      const waited = await restCall(emulator, 'POST', `${at.globalOperation(deleted.body.name)}/wait`);
      expect(waited.body.error).toBeUndefined();
      expect((await restCall(emulator, 'GET', at.network('default'))).status).toBe(404);
      expect((await restCall(emulator, 'GET', at.subnetwork('us-central1', 'default'))).status).toBe(404);
      let found: unknown = 'not looked up';
      emulator.mutate((services) => {
        found = services.networks.network('compute-nodefault', 'default');
      });
      expect(found).toBeUndefined();
    } finally {
      await emulator.close();
    }
  });
});

describe('recorded gcloud compute exchanges replayed against the emulator', () => {
  test('compute-subnetwork-gcloud: network and subnetwork create, wait, describe, delete', async ({ skip }) => {
    skip(!hasRecording('compute-subnetwork-gcloud.http.log'), missingRecordingNote('compute-subnetwork-gcloud.http.log'));
    const emulator = await startEmulator({ operationDelayMs: 50 });
    try {
      const projectId = 'compute-rec-gcloud';
      emulator.setServiceEnabled(projectId, COMPUTE);
      const results = await replayRecording(loadRecording('compute-subnetwork-gcloud.http.log'), {
        baseUrl: `http://127.0.0.1:${emulator.port}`,
        vars: { projectId, networkID: 'test-nw-rec1', subnetworkID: 'test-sn-rec1' },
        // The recorder's log replaced every numeric id by zeros or by the resource's name (see the README).
        ignore: () => ['id', 'targetId', 'selfLinkWithId', 'fingerprint'],
      });
      expect(formatDifferences(results)).toBe('');
      expect(results.filter((result) => !result.skipped)).toHaveLength(10);
    } finally {
      await emulator.close();
    }
  });
});

describe('the network APIs across an emulator restart (--state FILE)', () => {
  test('pending Compute, Memorystore and Filestore operations finish on schedule in the next emulator', async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'emu-network-state-'));
    const stateFile = path.join(scratch, 'emulator.json');
    const projectId = 'network-state-project';
    const at = paths(projectId);
    const first = await startEmulator({ stateFile, operationDelayMs: 1200 });
    let networkOperation: string;
    let redisOperation: string;
    try {
      for (const api of [COMPUTE, 'redis.googleapis.com']) first.setServiceEnabled(projectId, api);
      const inserted = await restCall(first, 'POST', at.networks, { name: 'kept', autoCreateSubnetworks: false });
      networkOperation = inserted.body.name;
      const created = await restCall(first, 'POST', `/v1/projects/${projectId}/locations/us-central1/instances?instanceId=kept`, {
        tier: 'BASIC',
        memorySizeGb: 1,
        authEnabled: true,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      redisOperation = created.body.name;
    } finally {
      await first.close();
    }
    const second = await startEmulator({ stateFile });
    try {
      const pending = await restCall(second, 'GET', at.globalOperation(networkOperation));
      expect(pending.body.status).toBe('RUNNING');
      const done = await restCall(second, 'POST', `${at.globalOperation(networkOperation)}/wait`);
      expect(done.body.status).toBe('DONE');
      expect((await restCall(second, 'GET', at.network('kept'))).status).toBe(200);
      // Created a moment after the network's, the Memorystore operation is due a moment later.
      let operation = await restCall(second, 'GET', `/v1/${redisOperation}`);
      for (let attempt = 0; attempt < 100 && !operation.body.done; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        operation = await restCall(second, 'GET', `/v1/${redisOperation}`);
      }
      expect(operation.body.done).toBe(true);
      const instance = await restCall(second, 'GET', `/v1/projects/${projectId}/locations/us-central1/instances/kept`);
      expect(instance.body).toMatchObject({ state: 'READY', authorizedNetwork: `projects/${projectId}/global/networks/default` });
      const auth = await restCall(second, 'GET', `/v1/projects/${projectId}/locations/us-central1/instances/kept/authString`);
      expect(auth.body.authString).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await second.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
