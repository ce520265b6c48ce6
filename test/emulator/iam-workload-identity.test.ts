// IAM v1 workload identity pools and OIDC providers over REST (IAM v1 has no gRPC surface for the
// tool), called as the product will call them: google-auth-library requests, operations polled at
// their own path, soft delete and undelete, Google's validation.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { restCall, type LooseJson } from './clients.js';

const projectId = 'wif-test-project';
const parent = `/v1/projects/${projectId}/locations/global`;
const GITHUB = 'https://token.actions.githubusercontent.com';
const GITHUB_MAPPING = {
  'google.subject': 'assertion.sub',
  'attribute.repository': 'assertion.repository',
  'attribute.repository_owner': 'assertion.repository_owner',
};

describe('IAM workload identity pools and providers', () => {
  let emulator: RunningEmulator;
  let number: string;

  /** Polls an operation (as the product does) until done; answers the done operation. */
  async function waitFor(operation: LooseJson): Promise<LooseJson> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const polled = await restCall(emulator, 'GET', `/v1/${operation.name}`);
      expect(polled.status).toBe(200);
      if (polled.body.done) return polled.body;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`operation ${operation.name} never finished`);
  }

  async function createPool(id: string, body: Record<string, unknown> = {}) {
    return restCall(emulator, 'POST', `${parent}/workloadIdentityPools?workloadIdentityPoolId=${id}`, body);
  }

  async function createProvider(pool: string, id: string, body: Record<string, unknown>) {
    return restCall(emulator, 'POST', `${parent}/workloadIdentityPools/${pool}/providers?workloadIdentityPoolProviderId=${id}`, body);
  }

  beforeAll(async () => {
    emulator = await startEmulator({ operationDelayMs: 30 });
    number = emulator.projectNumber(projectId);
  });
  afterAll(() => emulator.close());

  test('the APIs keyless CI needs can be enabled (IAM, IAM Credentials, Security Token Service)', async () => {
    const enable = await restCall(emulator, 'POST', `/v1/projects/${projectId}/services:batchEnable`, {
      serviceIds: ['iamcredentials.googleapis.com', 'sts.googleapis.com'],
    });
    expect(enable.status).toBe(200);
    await waitFor(enable.body);
    expect(emulator.isServiceEnabled(projectId, 'sts.googleapis.com')).toBe(true);
    expect(emulator.isServiceEnabled(projectId, 'iamcredentials.googleapis.com')).toBe(true);
  });

  test('the IAM API must be enabled', async () => {
    const answer = await createPool('github');
    expect(answer.status).toBe(403);
    expect(answer.body.error.details[0]).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: 'iam.googleapis.com' } });
    emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
  });

  test('create answers an operation named under the pool, polled until done; then the pool is ACTIVE', async () => {
    const created = await createPool('github', { displayName: 'GitHub Actions', description: 'CI pipelines' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      name: expect.stringMatching(
        new RegExp(`^projects/${number}/locations/global/workloadIdentityPools/github/operations/[a-z2-7]{23}0{9}$`),
      ),
    });
    const done = await waitFor(created.body);
    expect(done).toEqual({ name: created.body.name, done: true });
    const pool = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/github`);
    expect(pool.body).toEqual({
      name: `projects/${number}/locations/global/workloadIdentityPools/github`,
      displayName: 'GitHub Actions',
      description: 'CI pipelines',
      state: 'ACTIVE',
    });
    const byNumber = await restCall(emulator, 'GET', `/v1/projects/${number}/locations/global/workloadIdentityPools/github`);
    expect(byNumber.body).toEqual(pool.body);
  });

  test('until its create operation is done a pool is invisible, but its id is taken', async () => {
    const slow = await startEmulator({ operationDelayMs: 600_000 });
    try {
      slow.setServiceEnabled(projectId, 'iam.googleapis.com');
      const created = await restCall(slow, 'POST', `${parent}/workloadIdentityPools?workloadIdentityPoolId=pending`, {});
      expect((await restCall(slow, 'GET', `/v1/${created.body.name}`)).body).toEqual({ name: created.body.name });
      expect((await restCall(slow, 'GET', `${parent}/workloadIdentityPools/pending`)).status).toBe(404);
      expect((await restCall(slow, 'GET', `${parent}/workloadIdentityPools`)).body).toEqual({});
      expect((await restCall(slow, 'POST', `${parent}/workloadIdentityPools?workloadIdentityPoolId=pending`, {})).status).toBe(409);
    } finally {
      await slow.close();
    }
  });

  test('pool ids, reserved prefixes, locations and lengths are checked', async () => {
    for (const [id, fragment] of [
      ['abc', 'workload_identity_pool_id'],
      ['a'.repeat(33), 'workload_identity_pool_id'],
      ['Upper', 'workload_identity_pool_id'],
      ['gcp-pool', 'gcp- is reserved'],
    ] as const) {
      const answer = await createPool(id);
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toContain(fragment);
    }
    expect((await restCall(emulator, 'POST', `${parent}/workloadIdentityPools`, {})).body.error.message).toContain('is required');
    const elsewhere = await restCall(
      emulator,
      'POST',
      `/v1/projects/${projectId}/locations/europe-west1/workloadIdentityPools?workloadIdentityPoolId=eu-pool`,
      {},
    );
    expect(elsewhere.status).toBe(400);
    const longName = await createPool('long-name', { displayName: 'x'.repeat(33) });
    expect(longName.body.error.message).toBe('display name must be less than or equal to 32 characters');
    const unknown = await createPool('unknown-field', { displayNam: 'typo' });
    expect(unknown.body.error.message).toBe(
      'Invalid JSON payload received. Unknown name "displayNam" at \'workload_identity_pool\': Cannot find field.',
    );
    const duplicate = await createPool('github');
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toBe('Requested entity already exists');
  });

  test('an OIDC provider for GitHub needs an attribute condition on the token’s claims', async () => {
    const unrestricted = await createProvider('github', 'atlantis-run', {
      attributeMapping: GITHUB_MAPPING,
      oidc: { issuerUri: GITHUB },
    });
    expect(unrestricted.status).toBe(400);
    expect(unrestricted.body.error.message).toBe(
      "The attribute condition must reference one of the provider's claims. For more information, see https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines#conditions",
    );
    const trivially = await createProvider('github', 'atlantis-run', {
      attributeMapping: GITHUB_MAPPING,
      attributeCondition: 'true',
      oidc: { issuerUri: `${GITHUB}/` },
    });
    expect(trivially.status).toBe(400);

    const created = await createProvider('github', 'atlantis-run', {
      displayName: 'atlantis-run',
      attributeMapping: GITHUB_MAPPING,
      attributeCondition: "assertion.repository == 'my-org/infra'",
      oidc: { issuerUri: GITHUB },
    });
    expect(created.status).toBe(200);
    expect(created.body.name).toMatch(
      new RegExp(`^projects/${number}/locations/global/workloadIdentityPools/github/providers/atlantis-run/operations/`),
    );
    await waitFor(created.body);
    const provider = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/github/providers/atlantis-run`);
    expect(provider.body).toEqual({
      name: `projects/${number}/locations/global/workloadIdentityPools/github/providers/atlantis-run`,
      displayName: 'atlantis-run',
      state: 'ACTIVE',
      attributeMapping: GITHUB_MAPPING,
      attributeCondition: "assertion.repository == 'my-org/infra'",
      oidc: { issuerUri: GITHUB },
    });
  });

  test('GitLab.com providers must be restricted too; other issuers need no condition', async () => {
    await waitFor((await createPool('gitlab')).body);
    const gitlab = await createProvider('gitlab', 'gitlab', {
      attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.project_path': 'assertion.project_path' },
      oidc: { issuerUri: 'https://gitlab.com/', allowedAudiences: ['https://gitlab.com'] },
    });
    expect(gitlab.status).toBe(400);
    const restricted = await createProvider('gitlab', 'gitlab', {
      attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.project_path': 'assertion.project_path' },
      attributeCondition: "assertion.namespace_path.startsWith('my-group')",
      oidc: { issuerUri: 'https://gitlab.com/', allowedAudiences: ['https://gitlab.com'] },
    });
    expect(restricted.status).toBe(200);
    await waitFor(restricted.body);
    const selfHosted = await createProvider('gitlab', 'self-hosted', {
      attributeMapping: { 'google.subject': 'assertion.sub' },
      oidc: { issuerUri: 'https://gitlab.example.com' },
    });
    expect(selfHosted.status).toBe(200);
    await waitFor(selfHosted.body);
  });

  test('provider validation: issuer, audiences, mappings, CEL expressions, ids', async () => {
    const base = { attributeMapping: { 'google.subject': 'assertion.sub' }, oidc: { issuerUri: 'https://idp.example.com' } };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, oidc: { issuerUri: 'http://idp.example.com' } }, 'oidc.issuer_uri is required and must be an HTTPS URL.'],
      [{ ...base, oidc: {} }, 'oidc.issuer_uri is required and must be an HTTPS URL.'],
      [{ ...base, oidc: { issuerUri: 'https://idp.example.com', allowedAudiences: Array(11).fill('a') } }, 'at most 10 audiences'],
      [{ oidc: base.oidc }, 'attribute_mapping is required for OIDC providers'],
      [{ ...base, attributeMapping: { 'attribute.repo': 'assertion.repository' } }, 'must include a mapping to google.subject'],
      [
        { ...base, attributeMapping: { 'google.subject': 'assertion.sub', 'assertion.aud': 'assertion.aud' } },
        "Invalid mapped attribute key: assertion.aud. Custom mapped attributes must be in format 'attribute.{custom_attribute}'",
      ],
      [{ ...base, attributeMapping: { 'google.subject': 'assertion.sub && (' } }, 'is not a valid CEL expression'],
      [{ ...base, attributeMapping: { 'google.subject': 'subject' } }, "undeclared reference to 'subject'"],
      [{ ...base, attributeCondition: "attribute.repo == 'x" }, 'unterminated string'],
      [{ ...base, aws: { accountId: '123456789012' } }, 'exactly one of oidc, aws, saml or x509'],
    ];
    for (const [body, fragment] of cases) {
      const answer = await createProvider('github', 'checked', body);
      expect(answer.status, fragment).toBe(400);
      expect(answer.body.error.message).toContain(fragment);
    }
    const macro = await createProvider('github', 'macros', {
      ...base,
      attributeMapping: {
        'google.subject': "'azure::' + assertion.tid + '::' + assertion.sub",
        'attribute.team': "{'a': 'one', 'b': 'two'}[assertion.oid]",
      },
      attributeCondition: "['x', 'y'].exists(g, g in assertion.groups) && has(assertion.email)",
    });
    expect(macro.status).toBe(200);
    await waitFor(macro.body);
    expect((await createProvider('github', 'gcp-reserved', base)).body.error.message).toContain('gcp- is reserved');
    expect((await createProvider('missing-pool', 'provider', base)).status).toBe(404);
  });

  test('list: pools and providers, soft-deleted ones only with showDeleted', async () => {
    const listed = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools`);
    expect(listed.body.workloadIdentityPools.map((pool: { name: string }) => pool.name.split('/').pop())).toEqual(['github', 'gitlab']);
    const providers = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/github/providers?pageSize=1`);
    expect(providers.body.workloadIdentityPoolProviders).toHaveLength(1);
    expect(providers.body.nextPageToken).toBeTruthy();
  });

  test('patch with updateMask (camelCase as recorded, or snake_case) takes effect when its operation is done', async () => {
    const name = `${parent}/workloadIdentityPools/gitlab/providers/self-hosted`;
    const noMask = await restCall(emulator, 'PATCH', name, { displayName: 'x' });
    expect(noMask.status).toBe(400);
    const patched = await restCall(emulator, 'PATCH', `${name}?updateMask=oidc.allowedAudiences%2Coidc.issuerUri`, {
      oidc: { issuerUri: 'https://gitlab2.example.com', allowedAudiences: ['aud-1', 'aud-2'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toMatch(/\/providers\/self-hosted\/operations\//);
    await waitFor(patched.body);
    const read = await restCall(emulator, 'GET', name);
    expect(read.body.oidc).toEqual({ issuerUri: 'https://gitlab2.example.com', allowedAudiences: ['aud-1', 'aud-2'] });
    // Switching it to GitHub's issuer without a condition is refused like a create.
    const toGithub = await restCall(emulator, 'PATCH', `${name}?updateMask=oidc.issuer_uri`, { oidc: { issuerUri: GITHUB } });
    expect(toGithub.status).toBe(400);
    const toAws = await restCall(emulator, 'PATCH', `${name}?updateMask=aws`, { aws: { accountId: '123456789012' } });
    expect(toAws.status).toBe(400);
    const pool = await restCall(emulator, 'PATCH', `${parent}/workloadIdentityPools/gitlab?updateMask=display_name,disabled`, {
      displayName: 'GitLab',
      disabled: true,
    });
    await waitFor(pool.body);
    expect((await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/gitlab`)).body).toMatchObject({
      displayName: 'GitLab',
      disabled: true,
      state: 'ACTIVE',
    });
  });

  test('delete is soft: DELETED with an expireTime 30 days on, id kept, undelete restores', async () => {
    const deleted = await restCall(emulator, 'DELETE', `${parent}/workloadIdentityPools/gitlab`);
    expect(deleted.body.name).toMatch(new RegExp(`^projects/${number}/locations/global/workloadIdentityPools/gitlab/operations/`));
    await waitFor(deleted.body);
    const read = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/gitlab`);
    expect(read.body.state).toBe('DELETED');
    const days = (Date.parse(read.body.expireTime) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const active = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools`);
    expect(active.body.workloadIdentityPools.map((pool: { name: string }) => pool.name.split('/').pop())).toEqual(['github']);
    const all = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools?showDeleted=true`);
    expect(all.body.workloadIdentityPools).toHaveLength(2);
    expect((await createPool('gitlab')).status).toBe(409);
    expect((await restCall(emulator, 'PATCH', `${parent}/workloadIdentityPools/gitlab?updateMask=description`, {})).status).toBe(400);
    const undeleted = await restCall(emulator, 'POST', `${parent}/workloadIdentityPools/gitlab:undelete`, {});
    await waitFor(undeleted.body);
    expect((await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/gitlab`)).body.state).toBe('ACTIVE');
    expect((await restCall(emulator, 'POST', `${parent}/workloadIdentityPools/gitlab:undelete`, {})).status).toBe(400);
  });

  test('after 30 days a deleted pool is purged and its id can be used again', async () => {
    await waitFor((await restCall(emulator, 'DELETE', `${parent}/workloadIdentityPools/gitlab`)).body);
    emulator.mutate((services) => {
      const pool = services.store
        .collection<{ deleteTime?: number }>('iam.workloadIdentityPools')
        .get(`projects/${number}/locations/global/workloadIdentityPools/gitlab`)!;
      pool.deleteTime = Date.now() - 31 * 86_400_000;
    });
    expect((await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/gitlab`)).status).toBe(404);
    expect((await restCall(emulator, 'POST', `${parent}/workloadIdentityPools/gitlab:undelete`, {})).status).toBe(404);
    expect((await createPool('gitlab')).status).toBe(200);
  });

  test('provider delete and undelete', async () => {
    const name = `${parent}/workloadIdentityPools/github/providers/macros`;
    await waitFor((await restCall(emulator, 'DELETE', name)).body);
    expect((await restCall(emulator, 'GET', name)).body.state).toBe('DELETED');
    const listed = await restCall(emulator, 'GET', `${parent}/workloadIdentityPools/github/providers`);
    expect(listed.body.workloadIdentityPoolProviders.map((p: { name: string }) => p.name.split('/').pop())).toEqual(['atlantis-run']);
    await waitFor((await restCall(emulator, 'POST', `${name}:undelete`, {})).body);
    expect((await restCall(emulator, 'GET', name)).body.state).toBe('ACTIVE');
  });

  test('--deny applies to the pool and provider permissions', async () => {
    const denied = await startEmulator({ deny: ['iam.workloadIdentityPools.create'] });
    try {
      denied.setServiceEnabled(projectId, 'iam.googleapis.com');
      const answer = await restCall(denied, 'POST', `${parent}/workloadIdentityPools?workloadIdentityPoolId=github`, {});
      expect(answer.status).toBe(403);
      expect(answer.body.error.message).toContain("Permission 'iam.workloadIdentityPools.create' denied");
    } finally {
      await denied.close();
    }
  });

  test('operations are logged under the IAM API', () => {
    const polls = emulator.requestLog().filter((entry) => entry.resource.includes('/operations/'));
    expect(polls.length).toBeGreaterThan(0);
    expect(
      polls.every((entry) => entry.api === 'iam.googleapis.com' && entry.method === 'google.longrunning.Operations/GetOperation'),
    ).toBe(true);
  });
});
