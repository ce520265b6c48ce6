// Rules that hold for every API: enablement, --deny, authentication, faults, latency, operation
// delay, the request log, the state file, unknown routes and methods.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { protos } from '@google-cloud/service-usage';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  errorInfoOf,
  FAST_POLLING,
  failureOf,
  grpcCodeOf,
  messageOf,
  NO_RETRY,
  projectsClient,
  restCall,
  serviceUsageClient,
  TRANSPORTS,
} from './clients.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'emulator-behaviour-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(TRANSPORTS)('API enablement over %s', (transport) => {
  test('a disabled API answers SERVICE_DISABLED like Google; enabling it through Service Usage lets calls through', async () => {
    const emulator = await startEmulator();
    const projects = projectsClient(emulator, transport);
    const usage = serviceUsageClient(emulator, transport);
    const projectId = `disabled-${transport}`;
    const number = emulator.projectNumber(projectId);
    try {
      emulator.setServiceEnabled(projectId, 'cloudresourcemanager.googleapis.com', false);
      const error = await failureOf(() => projects.getProject({ name: `projects/${projectId}` }));
      expect(grpcCodeOf(error)).toBe(7);
      const url = `https://console.developers.google.com/apis/api/cloudresourcemanager.googleapis.com/overview?project=${number}`;
      expect(messageOf(error)).toBe(
        `Cloud Resource Manager API has not been used in project ${number} before or it is disabled. Enable it by visiting ${url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
      );
      expect(errorInfoOf(error)).toEqual({
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: {
          activationUrl: url,
          consumer: `projects/${number}`,
          containerInfo: number,
          service: 'cloudresourcemanager.googleapis.com',
          serviceTitle: 'Cloud Resource Manager API',
        },
      });
      // google-gax 6 decodes Google's JSON error body on REST as it decodes gRPC status details.
      if (transport === 'rest') expect(error.httpStatusCode).toBe(403);
      expect(error.statusDetails.map((d: object) => d.constructor.name)).toEqual(['ErrorInfo', 'LocalizedMessage', 'Help']);

      const [operation] = await usage.enableService(
        { name: `projects/${projectId}/services/cloudresourcemanager.googleapis.com` },
        FAST_POLLING,
      );
      await operation.promise();
      const [project] = await projects.getProject({ name: `projects/${projectId}` });
      expect(project.projectId).toBe(projectId);
    } finally {
      await projects.close();
      await usage.close();
      await emulator.close();
    }
  });
});

describe.each(TRANSPORTS)('--deny over %s', (transport) => {
  test('a denied permission fails the calls that need it and is missing from testIamPermissions', async () => {
    const emulator = await startEmulator({ deny: ['serviceusage.services.enable', 'run.services.create'] });
    const usage = serviceUsageClient(emulator, transport);
    const projects = projectsClient(emulator, transport);
    try {
      const name = 'projects/deny-project/services/run.googleapis.com';
      const error = await failureOf(() => usage.enableService({ name }));
      expect(grpcCodeOf(error)).toBe(7);
      expect(messageOf(error)).toBe(`Permission 'serviceusage.services.enable' denied on resource '${name}' (or it may not exist).`);
      expect(errorInfoOf(error)).toEqual({
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'iam.googleapis.com',
        metadata: { permission: 'serviceusage.services.enable', resource: name },
      });
      const [service] = await usage.getService({ name }); // not denied
      expect(service.state).toBe('DISABLED');
      const [granted] = await projects.testIamPermissions({
        resource: 'projects/deny-project',
        permissions: ['run.services.create', 'run.services.get', 'serviceusage.services.enable'],
      });
      expect(granted.permissions).toEqual(['run.services.get']);
    } finally {
      await usage.close();
      await projects.close();
      await emulator.close();
    }
  });
});

describe('authentication', () => {
  test('REST without a bearer token → 401 UNAUTHENTICATED with Google’s body; gRPC on the plain channel needs none', async () => {
    const emulator = await startEmulator();
    try {
      const answer = await restCall(emulator, 'GET', '/v1/projects/auth-project/services/run.googleapis.com', undefined, { token: null });
      expect(answer.status).toBe(401);
      expect((answer.headers as Headers).get('www-authenticate')).toBe('Bearer realm="https://accounts.google.com/"');
      expect(answer.body.error).toMatchObject({
        code: 401,
        message: expect.stringMatching(/^Request is missing required authentication credential\. Expected OAuth 2 access token/),
        status: 'UNAUTHENTICATED',
        details: [
          {
            reason: 'CREDENTIALS_MISSING',
            metadata: { service: 'serviceusage.googleapis.com', method: 'google.api.serviceusage.v1.ServiceUsage.GetService' },
          },
        ],
      });
      expect(emulator.requestLog().at(-1)).toMatchObject({ status: 'UNAUTHENTICATED', transport: 'rest' });
      const usage = serviceUsageClient(emulator, 'grpc');
      await usage.getService({ name: 'projects/auth-project/services/run.googleapis.com' });
      await usage.close();
    } finally {
      await emulator.close();
    }
  });
});

describe.each(TRANSPORTS)('--faults over %s', (transport) => {
  async function failurePattern(faults: string, seed: number, calls = 24): Promise<string> {
    const emulator = await startEmulator({ faults, seed });
    const usage = serviceUsageClient(emulator, transport);
    let pattern = '';
    try {
      for (let i = 0; i < calls; i++) {
        try {
          await usage.getService({ name: 'projects/fault-project/services/run.googleapis.com' }, NO_RETRY);
          pattern += '.';
        } catch (error) {
          expect(grpcCodeOf(error)).toBe(14);
          expect(messageOf(error)).toBe('The service is currently unavailable.');
          pattern += 'x';
        }
      }
    } finally {
      await usage.close();
      await emulator.close();
    }
    return pattern;
  }

  test('faults are injected at the given rate, identically for the same seed', async () => {
    const first = await failurePattern('serviceusage.GetService=UNAVAILABLE:0.5', 7);
    const again = await failurePattern('serviceusage.GetService=UNAVAILABLE:0.5', 7);
    expect(again).toBe(first);
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    const otherSeed = await failurePattern('serviceusage.GetService=UNAVAILABLE:0.5', 8);
    expect(otherSeed).not.toBe(first);
  });

  test('patterns match full RPC names and short names with * wildcards; the first rule that fires wins', async () => {
    const emulator = await startEmulator({
      faults: 'google.api.serviceusage.v1.*/List*=INTERNAL:1,cloudresourcemanager.*=RESOURCE_EXHAUSTED:1,*=UNAVAILABLE:0',
    });
    const usage = serviceUsageClient(emulator, transport);
    const projects = projectsClient(emulator, transport);
    try {
      expect(grpcCodeOf(await failureOf(() => usage.listServices({ parent: 'projects/fault-project' }, NO_RETRY))) ?? -1).toBe(13);
      expect(grpcCodeOf(await failureOf(() => projects.getProject({ name: 'projects/fault-project' }, NO_RETRY)))).toBe(8);
      await usage.getService({ name: 'projects/fault-project/services/run.googleapis.com' }, NO_RETRY);
      expect(emulator.requestLog().map((entry) => entry.status)).toEqual(['INTERNAL', 'RESOURCE_EXHAUSTED', 'OK']);
    } finally {
      await usage.close();
      await projects.close();
      await emulator.close();
    }
  });
});

describe.each(TRANSPORTS)('--faults after: over %s', (transport) => {
  test('the call is carried out, then its reply is lost: a code, or a dropped connection', async () => {
    const emulator = await startEmulator({
      faults: 'serviceusage.EnableService=after:DEADLINE_EXCEEDED:1,serviceusage.DisableService=after:RESET:1',
    });
    const usage = serviceUsageClient(emulator, transport);
    const name = 'projects/fault-project/services/run.googleapis.com';
    try {
      const lost = await failureOf(() => usage.enableService({ name }, NO_RETRY));
      expect(grpcCodeOf(lost)).toBe(4);
      expect(emulator.isServiceEnabled('fault-project', 'run.googleapis.com')).toBe(true);
      const reset = await failureOf(() => usage.disableService({ name }, NO_RETRY));
      if (transport === 'grpc') {
        expect(grpcCodeOf(reset)).toBe(14);
        expect(messageOf(reset)).toBe('Connection dropped');
      } else {
        // No answer at all: the socket closes (gax's REST transport reports that as UNAVAILABLE too).
        expect(grpcCodeOf(reset)).toBe(14);
        expect(String(reset.message)).toContain('socket hang up');
      }
      expect(emulator.isServiceEnabled('fault-project', 'run.googleapis.com')).toBe(false);
      expect(emulator.requestLog().map((entry) => `${entry.method.split('/').pop()} ${entry.status}`)).toEqual([
        'EnableService DEADLINE_EXCEEDED',
        'DisableService UNAVAILABLE',
      ]);
    } finally {
      await usage.close();
      await emulator.close();
    }
  });
});

describe('latency and operation delay', () => {
  test('--latency is added to every call', async () => {
    const emulator = await startEmulator({ latencyMs: 120 });
    const usage = serviceUsageClient(emulator, 'grpc');
    try {
      const started = Date.now();
      await usage.getService({ name: 'projects/slow-project/services/run.googleapis.com' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(120);
      const [entry] = emulator.requestLog();
      expect(entry.end - entry.start).toBeGreaterThanOrEqual(119);
    } finally {
      await usage.close();
      await emulator.close();
    }
  });

  test.each(TRANSPORTS)(
    '--operation-delay keeps an operation running (and its effect invisible) until due; polling finishes it (%s)',
    async (transport) => {
      const emulator = await startEmulator({ operationDelayMs: 300 });
      const usage = serviceUsageClient(emulator, transport);
      const name = 'projects/delay-project/services/secretmanager.googleapis.com';
      try {
        const started = Date.now();
        const [operation] = await usage.enableService({ name }, FAST_POLLING);
        const progress = await usage.checkEnableServiceProgress(operation.name!);
        expect(progress.done).toBe(false);
        expect((await usage.getService({ name }))[0].state).toBe('DISABLED');
        const [response] = await operation.promise();
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
        expect(response.service?.state).toBe(protos.google.api.serviceusage.v1.State.ENABLED);
        expect((await usage.getService({ name }))[0].state).toBe('ENABLED');
        const polls = emulator.requestLog().filter((entry) => entry.method === 'google.longrunning.Operations/GetOperation');
        expect(polls.length).toBeGreaterThan(1);
        expect(polls.every((entry) => entry.api === 'serviceusage.googleapis.com' && entry.resource === operation.name)).toBe(true);
      } finally {
        await usage.close();
        await emulator.close();
      }
    },
  );

  test('an operation’s effect lands at its due time even if nobody polls', async () => {
    const emulator = await startEmulator({ operationDelayMs: 100 });
    const usage = serviceUsageClient(emulator, 'rest');
    try {
      await usage.enableService({ name: 'projects/delay-project/services/run.googleapis.com' });
      expect(emulator.isServiceEnabled('delay-project', 'run.googleapis.com')).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(emulator.isServiceEnabled('delay-project', 'run.googleapis.com')).toBe(true);
    } finally {
      await usage.close();
      await emulator.close();
    }
  });
});

describe('request log', () => {
  test('one entry per call, in memory and as JSON lines in --request-log', async () => {
    const file = path.join(scratch, 'requests.jsonl');
    const emulator = await startEmulator({ requestLogFile: file });
    const usage = serviceUsageClient(emulator, 'grpc');
    const projects = projectsClient(emulator, 'rest');
    try {
      const name = 'projects/log-project/services/run.googleapis.com';
      await usage.getService({ name });
      const [operation] = await usage.enableService({ name }, FAST_POLLING);
      await operation.promise();
      await projects.getIamPolicy({ resource: 'projects/log-project' });
      const [policy] = await projects.getIamPolicy({ resource: 'projects/log-project' });
      await projects.setIamPolicy({ resource: 'projects/log-project', policy: { etag: policy.etag, bindings: [] } });
      await projects.testIamPermissions({ resource: 'projects/log-project', permissions: ['run.services.get'] });
      await failureOf(() => usage.getService({ name: 'projects/log-project/services/bogus.googleapis.com' }));

      const entries = emulator.requestLog();
      expect(entries.map((e) => [e.transport, e.api, e.method, e.status, e.mutating])).toEqual([
        ['grpc', 'serviceusage.googleapis.com', 'google.api.serviceusage.v1.ServiceUsage/GetService', 'OK', false],
        ['grpc', 'serviceusage.googleapis.com', 'google.api.serviceusage.v1.ServiceUsage/EnableService', 'OK', true],
        ['grpc', 'serviceusage.googleapis.com', 'google.longrunning.Operations/GetOperation', 'OK', false],
        ['rest', 'cloudresourcemanager.googleapis.com', 'google.cloud.resourcemanager.v3.Projects/GetIamPolicy', 'OK', false],
        ['rest', 'cloudresourcemanager.googleapis.com', 'google.cloud.resourcemanager.v3.Projects/GetIamPolicy', 'OK', false],
        ['rest', 'cloudresourcemanager.googleapis.com', 'google.cloud.resourcemanager.v3.Projects/SetIamPolicy', 'OK', true],
        ['rest', 'cloudresourcemanager.googleapis.com', 'google.cloud.resourcemanager.v3.Projects/TestIamPermissions', 'OK', false],
        ['grpc', 'serviceusage.googleapis.com', 'google.api.serviceusage.v1.ServiceUsage/GetService', 'PERMISSION_DENIED', false],
      ]);
      expect(entries[0].resource).toBe(name);
      expect(entries[2].resource).toBe(operation.name);
      expect(entries[3].resource).toBe('projects/log-project');
      for (const entry of entries) expect(entry.end).toBeGreaterThanOrEqual(entry.start);
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toEqual(entries);
      expect(Object.keys(lines[0])).toEqual(['start', 'end', 'transport', 'api', 'method', 'resource', 'status', 'mutating']);
    } finally {
      await usage.close();
      await projects.close();
      await emulator.close();
    }
  });
});

describe('state file', () => {
  test('a second emulator on the same --state file continues where the first stopped, pending operations included', async () => {
    const stateFile = path.join(scratch, 'state', 'emulator.json');
    const first = await startEmulator({ stateFile, operationDelayMs: 1500 });
    const usage = serviceUsageClient(first, 'grpc');
    let pendingOperation: string;
    let etag: string;
    try {
      first.setServiceEnabled('state-project', 'iam.googleapis.com');
      const created = await restCall(first, 'POST', '/v1/projects/state-project/serviceAccounts', { accountId: 'kept-account' });
      expect(created.status).toBe(200);
      const policy = await restCall(first, 'POST', '/v1/projects/state-project:setIamPolicy', {
        policy: { bindings: [{ role: 'roles/viewer', members: ['user:kept@example.com'] }] },
      });
      etag = policy.body.etag;
      const [operation] = await usage.enableService({ name: 'projects/state-project/services/run.googleapis.com' });
      pendingOperation = operation.name!;
      expect(JSON.parse(readFileSync(stateFile, 'utf8')).operations[pendingOperation].done).toBe(false);
    } finally {
      await usage.close();
      await first.close();
    }

    const second = await startEmulator({ stateFile });
    const usageAgain = serviceUsageClient(second, 'rest');
    try {
      expect(second.isServiceEnabled('state-project', 'iam.googleapis.com')).toBe(true);
      const account = await restCall(second, 'GET', '/v1/projects/-/serviceAccounts/kept-account@state-project.iam.gserviceaccount.com');
      expect(account.status).toBe(200);
      const policy = await restCall(second, 'POST', '/v1/projects/state-project:getIamPolicy', {});
      expect(policy.body.etag).toBe(etag);
      // The operation keeps the due time the first emulator gave it.
      const operation = await usageAgain.checkEnableServiceProgress(pendingOperation);
      expect(operation.done).toBe(false);
      expect(second.isServiceEnabled('state-project', 'run.googleapis.com')).toBe(false);
      const [response] = await operation.promise();
      expect(response.service?.state).toBe(protos.google.api.serviceusage.v1.State.ENABLED);
      expect(second.isServiceEnabled('state-project', 'run.googleapis.com')).toBe(true);
    } finally {
      await usageAgain.close();
      await second.close();
    }
  });
});

describe('lifecycle', () => {
  test('close() returns promptly even while a client keeps its channel open', async () => {
    const emulator = await startEmulator();
    const usage = serviceUsageClient(emulator, 'grpc');
    await usage.getService({ name: 'projects/close-project/services/run.googleapis.com' });
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(1_500);
    await usage.close();
  });
});

describe('routing and request validation', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  test('a URL no API serves gets Google’s HTML 404', async () => {
    const answer = await restCall(emulator, 'GET', '/v9/nothing/here');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatch(/<title>Error 404 \(Not Found\)!!1<\/title>/);
    expect((await restCall(emulator, 'DELETE', '/v1/projects/some-project/services/run.googleapis.com')).status).toBe(404);
  });

  test.each(TRANSPORTS)('a method the emulator does not implement answers UNIMPLEMENTED (%s)', async (transport) => {
    const projects = projectsClient(emulator, transport);
    try {
      const error = await failureOf(() => projects.searchProjects({ query: 'id:x' }, { autoPaginate: false }));
      expect(grpcCodeOf(error)).toBe(12);
    } finally {
      await projects.close();
    }
  });

  test('unknown JSON fields and ill-typed values → INVALID_ARGUMENT with Google’s wording', async () => {
    const base = '/v1/projects/routing-project/services';
    const unknown = await restCall(emulator, 'POST', `${base}:batchEnable`, { serviceIds: ['run.googleapis.com'], extra: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('Invalid JSON payload received. Unknown name "extra": Cannot find field.');
    expect(unknown.body.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
    const wrongType = await restCall(emulator, 'POST', `${base}:batchEnable`, { serviceIds: 'run.googleapis.com' });
    expect(wrongType.status).toBe(400);
    const badQuery = await restCall(emulator, 'GET', `${base}?pageSize=abc`);
    expect(badQuery.body.error.message).toBe(`Invalid value at 'pageSize' (TYPE_INT32), "abc"`);
    const unknownQuery = await restCall(emulator, 'GET', `${base}?colour=red`);
    expect(unknownQuery.body.error.message).toMatch(/^Invalid JSON payload received. Unknown name "colour": Cannot bind query parameter/);
  });

  test('REST answers enums by name, or by number when the client asks for enum-encoding=int; snake_case names are accepted', async () => {
    const path = '/v1/projects/routing-project/services/run.googleapis.com';
    expect((await restCall(emulator, 'GET', `${path}?alt=json`)).body.state).toBe('DISABLED');
    expect((await restCall(emulator, 'GET', `${path}?%24alt=json%3Benum-encoding%3Dint`)).body.state).toBe(1);
    const listed = await restCall(emulator, 'GET', '/v1/projects/routing-project/services?page_size=2&filter=state:DISABLED');
    expect(listed.body.services).toHaveLength(2);
    expect(listed.body.nextPageToken).toBeTruthy();
  });
});
