// IAM v1 service accounts over REST, called the way the tool calls them: google-auth-library's
// authClient.request().
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { restCall } from './clients.js';

const projectId = 'iam-test-project';
const base = `/v1/projects/${projectId}/serviceAccounts`;

describe('IAM service accounts', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  test('the IAM API must be enabled first', async () => {
    const answer = await restCall(emulator, 'POST', base, { accountId: 'atlantis-runner' });
    expect(answer.status).toBe(403);
    expect(answer.body.error.status).toBe('PERMISSION_DENIED');
    expect(answer.body.error.details[0]).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: 'iam.googleapis.com' } });
    emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
  });

  test('create answers with the email, name, uniqueId and oauth2ClientId', async () => {
    const answer = await restCall(emulator, 'POST', base, {
      accountId: 'atlantis-runner',
      serviceAccount: { displayName: 'Atlantis', description: 'Runs Atlantis' },
    });
    expect(answer.status).toBe(200);
    const email = `atlantis-runner@${projectId}.iam.gserviceaccount.com`;
    expect(answer.body).toEqual({
      name: `projects/${projectId}/serviceAccounts/${email}`,
      projectId,
      uniqueId: expect.stringMatching(/^1\d{20}$/),
      email,
      displayName: 'Atlantis',
      description: 'Runs Atlantis',
      etag: expect.any(String),
      oauth2ClientId: answer.body.uniqueId,
    });
  });

  test('get by project and email, by "-" and email, and by unique id', async () => {
    const email = `atlantis-runner@${projectId}.iam.gserviceaccount.com`;
    const byEmail = await restCall(emulator, 'GET', `${base}/${email}`);
    expect(byEmail.status).toBe(200);
    const byDash = await restCall(emulator, 'GET', `/v1/projects/-/serviceAccounts/${email}?alt=json`);
    expect(byDash.body).toEqual(byEmail.body);
    const byUniqueId = await restCall(emulator, 'GET', `/v1/projects/-/serviceAccounts/${byEmail.body.uniqueId}`);
    expect(byUniqueId.body.email).toBe(email);
  });

  test('an account id is checked against Google’s rules', async () => {
    for (const [accountId, message] of [
      ['short', 'The account ID "short" does not have a length between 6 and 30.'],
      ['a'.repeat(31), `The account ID "${'a'.repeat(31)}" does not have a length between 6 and 30.`],
      ['Upper-Case', 'The account ID "Upper-Case" is invalid: it must match [a-z]([-a-z0-9]*[a-z0-9]).'],
      ['ends-with-', 'The account ID "ends-with-" is invalid: it must match [a-z]([-a-z0-9]*[a-z0-9]).'],
    ] as const) {
      const answer = await restCall(emulator, 'POST', base, { accountId });
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toBe(message);
    }
  });

  test('creating an existing account → ALREADY_EXISTS (IAM errors carry the legacy errors array)', async () => {
    const answer = await restCall(emulator, 'POST', base, { accountId: 'atlantis-runner' });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toEqual({
      code: 409,
      message: `Service account atlantis-runner already exists within project projects/${projectId}.`,
      errors: [
        {
          message: `Service account atlantis-runner already exists within project projects/${projectId}.`,
          domain: 'global',
          reason: 'alreadyExists',
        },
      ],
      status: 'ALREADY_EXISTS',
    });
  });

  test('list pages through the project’s accounts', async () => {
    await restCall(emulator, 'POST', base, { accountId: 'second-account' });
    await restCall(emulator, 'POST', base, { accountId: 'third-account' });
    const first = await restCall(emulator, 'GET', `${base}?pageSize=2`);
    expect(first.body.accounts.map((a: { email: string }) => a.email.split('@')[0])).toEqual(['atlantis-runner', 'second-account']);
    const second = await restCall(emulator, 'GET', `${base}?pageSize=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body.accounts.map((a: { email: string }) => a.email.split('@')[0])).toEqual(['third-account']);
    expect(second.body.nextPageToken).toBeUndefined();
    const other = await restCall(emulator, 'GET', '/v1/projects/other-project-1/serviceAccounts');
    expect(other.status).toBe(403); // IAM not enabled there
  });

  test('patch answers the changed fields only; get shows the whole account', async () => {
    const name = `${base}/second-account@${projectId}.iam.gserviceaccount.com`;
    const patched = await restCall(emulator, 'PATCH', name, { serviceAccount: { description: 'Updated' }, updateMask: 'description' });
    expect(patched.body).toEqual({ name: name.slice(4), description: 'Updated' });
    const renamed = await restCall(emulator, 'PATCH', name, { serviceAccount: { displayName: 'Second' }, updateMask: 'display_name' });
    expect(renamed.body).toEqual({ name: name.slice(4), displayName: 'Second' });
    const read = await restCall(emulator, 'GET', name);
    expect(read.body).toMatchObject({ description: 'Updated', displayName: 'Second' });
    const noMask = await restCall(emulator, 'PATCH', name, { serviceAccount: { description: 'x' } });
    expect(noMask.status).toBe(400);
    const badMask = await restCall(emulator, 'PATCH', name, { serviceAccount: { email: 'x' }, updateMask: 'email' });
    expect(badMask.status).toBe(400);
  });

  test('delete, then get → 404 "Unknown service account"', async () => {
    const name = `/v1/projects/-/serviceAccounts/third-account@${projectId}.iam.gserviceaccount.com`;
    const deleted = await restCall(emulator, 'DELETE', name);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const gone = await restCall(emulator, 'GET', name);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({
      code: 404,
      message: 'Unknown service account',
      status: 'NOT_FOUND',
      errors: [{ reason: 'notFound' }],
    });
    expect((await restCall(emulator, 'DELETE', name)).status).toBe(404);
  });

  test('a service account has its own IAM policy (who may act as it)', async () => {
    const resource = `${base}/atlantis-runner@${projectId}.iam.gserviceaccount.com`;
    const fresh = await restCall(emulator, 'POST', `${resource}:getIamPolicy`);
    expect(Object.keys(fresh.body)).toEqual(['etag']);
    const set = await restCall(emulator, 'POST', `${resource}:setIamPolicy`, {
      policy: { etag: fresh.body.etag, bindings: [{ role: 'roles/iam.serviceAccountUser', members: ['user:deployer@example.com'] }] },
    });
    expect(set.body.bindings).toEqual([{ role: 'roles/iam.serviceAccountUser', members: ['user:deployer@example.com'] }]);
    const tested = await restCall(emulator, 'POST', `${resource}:testIamPermissions`, { permissions: ['iam.serviceAccounts.actAs'] });
    expect(tested.body).toEqual({ permissions: ['iam.serviceAccounts.actAs'] });
  });
});
