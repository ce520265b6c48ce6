// Secret Manager v1 through the real @google-cloud/secret-manager client (gRPC and REST), the
// cross-API functions the Cloud Run emulator uses, the recorded Google exchanges, and gcloud.
import CRC32C from 'crc-32/crc32c.js';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canAccessSecret, secretVersionStatus } from '../../src/emulator/apis/secret-manager.js';
import { startEmulator, type EmulatorServices, type RunningEmulator } from '../../src/emulator/index.js';
import {
  clientOptions,
  errorInfoOf,
  failureOf,
  grpcCodeOf,
  messageOf,
  restCall,
  TRANSPORTS,
  type LooseJson,
  type Transport,
} from './clients.js';
import { gcloudAvailable, gcloudFor, type Gcloud } from './gcloud.js';
import { formatDifferences, loadRecording, replayRecording } from './recordings.js';

const API = 'secretmanager.googleapis.com';
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const FAILED_PRECONDITION = 9;
const ABORTED = 10;

function secretClient(emulator: RunningEmulator, transport: Transport): SecretManagerServiceClient {
  return new SecretManagerServiceClient(clientOptions(emulator, transport));
}

function crc32c(data: Buffer | string): number {
  return CRC32C.buf(Buffer.from(data)) >>> 0;
}

function text(data: Uint8Array | string | null | undefined): string {
  return Buffer.from(data ?? '').toString();
}

/** Creates a service account through the IAM REST API (enabling IAM first); returns its email. */
async function createServiceAccount(emulator: RunningEmulator, projectId: string, accountId: string): Promise<string> {
  emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
  const answer = await restCall(emulator, 'POST', `/v1/projects/${projectId}/serviceAccounts`, { accountId, serviceAccount: {} });
  expect(answer.status).toBe(200);
  return answer.body.email as string;
}

/** Runs `fn` against the emulator's services (for the exported cross-API functions). */
function withServices<T>(emulator: RunningEmulator, fn: (services: EmulatorServices) => T): T {
  let result: T | undefined;
  emulator.mutate((services) => {
    result = fn(services);
  });
  return result as T;
}

describe.each(TRANSPORTS)('Secret Manager over %s', (transport) => {
  const projectId = `sm-${transport}-project`;
  const parent = `projects/${projectId}`;
  let emulator: RunningEmulator;
  let client: SecretManagerServiceClient;
  let number: string;
  const secretName = (id: string) => `projects/${projectId}/secrets/${id}`;
  const canonical = (id: string) => `projects/${number}/secrets/${id}`;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = secretClient(emulator, transport);
    number = emulator.projectNumber(projectId);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('the Secret Manager API must be enabled first (SERVICE_DISABLED)', async () => {
    const error = await failureOf(() => client.createSecret({ parent, secretId: 'early', secret: { replication: { automatic: {} } } }));
    expect(grpcCodeOf(error)).toBe(PERMISSION_DENIED);
    expect(messageOf(error)).toMatch(new RegExp(`^Secret Manager API has not been used in project ${number} before or it is disabled`));
    expect(errorInfoOf(error)).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: API, consumer: `projects/${number}` } });
    emulator.setServiceEnabled(projectId, API);
  });

  test('CreateSecret answers with the project number, createTime, a quoted etag and the replication as given', async () => {
    const [secret] = await client.createSecret({
      parent,
      secretId: 'db-password',
      secret: { replication: { automatic: {} }, labels: { env: 'prod', team: 'infra' }, annotations: { 'owner.contact': 'ops' } },
    });
    expect(secret.name).toBe(canonical('db-password'));
    expect(secret.replication).toMatchObject({ automatic: {} });
    expect(secret.labels).toEqual({ env: 'prod', team: 'infra' });
    expect(secret.annotations).toEqual({ 'owner.contact': 'ops' });
    expect(secret.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(Number(secret.createTime?.seconds)).toBeGreaterThan(0);

    const [userManaged] = await client.createSecret({
      parent: `projects/${number}`,
      secretId: 'Api_Key-2',
      secret: { replication: { userManaged: { replicas: [{ location: 'us-central1' }, { location: 'europe-west1' }] } } },
    });
    expect(userManaged.replication?.userManaged?.replicas?.map((replica) => replica.location)).toEqual(['us-central1', 'europe-west1']);
    const [read] = await client.getSecret({ name: secretName('Api_Key-2') });
    expect(read).toEqual(userManaged);
  });

  test('secret ids follow [A-Za-z0-9_-]{1,255}', async () => {
    for (const secretId of ['bad.id', 'with space', 'a'.repeat(256), 'ünïcode', '']) {
      const error = await failureOf(() => client.createSecret({ parent, secretId, secret: { replication: { automatic: {} } } }));
      expect(grpcCodeOf(error)).toBe(INVALID_ARGUMENT);
      expect(messageOf(error)).toBe(
        `Invalid secret ID "${secretId}": a secret ID must be 1 to 255 characters and contain only letters, digits, underscores and hyphens.`,
      );
    }
    const [longest] = await client.createSecret({ parent, secretId: 'x'.repeat(255), secret: { replication: { automatic: {} } } });
    expect(longest.name).toBe(canonical('x'.repeat(255)));
  });

  test('replication is required, user-managed replication needs replicas, labels follow Google’s rules', async () => {
    const cases: Array<[object, RegExp]> = [
      [{}, /^Secret\.replication must be set/],
      [{ replication: { userManaged: { replicas: [] } } }, /must contain at least one replica/],
      [
        { replication: { userManaged: { replicas: [{ location: 'us-central1' }, { location: 'us-central1' }] } } },
        /Duplicate replica location/,
      ],
      [{ replication: { automatic: {} }, labels: { Env: 'prod' } }, /^Invalid label key "Env"/],
      [{ replication: { automatic: {} }, labels: { env: 'Prod' } }, /^Invalid label value "Prod"/],
      [{ replication: { automatic: {} }, annotations: { '-bad': 'x' } }, /^Invalid annotation key "-bad"/],
      [{ replication: { automatic: {} }, annotations: { 'example.com/owner': 'x' } }, /^Invalid annotation key "example.com\/owner"/],
      [
        {
          replication: { automatic: {} },
          rotation: { nextRotationTime: { seconds: Math.floor(Date.now() / 1000) + 7200 }, rotationPeriod: { seconds: 7200 } },
        },
        /must have at least one topic/,
      ],
    ];
    for (const [secret, message] of cases) {
      const error = await failureOf(() => client.createSecret({ parent, secretId: 'invalid-secret', secret }));
      expect(grpcCodeOf(error)).toBe(INVALID_ARGUMENT);
      expect(messageOf(error)).toMatch(message);
    }
    await expect(client.getSecret({ name: secretName('invalid-secret') })).rejects.toBeDefined();
  });

  test('creating an existing secret → ALREADY_EXISTS with Google’s text; an unknown one → NOT_FOUND', async () => {
    const exists = await failureOf(() =>
      client.createSecret({ parent, secretId: 'db-password', secret: { replication: { automatic: {} } } }),
    );
    expect(grpcCodeOf(exists)).toBe(ALREADY_EXISTS);
    expect(messageOf(exists)).toBe(`Secret [${canonical('db-password')}] already exists.`);
    const missing = await failureOf(() => client.getSecret({ name: secretName('nope') }));
    expect(grpcCodeOf(missing)).toBe(NOT_FOUND);
    expect(messageOf(missing)).toBe(`Secret [${canonical('nope')}] not found.`);
  });

  test('ListSecrets pages, and filters by label and name', async () => {
    await client.createSecret({ parent, secretId: 'web-token', secret: { replication: { automatic: {} }, labels: { env: 'dev' } } });
    const [all] = await client.listSecrets({ parent });
    expect(all.map((secret) => secret.name!.split('/').pop())).toEqual(['Api_Key-2', 'db-password', 'web-token', 'x'.repeat(255)]);

    const [firstPage, , firstResponse] = await client.listSecrets({ parent, pageSize: 3 }, { autoPaginate: false });
    expect(firstPage).toHaveLength(3);
    expect(firstResponse?.totalSize).toBe(4);
    const [secondPage, , secondResponse] = await client.listSecrets(
      { parent, pageSize: 3, pageToken: firstResponse.nextPageToken! },
      { autoPaginate: false },
    );
    expect(secondPage.map((secret) => secret.name)).toEqual([canonical('x'.repeat(255))]);
    expect(secondResponse?.nextPageToken).toBeFalsy();

    const byLabel = async (filter: string) =>
      (await client.listSecrets({ parent, filter }))[0].map((secret) => secret.name!.split('/').pop());
    expect(await byLabel('labels.env=prod')).toEqual(['db-password']);
    expect(await byLabel('labels.env:*')).toEqual(['db-password', 'web-token']);
    expect(await byLabel('labels.env=prod AND labels.team=infra')).toEqual(['db-password']);
    expect(await byLabel('labels.env=prod labels.team=nobody')).toEqual([]);
    expect(await byLabel('name:token')).toEqual(['web-token']);
    const bad = await failureOf(() => client.listSecrets({ parent, filter: 'create_time>2020 OR x' }));
    expect(grpcCodeOf(bad)).toBe(INVALID_ARGUMENT);
  });

  test('UpdateSecret needs a valid update_mask; the etag changes; a stale etag → FAILED_PRECONDITION', async () => {
    const [before] = await client.getSecret({ name: secretName('web-token') });
    const noMask = await failureOf(() => client.updateSecret({ secret: { name: secretName('web-token'), labels: { a: 'b' } } }));
    expect(grpcCodeOf(noMask)).toBe(INVALID_ARGUMENT);
    expect(messageOf(noMask)).toMatch(/update_mask/);

    const [updated] = await client.updateSecret({
      secret: { name: secretName('web-token'), labels: { env: 'staging' }, annotations: { note: 'rotated' } },
      updateMask: { paths: ['labels', 'annotations'] },
    });
    expect(updated.labels).toEqual({ env: 'staging' });
    expect(updated.annotations).toEqual({ note: 'rotated' });
    expect(updated.etag).not.toBe(before.etag);
    expect(updated.createTime).toEqual(before.createTime);

    for (const paths of [['replication'], ['no_such_field'], ['create_time']]) {
      const error = await failureOf(() =>
        client.updateSecret({ secret: { name: secretName('web-token'), replication: { automatic: {} } }, updateMask: { paths } }),
      );
      expect(grpcCodeOf(error)).toBe(INVALID_ARGUMENT);
    }
    const stale = await failureOf(() =>
      client.updateSecret({ secret: { name: secretName('web-token'), etag: before.etag, labels: {} }, updateMask: { paths: ['labels'] } }),
    );
    expect(grpcCodeOf(stale)).toBe(FAILED_PRECONDITION);
    // A path in the mask whose field is absent clears the field.
    const [cleared] = await client.updateSecret({
      secret: { name: secretName('web-token'), etag: updated.etag },
      updateMask: { paths: ['labels'] },
    });
    expect(cleared.labels).toEqual({});
    expect(cleared.annotations).toEqual({ note: 'rotated' });
  });

  test('AddSecretVersion numbers versions from 1, checks data_crc32c, and AccessSecretVersion returns the payload with its CRC32C', async () => {
    const name = secretName('db-password');
    const [v1] = await client.addSecretVersion({ parent: name, payload: { data: Buffer.from('first') } });
    expect(v1.name).toBe(`${canonical('db-password')}/versions/1`);
    expect(v1.state).toBe('ENABLED');
    expect(v1.clientSpecifiedPayloadChecksum).toBe(false);
    expect(v1.replicationStatus).toMatchObject({ automatic: {} });
    expect(v1.etag).toMatch(/^"[0-9a-f]+"$/);

    const [v2] = await client.addSecretVersion({ parent: name, payload: { data: Buffer.from('second'), dataCrc32c: crc32c('second') } });
    expect(v2.name).toBe(`${canonical('db-password')}/versions/2`);
    expect(v2.clientSpecifiedPayloadChecksum).toBe(true);

    const mismatch = await failureOf(() =>
      client.addSecretVersion({ parent: name, payload: { data: Buffer.from('third'), dataCrc32c: crc32c('thirb') } }),
    );
    expect(grpcCodeOf(mismatch)).toBe(INVALID_ARGUMENT);
    expect(messageOf(mismatch)).toBe(
      `Checksum mismatch: the data_crc32c given (${crc32c('thirb')}) does not match the CRC32C of the payload data.`,
    );
    const empty = await failureOf(() => client.addSecretVersion({ parent: name, payload: {} }));
    expect(grpcCodeOf(empty)).toBe(INVALID_ARGUMENT);

    const [v3] = await client.addSecretVersion({ parent: name, payload: { data: Buffer.from('third'), dataCrc32c: crc32c('third') } });
    expect(v3.name).toBe(`${canonical('db-password')}/versions/3`); // the rejected add used no number

    const [accessed] = await client.accessSecretVersion({ name: `${name}/versions/1` });
    expect(accessed.name).toBe(`${canonical('db-password')}/versions/1`);
    expect(text(accessed.payload?.data)).toBe('first');
    expect(Number(accessed.payload?.dataCrc32c)).toBe(crc32c('first'));

    const [latest] = await client.accessSecretVersion({ name: `${name}/versions/latest` });
    expect(latest.name).toBe(`${canonical('db-password')}/versions/3`);
    expect(text(latest.payload?.data)).toBe('third');
    const [latestMeta] = await client.getSecretVersion({ name: `${name}/versions/latest` });
    expect(latestMeta.name).toBe(`${canonical('db-password')}/versions/3`);
  });

  test('a disabled or destroyed version cannot be accessed (FAILED_PRECONDITION with Google’s text); latest is the newest whatever its state', async () => {
    const name = secretName('db-password');
    const [disabled] = await client.disableSecretVersion({ name: `${name}/versions/3` });
    expect(disabled.state).toBe('DISABLED');
    const error = await failureOf(() => client.accessSecretVersion({ name: `${name}/versions/3` }));
    expect(grpcCodeOf(error)).toBe(FAILED_PRECONDITION);
    expect(messageOf(error)).toBe(`Secret Version [${canonical('db-password')}/versions/3] is in DISABLED state.`);
    // Google's latest does not skip to an older enabled version.
    const latest = await failureOf(() => client.accessSecretVersion({ name: `${name}/versions/latest` }));
    expect(messageOf(latest)).toBe(`Secret Version [${canonical('db-password')}/versions/3] is in DISABLED state.`);

    const [enabled] = await client.enableSecretVersion({ name: `${name}/versions/3`, etag: disabled.etag });
    expect(enabled.state).toBe('ENABLED');
    expect(enabled.etag).not.toBe(disabled.etag);
    const stale = await failureOf(() => client.disableSecretVersion({ name: `${name}/versions/3`, etag: disabled.etag }));
    expect(grpcCodeOf(stale)).toBe(FAILED_PRECONDITION);

    const [destroyed] = await client.destroySecretVersion({ name: `${name}/versions/2` });
    expect(destroyed.state).toBe('DESTROYED');
    expect(Number(destroyed.destroyTime?.seconds)).toBeGreaterThan(0);
    const gone = await failureOf(() => client.accessSecretVersion({ name: `${name}/versions/2` }));
    expect(grpcCodeOf(gone)).toBe(FAILED_PRECONDITION);
    expect(messageOf(gone)).toBe(`Secret Version [${canonical('db-password')}/versions/2] is in DESTROYED state.`);
    for (const call of [
      () => client.enableSecretVersion({ name: `${name}/versions/2` }),
      () => client.destroySecretVersion({ name: `${name}/versions/2` }),
    ]) {
      expect(grpcCodeOf(await failureOf(call))).toBe(FAILED_PRECONDITION);
    }
    // Numbers are never reused.
    const [v4] = await client.addSecretVersion({ parent: name, payload: { data: Buffer.from('fourth') } });
    expect(v4.name).toBe(`${canonical('db-password')}/versions/4`);
  });

  test('ListSecretVersions lists newest first and filters by state', async () => {
    const name = secretName('db-password');
    await client.disableSecretVersion({ name: `${name}/versions/1` });
    const numbers = async (filter?: string) =>
      (await client.listSecretVersions({ parent: name, ...(filter ? { filter } : {}) }))[0].map((version) => [
        version.name!.split('/').pop(),
        version.state,
      ]);
    expect(await numbers()).toEqual([
      ['4', 'ENABLED'],
      ['3', 'ENABLED'],
      ['2', 'DESTROYED'],
      ['1', 'DISABLED'],
    ]);
    expect(await numbers('state:ENABLED')).toEqual([
      ['4', 'ENABLED'],
      ['3', 'ENABLED'],
    ]);
    expect(await numbers('state:DISABLED')).toEqual([['1', 'DISABLED']]);
    const [page, , response] = await client.listSecretVersions({ parent: name, pageSize: 3 }, { autoPaginate: false });
    expect(page).toHaveLength(3);
    expect(response?.totalSize).toBe(4);
    expect(response?.nextPageToken).toBeTruthy();
  });

  test('missing versions: NOT_FOUND with Google’s texts', async () => {
    const missing = await failureOf(() => client.getSecretVersion({ name: `${secretName('db-password')}/versions/99` }));
    expect(grpcCodeOf(missing)).toBe(NOT_FOUND);
    expect(messageOf(missing)).toBe(`Secret Version [${canonical('db-password')}/versions/99] not found.`);
    for (const id of ['web-token', 'no-such-secret']) {
      const none = await failureOf(() => client.accessSecretVersion({ name: `${secretName(id)}/versions/latest` }));
      expect(grpcCodeOf(none)).toBe(NOT_FOUND);
      expect(messageOf(none)).toBe(`Secret [${canonical(id)}] not found or has no versions.`);
    }
  });

  test('version aliases name versions for get and access', async () => {
    const name = secretName('db-password');
    const [secret] = await client.updateSecret({
      secret: { name, versionAliases: { current: 3 } },
      updateMask: { paths: ['version_aliases'] },
    });
    expect(Number(secret.versionAliases?.current)).toBe(3);
    const [accessed] = await client.accessSecretVersion({ name: `${name}/versions/current` });
    expect(accessed.name).toBe(`${canonical('db-password')}/versions/3`);
    const destroyedAlias = await failureOf(() =>
      client.updateSecret({ secret: { name, versionAliases: { old: 2 } }, updateMask: { paths: ['version_aliases'] } }),
    );
    expect(grpcCodeOf(destroyedAlias)).toBe(INVALID_ARGUMENT);
  });

  test('delayed destruction (versionDestroyTtl): the version is disabled, then destroyed when the delay has passed', async () => {
    await client.createSecret({
      parent,
      secretId: 'delayed',
      secret: { replication: { automatic: {} }, versionDestroyTtl: { nanos: 300_000_000 } },
    });
    const name = secretName('delayed');
    await client.addSecretVersion({ parent: name, payload: { data: Buffer.from('x') } });
    const [scheduled] = await client.destroySecretVersion({ name: `${name}/versions/1` });
    expect(scheduled.state).toBe('DISABLED');
    expect(Number(scheduled.scheduledDestroyTime?.seconds)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const [later] = await client.getSecretVersion({ name: `${name}/versions/1` });
    expect(later.state).toBe('DESTROYED');
    expect(later.scheduledDestroyTime).toBeFalsy();
  });

  test('IAM policy on a secret: etags, stale etag → ABORTED, members must exist, roles must apply to secrets', async () => {
    const resource = secretName('db-password');
    const [fresh] = await client.getIamPolicy({ resource });
    expect(fresh.bindings).toEqual([]);
    const email = await createServiceAccount(emulator, projectId, 'secret-reader');
    const [set] = await client.setIamPolicy({
      resource,
      policy: { etag: fresh.etag, bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${email}`] }] },
    });
    expect(set.version).toBe(1);
    expect(set.bindings?.map((binding) => [binding.role, binding.members])).toEqual([
      ['roles/secretmanager.secretAccessor', [`serviceAccount:${email}`]],
    ]);
    const [read] = await client.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } });
    expect(Buffer.from(read.etag as Uint8Array)).toEqual(Buffer.from(set.etag as Uint8Array));

    const stale = await failureOf(() => client.setIamPolicy({ resource, policy: { etag: fresh.etag, bindings: [] } }));
    expect(grpcCodeOf(stale)).toBe(ABORTED);
    const ghost = `ghost-account@${projectId}.iam.gserviceaccount.com`;
    const missingMember = await failureOf(() =>
      client.setIamPolicy({
        resource,
        policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${ghost}`] }] },
      }),
    );
    expect(grpcCodeOf(missingMember)).toBe(INVALID_ARGUMENT);
    expect(messageOf(missingMember)).toBe(`Service account ${ghost} does not exist.`);
    const wrongRole = await failureOf(() =>
      client.setIamPolicy({ resource, policy: { bindings: [{ role: 'roles/run.invoker', members: ['user:a@example.com'] }] } }),
    );
    expect(grpcCodeOf(wrongRole)).toBe(INVALID_ARGUMENT);
    expect(messageOf(wrongRole)).toBe('Role roles/run.invoker is not supported for this resource.');

    const [tested] = await client.testIamPermissions({
      resource,
      permissions: ['secretmanager.versions.access', 'secretmanager.secrets.get'],
    });
    expect(tested.permissions).toEqual(['secretmanager.versions.access', 'secretmanager.secrets.get']);
    const onMissing = await failureOf(() => client.getIamPolicy({ resource: secretName('nope') }));
    expect(grpcCodeOf(onMissing)).toBe(NOT_FOUND);
  });

  test('DeleteSecret honours the etag; a secret created again starts over (versions from 1, empty policy)', async () => {
    const name = secretName('db-password');
    const [secret] = await client.getSecret({ name });
    const stale = await failureOf(() => client.deleteSecret({ name, etag: '"1"' }));
    expect(grpcCodeOf(stale)).toBe(FAILED_PRECONDITION);
    // Over REST that is HTTP 400 with Google's status name (IAM policy conflicts stay ABORTED / 409).
    const rest = await restCall(emulator, 'DELETE', `/v1/${name}?etag=${encodeURIComponent('"1"')}`);
    expect(rest.status).toBe(400);
    expect(rest.body.error.status).toBe('FAILED_PRECONDITION');
    await client.deleteSecret({ name, etag: secret.etag! });
    expect(grpcCodeOf(await failureOf(() => client.getSecret({ name })))).toBe(NOT_FOUND);
    expect(grpcCodeOf(await failureOf(() => client.deleteSecret({ name })))).toBe(NOT_FOUND);

    await client.createSecret({ parent, secretId: 'db-password', secret: { replication: { automatic: {} } } });
    const [v1] = await client.addSecretVersion({ parent: name, payload: { data: Buffer.from('again') } });
    expect(v1.name).toBe(`${canonical('db-password')}/versions/1`);
    const [policy] = await client.getIamPolicy({ resource: name });
    expect(policy.bindings).toEqual([]);
  });

  test('the request log names each method, its resource, and whether it mutates', async () => {
    emulator.clearRequestLog();
    await client.getSecret({ name: secretName('web-token') });
    await client.addSecretVersion({ parent: secretName('web-token'), payload: { data: Buffer.from('log') } });
    await client.accessSecretVersion({ name: `${secretName('web-token')}/versions/latest` });
    expect(
      emulator.requestLog().map((entry) => [entry.method.split('/')[1], entry.api, entry.resource, entry.mutating, entry.transport]),
    ).toEqual([
      ['GetSecret', API, secretName('web-token'), false, transport],
      ['AddSecretVersion', API, secretName('web-token'), true, transport],
      ['AccessSecretVersion', API, `${secretName('web-token')}/versions/latest`, false, transport],
    ]);
  });

  test('regional secrets are refused clearly', async () => {
    const error = await failureOf(() => client.getSecret({ name: `projects/${projectId}/locations/us-central1/secrets/x` }));
    expect(grpcCodeOf(error)).toBe(INVALID_ARGUMENT);
    expect(messageOf(error)).toMatch(/^Regional secrets are not emulated/);
  });
});

describe.each(TRANSPORTS)('Secret Manager IAM rules over %s', (transport) => {
  test('--deny fails the call PERMISSION_DENIED and testIamPermissions leaves the permission out', async () => {
    const emulator = await startEmulator({ deny: ['secretmanager.versions.access'] });
    const client = secretClient(emulator, transport);
    try {
      emulator.setServiceEnabled('deny-project', API);
      const name = 'projects/deny-project/secrets/s';
      await client.createSecret({ parent: 'projects/deny-project', secretId: 's', secret: { replication: { automatic: {} } } });
      await client.addSecretVersion({ parent: name, payload: { data: Buffer.from('v') } });
      const error = await failureOf(() => client.accessSecretVersion({ name: `${name}/versions/1` }));
      expect(grpcCodeOf(error)).toBe(PERMISSION_DENIED);
      expect(messageOf(error)).toBe(
        `Permission 'secretmanager.versions.access' denied on resource '${name}/versions/1' (or it may not exist).`,
      );
      expect(errorInfoOf(error)).toMatchObject({
        reason: 'IAM_PERMISSION_DENIED',
        metadata: { permission: 'secretmanager.versions.access' },
      });
      const [tested] = await client.testIamPermissions({
        resource: name,
        permissions: ['secretmanager.versions.access', 'secretmanager.versions.get'],
      });
      expect(tested.permissions).toEqual(['secretmanager.versions.get']);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  test('a new service account is rejected as a member until --iam-propagation-delay has passed', async () => {
    const emulator = await startEmulator({ iamPropagationDelayMs: 400 });
    const client = secretClient(emulator, transport);
    try {
      emulator.setServiceEnabled('delay-project', API);
      const resource = 'projects/delay-project/secrets/s';
      await client.createSecret({ parent: 'projects/delay-project', secretId: 's', secret: { replication: { automatic: {} } } });
      const email = await createServiceAccount(emulator, 'delay-project', 'fresh-account');
      const policy = { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${email}`] }] };
      const early = await failureOf(() => client.setIamPolicy({ resource, policy }));
      expect(grpcCodeOf(early)).toBe(INVALID_ARGUMENT);
      expect(messageOf(early)).toBe(`Service account ${email} does not exist.`);
      await new Promise((resolve) => setTimeout(resolve, 450));
      const [set] = await client.setIamPolicy({ resource, policy });
      expect(set.bindings?.[0]?.members).toEqual([`serviceAccount:${email}`]);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe('secretVersionStatus and canAccessSecret (for the Cloud Run emulator)', () => {
  const projectId = 'sm-cross-project';
  let emulator: RunningEmulator;
  let client: SecretManagerServiceClient;
  let number: string;
  let reader: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = secretClient(emulator, 'grpc');
    number = emulator.projectNumber(projectId);
    emulator.setServiceEnabled(projectId, API);
    for (const id of ['app-secret', 'other-secret']) {
      await client.createSecret({ parent: `projects/${projectId}`, secretId: id, secret: { replication: { automatic: {} } } });
    }
    for (const data of ['one', 'two', 'three'])
      await client.addSecretVersion({ parent: `projects/${projectId}/secrets/app-secret`, payload: { data: Buffer.from(data) } });
    await client.disableSecretVersion({ name: `projects/${projectId}/secrets/app-secret/versions/2` });
    reader = await createServiceAccount(emulator, projectId, 'app-runner');
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('secretVersionStatus resolves numbers and latest, by id or full name, with the project id or number', () => {
    const status = (project: string, secret: string, version: string) =>
      withServices(emulator, (services) => secretVersionStatus(services, project, secret, version));
    const name = (n: number | string) => `projects/${number}/secrets/app-secret/versions/${n}`;
    expect(status(projectId, 'app-secret', '1')).toEqual({ exists: true, enabled: true, name: name(1) });
    expect(status(projectId, 'app-secret', '2')).toEqual({ exists: true, enabled: false, name: name(2) });
    expect(status(projectId, 'app-secret', 'latest')).toEqual({ exists: true, enabled: true, name: name(3) });
    expect(status(number, 'app-secret', '3')).toEqual({ exists: true, enabled: true, name: name(3) });
    expect(status('ignored-project', `projects/${projectId}/secrets/app-secret`, 'latest')).toEqual({
      exists: true,
      enabled: true,
      name: name(3),
    });
    expect(status(projectId, 'app-secret', '9')).toEqual({ exists: false, enabled: false, name: name(9) });
    expect(status(projectId, 'other-secret', 'latest')).toEqual({
      exists: false,
      enabled: false,
      name: `projects/${number}/secrets/other-secret/versions/latest`,
    });
    expect(status(projectId, 'no-such-secret', '1')).toEqual({
      exists: false,
      enabled: false,
      name: `projects/${number}/secrets/no-such-secret/versions/1`,
    });
  });

  test('secretVersionStatus follows state changes: latest disabled → not enabled; destroyed → exists but not enabled', async () => {
    const status = (version: string) =>
      withServices(emulator, (services) => secretVersionStatus(services, projectId, 'app-secret', version));
    await client.disableSecretVersion({ name: `projects/${projectId}/secrets/app-secret/versions/3` });
    expect(status('latest')).toMatchObject({ exists: true, enabled: false });
    await client.enableSecretVersion({ name: `projects/${projectId}/secrets/app-secret/versions/3` });
    await client.destroySecretVersion({ name: `projects/${projectId}/secrets/app-secret/versions/1` });
    expect(status('1')).toMatchObject({ exists: true, enabled: false });
    expect(status('latest')).toMatchObject({ exists: true, enabled: true });
  });

  test('canAccessSecret: secretAccessor (or admin, owner) on the secret or the project; editor and viewer are not enough', async () => {
    const member = `serviceAccount:${reader}`;
    const can = (secret = 'app-secret', who = member) =>
      withServices(emulator, (services) => canAccessSecret(services, projectId, secret, who));
    expect(can()).toBe(false);

    const projectPolicy = async (role: string, condition?: object) => {
      const answer = await restCall(emulator, 'POST', `/v1/projects/${projectId}:setIamPolicy`, {
        policy: { bindings: [{ role, members: [member], ...(condition ? { condition } : {}) }] },
      });
      expect(answer.status).toBe(200);
    };
    for (const role of ['roles/editor', 'roles/viewer', 'roles/secretmanager.viewer', 'roles/secretmanager.secretVersionManager']) {
      await projectPolicy(role);
      expect(can(), role).toBe(false);
    }
    for (const role of ['roles/secretmanager.secretAccessor', 'roles/secretmanager.admin', 'roles/owner']) {
      await projectPolicy(role);
      expect(can(), role).toBe(true);
      expect(can('app-secret', 'serviceAccount:someone-else@sm-cross-project.iam.gserviceaccount.com'), role).toBe(false);
    }
    // A condition is not evaluated by the emulator, so it grants nothing.
    await projectPolicy('roles/secretmanager.secretAccessor', { expression: 'resource.name.startsWith("x")', title: 't' });
    expect(can()).toBe(false);

    // On the secret itself: only that secret.
    await client.setIamPolicy({
      resource: `projects/${projectId}/secrets/app-secret`,
      policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [member] }] },
    });
    expect(can('app-secret')).toBe(true);
    expect(can(`projects/${number}/secrets/app-secret`)).toBe(true);
    expect(can('other-secret')).toBe(false);
    expect(can('no-such-secret')).toBe(false);
  });
});

describe('recorded Secret Manager exchanges replayed against the emulator', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  async function replay(file: string, projectId: string, uniqueId: string): Promise<void> {
    emulator.setServiceEnabled(projectId, API);
    const results = await replayRecording(loadRecording(file), {
      baseUrl: `http://127.0.0.1:${emulator.port}`,
      vars: { projectId, uniqueId, projectNumber: emulator.projectNumber(projectId) },
    });
    expect(formatDifferences(results)).toBe('');
    expect(results.filter((result) => !result.skipped)).toHaveLength(results.length);
  }

  test('secretmanager-secret-basic: 404, create with user-managed replication, get, delete', async () => {
    await replay('secretmanager-secret-basic.http.log', 'sm-replay-basic', 'smbasic1');
  });

  test('secretmanager-secret-version: add, get, disable and destroy with etags (numeric enums)', async () => {
    await replay('secretmanager-secret-version.http.log', 'sm-replay-version', 'smver1');
  });

  test('iam-policy-secretmanager-secret: get/set IAM policy on a secret (version 3 asked, 1 answered)', async () => {
    // The recorded policy names this service account; in the emulator it must exist first.
    await createServiceAccount(emulator, 'test-project', 'test-sa');
    await replay('iam-policy-secretmanager-secret.http.log', 'sm-replay-iam', 'smiam1');
  });
});

describe.skipIf(!gcloudAvailable())('gcloud secrets against the emulator', () => {
  const projectId = 'sm-gcloud-project';
  let emulator: RunningEmulator;
  let gcloud: Gcloud;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, API);
    gcloud = await gcloudFor(emulator, ['secretmanager']);
  }, 120_000);
  afterAll(async () => {
    await gcloud?.cleanup();
    await emulator?.close();
  });

  test('create, versions add (with its CRC32C), versions access latest, describe', async () => {
    const created = await gcloud.run([
      'secrets',
      'create',
      'gcloud-secret',
      '--replication-policy=automatic',
      '--labels=env=test',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(created.stderr).not.toMatch(/ERROR/);
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({
      name: `projects/${emulator.projectNumber(projectId)}/secrets/gcloud-secret`,
      replication: { automatic: {} },
    });

    const added = await runWithStdin(
      gcloud,
      ['secrets', 'versions', 'add', 'gcloud-secret', '--data-file=-', '--project', projectId, '--format=json'],
      's3cr3t value',
    );
    expect(added.stderr).not.toMatch(/ERROR|corruption/);
    expect(added.code).toBe(0);
    expect(added.json).toMatchObject({
      name: `projects/${emulator.projectNumber(projectId)}/secrets/gcloud-secret/versions/1`,
      state: 'ENABLED',
      clientSpecifiedPayloadChecksum: true,
    });

    const accessed = await gcloud.run(['secrets', 'versions', 'access', 'latest', '--secret', 'gcloud-secret', '--project', projectId]);
    expect(accessed.stderr).not.toMatch(/ERROR/);
    expect(accessed.code).toBe(0);
    expect(accessed.stdout).toBe('s3cr3t value');

    const described = await gcloud.run(['secrets', 'describe', 'gcloud-secret', '--project', projectId, '--format=json']);
    expect(described.code).toBe(0);
    expect(described.json).toMatchObject({
      name: `projects/${emulator.projectNumber(projectId)}/secrets/gcloud-secret`,
      labels: { env: 'test' },
      replication: { automatic: {} },
      etag: expect.stringMatching(/^"[0-9a-f]+"$/),
    });

    const again = await gcloud.run(['secrets', 'create', 'gcloud-secret', '--replication-policy=automatic', '--project', projectId]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    const missing = await gcloud.run(['secrets', 'versions', 'access', 'latest', '--secret', 'nope', '--project', projectId]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NOT_FOUND: Secret \[projects\/\d+\/secrets\/nope\] not found or has no versions\./);
  });
});

/** gcloud with data on stdin (`--data-file=-`), through the harness's environment. */
async function runWithStdin(
  gcloud: Gcloud,
  args: string[],
  input: string,
): Promise<{ code: number; stdout: string; stderr: string; json?: LooseJson }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn('gcloud', args, { env: gcloud.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? 1, stdout, stderr, json: json as LooseJson | undefined });
    });
    child.stdin.end(input);
  });
}
