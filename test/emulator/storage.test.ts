// Cloud Storage JSON API v1 against the emulator: through google-auth-library requests (as the
// tool calls it), plain fetch where the race matters, the recorded Google exchanges replayed
// field by field, and the real `gcloud storage` CLI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { restCall, testAuthClient } from './clients.js';
import { gcloudAvailable, gcloudFor, type Gcloud } from './gcloud.js';
import {
  formatDifferences,
  hasRecording,
  loadRecording,
  missingRecordingNote,
  replayRecording,
  type RecordedExchange,
} from './recordings.js';

const API = 'storage.googleapis.com';

/** What JSON.parse gives: the tests read Storage's answers field by field. */
type ParsedJson = ReturnType<typeof JSON.parse>;

interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON (Storage's resources and errors), or undefined for other bodies. */
  json: ParsedJson;
  bytes: Buffer;
}

interface CallOptions {
  body?: Buffer | string | object;
  headers?: Record<string, string>;
  /** null: no Authorization header at all. */
  token?: string | null;
}

/** A Storage call through google-auth-library, every status returned (Storage uses 304, 308, 412, 499). */
async function gcs(emulator: RunningEmulator, method: string, target: string, options: CallOptions = {}): Promise<Answer> {
  const url = target.startsWith('http') ? target : `http://127.0.0.1:${emulator.port}${target}`;
  const isJson = options.body !== undefined && !Buffer.isBuffer(options.body) && typeof options.body === 'object';
  const headers = { ...(isJson ? { 'Content-Type': 'application/json' } : {}), ...options.headers };
  const body = isJson ? JSON.stringify(options.body) : (options.body as Buffer | string | undefined);
  let response: Response;
  if (options.token === null) {
    response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  } else {
    const client = testAuthClient(options.token ?? 'storage-token');
    const answer = await client.request<ArrayBuffer>({
      url,
      method,
      headers,
      ...(body === undefined ? {} : { data: body }),
      responseType: 'arraybuffer',
      validateStatus: () => true,
      retry: false,
    });
    return toAnswer(answer.status, answer.headers, Buffer.from(answer.data ?? new ArrayBuffer(0)));
  }
  return toAnswer(response.status, response.headers, Buffer.from(await response.arrayBuffer()));
}

function toAnswer(status: number, headers: Headers, bytes: Buffer): Answer {
  let json: ParsedJson;
  if ((headers.get('content-type') ?? '').includes('json') && bytes.length > 0) json = JSON.parse(bytes.toString('utf8'));
  return { status, headers, json, bytes };
}

function createBucket(emulator: RunningEmulator, project: string, body: object, query = ''): Promise<Answer> {
  return gcs(emulator, 'POST', `/storage/v1/b?project=${project}${query}`, { body });
}

function mediaUpload(emulator: RunningEmulator, bucket: string, name: string, data: string | Buffer, query = '', type = 'text/plain') {
  return gcs(emulator, 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(name)}${query}`, {
    body: Buffer.isBuffer(data) ? data : Buffer.from(data),
    headers: { 'Content-Type': type },
  });
}

/** Storage's error body: `{error: {code, message, errors: [{message, domain, reason, …}]}}`. */
function storageError(status: number, message: string, reason: string, extra: object = {}) {
  return { error: { code: status, message, errors: [{ message, domain: 'global', reason, ...extra }] } };
}

const PRECONDITION_FAILED = storageError(412, 'At least one of the pre-conditions you specified did not hold.', 'conditionNotMet', {
  locationType: 'header',
  location: 'If-Match',
});

describe('Cloud Storage JSON API: buckets', () => {
  const project = 'gcs-bucket-project';
  let emulator: RunningEmulator;
  let number: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    number = emulator.projectNumber(project);
  });
  afterAll(() => emulator.close());

  test('Cloud Storage is enabled in a new project, as Google documents; disabled, calls fail SERVICE_DISABLED in Storage’s shape', async () => {
    for (const service of [API, 'storage-api.googleapis.com', 'storage-component.googleapis.com']) {
      expect(emulator.isServiceEnabled('gcs-fresh-project', service)).toBe(true);
    }
    emulator.setServiceEnabled('gcs-off-project', API, false);
    const answer = await createBucket(emulator, 'gcs-off-project', { name: 'gcs-off-bucket' });
    expect(answer.status).toBe(403);
    const offNumber = emulator.projectNumber('gcs-off-project');
    expect(answer.json.error.message).toMatch(
      new RegExp(`^Cloud Storage API has not been used in project ${offNumber} before or it is disabled`),
    );
    expect(answer.json.error.errors[0]).toMatchObject({
      domain: 'usageLimits',
      reason: 'accessNotConfigured',
      extendedHelp: `https://console.developers.google.com/apis/api/${API}/overview?project=${offNumber}`,
    });
    expect(answer.json.error.status).toBeUndefined();
  });

  test('insert: defaults as recorded (US multi-region, STANDARD, etag CAE=, soft delete 7 days, no ACL with noAcl)', async () => {
    const answer = await createBucket(emulator, project, { name: 'gcs-defaults-1' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      kind: 'storage#bucket',
      selfLink: 'https://www.googleapis.com/storage/v1/b/gcs-defaults-1',
      id: 'gcs-defaults-1',
      name: 'gcs-defaults-1',
      projectNumber: number,
      generation: expect.stringMatching(/^\d{16}$/),
      metageneration: '1',
      location: 'US',
      locationType: 'multi-region',
      rpo: 'DEFAULT',
      storageClass: 'STANDARD',
      etag: 'CAE=',
      timeCreated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated: answer.json.timeCreated,
      softDeletePolicy: { retentionDurationSeconds: '604800', effectiveTime: answer.json.timeCreated },
      iamConfiguration: {
        bucketPolicyOnly: { enabled: false },
        uniformBucketLevelAccess: { enabled: false },
        publicAccessPrevention: 'inherited',
      },
    });
  });

  test('insert: a regional bucket with uniform access, public access prevention, labels and a lifecycle rule', async () => {
    const answer = await createBucket(emulator, project, {
      name: 'gcs-plans-1',
      location: 'us-central1',
      storageClass: 'standard',
      labels: { 'managed-by': 'atlantis-run' },
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
    });
    expect(answer.status).toBe(200);
    const created = Date.parse(answer.json.timeCreated);
    expect(answer.json).toMatchObject({
      location: 'US-CENTRAL1',
      locationType: 'region',
      satisfiesPZI: true,
      storageClass: 'STANDARD',
      labels: { 'managed-by': 'atlantis-run' },
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
      iamConfiguration: {
        uniformBucketLevelAccess: { enabled: true, lockedTime: new Date(created + 90 * 86_400_000).toISOString() },
        bucketPolicyOnly: { enabled: true },
        publicAccessPrevention: 'enforced',
      },
    });
    expect(answer.json.rpo).toBeUndefined();
    // With uniform access there are no ACLs, even with projection=full.
    const full = await gcs(emulator, 'GET', '/storage/v1/b/gcs-plans-1?projection=full');
    expect(full.json.acl).toBeUndefined();
  });

  test('bucket names follow Google’s rules', async () => {
    const invalidNames = [
      'ab',
      'A-bucket',
      'bucket_',
      '-bucket',
      'a'.repeat(64),
      '192.168.5.4',
      'goog-bucket',
      'my-google-bucket',
      'g00gle-x',
      'a..b',
      'sp ace',
    ];
    for (const name of invalidNames) {
      const answer = await createBucket(emulator, project, { name });
      expect({ name, status: answer.status, body: answer.json }).toEqual({
        name,
        status: 400,
        body: storageError(400, `Invalid bucket name: '${name}'`, 'invalid'),
      });
    }
    for (const name of ['abc', 'a_b-c.d', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) {
      expect((await createBucket(emulator, project, { name })).status).toBe(200);
    }
  });

  test('bucket names are global: 409 in the same project ("you already own it") and in another one ("not available")', async () => {
    expect((await createBucket(emulator, project, { name: 'gcs-global-1' })).status).toBe(200);
    expect((await createBucket(emulator, project, { name: 'gcs-global-1' })).json).toEqual(
      storageError(409, 'Your previous request to create the named bucket succeeded and you already own it.', 'conflict'),
    );
    expect((await createBucket(emulator, 'gcs-other-project', { name: 'gcs-global-1' })).json).toEqual(
      storageError(
        409,
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        'conflict',
      ),
    );
  });

  test('insert validation: project, location, storage class, unknown fields, labels', async () => {
    expect((await gcs(emulator, 'POST', '/storage/v1/b', { body: { name: 'gcs-no-project' } })).json).toEqual(
      storageError(400, 'Required parameter: project', 'required', { locationType: 'parameter', location: 'project' }),
    );
    expect((await createBucket(emulator, project, { name: 'gcs-bad-loc', location: 'mars-north1' })).json).toEqual(
      storageError(400, 'The specified location constraint is not valid.', 'invalid'),
    );
    for (const location of ['EU', 'asia', 'nam4', 'europe-west1']) {
      const answer = await createBucket(emulator, project, { name: `gcs-loc-${location.toLowerCase()}`, location });
      expect(answer.json.location).toBe(location.toUpperCase());
    }
    expect((await createBucket(emulator, 'gcs-loc-types', { name: 'gcs-dual-1', location: 'EUR4' })).json.locationType).toBe('dual-region');
    const badClass = await createBucket(emulator, project, { name: 'gcs-bad-class', storageClass: 'GLACIER' });
    expect(badClass.status).toBe(400);
    const unknown = await createBucket(emulator, project, { name: 'gcs-unknown-field', storageclass: 'STANDARD' });
    expect(unknown.json.error.message).toBe('Invalid JSON payload received. Unknown name "storageclass": Cannot find field.');
    const badLabel = await createBucket(emulator, project, { name: 'gcs-bad-label', labels: { Upper: 'x' } });
    expect(badLabel.status).toBe(400);
    // Output-only fields sent back by a read-modify-write client are ignored.
    expect(
      (await createBucket(emulator, project, { name: 'gcs-output-only', kind: 'storage#bucket', etag: 'x', metageneration: '9' })).status,
    ).toBe(200);
  });

  test('lifecycle rules are validated: action type, storage class, conditions', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ rule: [{ action: { type: 'Remove' }, condition: { age: 1 } }] }, /action\.type must be one of Delete/],
      [{ rule: [{ action: { type: 'Delete' } }] }, /must specify at least one condition/],
      [{ rule: [{ action: { type: 'Delete' }, condition: {} }] }, /must specify at least one condition/],
      [{ rule: [{ action: { type: 'Delete' }, condition: { age: -1 } }] }, /age must be a non-negative integer/],
      [{ rule: [{ action: { type: 'Delete' }, condition: { createdBefore: '2024/01/01' } }] }, /YYYY-MM-DD/],
      [
        { rule: [{ action: { type: 'SetStorageClass' }, condition: { age: 1 } }] },
        /Invalid value for lifecycle\.rule\[0\]\.action\.storageClass/,
      ],
      [
        { rule: [{ action: { type: 'Delete', storageClass: 'NEARLINE' }, condition: { age: 1 } }] },
        /only allowed with the SetStorageClass/,
      ],
      [{ rule: [{ action: { type: 'Delete' }, condition: { oldness: 3 } }] }, /unknown condition/],
      [
        { rule: [{ action: { type: 'AbortIncompleteMultipartUpload' }, condition: { isLive: true } }] },
        /cannot be used with the AbortIncompleteMultipartUpload/,
      ],
    ];
    for (const [lifecycle, message] of cases) {
      const answer = await createBucket(emulator, project, { name: 'gcs-lifecycle-bad', lifecycle });
      expect(answer.status).toBe(400);
      expect(answer.json.error.errors[0].reason).toBe('invalid');
      expect(answer.json.error.message).toMatch(message);
    }
    const ok = await createBucket(emulator, project, {
      name: 'gcs-lifecycle-ok',
      lifecycle: {
        rule: [
          { action: { type: 'SetStorageClass', storageClass: 'NEARLINE' }, condition: { age: 30, matchesStorageClass: ['STANDARD'] } },
          { action: { type: 'Delete' }, condition: { createdBefore: '2030-01-01', matchesPrefix: ['plans/'], isLive: true } },
        ],
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.lifecycle.rule).toHaveLength(2);
  });

  test('get: 404 with Storage’s recorded body; metageneration preconditions', async () => {
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-missing-bucket')).json).toEqual(
      storageError(404, 'The specified bucket does not exist.', 'notFound'),
    );
    await createBucket(emulator, project, { name: 'gcs-get-1' });
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-get-1?ifMetagenerationMatch=1')).status).toBe(200);
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-get-1?ifMetagenerationMatch=2')).json).toEqual(PRECONDITION_FAILED);
    const notModified = await gcs(emulator, 'GET', '/storage/v1/b/gcs-get-1?ifMetagenerationNotMatch=1');
    expect(notModified.status).toBe(304);
    expect(notModified.bytes.length).toBe(0);
  });

  test('list: the project’s buckets by name, prefix, pages', async () => {
    const listProject = 'gcs-list-project';
    for (const name of ['gcs-list-c', 'gcs-list-a', 'gcs-list-b', 'gcs-other-x']) await createBucket(emulator, listProject, { name });
    const all = await gcs(emulator, 'GET', `/storage/v1/b?project=${listProject}`);
    expect(all.json.kind).toBe('storage#buckets');
    expect(all.json.items.map((bucket: { name: string }) => bucket.name)).toEqual([
      'gcs-list-a',
      'gcs-list-b',
      'gcs-list-c',
      'gcs-other-x',
    ]);
    const first = await gcs(emulator, 'GET', `/storage/v1/b?project=${listProject}&prefix=gcs-list-&maxResults=2`);
    expect(first.json.items.map((bucket: { name: string }) => bucket.name)).toEqual(['gcs-list-a', 'gcs-list-b']);
    const second = await gcs(
      emulator,
      'GET',
      `/storage/v1/b?project=${listProject}&prefix=gcs-list-&maxResults=2&pageToken=${first.json.nextPageToken}`,
    );
    expect(second.json.items.map((bucket: { name: string }) => bucket.name)).toEqual(['gcs-list-c']);
    expect(second.json.nextPageToken).toBeUndefined();
    expect((await gcs(emulator, 'GET', '/storage/v1/b?project=gcs-empty-project')).json).toEqual({ kind: 'storage#buckets' });
  });

  test('patch: labels merge (null removes), lifecycle replaced or cleared, metageneration and etag move; ifMetagenerationMatch', async () => {
    await createBucket(emulator, project, {
      name: 'gcs-patch-1',
      labels: { a: '1', b: '2' },
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 7 } }] },
    });
    const patched = await gcs(emulator, 'PATCH', '/storage/v1/b/gcs-patch-1?ifMetagenerationMatch=1', {
      body: {
        labels: { b: null, c: '3' },
        lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
        versioning: { enabled: true },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      metageneration: '2',
      etag: 'CAI=',
      labels: { a: '1', c: '3' },
      lifecycle: { rule: [{ condition: { age: 30 } }] },
      versioning: { enabled: true },
    });
    // PATCH answers with projection=full by default: ACLs of a bucket without uniform access, as recorded.
    expect(patched.json.acl.map((acl: { entity: string }) => acl.entity)).toEqual([
      `project-owners-${number}`,
      `project-editors-${number}`,
      `project-viewers-${number}`,
    ]);
    expect(patched.json.owner).toEqual({ entity: `project-owners-${number}` });
    expect((await gcs(emulator, 'PATCH', '/storage/v1/b/gcs-patch-1?ifMetagenerationMatch=1', { body: { labels: {} } })).json).toEqual(
      PRECONDITION_FAILED,
    );
    const cleared = await gcs(emulator, 'PATCH', '/storage/v1/b/gcs-patch-1?projection=noAcl', {
      body: { lifecycle: { rule: [] }, labels: null },
    });
    expect(cleared.json.lifecycle).toBeUndefined();
    expect(cleared.json.labels).toBeUndefined();
    expect(cleared.json.acl).toBeUndefined();
    expect(cleared.json.metageneration).toBe('3');
    const uniform = await gcs(emulator, 'PATCH', '/storage/v1/b/gcs-patch-1', {
      body: { iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' } },
    });
    expect(uniform.json.iamConfiguration).toMatchObject({
      uniformBucketLevelAccess: { enabled: true },
      publicAccessPrevention: 'enforced',
    });
    expect(uniform.json.acl).toBeUndefined();
    // Only public access prevention changes: uniform access stays on.
    const inherited = await gcs(emulator, 'PATCH', '/storage/v1/b/gcs-patch-1', {
      body: { iamConfiguration: { publicAccessPrevention: 'inherited' } },
    });
    expect(inherited.json.iamConfiguration.uniformBucketLevelAccess.enabled).toBe(true);
    expect((await gcs(emulator, 'PATCH', '/storage/v1/b/gcs-patch-1', { body: { location: 'EU' } })).status).toBe(400);
    expect((await gcs(emulator, 'PATCH', '/storage/v1/b/gcs-patch-1', { body: { lifecycle: { rule: [{ action: {} }] } } })).status).toBe(
      400,
    );
  });

  test('delete: 409 while objects remain, 204 when empty, then 404', async () => {
    await createBucket(emulator, project, { name: 'gcs-delete-1' });
    expect((await mediaUpload(emulator, 'gcs-delete-1', 'x', 'x')).status).toBe(200);
    expect((await gcs(emulator, 'DELETE', '/storage/v1/b/gcs-delete-1')).json).toEqual(
      storageError(409, 'The bucket you tried to delete is not empty.', 'conflict'),
    );
    expect((await gcs(emulator, 'DELETE', '/storage/v1/b/gcs-delete-1/o/x')).status).toBe(204);
    expect((await gcs(emulator, 'DELETE', '/storage/v1/b/gcs-delete-1?ifMetagenerationMatch=5')).status).toBe(412);
    const deleted = await gcs(emulator, 'DELETE', '/storage/v1/b/gcs-delete-1');
    expect(deleted.status).toBe(204);
    expect(deleted.bytes.length).toBe(0);
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-delete-1')).status).toBe(404);
    // The name is free again, for any project.
    expect((await createBucket(emulator, 'gcs-other-project', { name: 'gcs-delete-1' })).status).toBe(200);
  });

  test('no token → 401 in Storage’s words', async () => {
    const answer = await gcs(emulator, 'GET', '/storage/v1/b/gcs-get-1', { token: null });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(
      storageError(
        401,
        "Anonymous caller does not have storage.buckets.get access to the Google Cloud Storage bucket. Permission 'storage.buckets.get' denied on resource (or it may not exist).",
        'required',
        { locationType: 'header', location: 'Authorization' },
      ),
    );
  });

  test('--faults apply to Storage’s methods by short name and answer in Storage’s body', async () => {
    const faulty = await startEmulator({ faults: 'storage.InsertObject=UNAVAILABLE:1' });
    try {
      await createBucket(faulty, project, { name: 'gcs-faulty-1' });
      const answer = await mediaUpload(faulty, 'gcs-faulty-1', 'x', 'x');
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual(storageError(503, 'The service is currently unavailable.', 'backendError'));
      expect((await gcs(faulty, 'GET', '/storage/v1/b/gcs-faulty-1')).status).toBe(200);
    } finally {
      await faulty.close();
    }
  });

  test('the request log names Storage’s methods; reads are not mutating', async () => {
    emulator.clearRequestLog();
    await createBucket(emulator, project, { name: 'gcs-log-1' });
    await gcs(emulator, 'GET', '/storage/v1/b/gcs-log-1');
    await mediaUpload(emulator, 'gcs-log-1', 'dir/a.txt', 'a');
    await gcs(emulator, 'GET', '/storage/v1/b/gcs-log-1/o/dir%2Fa.txt?alt=media');
    expect(
      emulator.requestLog().map(({ api, method, resource, mutating, status }) => ({ api, method, resource, mutating, status })),
    ).toEqual([
      {
        api: API,
        method: 'google.storage.v1.Storage/InsertBucket',
        resource: 'projects/_/buckets/gcs-log-1',
        mutating: true,
        status: 'OK',
      },
      { api: API, method: 'google.storage.v1.Storage/GetBucket', resource: 'projects/_/buckets/gcs-log-1', mutating: false, status: 'OK' },
      {
        api: API,
        method: 'google.storage.v1.Storage/InsertObject',
        resource: 'projects/_/buckets/gcs-log-1/objects/dir/a.txt',
        mutating: true,
        status: 'OK',
      },
      {
        api: API,
        method: 'google.storage.v1.Storage/GetObject',
        resource: 'projects/_/buckets/gcs-log-1/objects/dir/a.txt',
        mutating: false,
        status: 'OK',
      },
    ]);
  });
});

describe('Cloud Storage JSON API: bucket IAM', () => {
  const project = 'gcs-iam-project';
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(project, 'iam.googleapis.com');
    await gcs(emulator, 'POST', `/v1/projects/${project}/serviceAccounts`, { body: { accountId: 'atlantis-runtime' } });
    await createBucket(emulator, project, { name: 'gcs-iam-fine' });
    await createBucket(emulator, project, {
      name: 'gcs-iam-uniform',
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    });
  });
  afterAll(() => emulator.close());

  test('a new bucket’s policy: the project’s teams by convenience values (with uniform access, the legacy object roles too)', async () => {
    const fine = await gcs(emulator, 'GET', '/storage/v1/b/gcs-iam-fine/iam');
    expect(fine.json).toEqual({
      kind: 'storage#policy',
      resourceId: 'projects/_/buckets/gcs-iam-fine',
      version: 1,
      etag: 'CAE=',
      bindings: [
        { role: 'roles/storage.legacyBucketOwner', members: [`projectEditor:${project}`, `projectOwner:${project}`] },
        { role: 'roles/storage.legacyBucketReader', members: [`projectViewer:${project}`] },
      ],
    });
    const uniform = await gcs(emulator, 'GET', '/storage/v1/b/gcs-iam-uniform/iam?optionsRequestedPolicyVersion=3');
    expect(uniform.json.bindings.map((binding: { role: string }) => binding.role)).toEqual([
      'roles/storage.legacyBucketOwner',
      'roles/storage.legacyBucketReader',
      'roles/storage.legacyObjectOwner',
      'roles/storage.legacyObjectReader',
    ]);
  });

  test('setIamPolicy: read-modify-write with the etag; a stale etag → 412; the bucket’s metageneration moves', async () => {
    const current = (await gcs(emulator, 'GET', '/storage/v1/b/gcs-iam-fine/iam')).json;
    const member = `serviceAccount:atlantis-runtime@${project}.iam.gserviceaccount.com`;
    const set = await gcs(emulator, 'PUT', '/storage/v1/b/gcs-iam-fine/iam', {
      body: { ...current, bindings: [...current.bindings, { role: 'roles/storage.objectUser', members: [member] }] },
    });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ kind: 'storage#policy', etag: 'CAI=', version: 1 });
    expect(set.json.bindings).toContainEqual({ role: 'roles/storage.objectUser', members: [member] });
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-iam-fine')).json.metageneration).toBe('2');
    expect((await gcs(emulator, 'PUT', '/storage/v1/b/gcs-iam-fine/iam', { body: current })).json).toEqual(PRECONDITION_FAILED);
  });

  test('setIamPolicy refuses what Storage refuses: other products’ roles, unknown accounts, public members under prevention, conditions without uniform access', async () => {
    const put = (bucket: string, bindings: object[]) => gcs(emulator, 'PUT', `/storage/v1/b/${bucket}/iam`, { body: { bindings } });
    const role = await put('gcs-iam-fine', [{ role: 'roles/run.invoker', members: ['allUsers'] }]);
    expect(role.json).toEqual(storageError(400, 'Role roles/run.invoker is not supported for this resource.', 'invalid'));
    const ghost = await put('gcs-iam-fine', [
      { role: 'roles/storage.objectViewer', members: [`serviceAccount:ghost@${project}.iam.gserviceaccount.com`] },
    ]);
    expect(ghost.json).toEqual(storageError(400, `Service account ghost@${project}.iam.gserviceaccount.com does not exist.`, 'invalid'));
    const open = await put('gcs-iam-uniform', [{ role: 'roles/storage.objectViewer', members: ['allUsers'] }]);
    expect(open.status).toBe(412);
    expect(open.json.error.message).toBe(
      'The member bindings allUsers and allAuthenticatedUsers are not allowed since public access prevention is enforced.',
    );
    const conditional = await put('gcs-iam-fine', [
      { role: 'roles/storage.objectViewer', members: ['group:ops@example.com'], condition: { title: 't', expression: 'true' } },
    ]);
    expect(conditional.status).toBe(400);
    // A project's custom role is bindable once it exists (IAM checks the role's hierarchy).
    const custom = () => put('gcs-iam-fine', [{ role: `projects/${project}/roles/planReader`, members: ['group:ops@example.com'] }]);
    expect((await custom()).status).toBe(400);
    emulator.setServiceEnabled(project, 'iam.googleapis.com');
    const created = await restCall(emulator, 'POST', `/v1/projects/${project}/roles`, {
      roleId: 'planReader',
      role: { title: 'Plan reader', includedPermissions: ['storage.objects.get'] },
    });
    expect(created.status).toBe(200);
    expect((await custom()).status).toBe(200);
  });

  test('testPermissions answers the held ones (all but --deny); getIamPolicy needs storage.buckets.getIamPolicy', async () => {
    const asked = 'permissions=storage.buckets.get&permissions=storage.objects.create&permissions=storage.buckets.setIamPolicy';
    expect((await gcs(emulator, 'GET', `/storage/v1/b/gcs-iam-fine/iam/testPermissions?${asked}`)).json).toEqual({
      kind: 'storage#testIamPermissionsResponse',
      permissions: ['storage.buckets.get', 'storage.objects.create', 'storage.buckets.setIamPolicy'],
    });
    const denied = await startEmulator({ deny: ['storage.objects.create', 'storage.buckets.getIamPolicy'] });
    try {
      await createBucket(denied, project, { name: 'gcs-iam-denied' });
      expect((await gcs(denied, 'GET', `/storage/v1/b/gcs-iam-denied/iam/testPermissions?${asked}`)).json.permissions).toEqual([
        'storage.buckets.get',
        'storage.buckets.setIamPolicy',
      ]);
      expect((await gcs(denied, 'GET', '/storage/v1/b/gcs-iam-denied/iam')).json).toEqual(
        storageError(
          403,
          "user@example.com does not have storage.buckets.getIamPolicy access to the Google Cloud Storage bucket. Permission 'storage.buckets.getIamPolicy' denied on resource (or it may not exist).",
          'forbidden',
        ),
      );
      expect((await mediaUpload(denied, 'gcs-iam-denied', 'x', 'x')).json.error.message).toMatch(
        /^user@example\.com does not have storage\.objects\.create access to the Google Cloud Storage object\./,
      );
    } finally {
      await denied.close();
    }
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-iam-fine/iam/testPermissions?permissions=run.services.get')).status).toBe(400);
  });
});

describe('Cloud Storage JSON API: objects', () => {
  const project = 'gcs-object-project';
  const bucket = 'gcs-objects-1';
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
    await createBucket(emulator, project, {
      name: bucket,
      location: 'us-central1',
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
    });
  });
  afterAll(() => emulator.close());

  test('media upload: generation, metageneration 1, MD5 and CRC32C base64 as Google computes them, etag from both generations', async () => {
    const answer = await mediaUpload(emulator, bucket, 'hello.txt', 'hello world');
    expect(answer.status).toBe(200);
    const generation = answer.json.generation as string;
    expect(generation).toMatch(/^\d{16}$/);
    // Known vectors: MD5("hello world") = 5eb63bbbe01eeed093cb22bb8f5acdc3, CRC32C = c99465aa.
    expect(answer.json).toEqual({
      kind: 'storage#object',
      id: `${bucket}/hello.txt/${generation}`,
      selfLink: `https://www.googleapis.com/storage/v1/b/${bucket}/o/hello.txt`,
      mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${bucket}/o/hello.txt?generation=${generation}&alt=media`,
      name: 'hello.txt',
      bucket,
      generation,
      metageneration: '1',
      contentType: 'text/plain',
      storageClass: 'STANDARD',
      size: '11',
      md5Hash: Buffer.from('5eb63bbbe01eeed093cb22bb8f5acdc3', 'hex').toString('base64'),
      crc32c: Buffer.from('c99465aa', 'hex').toString('base64'),
      etag: expect.stringMatching(/^C.+EAE=$/),
      timeCreated: expect.any(String),
      updated: expect.any(String),
      timeStorageClassUpdated: expect.any(String),
      timeFinalized: expect.any(String),
    });
    // The etag is the protobuf encoding of (generation, metageneration), base64.
    const etag = Buffer.from(answer.json.etag, 'base64');
    expect(etag[0]).toBe(0x08);
    expect(etag.subarray(-2)).toEqual(Buffer.from([0x10, 0x01]));
    const again = await mediaUpload(emulator, bucket, 'hello.txt', 'hello again');
    expect(BigInt(again.json.generation)).toBeGreaterThan(BigInt(generation));
  });

  test('download: alt=media and the /download path, byte for byte, with Storage’s headers; Range → 206; 416', async () => {
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const uploaded = (await mediaUpload(emulator, bucket, 'dir/binary.bin', data, '', 'application/octet-stream')).json;
    for (const target of [
      `/storage/v1/b/${bucket}/o/dir%2Fbinary.bin?alt=media`,
      `/download/storage/v1/b/${bucket}/o/dir%2Fbinary.bin?alt=media`,
    ]) {
      const answer = await gcs(emulator, 'GET', target);
      expect(answer.status).toBe(200);
      expect(answer.bytes.equals(data)).toBe(true);
      expect(answer.headers.get('content-type')).toBe('application/octet-stream');
      expect(answer.headers.get('x-goog-generation')).toBe(uploaded.generation);
      expect(answer.headers.get('x-goog-metageneration')).toBe('1');
      expect(answer.headers.get('x-goog-hash')).toBe(`crc32c=${uploaded.crc32c},md5=${uploaded.md5Hash}`);
      expect(answer.headers.get('x-goog-stored-content-length')).toBe('256');
    }
    const partial = await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/dir%2Fbinary.bin?alt=media`, {
      headers: { Range: 'bytes=10-19' },
    });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 10-19/256');
    expect(partial.bytes.equals(data.subarray(10, 20))).toBe(true);
    const tail = await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/dir%2Fbinary.bin?alt=media`, { headers: { Range: 'bytes=-6' } });
    expect(tail.bytes.equals(data.subarray(250))).toBe(true);
    const beyond = await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/dir%2Fbinary.bin?alt=media`, { headers: { Range: 'bytes=300-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.json.error.errors[0].reason).toBe('requestedRangeNotSatisfiable');
    const byGeneration = await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/dir%2Fbinary.bin?generation=${uploaded.generation}`);
    expect(byGeneration.json.size).toBe('256');
    expect((await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/dir%2Fbinary.bin?generation=1`)).json).toEqual(
      storageError(404, `No such object: ${bucket}/dir/binary.bin`, 'notFound'),
    );
    expect((await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/missing.txt?alt=media`)).json).toEqual(
      storageError(404, `No such object: ${bucket}/missing.txt`, 'notFound'),
    );
  });

  test('multipart upload: metadata and media in one request; client hashes are checked', async () => {
    const boundary = 'emulator-boundary';
    const metadata = {
      name: 'plans/p1.tfplan',
      contentType: 'application/x-terraform-plan',
      metadata: { run: '42' },
      cacheControl: 'no-store',
    };
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`),
      Buffer.from('PLAN BYTES\r\n--not-a-boundary'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const answer = await gcs(emulator, 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=multipart`, {
      body,
      headers: { 'Content-Type': `multipart/related; boundary=${boundary}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      name: 'plans/p1.tfplan',
      contentType: 'application/x-terraform-plan',
      metadata: { run: '42' },
      cacheControl: 'no-store',
      size: '28',
    });
    const downloaded = await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/plans%2Fp1.tfplan?alt=media`);
    expect(downloaded.bytes.toString()).toBe('PLAN BYTES\r\n--not-a-boundary');
    expect(downloaded.headers.get('cache-control')).toBe('no-store');

    const wrongHash = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ name: 'bad.txt', md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' })}\r\n`,
      ),
      Buffer.from(`--${boundary}\r\nContent-Type: text/plain\r\n\r\nbytes\r\n--${boundary}--`),
    ]);
    const refused = await gcs(emulator, 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=multipart`, {
      body: wrongHash,
      headers: { 'Content-Type': `multipart/related; boundary="${boundary}"` },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/^Provided MD5 hash "AAAAAAAAAAAAAAAAAAAAAA==" doesn't match calculated MD5 hash ".+"\.$/);
    expect((await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/bad.txt`)).status).toBe(404);
  });

  test('upload validation: name required, object name rules, uploadType required, unknown metadata fields', async () => {
    expect((await gcs(emulator, 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=media`, { body: Buffer.from('x') })).json).toEqual(
      storageError(400, 'Required', 'required'),
    );
    expect((await mediaUpload(emulator, bucket, 'bad\nname', 'x')).json.error.message).toBe('The specified object name is not valid.');
    expect((await mediaUpload(emulator, bucket, 'x'.repeat(1025), 'x')).status).toBe(400);
    expect((await gcs(emulator, 'POST', `/upload/storage/v1/b/${bucket}/o?name=x`, { body: Buffer.from('x') })).status).toBe(400);
    expect((await mediaUpload(emulator, 'gcs-no-such-bucket', 'x', 'x')).json).toEqual(
      storageError(404, 'The specified bucket does not exist.', 'notFound'),
    );
  });

  test('ifGenerationMatch=0 creates only if absent: of two racing writers exactly one wins, the other gets 412', async () => {
    for (let round = 0; round < 5; round++) {
      const lock = `locks/run-${round}.json`;
      const url = `http://127.0.0.1:${emulator.port}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(lock)}&ifGenerationMatch=0`;
      const attempt = (holder: string) =>
        fetch(url, {
          method: 'POST',
          headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
          body: JSON.stringify({ holder }),
        });
      const answers = await Promise.all([attempt('laptop'), attempt('ci')]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
      const loser = answers.find((answer) => answer.status === 412)!;
      expect(await loser.json()).toEqual(PRECONDITION_FAILED);
      const winner = (await answers.find((answer) => answer.status === 200)!.json()) as { generation: string };
      const held = await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/${encodeURIComponent(lock)}?alt=media`);
      expect(held.headers.get('x-goog-generation')).toBe(winner.generation);
      // Release: delete only the generation this holder wrote; a stale release fails.
      expect((await gcs(emulator, 'DELETE', `/storage/v1/b/${bucket}/o/${encodeURIComponent(lock)}?ifGenerationMatch=1`)).json).toEqual(
        PRECONDITION_FAILED,
      );
      expect(
        (await gcs(emulator, 'DELETE', `/storage/v1/b/${bucket}/o/${encodeURIComponent(lock)}?ifGenerationMatch=${winner.generation}`))
          .status,
      ).toBe(204);
    }
  });

  test('preconditions on reads, patches, deletes and overwrites; 304 for a failed NotMatch on a read', async () => {
    const first = (await mediaUpload(emulator, bucket, 'pre.txt', 'one')).json;
    expect((await mediaUpload(emulator, bucket, 'pre.txt', 'two', '&ifGenerationMatch=0')).status).toBe(412);
    const second = await mediaUpload(emulator, bucket, 'pre.txt', 'two', `&ifGenerationMatch=${first.generation}`);
    expect(second.status).toBe(200);
    expect((await mediaUpload(emulator, bucket, 'pre.txt', 'three', `&ifGenerationNotMatch=${second.json.generation}`)).status).toBe(412);
    expect((await mediaUpload(emulator, bucket, 'pre.txt', 'three', '&ifMetagenerationMatch=2')).status).toBe(412);
    const path = `/storage/v1/b/${bucket}/o/pre.txt`;
    expect((await gcs(emulator, 'GET', `${path}?ifGenerationMatch=${second.json.generation}`)).status).toBe(200);
    expect((await gcs(emulator, 'GET', `${path}?ifGenerationMatch=${first.generation}`)).status).toBe(412);
    const notModified = await gcs(emulator, 'GET', `${path}?ifGenerationNotMatch=${second.json.generation}&alt=media`);
    expect(notModified.status).toBe(304);
    expect((await gcs(emulator, 'PATCH', `${path}?ifMetagenerationMatch=7`, { body: { metadata: { a: 'b' } } })).status).toBe(412);
    expect((await gcs(emulator, 'PATCH', `${path}?ifMetagenerationMatch=1`, { body: { metadata: { a: 'b' } } })).status).toBe(200);
    expect((await gcs(emulator, 'DELETE', `${path}?ifMetagenerationMatch=1`)).status).toBe(412);
    expect((await gcs(emulator, 'DELETE', `${path}?ifMetagenerationMatch=2`)).status).toBe(204);
    expect((await gcs(emulator, 'DELETE', path)).status).toBe(404);
    expect((await gcs(emulator, 'GET', `${path}?ifGenerationMatch=abc`)).status).toBe(400);
  });

  test('patch: metadata merges (null removes), content type and cache control change, metageneration moves, the generation stays', async () => {
    const created = (await mediaUpload(emulator, bucket, 'meta.txt', 'm')).json;
    const path = `/storage/v1/b/${bucket}/o/meta.txt`;
    await gcs(emulator, 'PATCH', path, { body: { metadata: { keep: '1', drop: '2' } } });
    const patched = await gcs(emulator, 'PATCH', path, {
      body: { metadata: { drop: null, add: '3' }, contentType: 'text/markdown', cacheControl: 'no-cache' },
    });
    expect(patched.json).toMatchObject({
      generation: created.generation,
      metageneration: '3',
      metadata: { keep: '1', add: '3' },
      contentType: 'text/markdown',
      cacheControl: 'no-cache',
    });
    expect(patched.json.metadata.drop).toBeUndefined();
    expect(patched.json.etag).not.toBe(created.etag);
    expect((await gcs(emulator, 'PATCH', path, { body: { size: '9', md5: 'x' } })).status).toBe(400);
  });

  test('list: prefix, delimiter and prefixes, pages, offsets, glob, trailing delimiter', async () => {
    const listBucket = 'gcs-list-objects';
    await createBucket(emulator, project, { name: listBucket });
    for (const name of ['a.txt', 'b/', 'b/1.txt', 'b/2.txt', 'b/c/3.txt', 'c.tfplan', 'd/4.tfplan'])
      await mediaUpload(emulator, listBucket, name, name);
    const list = async (query: string) => (await gcs(emulator, 'GET', `/storage/v1/b/${listBucket}/o?${query}`)).json;
    const names = (json: { items?: Array<{ name: string }> }) => (json.items ?? []).map((item) => item.name);
    expect(names(await list(''))).toEqual(['a.txt', 'b/', 'b/1.txt', 'b/2.txt', 'b/c/3.txt', 'c.tfplan', 'd/4.tfplan']);
    const top = await list('delimiter=/');
    expect(names(top)).toEqual(['a.txt', 'c.tfplan']);
    expect(top.prefixes).toEqual(['b/', 'd/']);
    const inB = await list('delimiter=/&prefix=b/');
    expect(names(inB)).toEqual(['b/', 'b/1.txt', 'b/2.txt']);
    expect(inB.prefixes).toEqual(['b/c/']);
    expect(names(await list('delimiter=/&includeTrailingDelimiter=true'))).toEqual(['a.txt', 'b/', 'c.tfplan']);
    expect(names(await list('startOffset=b/2&endOffset=c'))).toEqual(['b/2.txt', 'b/c/3.txt']);
    expect(names(await list('matchGlob=**.tfplan'))).toEqual(['c.tfplan', 'd/4.tfplan']);
    expect(names(await list('matchGlob=b/*.txt'))).toEqual(['b/1.txt', 'b/2.txt']);
    // Pages of two entries: objects and prefixes both count.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await list(`delimiter=/&maxResults=2${token ? `&pageToken=${token}` : ''}`);
      seen.push(...names(page), ...(page.prefixes ?? []));
      token = page.nextPageToken;
    } while (token);
    expect(seen.sort()).toEqual(['a.txt', 'b/', 'c.tfplan', 'd/']);
    expect(await list('prefix=zzz')).toEqual({ kind: 'storage#objects' });
  });

  test('resumable upload: session URI, chunks answered 308 with Range, status query, completion with the object; offsets checked', async () => {
    const data = Buffer.from('0123456789abcdefghij');
    const start = await gcs(emulator, 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=resumable`, {
      body: Buffer.from(JSON.stringify({ name: 'resumable.bin', contentType: 'application/zip' })),
      headers: { 'Content-Type': 'application/json; charset=UTF-8', 'X-Upload-Content-Length': '20' },
    });
    expect(start.status).toBe(200);
    const session = start.headers.get('location')!;
    expect(session).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:${emulator.port}/upload/storage/v1/b/${bucket}/o\\?uploadType=resumable&name=resumable\\.bin&upload_id=`,
      ),
    );
    const status = await gcs(emulator, 'PUT', session, { headers: { 'Content-Range': 'bytes */20' } });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBeNull();
    const first = await gcs(emulator, 'PUT', session, { body: data.subarray(0, 8), headers: { 'Content-Range': 'bytes 0-7/20' } });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe('bytes=0-7');
    const gap = await gcs(emulator, 'PUT', session, { body: data.subarray(12), headers: { 'Content-Range': 'bytes 12-19/20' } });
    expect(gap.json.error.message).toBe(
      'Invalid request.  According to the Content-Range header, the upload offset is 12 byte(s), which exceeds already uploaded size of 8 byte(s).',
    );
    // A retried chunk that overlaps what the session holds is fine.
    const second = await gcs(emulator, 'PUT', session, { body: data.subarray(4, 15), headers: { 'Content-Range': 'bytes 4-14/*' } });
    expect(second.headers.get('range')).toBe('bytes=0-14');
    const done = await gcs(emulator, 'PUT', session, { body: data.subarray(15), headers: { 'Content-Range': 'bytes 15-19/20' } });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ name: 'resumable.bin', size: '20', contentType: 'application/zip' });
    // Asking again about a finished session answers the object.
    expect((await gcs(emulator, 'PUT', session, { headers: { 'Content-Range': 'bytes */20' } })).json.generation).toBe(
      done.json.generation,
    );
    expect((await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/resumable.bin?alt=media`)).bytes.equals(data)).toBe(true);
  });

  test('resumable upload: preconditions at the start and at completion; a cancelled session is gone', async () => {
    const startSession = (name: string) =>
      gcs(emulator, 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${name}&ifGenerationMatch=0`, {
        body: Buffer.alloc(0),
      });
    await mediaUpload(emulator, bucket, 'taken.txt', 'x');
    expect((await startSession('taken.txt')).json).toEqual(PRECONDITION_FAILED);
    const open = (await startSession('raced.txt')).headers.get('location')!;
    await mediaUpload(emulator, bucket, 'raced.txt', 'someone else was faster');
    expect((await gcs(emulator, 'PUT', open, { body: Buffer.from('mine') })).json).toEqual(PRECONDITION_FAILED);
    expect((await gcs(emulator, 'GET', `/storage/v1/b/${bucket}/o/raced.txt?alt=media`)).bytes.toString()).toBe('someone else was faster');
    const cancelled = (await startSession('cancelled.txt')).headers.get('location')!;
    expect((await gcs(emulator, 'DELETE', cancelled)).status).toBe(499);
    expect((await gcs(emulator, 'PUT', cancelled, { body: Buffer.from('late') })).status).toBe(404);
  });

  test('overwriting needs storage.objects.delete as well as create (--deny)', async () => {
    const denied = await startEmulator({ deny: ['storage.objects.delete'] });
    try {
      await createBucket(denied, project, { name: 'gcs-overwrite-denied' });
      expect((await mediaUpload(denied, 'gcs-overwrite-denied', 'x', 'one')).status).toBe(200);
      const again = await mediaUpload(denied, 'gcs-overwrite-denied', 'x', 'two');
      expect(again.status).toBe(403);
      expect(again.json.error.message).toMatch(/does not have storage\.objects\.delete access to the Google Cloud Storage object/);
    } finally {
      await denied.close();
    }
  });

  test('lifecycle Delete rules remove objects that match once their time has come', async () => {
    await createBucket(emulator, project, {
      name: 'gcs-lifecycle-run',
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30, matchesPrefix: ['plans/'] } }] },
    });
    await mediaUpload(emulator, 'gcs-lifecycle-run', 'plans/old.tfplan', 'old');
    await mediaUpload(emulator, 'gcs-lifecycle-run', 'plans/new.tfplan', 'new');
    await mediaUpload(emulator, 'gcs-lifecycle-run', 'keep/old.txt', 'kept: the rule only matches plans/');
    emulator.mutate((services) => {
      const stored = services.store.collection<{ bucket: string; name: string; timeCreated: number }>('storage.objects');
      for (const [key, object] of stored.entries()) {
        if (object.bucket === 'gcs-lifecycle-run' && object.name.includes('old'))
          stored.set(key, { ...object, timeCreated: Date.now() - 31 * 86_400_000 });
      }
    });
    const listed = (await gcs(emulator, 'GET', '/storage/v1/b/gcs-lifecycle-run/o')).json;
    expect(listed.items.map((item: { name: string }) => item.name)).toEqual(['keep/old.txt', 'plans/new.tfplan']);
  });

  test('buckets and objects survive a restart on the same --state file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcs-state-'));
    const stateFile = path.join(dir, 'state.json');
    try {
      const first = await startEmulator({ stateFile });
      await createBucket(first, project, { name: 'gcs-persisted' });
      const written = (await mediaUpload(first, 'gcs-persisted', 'lock', Buffer.from([0, 1, 2, 255]))).json;
      await first.close();
      const second = await startEmulator({ stateFile });
      try {
        const read = await gcs(second, 'GET', '/storage/v1/b/gcs-persisted/o/lock?alt=media');
        expect([...read.bytes]).toEqual([0, 1, 2, 255]);
        expect(read.headers.get('x-goog-generation')).toBe(written.generation);
        expect((await mediaUpload(second, 'gcs-persisted', 'lock', 'x', '&ifGenerationMatch=0')).status).toBe(412);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('recorded Storage exchanges replayed against the emulator', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  /**
   * KCC normalised the bucket id (which is the bucket name) and the bucket generation: not compared.
   * The KCC recorder's bucket also held a folder and a managed folder when it listed the objects
   * (hierarchical-namespace features the emulator does not serve), so that listing's `prefixes` are not compared.
   */
  const normalised = (exchange: RecordedExchange): string[] => {
    if (exchange.request.method === 'GET' && exchange.request.target.includes('/o?')) return ['prefixes'];
    return ['id', 'items[].id', 'generation', 'items[].generation'];
  };

  test('storage-bucket: 404, insert with labels/lifecycle/versioning, get, patch (ACLs in the answer), list objects, delete', async ({
    skip,
  }) => {
    skip(!hasRecording('storage-bucket.http.log'), missingRecordingNote('storage-bucket.http.log'));
    const projectId = 'gcs-replay-kcc';
    const results = await replayRecording(loadRecording('storage-bucket.http.log'), {
      baseUrl: `http://127.0.0.1:${emulator.port}`,
      vars: { projectId, projectNumber: emulator.projectNumber(projectId), uniqueId: 'rec1' },
      ignore: normalised,
    });
    expect(formatDifferences(results)).toBe('');
    expect(results.length).toBe(7);
  });

  test('storage-bucket-gcloud: create, describe (projection=full), list, delete as gcloud does', async ({ skip }) => {
    skip(!hasRecording('storage-bucket-gcloud.http.log'), missingRecordingNote('storage-bucket-gcloud.http.log'));
    const projectId = 'gcs-replay-gcloud';
    const results = await replayRecording(loadRecording('storage-bucket-gcloud.http.log'), {
      baseUrl: `http://127.0.0.1:${emulator.port}`,
      vars: { projectId, projectNumber: emulator.projectNumber(projectId), uniqueId: 'rec2' },
      ignore: normalised,
    });
    expect(formatDifferences(results)).toBe('');
    expect(results.length).toBe(4);
  });
});

describe.skipIf(!gcloudAvailable())('gcloud storage against the emulator', () => {
  const project = 'gcs-gcloud-project';
  let emulator: RunningEmulator;
  let gcloud: Gcloud;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    gcloud = await gcloudFor(emulator, ['storage']);
    dir = mkdtempSync(path.join(tmpdir(), 'gcs-gcloud-'));
  }, 120_000);
  afterAll(async () => {
    await gcloud?.cleanup();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (args: string[]) => {
    const result = await gcloud.run(args, { timeoutMs: 90_000 });
    return result;
  };

  test('buckets create / describe / list', async () => {
    const created = await run([
      'storage',
      'buckets',
      'create',
      'gs://gcs-gcloud-1',
      '--project',
      project,
      '--location',
      'europe-west1',
      '--uniform-bucket-level-access',
      '--public-access-prevention',
    ]);
    expect(created.stderr).not.toMatch(/ERROR/);
    expect(created.code).toBe(0);
    const described = await run(['storage', 'buckets', 'describe', 'gs://gcs-gcloud-1', '--format=json']);
    expect(described.json).toMatchObject({
      name: 'gcs-gcloud-1',
      location: 'EUROPE-WEST1',
      location_type: 'region',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
    });
    const listed = await run(['storage', 'buckets', 'list', '--project', project, '--format=json']);
    expect((listed.json as Array<{ name: string }>).map((bucket) => bucket.name)).toEqual(['gcs-gcloud-1']);
  }, 120_000);

  test('cp up (simple and resumable) and down, ls, cat, rm — bytes and hashes intact', async () => {
    const small = path.join(dir, 'small.txt');
    writeFileSync(small, 'a plan\n');
    const big = path.join(dir, 'big.bin');
    writeFileSync(big, Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 7919) % 251)));
    expect((await run(['storage', 'cp', small, 'gs://gcs-gcloud-1/plans/small.txt'])).code).toBe(0);
    // Above storage/resumable_threshold gcloud starts a resumable session (/resumable/upload/…).
    expect((await run(['config', 'set', 'storage/resumable_threshold', '1048576'])).code).toBe(0);
    emulator.clearRequestLog();
    const resumable = await run(['storage', 'cp', big, 'gs://gcs-gcloud-1/big.bin']);
    expect(resumable.stderr).not.toMatch(/ERROR/);
    expect(emulator.requestLog().filter((entry) => entry.method.endsWith('/InsertObject')).length).toBeGreaterThanOrEqual(2);
    const ls = await run(['storage', 'ls', 'gs://gcs-gcloud-1/']);
    expect(ls.stdout.split('\n').filter(Boolean).sort()).toEqual(['gs://gcs-gcloud-1/big.bin', 'gs://gcs-gcloud-1/plans/']);
    const recursive = await run(['storage', 'ls', '--recursive', 'gs://gcs-gcloud-1/**']);
    expect(recursive.stdout).toContain('gs://gcs-gcloud-1/plans/small.txt');
    expect((await run(['storage', 'cat', 'gs://gcs-gcloud-1/plans/small.txt'])).stdout).toBe('a plan\n');
    const back = path.join(dir, 'back.bin');
    const down = await run(['storage', 'cp', 'gs://gcs-gcloud-1/big.bin', back]);
    expect(down.stderr).not.toMatch(/ERROR/);
    expect(readFileSync(back).equals(readFileSync(big))).toBe(true);
    const hash = await run(['storage', 'hash', 'gs://gcs-gcloud-1/big.bin', '--format=json']);
    const local = await run(['storage', 'hash', big, '--format=json']);
    expect((hash.json as Array<{ md5_hash: string; crc32c_hash: string }>)[0]).toMatchObject({
      md5_hash: (local.json as Array<{ md5_hash: string }>)[0].md5_hash,
      crc32c_hash: (local.json as Array<{ crc32c_hash: string }>)[0].crc32c_hash,
    });
    expect((await run(['storage', 'rm', 'gs://gcs-gcloud-1/big.bin'])).code).toBe(0);
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-gcloud-1/o/big.bin')).status).toBe(404);
  }, 240_000);

  test('cp --if-generation-match=0 fails on an object that exists (the precondition reaches Storage)', async () => {
    const file = path.join(dir, 'lock.json');
    writeFileSync(file, '{"holder":"gcloud"}');
    const first = await run(['storage', 'cp', file, 'gs://gcs-gcloud-1/lock.json', '--if-generation-match=0']);
    expect(first.code).toBe(0);
    const second = await run(['storage', 'cp', file, 'gs://gcs-gcloud-1/lock.json', '--if-generation-match=0']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/412|pre-conditions|precondition/i);
  }, 120_000);

  test('buckets update: labels and a lifecycle file', async () => {
    const lifecycle = path.join(dir, 'lifecycle.json');
    writeFileSync(lifecycle, JSON.stringify({ rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] }));
    const updated = await run([
      'storage',
      'buckets',
      'update',
      'gs://gcs-gcloud-1',
      '--update-labels=owner=atlantis-run',
      `--lifecycle-file=${lifecycle}`,
    ]);
    expect(updated.stderr).not.toMatch(/ERROR/);
    const bucket = (await gcs(emulator, 'GET', '/storage/v1/b/gcs-gcloud-1')).json;
    expect(bucket.labels).toEqual({ owner: 'atlantis-run' });
    expect(bucket.lifecycle).toEqual({ rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] });
  }, 120_000);

  test('rm -r of the bucket removes its objects and then the bucket', async () => {
    const removed = await run(['storage', 'rm', '--recursive', 'gs://gcs-gcloud-1']);
    expect(removed.stderr).not.toMatch(/ERROR/);
    expect(removed.code).toBe(0);
    expect((await gcs(emulator, 'GET', '/storage/v1/b/gcs-gcloud-1')).status).toBe(404);
    expect(
      emulator
        .requestLog()
        .filter((entry) => entry.method === 'google.storage.v1.Storage/DeleteBucket')
        .map((entry) => entry.status),
    ).toEqual(['OK']);
  }, 120_000);
});
