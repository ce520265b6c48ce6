// Cloud Logging v2 entries:list over REST (as the `logs` command calls it: google-auth-library's
// authClient.request()), the entries Cloud Run and Cloud Build write, the emulator-only
// container-output hook, and the filter parser on its own.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appendContainerLogs } from '../../src/emulator/apis/logging.js';
import { matches, parseFilter } from '../../src/emulator/apis/logging-filter.js';
import type { Request } from '../../src/emulator/core/api.js';
import { restCall } from './clients.js';

const projectId = 'logging-test-project';
const region = 'us-central1';
const IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';
const MISSING_IMAGE = `${region}-docker.pkg.dev/${projectId}/missing/atlantis:v0.47.1`;

/** Loosely typed JSON (the emulator's sanctioned `Request` alias). */
type Entry = Request;

async function list(emulator: RunningEmulator, body: Record<string, unknown>): Promise<{ entries?: Entry[]; nextPageToken?: string }> {
  const answer = await restCall(emulator, 'POST', '/v2/entries:list', { resourceNames: [`projects/${projectId}`], ...body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

async function deploy(emulator: RunningEmulator, serviceId: string, image: string, update = false): Promise<void> {
  const base = `/v2/projects/${projectId}/locations/${region}/services`;
  const body = { template: { containers: [{ image }] } };
  const answer = update
    ? await restCall(emulator, 'PATCH', `${base}/${serviceId}`, {
        ...body,
        name: `projects/${projectId}/locations/${region}/services/${serviceId}`,
      })
    : await restCall(emulator, 'POST', `${base}?serviceId=${serviceId}`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  // The operation is done at the next look (operation delay 0); reading the service settles it.
  await restCall(emulator, 'GET', `${base}/${serviceId}`);
}

function serviceFilter(serviceId: string): string {
  return `resource.type="cloud_run_revision" resource.labels.service_name="${serviceId}"`;
}

describe('Cloud Logging entries:list', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, 'run.googleapis.com');
    emulator.setServiceEnabled(projectId, 'cloudbuild.googleapis.com');
    emulator.setServiceEnabled(projectId, 'artifactregistry.googleapis.com');
  });
  afterAll(() => emulator.close());

  test('a deploy writes the audit entry, the instance lines and the Ready events, in Google’s shapes', async () => {
    await deploy(emulator, 'atlantis', IMAGE);
    const { entries = [] } = await list(emulator, { filter: serviceFilter('atlantis') });
    const number = emulator.projectNumber(projectId);
    expect(entries.map((entry) => entry.logName)).toEqual([
      `projects/${projectId}/logs/cloudaudit.googleapis.com%2Factivity`,
      `projects/${projectId}/logs/run.googleapis.com%2Fvarlog%2Fsystem`,
      `projects/${projectId}/logs/run.googleapis.com%2Fvarlog%2Fsystem`,
      `projects/${projectId}/logs/cloudaudit.googleapis.com%2Fsystem_event`,
      `projects/${projectId}/logs/cloudaudit.googleapis.com%2Fsystem_event`,
    ]);
    const [audit, starting, probe, revisionReady, serviceReady] = entries;
    expect(audit).toMatchObject({
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        serviceName: 'run.googleapis.com',
        methodName: 'google.cloud.run.v2.Services.CreateService',
        resourceName: `projects/${projectId}/locations/${region}/services/atlantis`,
      },
      severity: 'NOTICE',
      resource: {
        type: 'cloud_run_revision',
        labels: { service_name: 'atlantis', revision_name: '', project_id: projectId, location: region },
      },
    });
    const revision = revisionReady.resource.labels.revision_name as string;
    expect(revision).toMatch(/^atlantis-00001-[a-z0-9]{3}$/);
    expect(starting.textPayload).toMatch(/^Starting new instance\. Reason: DEPLOYMENT_ROLLOUT - /);
    expect(probe.textPayload).toBe('Default STARTUP TCP probe succeeded after 1 attempt for container "atlantis-1" on port 8080.');
    expect(probe.labels.instanceId).toMatch(/^00[0-9a-f]{64}$/);
    expect(revisionReady.protoPayload.status.message).toMatch(
      new RegExp(
        `^Ready condition status changed to True for Revision ${revision} with message: Deploying revision succeeded in \\d+\\.\\d\\ds\\.$`,
      ),
    );
    expect(revisionReady.protoPayload).toMatchObject({
      methodName: '/Services.CreateService',
      resourceName: `namespaces/${projectId}/revisions/${revision}`,
      response: { kind: 'Revision', apiVersion: 'serving.knative.dev/v1', metadata: { name: revision, namespace: number } },
    });
    expect(revisionReady.resource.labels.configuration_name).toBe('atlantis');
    expect(serviceReady.protoPayload.status.message).toBe('Ready condition status changed to True for Service atlantis.');
    expect(serviceReady.resource.labels).toEqual({
      location: region,
      revision_name: '',
      service_name: 'atlantis',
      project_id: projectId,
      configuration_name: '',
    });
    // Fields come in LogEntry field order, DEFAULT severity omitted, insertId and receiveTimestamp set.
    expect(Object.keys(serviceReady)).toEqual([
      'protoPayload',
      'insertId',
      'resource',
      'timestamp',
      'severity',
      'logName',
      'receiveTimestamp',
    ]);
  });

  test('a revision that fails logs an ERROR system event with the reason, findable by severity', async () => {
    await deploy(emulator, 'atlantis', MISSING_IMAGE, true);
    const { entries = [] } = await list(emulator, { filter: `${serviceFilter('atlantis')} severity>=ERROR` });
    expect(entries).toHaveLength(2);
    const [revisionFailed, serviceFailed] = entries;
    expect(revisionFailed.severity).toBe('ERROR');
    expect(revisionFailed.protoPayload.methodName).toBe('/Services.ReplaceService');
    expect(revisionFailed.protoPayload.status.message).toMatch(
      /^Ready condition status changed to False for Revision atlantis-00002-[a-z0-9]{3} with message: Image '.*missing\/atlantis:v0\.47\.1' not found\.$/,
    );
    expect(revisionFailed.protoPayload.response.status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'ContainerMissing',
    });
    expect(serviceFailed.protoPayload.status.message).toMatch(
      /^Ready condition status changed to False for Service atlantis with message: Image '/,
    );
  });

  test('container output: JSON lines become jsonPayload (severity lifted), others textPayload — over the emulator-only route and in-process', async () => {
    const service = `projects/${projectId}/locations/${region}/services/atlantis`;
    const atlantisLine = JSON.stringify({
      level: 'info',
      ts: '2026-08-22T10:00:00.000Z',
      caller: 'server/server.go:1001',
      msg: 'Atlantis started - listening on port 4141',
      json: {},
    });
    const answer = await restCall(emulator, 'POST', `/emulator/v1/${service}:appendContainerLogs`, {
      lines: [atlantisLine, JSON.stringify({ severity: 'warning', message: 'disk low' }), 'plain text line'],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    emulator.mutate((services) => {
      appendContainerLogs(services, { service, lines: ['panic: boom'], stream: 'stderr' });
    });
    const { entries = [] } = await list(emulator, { filter: `${serviceFilter('atlantis')} logName:"run.googleapis.com%2Fstd"` });
    expect(entries).toHaveLength(4);
    const [atlantis, warning, text, stderr] = entries;
    expect(atlantis.jsonPayload).toEqual(JSON.parse(atlantisLine));
    expect(atlantis.severity).toBeUndefined();
    expect(atlantis.logName).toBe(`projects/${projectId}/logs/run.googleapis.com%2Fstdout`);
    // Revision: the latest ready one (the failed 00002 never served).
    expect(atlantis.resource.labels.revision_name).toMatch(/^atlantis-00001-/);
    expect(warning).toMatchObject({ severity: 'WARNING', jsonPayload: { message: 'disk low' } });
    expect(text.textPayload).toBe('plain text line');
    expect(stderr.logName).toBe(`projects/${projectId}/logs/run.googleapis.com%2Fstderr`);
    const byField = await list(emulator, { filter: 'jsonPayload.level="info" AND jsonPayload.msg:"listening"' });
    expect(byField.entries).toHaveLength(1);

    // Writes in the same millisecond still read back in the order written.
    emulator.mutate((services) => {
      for (let i = 0; i < 20; i++) appendContainerLogs(services, { service, lines: [`burst-${i}`] });
    });
    const burst = await list(emulator, { filter: 'textPayload:"burst-"', pageSize: 100 });
    expect((burst.entries ?? []).map((entry) => entry.textPayload)).toEqual(Array.from({ length: 20 }, (_, i) => `burst-${i}`));
  });

  test('orderBy, paging and a moving timestamp (what --follow polls with)', async () => {
    const filter = serviceFilter('atlantis');
    const all = (await list(emulator, { filter, pageSize: 1000 })).entries ?? [];
    const descending = (await list(emulator, { filter, orderBy: 'timestamp desc', pageSize: 1000 })).entries ?? [];
    expect(descending.map((entry) => entry.insertId)).toEqual([...all].reverse().map((entry) => entry.insertId));
    const paged: Entry[] = [];
    let pageToken: string | undefined;
    do {
      const page = await list(emulator, { filter, pageSize: 3, ...(pageToken ? { pageToken } : {}) });
      expect((page.entries ?? []).length).toBeLessThanOrEqual(3);
      paged.push(...(page.entries ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(paged.map((entry) => entry.insertId)).toEqual(all.map((entry) => entry.insertId));

    const last = all[all.length - 1].timestamp as string;
    expect((await list(emulator, { filter: `${filter} timestamp>"${last}"` })).entries).toBeUndefined();
    emulator.mutate((services) => {
      appendContainerLogs(services, {
        service: `projects/${projectId}/locations/${region}/services/atlantis`,
        lines: ['new line'],
        timestamp: new Date(Date.parse(last) + 1000).toISOString(),
      });
    });
    const fresh = (await list(emulator, { filter: `${filter} timestamp>"${last}"` })).entries ?? [];
    expect(fresh.map((entry) => entry.textPayload)).toEqual(['new line']);
  });

  test('a build writes Cloud Build’s own lines under logs/cloudbuild, resource type build', async () => {
    const created = await restCall(emulator, 'POST', `/v1/projects/${projectId}/builds`, {
      steps: [{ name: 'gcr.io/cloud-builders/docker', id: 'build', args: ['build', '-t', 'img', '.'] }],
      tags: ['atlantis-run'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const buildId = created.body.metadata.build.id as string;
    await restCall(emulator, 'GET', `/v1/projects/${projectId}/builds/${buildId}`);
    const { entries = [] } = await list(emulator, { filter: `resource.type="build" resource.labels.build_id="${buildId}"` });
    expect(entries.map((entry) => entry.textPayload)).toEqual([
      `starting build "${buildId}"`,
      '',
      'BUILD',
      'Starting Step #0 - "build"',
      'Step #0 - "build": Already have image (with digest): gcr.io/cloud-builders/docker',
      'Finished Step #0 - "build"',
      'DONE',
    ]);
    expect(entries[0]).toMatchObject({
      logName: `projects/${projectId}/logs/cloudbuild`,
      resource: { type: 'build', labels: { build_id: buildId, project_id: projectId } },
      labels: { build_step: 'MAIN', build_tags: 'atlantis-run' },
    });
    expect(entries[3].labels.build_step).toBe('Step #0 - "build"');
  });

  test('bad requests fail as Google answers them', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const answer = await restCall(emulator, 'POST', '/v2/entries:list', { resourceNames: [`projects/${projectId}`], ...body });
      expect(answer.status).toBe(400);
      expect(answer.body.error.status).toBe('INVALID_ARGUMENT');
      return answer.body.error.message as string;
    };
    expect(await bad({ filter: 'severity>=ERROR AND' })).toBe("Unparseable filter: syntax error at line 1, column 20, token '<EOF>'");
    expect(await bad({ filter: 'timestamp>="yesterday"' })).toBe("The value 'yesterday' is of incorrect type.");
    expect(await bad({ filter: '"just text"' })).toMatch(/^Unsupported filter: the global restriction/);
    expect(await bad({ orderBy: 'severity' })).toMatch(/order_by/);
    expect(await bad({ pageSize: 1001 })).toMatch(/page_size/);
    expect(await bad({ resourceNames: [] })).toMatch(/resource_names/);
    expect(await bad({ unknownField: 1 })).toBe('Invalid JSON payload received. Unknown name "unknownField": Cannot find field.');
    const anonymous = await restCall(emulator, 'POST', '/v2/entries:list', { resourceNames: [`projects/${projectId}`] }, { token: null });
    expect(anonymous.status).toBe(401);
  });

  test('Logging is on by default; a project that disabled it gets SERVICE_DISABLED', async () => {
    emulator.setServiceEnabled(projectId, 'logging.googleapis.com', false);
    const answer = await restCall(emulator, 'POST', '/v2/entries:list', { resourceNames: [`projects/${projectId}`] });
    expect(answer.status).toBe(403);
    expect(answer.body.error.details[0]).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: 'logging.googleapis.com' } });
    emulator.setServiceEnabled(projectId, 'logging.googleapis.com', true);
  });
});

describe('the Logging filter language subset', () => {
  const entry = {
    logName: 'projects/p/logs/run.googleapis.com%2Fstdout',
    resource: { type: 'cloud_run_revision', labels: { service_name: 'atlantis', revision_name: 'atlantis-00001-abc' } },
    timestamp: '2026-08-22T10:00:00.000Z',
    severity: 'WARNING',
    labels: { 'run.googleapis.com/x': 'y' },
    jsonPayload: { level: 'warn', count: 12 },
  };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['resource.type="cloud_run_revision"', true],
    ['resource.type=cloud_run_revision resource.labels.service_name="other"', false],
    ['severity>=WARNING', true],
    ['severity>=error', false],
    ['severity>INFO AND severity<ERROR', true],
    ['timestamp>="2026-08-22T09:59:59Z"', true],
    ['timestamp>"2026-08-22T10:00:00Z"', false],
    ['timestamp>="2026-08-22T12:00:00+02:00"', true],
    // OR binds tighter than AND: false AND (x OR y).
    ['resource.labels.service_name="other" AND severity=WARNING OR severity=ERROR', false],
    ['(resource.labels.service_name="other" AND severity=WARNING) OR severity=WARNING', true],
    ['NOT severity=ERROR', true],
    ['-resource.labels.service_name="atlantis"', false],
    ['severity=(ERROR OR WARNING)', true],
    ['labels."run.googleapis.com/x"="y"', true],
    ['jsonPayload.count>10', true],
    ['jsonPayload.count>9 jsonPayload.level:WA', true],
    ['jsonPayload.missing="x"', false],
    ['jsonPayload.missing!="x"', true],
    ['jsonPayload:*', true],
    ['resource.labels.revision_name=~"^atlantis-0+1-"', true],
    ['log_name="projects/p/logs/run.googleapis.com%2Fstdout"', true],
    ['resource.labels.service_name="atlantis"\nseverity>=WARNING\ntimestamp>="2026-08-22T00:00:00Z"', true],
  ];
  test.each(cases)('%s → %s', (filter, expected) => {
    expect(matches(entry, parseFilter(filter))).toBe(expected);
  });

  test('errors name the line, column and token', () => {
    expect(() => parseFilter('severity>=WARNING\n(resource.type="x"')).toThrow(
      "Unparseable filter: syntax error at line 2, column 19, token '<EOF>'",
    );
    expect(() => parseFilter('severity>= OR')).toThrow("Unparseable filter: syntax error at line 1, column 12, token 'OR'");
    expect(() => parseFilter('severity>=LOUD')).toThrow("The value 'loud' is of incorrect type.");
    expect(() => parseFilter('SEARCH("x")')).toThrow('Unsupported filter: the function SEARCH()');
  });
});
