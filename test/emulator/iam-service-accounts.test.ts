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

describe('IAM service accounts: enablement, policy members, service agents', () => {
  let emulator: RunningEmulator;
  let number: string;
  const email = `deployer-account@${projectId}.iam.gserviceaccount.com`;
  const account = `${base}/${email}`;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
    number = emulator.projectNumber(projectId);
    await restCall(emulator, 'POST', base, { accountId: 'deployer-account' });
  });
  afterAll(() => emulator.close());

  test(':disable and :enable answer {} and show in the account (recorded shapes)', async () => {
    const disabled = await restCall(emulator, 'POST', `${account}:disable`, {});
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({});
    expect((await restCall(emulator, 'GET', account)).body.disabled).toBe(true);
    expect((await restCall(emulator, 'POST', `/v1/projects/-/serviceAccounts/${email}:enable`, {})).body).toEqual({});
    expect((await restCall(emulator, 'GET', account)).body.disabled).toBeUndefined();
    expect((await restCall(emulator, 'POST', `${base}/ghost-account@${projectId}.iam.gserviceaccount.com:disable`, {})).status).toBe(404);
    const methods = emulator.requestLog().map((entry) => entry.method);
    expect(methods).toContain('google.iam.admin.v1.IAM/DisableServiceAccount');
    expect(methods).toContain('google.iam.admin.v1.IAM/EnableServiceAccount');
  });

  test('the IAM policy of a missing account answers PERMISSION_DENIED, as gcloud documents', async () => {
    const missing = `/v1/projects/-/serviceAccounts/ghost-account@${projectId}.iam.gserviceaccount.com`;
    const get = await restCall(emulator, 'POST', `${missing}:getIamPolicy`, {});
    expect(get.status).toBe(403);
    expect(get.body.error).toMatchObject({
      message: "Permission 'iam.serviceAccounts.getIamPolicy' denied on resource (or it may not exist).",
      status: 'PERMISSION_DENIED',
      details: [{ reason: 'IAM_PERMISSION_DENIED', metadata: { permission: 'iam.serviceAccounts.getIamPolicy' } }],
    });
    const set = await restCall(emulator, 'POST', `${missing}:setIamPolicy`, { policy: {} });
    expect(set.body.error.message).toBe("Permission 'iam.serviceAccounts.setIamPolicy' denied on resource (or it may not exist).");
  });

  test('workload identity principals must name an existing pool, by project number', async () => {
    const pool = `projects/${number}/locations/global/workloadIdentityPools/github`;
    const repository = `principalSet://iam.googleapis.com/${pool}/attribute.repository/my-org/infra`;
    const bind = (member: string) =>
      restCall(emulator, 'POST', `/v1/projects/-/serviceAccounts/${email}:setIamPolicy`, {
        policy: { bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [member] }] },
      });
    const noPool = await bind(repository);
    expect(noPool.status).toBe(400);
    expect(noPool.body.error.message).toBe(
      `Identity Pool does not exist (${pool}). Please check that you specified a valid resource name as returned in the \`name\` attribute in the configuration API.`,
    );
    const created = await restCall(
      emulator,
      'POST',
      `/v1/projects/${projectId}/locations/global/workloadIdentityPools?workloadIdentityPoolId=github`,
      {},
    );
    await restCall(emulator, 'GET', `/v1/${created.body.name}`);
    for (const member of [
      repository,
      `principal://iam.googleapis.com/${pool}/subject/repo:my-org/infra:ref:refs/heads/main`,
      `principalSet://iam.googleapis.com/${pool}/group/admins`,
      `principalSet://iam.googleapis.com/${pool}/*`,
    ]) {
      expect((await bind(member)).status, member).toBe(200);
    }
    for (const member of [
      `principalSet://iam.googleapis.com/projects/${projectId}/locations/global/workloadIdentityPools/github/*`,
      `principal://iam.googleapis.com/${pool}/attribute.repository/x`,
      `principalSet://iam.googleapis.com/${pool}/attribute.Repo/x`,
    ]) {
      const refused = await bind(member);
      expect(refused.status, member).toBe(400);
      expect(refused.body.error.message).toBe(`Invalid principal: ${member}`);
    }
    // The product's ci setup binding, read back as gcloud's get-iam-policy does (POST, requested policy version as a query parameter).
    await bind(repository);
    const read = await restCall(
      emulator,
      'POST',
      `/v1/projects/${projectId}/serviceAccounts/${email}:getIamPolicy?options.requestedPolicyVersion=3`,
    );
    expect(read.body.bindings).toEqual([{ role: 'roles/iam.workloadIdentityUser', members: [repository] }]);
  });

  test('service agents exist once their API is enabled, and not before (Google’s wording)', async () => {
    const project = `/v1/projects/${projectId}:setIamPolicy`;
    const grant = (member: string) =>
      restCall(emulator, 'POST', project, { policy: { bindings: [{ role: 'roles/run.invoker', members: [member] }] } });
    const agents = [
      [`service-${number}@serverless-robot-prod.iam.gserviceaccount.com`, 'run.googleapis.com'],
      [`service-${number}@gcp-sa-artifactregistry.iam.gserviceaccount.com`, 'artifactregistry.googleapis.com'],
      [`service-${number}@gcp-sa-cloudbuild.iam.gserviceaccount.com`, 'cloudbuild.googleapis.com'],
      [`service-${number}@compute-system.iam.gserviceaccount.com`, 'compute.googleapis.com'],
      [`service-${number}@gcp-sa-secretmanager.iam.gserviceaccount.com`, 'secretmanager.googleapis.com'],
    ] as const;
    for (const [agent, service] of agents) {
      const before = await grant(`serviceAccount:${agent}`);
      expect(before.status, agent).toBe(400);
      expect(before.body.error.message).toBe(`Service account ${agent} does not exist.`);
      emulator.setServiceEnabled(projectId, service);
      expect((await grant(`serviceAccount:${agent}`)).status, agent).toBe(200);
    }
    // An agent domain the emulator does not know, and an agent of another (unknown) project number, never exist.
    expect((await grant(`serviceAccount:service-${number}@gcp-sa-madeup.iam.gserviceaccount.com`)).status).toBe(400);
    expect((await grant('serviceAccount:service-999999999999@serverless-robot-prod.iam.gserviceaccount.com')).status).toBe(400);
    // The default compute and Cloud Build accounts are still always accepted.
    expect((await grant(`serviceAccount:${number}-compute@developer.gserviceaccount.com`)).status).toBe(200);
    expect((await grant(`serviceAccount:${number}@cloudbuild.gserviceaccount.com`)).status).toBe(200);
  });
});
