// Replays the recorded Google exchanges for Service Usage, Resource Manager (v1 project get and
// IAM policy) and IAM service accounts against the emulator, field by field.
// Skipped, because the emulator does not serve them: Cloud Billing calls, and project creation
// and deletion (every well-formed project id exists in the emulator, so the recorder's set-up
// and tear-down steps — and the "403 before the project exists" probe — have no counterpart).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { restCall } from './clients.js';
import {
  compareJson,
  formatDifferences,
  hasRecording,
  loadRecording,
  missingRecordingNote,
  replayRecording,
  skipHosts,
  type RecordedExchange,
} from './recordings.js';

const notServed = skipHosts(['cloudbilling.googleapis.com', 'compute.googleapis.com']);

function skipProjectLifecycle(exchange: RecordedExchange): string | false {
  const { host, method, target } = exchange.request;
  if (host !== 'cloudresourcemanager.googleapis.com') return false;
  if (method === 'POST' && /^\/v1\/projects\?/.test(target)) return 'project creation is not emulated';
  if (method === 'DELETE') return 'project deletion is not emulated';
  if (target.startsWith('/v1/operations/')) return 'project creation operation';
  if (exchange.response.status === 403 && method === 'GET') return 'probe made before the project existed';
  return false;
}

function skipNotEmulated(exchange: RecordedExchange): string | false {
  return notServed(exchange) || skipProjectLifecycle(exchange);
}

/** The recorder created its projects with labels, a parent and a display name; the emulator's projects have none of these. */
function projectCreatedByRecorder(exchange: RecordedExchange): string[] {
  return exchange.request.host === 'cloudresourcemanager.googleapis.com' && exchange.request.method === 'GET'
    ? ['labels', 'parent', 'name']
    : [];
}

describe('recorded Google exchanges replayed against the emulator', () => {
  let emulator: RunningEmulator;
  let baseUrl: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    baseUrl = `http://127.0.0.1:${emulator.port}`;
  });
  afterAll(() => emulator.close());

  async function replay(
    file: string,
    projectId: string,
    vars: Record<string, string>,
    ignore: (exchange: RecordedExchange) => string[] = () => [],
  ): Promise<void> {
    const exchanges = loadRecording(file);
    const results = await replayRecording(exchanges, {
      baseUrl,
      vars: { ...vars, projectNumber: emulator.projectNumber(projectId) },
      skip: skipNotEmulated,
      ignore,
      statusOnly: (exchange) => exchange.response.body === 'fake error message',
    });
    expect(formatDifferences(results)).toBe('');
    expect(results.filter((result) => !result.skipped).length).toBeGreaterThan(0);
  }

  test('serviceusage-enable-service: get, enable, poll, disable (Google’s client)', async () => {
    await replay('serviceusage-enable-service.http.log', 'project-surec1', { uniqueId: 'surec1' }, projectCreatedByRecorder);
  });

  test('serviceusage-service-gcloud: batchEnable and enable as gcloud does', async () => {
    await replay('serviceusage-service-gcloud.http.log', 'su-gcloud-project', { projectId: 'su-gcloud-project' });
  });

  test('resourcemanager-project-gcloud: project as gcloud describes it', async () => {
    // gcloud named the project after its id, as the emulator does; only the parent folder differs.
    await replay('resourcemanager-project-gcloud.http.log', 'test-crmrec1', { uniqueId: 'crmrec1' }, (exchange) =>
      exchange.request.host === 'cloudresourcemanager.googleapis.com' ? ['parent'] : [],
    );
  });

  test('iam-policy-project: v1 get/set IAM policy, etags and versions', async () => {
    // The recorded policy names this service account; in the emulator it must exist first.
    emulator.setServiceEnabled('test-project', 'iam.googleapis.com');
    const created = await restCall(emulator, 'POST', '/v1/projects/test-project/serviceAccounts', { accountId: 'test-sa' });
    expect(created.status).toBe(200);
    await replay('iam-policy-project.http.log', 'project-iampol1', { uniqueId: 'iampol1' }, projectCreatedByRecorder);
  });

  test('iam-service-account-gcloud: create, describe, patch, delete as gcloud does', async () => {
    emulator.setServiceEnabled('iam-gcloud-project', 'iam.googleapis.com');
    await replay('iam-service-account-gcloud.http.log', 'iam-gcloud-project', { projectId: 'iam-gcloud-project', uniqueId: 'sarec1' });
  });

  test('iam-service-account-disabled: create, :disable, get shows disabled, delete', async ({ skip }) => {
    skip(!hasRecording('iam-service-account-disabled.http.log'), missingRecordingNote('iam-service-account-disabled.http.log'));
    emulator.setServiceEnabled('iam-disabled-project', 'iam.googleapis.com');
    await replay('iam-service-account-disabled.http.log', 'iam-disabled-project', {
      projectId: 'iam-disabled-project',
      uniqueId: 'sarec3',
    });
  });

  test('iam-workload-identity-pool-provider: pool and OIDC provider create, operations, patch with updateMask, delete', async ({
    skip,
  }) => {
    skip(
      !hasRecording('iam-workload-identity-pool-provider.http.log'),
      missingRecordingNote('iam-workload-identity-pool-provider.http.log'),
    );
    emulator.setServiceEnabled('wif-rec-project', 'iam.googleapis.com');
    await replay('iam-workload-identity-pool-provider.http.log', 'wif-rec-project', { projectId: 'wif-rec-project', uniqueId: 'wifrec1' });
  });

  test('iam-service-account: 404 with the legacy errors array, create, get, patch, delete', async () => {
    emulator.setServiceEnabled('iam-kcc-project', 'iam.googleapis.com');
    await replay('iam-service-account.http.log', 'iam-kcc-project', { projectId: 'iam-kcc-project', uniqueId: 'sarec2' });
  });
});

describe('the recording parser and comparer', () => {
  test('parses every recording into request/response pairs', () => {
    const exchanges = loadRecording('iam-service-account.http.log');
    expect(exchanges).toHaveLength(6);
    expect(exchanges[1].request).toMatchObject({ method: 'POST', host: 'iam.googleapis.com', body: { accountId: 'gsa-${uniqueId}' } });
    expect(exchanges[0].response).toMatchObject({ status: 404, body: { error: { message: 'Unknown service account' } } });
    expect(exchanges[5].response.body).toEqual({});
  });

  test('reports missing, unexpected and different fields; captures placeholders; ignores volatile values', () => {
    const captures: Record<string, string> = {};
    const volatileValues = new Map<string, string>();
    const differences = compareJson(
      {
        name: 'operations/${operationID}',
        etag: 'abc=',
        createTime: '2024-04-01T12:34:56.123456Z',
        state: 'ENABLED',
        parent: 'p',
        labels: { a: '1' },
      },
      { name: 'operations/op-42', etag: 'xyz=', createTime: '2026-01-01T00:00:00Z', state: 'DISABLED', extra: true, labels: { a: '2' } },
      { captures, volatileValues, ignorePaths: ['labels'] },
    );
    expect(differences).toEqual([
      { path: 'state', problem: 'value', expected: 'ENABLED', actual: 'DISABLED' },
      { path: 'parent', problem: 'missing', expected: 'p' },
      { path: 'extra', problem: 'unexpected', actual: true },
    ]);
    expect(captures).toEqual({ operationID: 'op-42' });
    expect(volatileValues.get('abc=')).toBe('xyz=');
    expect(compareJson({ a: [1, 2] }, { a: [1] })).toEqual([{ path: 'a', problem: 'length', expected: 2, actual: 1 }]);
  });
});
