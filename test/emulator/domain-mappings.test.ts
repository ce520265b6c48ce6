// Cloud Run v1 domain mappings (REST only) through google-auth-library's OAuth2Client.request(),
// as the tool calls them: the regional endpoint REGION-run.googleapis.com reached through the
// emulator's /hosts/<host>/… prefix, and the v1/projects/P/locations/L form.
import { ServicesClient } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isDomainVerified, resourceRecordsFor, setDomainVerified } from '../../src/emulator/apis/cloud-run-domains.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { clientOptions, FAST_POLLING, restCall } from './clients.js';

const RUN = 'run.googleapis.com';
const IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';
const REGION = 'us-central1';

function mappingBody(domain: string, routeName: string, namespace?: string) {
  return {
    apiVersion: 'domains.cloudrun.com/v1',
    kind: 'DomainMapping',
    metadata: { name: domain, ...(namespace ? { namespace } : {}), labels: { 'managed-by': 'atlantis-run' } },
    spec: { routeName, certificateMode: 'AUTOMATIC' },
  };
}

async function createRunService(emulator: RunningEmulator, projectId: string, serviceId: string, region = REGION): Promise<void> {
  const client = new ServicesClient(clientOptions(emulator, 'grpc'));
  try {
    const [operation] = await client.createService(
      { parent: `projects/${projectId}/locations/${region}`, serviceId, service: { template: { containers: [{ image: IMAGE }] } } },
      FAST_POLLING,
    );
    await operation.promise();
  } finally {
    await client.close();
  }
}

describe('Cloud Run v1 domain mappings on the regional endpoint', () => {
  const projectId = 'run-domains';
  const base = `/hosts/${REGION}-run.googleapis.com/apis/domains.cloudrun.com/v1/namespaces/${projectId}/domainmappings`;
  let emulator: RunningEmulator;
  let number: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    number = emulator.projectNumber(projectId);
  });
  afterAll(() => emulator.close());

  test('the Cloud Run Admin API must be enabled (403 SERVICE_DISABLED)', async () => {
    const answer = await restCall(emulator, 'GET', base);
    expect(answer.status).toBe(403);
    expect(answer.body.error.details[0]).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: RUN } });
    emulator.setServiceEnabled(projectId, RUN);
    await createRunService(emulator, projectId, 'atlantis');
  });

  test('create: the mapping as Google answers it, certificate pending, with the CNAME to create', async () => {
    const answer = await restCall(emulator, 'POST', base, mappingBody('atlantis.example.com', 'atlantis', projectId));
    expect(answer.status).toBe(200);
    const mapping = answer.body;
    expect(mapping).toMatchObject({
      apiVersion: 'domains.cloudrun.com/v1',
      kind: 'DomainMapping',
      metadata: {
        name: 'atlantis.example.com',
        namespace: number,
        selfLink: `/apis/domains.cloudrun.com/v1/namespaces/${number}/domainmappings/atlantis.example.com`,
        generation: 1,
        labels: { 'managed-by': 'atlantis-run', 'cloud.googleapis.com/location': REGION },
      },
      spec: { routeName: 'atlantis', certificateMode: 'AUTOMATIC' },
      status: {
        observedGeneration: 1,
        mappedRouteName: 'atlantis',
        resourceRecords: [{ name: 'atlantis', type: 'CNAME', rrdata: 'ghs.googlehosted.com.' }],
      },
    });
    expect(mapping.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(mapping.metadata.resourceVersion).toBeTruthy();
    expect(Date.parse(mapping.metadata.creationTimestamp)).toBeGreaterThan(0);
    expect(mapping.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status])).toEqual([
      ['Ready', 'Unknown'],
      ['CertificateProvisioned', 'Unknown'],
      ['DomainRoutable', 'True'],
    ]);
    expect(mapping.status.conditions[0].reason).toBe('CertificatePending');
  });

  test('get: with the default --operation-delay 0 the certificate is provisioned by the next read', async () => {
    const answer = await restCall(emulator, 'GET', `${base}/atlantis.example.com`);
    expect(answer.status).toBe(200);
    expect(answer.body.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status])).toEqual([
      ['Ready', 'True'],
      ['CertificateProvisioned', 'True'],
      ['DomainRoutable', 'True'],
    ]);
    // The project number names the namespace just as well.
    const byNumber = await restCall(
      emulator,
      'GET',
      `/hosts/${REGION}-run.googleapis.com/apis/domains.cloudrun.com/v1/namespaces/${number}/domainmappings/atlantis.example.com`,
    );
    expect(byNumber.body.metadata.uid).toBe(answer.body.metadata.uid);
  });

  test('an apex domain gets Google’s A and AAAA records', async () => {
    const answer = await restCall(emulator, 'POST', base, mappingBody('example.org', 'atlantis'));
    expect(answer.status).toBe(200);
    expect(answer.body.status.resourceRecords).toEqual([
      { rrdata: '216.239.32.21', type: 'A' },
      { rrdata: '216.239.34.21', type: 'A' },
      { rrdata: '216.239.36.21', type: 'A' },
      { rrdata: '216.239.38.21', type: 'A' },
      { rrdata: '2001:4860:4802:32::15', type: 'AAAA' },
      { rrdata: '2001:4860:4802:34::15', type: 'AAAA' },
      { rrdata: '2001:4860:4802:36::15', type: 'AAAA' },
      { rrdata: '2001:4860:4802:38::15', type: 'AAAA' },
    ]);
    expect(resourceRecordsFor('www.example.co.uk')).toEqual([{ name: 'www', rrdata: 'ghs.googlehosted.com.', type: 'CNAME' }]);
    expect(resourceRecordsFor('a.b.example.com')).toEqual([{ name: 'a.b', rrdata: 'ghs.googlehosted.com.', type: 'CNAME' }]);
  });

  test('a domain the caller has not verified → 403 "Caller is not authorized to administer the domain"; verifying it (state) allows it', async () => {
    const denied = await restCall(emulator, 'POST', base, mappingBody('atlantis.mycompany.dev', 'atlantis'));
    expect(denied.status).toBe(403);
    expect(denied.body.error.status).toBe('PERMISSION_DENIED');
    expect(denied.body.error.message).toBe(
      "Caller is not authorized to administer the domain 'atlantis.mycompany.dev'. If you own 'atlantis.mycompany.dev', you can obtain authorization by verifying ownership of the domain, or any of its parent domains, via the Webmaster Central portal: https://www.google.com/webmasters/verification/verification?domain=atlantis.mycompany.dev. We recommend verifying ownership of the largest scope you wish to use with subdomains (eg. verify 'example.com' if you wish to map 'subdomain.example.com').",
    );
    emulator.mutate((services) => setDomainVerified(services, 'mycompany.dev', true));
    const allowed = await restCall(emulator, 'POST', base, mappingBody('atlantis.mycompany.dev', 'atlantis'));
    expect(allowed.status).toBe(200);
    // An explicit verdict on a subdomain wins over its parent's; defaults can be revoked too.
    emulator.mutate((services) => {
      setDomainVerified(services, 'blocked.mycompany.dev', false);
      setDomainVerified(services, 'example.com', false);
      expect(isDomainVerified(services, 'x.blocked.mycompany.dev')).toBe(false);
      expect(isDomainVerified(services, 'other.mycompany.dev')).toBe(true);
      expect(isDomainVerified(services, 'www.example.com')).toBe(false);
      expect(isDomainVerified(services, 'ci.atlantis.test')).toBe(true);
      setDomainVerified(services, 'example.com', true);
    });
  });

  test('the route must exist in the region; duplicates → 409; bad names → 400', async () => {
    const noRoute = await restCall(emulator, 'POST', base, mappingBody('ghost.example.com', 'ghost'));
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.message).toBe(
      `Resource 'ghost' of kind 'SERVICE' in region '${REGION}' in project '${projectId}' does not exist.`,
    );
    const duplicate = await restCall(emulator, 'POST', base, mappingBody('atlantis.example.com', 'atlantis'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.status).toBe('ALREADY_EXISTS');
    const badName = await restCall(emulator, 'POST', base, mappingBody('not a domain', 'atlantis'));
    expect(badName.status).toBe(400);
    const noRouteName = await restCall(emulator, 'POST', base, { ...mappingBody('x.example.com', 'atlantis'), spec: {} });
    expect(noRouteName.status).toBe(400);
    expect(noRouteName.body.error.message).toMatch(/^spec\.routeName: /);
    const otherRegion = await restCall(
      emulator,
      'POST',
      `/hosts/europe-west1-run.googleapis.com/apis/domains.cloudrun.com/v1/namespaces/${projectId}/domainmappings`,
      mappingBody('eu.example.com', 'atlantis'),
    );
    expect(otherRegion.status).toBe(404);
    const dryRun = await restCall(emulator, 'POST', `${base}?dryRun=All`, mappingBody('dry.example.com', 'atlantis'));
    expect(dryRun.status).toBe(200);
    expect((await restCall(emulator, 'GET', `${base}/dry.example.com`)).status).toBe(404);
  });

  test('list, delete (a v1 Status), and 404 afterwards', async () => {
    const listed = await restCall(emulator, 'GET', base);
    expect(listed.status).toBe(200);
    expect(listed.body.kind).toBe('DomainMappingList');
    expect(listed.body.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'atlantis.example.com',
      'atlantis.mycompany.dev',
      'example.org',
    ]);
    const deleted = await restCall(emulator, 'DELETE', `${base}/example.org`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      status: 'Success',
      details: { name: 'example.org', group: 'domains.cloudrun.com', kind: 'domainmappings' },
    });
    const gone = await restCall(emulator, 'GET', `${base}/example.org`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toBe(
      `Resource 'example.org' of kind 'DOMAIN_MAPPING' in region '${REGION}' in project '${projectId}' does not exist.`,
    );
    expect((await restCall(emulator, 'DELETE', `${base}/example.org`)).status).toBe(404);
  });

  test('the v1/projects/P/locations/L form serves the same mappings', async () => {
    const parent = `/v1/projects/${projectId}/locations/${REGION}/domainmappings`;
    const created = await restCall(emulator, 'POST', parent, mappingBody('api.example.com', 'atlantis'));
    expect(created.status).toBe(200);
    const viaHost = await restCall(emulator, 'GET', `${base}/api.example.com`);
    expect(viaHost.body.metadata.uid).toBe(created.body.metadata.uid);
    const got = await restCall(emulator, 'GET', `${parent}/api.example.com`);
    expect(got.body.spec.routeName).toBe('atlantis');
    const listed = await restCall(emulator, 'GET', parent);
    expect(listed.body.items).toHaveLength(3);
    expect((await restCall(emulator, 'DELETE', `${parent}/api.example.com`)).status).toBe(200);
  });

  test('a mapping whose service was deleted is no longer routable', async () => {
    await createRunService(emulator, projectId, 'short-lived');
    expect((await restCall(emulator, 'POST', base, mappingBody('short.example.com', 'short-lived'))).status).toBe(200);
    const client = new ServicesClient(clientOptions(emulator, 'rest'));
    try {
      const [operation] = await client.deleteService(
        { name: `projects/${projectId}/locations/${REGION}/services/short-lived` },
        FAST_POLLING,
      );
      await operation.promise();
    } finally {
      await client.close();
    }
    const answer = await restCall(emulator, 'GET', `${base}/short.example.com`);
    expect(answer.body.status.conditions.find((c: { type: string }) => c.type === 'DomainRoutable')).toMatchObject({ status: 'False' });
    expect(answer.body.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False' });
  });

  test('authentication, unknown hosts, and the request log', async () => {
    const anonymous = await restCall(emulator, 'GET', base, undefined, { token: null });
    expect(anonymous.status).toBe(401);
    const global = await restCall(
      emulator,
      'GET',
      `/hosts/run.googleapis.com/apis/domains.cloudrun.com/v1/namespaces/${projectId}/domainmappings`,
    );
    expect(global.status).toBe(404);
    emulator.clearRequestLog();
    await restCall(emulator, 'POST', base, mappingBody('logged.example.com', 'atlantis'));
    await restCall(emulator, 'GET', `${base}/logged.example.com`);
    await restCall(emulator, 'DELETE', `${base}/logged.example.com`);
    expect(
      emulator.requestLog().map(({ api, method, status, mutating, transport }) => ({ api, method, status, mutating, transport })),
    ).toEqual([
      { api: RUN, method: 'google.cloud.run.v1.DomainMappings/CreateDomainMapping', status: 'OK', mutating: true, transport: 'rest' },
      { api: RUN, method: 'google.cloud.run.v1.DomainMappings/GetDomainMapping', status: 'OK', mutating: false, transport: 'rest' },
      { api: RUN, method: 'google.cloud.run.v1.DomainMappings/DeleteDomainMapping', status: 'OK', mutating: true, transport: 'rest' },
    ]);
    expect(emulator.requestLog()[0].resource).toBe(`namespaces/${projectId}/domainmappings/logged.example.com`);
  });
});

describe('domain mappings with --operation-delay and --deny', () => {
  test('the certificate stays pending until the operation delay has passed', async () => {
    const emulator = await startEmulator({ operationDelayMs: 300 });
    const projectId = 'run-domains-slow';
    const base = `/hosts/${REGION}-run.googleapis.com/apis/domains.cloudrun.com/v1/namespaces/${projectId}/domainmappings`;
    try {
      emulator.setServiceEnabled(projectId, RUN);
      await createRunService(emulator, projectId, 'atlantis');
      expect((await restCall(emulator, 'POST', base, mappingBody('slow.example.com', 'atlantis'))).status).toBe(200);
      const early = await restCall(emulator, 'GET', `${base}/slow.example.com`);
      expect(early.body.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'CertificatePending' });
      await new Promise((resolve) => setTimeout(resolve, 320));
      const later = await restCall(emulator, 'GET', `${base}/slow.example.com`);
      expect(later.body.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    } finally {
      await emulator.close();
    }
  });

  test('--deny run.domainmappings.create → 403 IAM_PERMISSION_DENIED', async () => {
    const emulator = await startEmulator({ deny: ['run.domainmappings.create'] });
    const projectId = 'run-domains-denied';
    try {
      emulator.setServiceEnabled(projectId, RUN);
      const answer = await restCall(
        emulator,
        'POST',
        `/hosts/${REGION}-run.googleapis.com/apis/domains.cloudrun.com/v1/namespaces/${projectId}/domainmappings`,
        mappingBody('x.example.com', 'atlantis'),
      );
      expect(answer.status).toBe(403);
      expect(answer.body.error.details[0]).toMatchObject({
        reason: 'IAM_PERMISSION_DENIED',
        metadata: { permission: 'run.domainmappings.create' },
      });
    } finally {
      await emulator.close();
    }
  });
});
