// Resource Manager through the real @google-cloud/resource-manager client (v3, gRPC and REST),
// the v1 REST surface gcloud uses, and the shared IAM policy rules.
import type { ProjectsClient } from '@google-cloud/resource-manager';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { failureOf, grpcCodeOf, messageOf, projectsClient, restCall, TRANSPORTS } from './clients.js';

/** Creates a service account through the IAM REST API, enabling IAM first. */
async function createServiceAccount(emulator: RunningEmulator, projectId: string, accountId: string): Promise<string> {
  emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
  const answer = await restCall(emulator, 'POST', `/v1/projects/${projectId}/serviceAccounts`, { accountId, serviceAccount: {} });
  expect(answer.status).toBe(200);
  return answer.body.email as string;
}

describe.each(TRANSPORTS)('Resource Manager v3 over %s', (transport) => {
  const projectId = `crm-${transport}-project`;
  let emulator: RunningEmulator;
  let client: ProjectsClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = projectsClient(emulator, transport);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('GetProject by id or number answers with the stable project number', async () => {
    const number = emulator.projectNumber(projectId);
    expect(number).toMatch(/^[1-9]\d{11}$/);
    const [byId] = await client.getProject({ name: `projects/${projectId}` });
    expect(byId).toMatchObject({ name: `projects/${number}`, projectId, state: 'ACTIVE', displayName: projectId });
    expect(Number(byId.createTime?.seconds)).toBeGreaterThan(0);
    expect(byId.etag).not.toBe('');
    const [byNumber] = await client.getProject({ name: `projects/${number}` });
    expect(byNumber.projectId).toBe(projectId);
  });

  test('PUT /v1/projects/ID (projects.update) changes the display name and labels that GetProject then shows', async () => {
    const [before] = await client.getProject({ name: `projects/${projectId}` });
    const v1 = await restCall(emulator, 'GET', `/v1/projects/${projectId}`);
    // As gcloud does it: read the v1 project, change it, PUT the whole of it back (output fields included).
    const updated = await restCall(emulator, 'PUT', `/v1/projects/${projectId}`, {
      ...v1.body,
      name: 'Atlantis Ops',
      labels: { team: 'platform' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ projectId, name: 'Atlantis Ops', labels: { team: 'platform' }, lifecycleState: 'ACTIVE' });
    const [after] = await client.getProject({ name: `projects/${projectId}` });
    expect(after.displayName).toBe('Atlantis Ops');
    expect(after.labels).toEqual({ team: 'platform' });
    expect(after.etag).not.toBe(before.etag);
    const invalid = await restCall(emulator, 'PUT', `/v1/projects/${projectId}`, { name: 'x', labels: { Team: 'UPPER' } });
    expect(invalid.status).toBe(400);
    const denied = await restCall(emulator, 'PUT', '/v1/projects/Not_A_Project', { name: 'Nope nope' });
    expect(denied.status).toBe(403);
  });

  test('a project that cannot exist is invisible, as at Google', async () => {
    for (const name of ['projects/Bad_Project', 'projects/999999999999']) {
      const error = await failureOf(() => client.getProject({ name }));
      expect(grpcCodeOf(error)).toBe(7);
      expect(messageOf(error)).toBe('The caller does not have permission');
    }
  });

  test('IAM policy: fresh, set with the current etag, stale etag → ABORTED', async () => {
    const resource = `projects/${projectId}`;
    const [fresh] = await client.getIamPolicy({ resource });
    expect(fresh.bindings).toEqual([]);
    expect(fresh.version).toBe(0);
    expect(Buffer.from(fresh.etag as Uint8Array).length).toBeGreaterThan(0);

    const [updated] = await client.setIamPolicy({
      resource,
      policy: {
        etag: fresh.etag,
        bindings: [
          { role: 'roles/viewer', members: ['user:ann@example.com'] },
          { role: 'roles/viewer', members: ['group:team@example.com', 'user:ann@example.com'] },
        ],
      },
    });
    expect(updated.version).toBe(1);
    expect(updated.bindings?.map((b) => [b.role, b.members])).toEqual([
      ['roles/viewer', ['user:ann@example.com', 'group:team@example.com']],
    ]);
    expect(Buffer.from(updated.etag as Uint8Array)).not.toEqual(Buffer.from(fresh.etag as Uint8Array));

    const stale = await failureOf(() =>
      client.setIamPolicy({
        resource,
        policy: { etag: fresh.etag, bindings: [{ role: 'roles/owner', members: ['user:eve@example.com'] }] },
      }),
    );
    expect(grpcCodeOf(stale)).toBe(10);
    expect(messageOf(stale)).toMatch(/^There were concurrent policy changes/);

    // Without an etag the policy is overwritten unconditionally.
    const [overwritten] = await client.setIamPolicy({
      resource,
      policy: { bindings: [{ role: 'roles/editor', members: ['user:bob@example.com'] }] },
    });
    expect(overwritten.bindings?.map((b) => b.role)).toEqual(['roles/editor']);
    const [read] = await client.getIamPolicy({ resource: `projects/${emulator.projectNumber(projectId)}` });
    expect(Buffer.from(read.etag as Uint8Array)).toEqual(Buffer.from(overwritten.etag as Uint8Array));
  });

  test('IAM policy: members must exist; service agents once their API is enabled; default accounts always', async () => {
    const resource = `projects/${projectId}`;
    const missing = `ghost-account@${projectId}.iam.gserviceaccount.com`;
    const error = await failureOf(() =>
      client.setIamPolicy({ resource, policy: { bindings: [{ role: 'roles/run.invoker', members: [`serviceAccount:${missing}`] }] } }),
    );
    expect(grpcCodeOf(error)).toBe(3);
    expect(messageOf(error)).toBe(`Service account ${missing} does not exist.`);

    const email = await createServiceAccount(emulator, projectId, 'real-account');
    // Cloud Run's service agent exists once the Cloud Run API is enabled.
    const agent = `service-${emulator.projectNumber(projectId)}@serverless-robot-prod.iam.gserviceaccount.com`;
    const early = await failureOf(() =>
      client.setIamPolicy({ resource, policy: { bindings: [{ role: 'roles/run.invoker', members: [`serviceAccount:${agent}`] }] } }),
    );
    expect(messageOf(early)).toBe(`Service account ${agent} does not exist.`);
    emulator.setServiceEnabled(projectId, 'run.googleapis.com');
    const compute = `${emulator.projectNumber(projectId)}-compute@developer.gserviceaccount.com`;
    const [policy] = await client.setIamPolicy({
      resource,
      policy: {
        bindings: [
          { role: 'roles/run.invoker', members: [`serviceAccount:${email}`, `serviceAccount:${agent}`, `serviceAccount:${compute}`] },
        ],
      },
    });
    expect(policy.bindings?.[0]?.members).toHaveLength(3);

    for (const bad of [
      { role: 'viewer', members: ['user:a@example.com'] },
      { role: 'roles/viewer', members: ['alice'] },
    ]) {
      expect(grpcCodeOf(await failureOf(() => client.setIamPolicy({ resource, policy: { bindings: [bad] } })))).toBe(3);
    }
  });

  test('testIamPermissions grants everything to the emulated caller', async () => {
    const [answer] = await client.testIamPermissions({
      resource: `projects/${projectId}`,
      permissions: ['resourcemanager.projects.get', 'run.services.create'],
    });
    expect(answer.permissions).toEqual(['resourcemanager.projects.get', 'run.services.create']);
    expect(
      grpcCodeOf(await failureOf(() => client.testIamPermissions({ resource: `projects/${projectId}`, permissions: ['nonsense'] }))),
    ).toBe(3);
  });

  test('a service account is invisible to IAM policies until --iam-propagation-delay has passed', async () => {
    const delayed = await startEmulator({ iamPropagationDelayMs: 400 });
    const delayedClient = projectsClient(delayed, transport);
    try {
      const email = await createServiceAccount(delayed, projectId, 'fresh-account');
      const policy = { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${email}`] }] };
      const error = await failureOf(() => delayedClient.setIamPolicy({ resource: `projects/${projectId}`, policy }));
      expect(grpcCodeOf(error)).toBe(3);
      expect(messageOf(error)).toBe(`Service account ${email} does not exist.`);
      await new Promise((resolve) => setTimeout(resolve, 450));
      const [accepted] = await delayedClient.setIamPolicy({ resource: `projects/${projectId}`, policy });
      expect(accepted.bindings?.[0]?.members).toEqual([`serviceAccount:${email}`]);
    } finally {
      await delayedClient.close();
      await delayed.close();
    }
  });
});

describe('Resource Manager v1 (REST, as gcloud uses it)', () => {
  const projectId = 'crm-v1-project';
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  test('GET /v1/projects/ID has the v1 shape', async () => {
    const answer = await restCall(emulator, 'GET', `/v1/projects/${projectId}?alt=json`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      projectNumber: emulator.projectNumber(projectId),
      projectId,
      lifecycleState: 'ACTIVE',
      name: projectId,
      createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const invisible = await restCall(emulator, 'GET', '/v1/projects/NOT-VALID?alt=json');
    expect(invisible.status).toBe(403);
    expect(invisible.body.error).toEqual({ code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' });
  });

  test('v1 and v3 IAM methods share one policy', async () => {
    const fresh = await restCall(emulator, 'POST', `/v1/projects/${projectId}:getIamPolicy?alt=json`, {
      options: { requestedPolicyVersion: 3 },
    });
    expect(Object.keys(fresh.body)).toEqual(['etag']);
    const set = await restCall(emulator, 'POST', `/v1/projects/${projectId}:setIamPolicy?alt=json`, {
      policy: { etag: fresh.body.etag, version: 3, bindings: [{ role: 'roles/viewer', members: ['user:ann@example.com'] }] },
      updateMask: 'bindings,etag,auditConfigs',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ version: 1, bindings: [{ role: 'roles/viewer', members: ['user:ann@example.com'] }] });

    const client = projectsClient(emulator, 'grpc');
    try {
      const [v3] = await client.getIamPolicy({ resource: `projects/${projectId}` });
      expect(Buffer.from(v3.etag as Uint8Array).toString('base64')).toBe(set.body.etag);
    } finally {
      await client.close();
    }

    const stale = await restCall(emulator, 'POST', `/v1/projects/${projectId}:setIamPolicy`, {
      policy: { etag: fresh.body.etag, bindings: [] },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.status).toBe('ABORTED');

    const tested = await restCall(emulator, 'POST', `/v1/projects/${projectId}:testIamPermissions`, {
      permissions: ['resourcemanager.projects.get'],
    });
    expect(tested.body).toEqual({ permissions: ['resourcemanager.projects.get'] });
    const unknownField = await restCall(emulator, 'POST', `/v1/projects/${projectId}:testIamPermissions`, { permission: ['x.y.z'] });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toBe('Invalid JSON payload received. Unknown name "permission": Cannot find field.');
  });
});
