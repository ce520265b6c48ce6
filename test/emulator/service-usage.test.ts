// Service Usage v1 through the real @google-cloud/service-usage client, over gRPC and REST.
import { protos, type ServiceUsageClient } from '@google-cloud/service-usage';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { SERVICE_CATALOG } from '../../src/emulator/apis/service-catalog.js';
import { errorInfoOf, FAST_POLLING, failureOf, grpcCodeOf, messageOf, restCall, serviceUsageClient, TRANSPORTS } from './clients.js';

const State = protos.google.api.serviceusage.v1.State;

describe.each(TRANSPORTS)('Service Usage over %s', (transport) => {
  const projectId = `su-${transport}-project`;
  let emulator: RunningEmulator;
  let client: ServiceUsageClient;
  let number: string;
  const serviceName = (service: string, project = projectId) => `projects/${project}/services/${service}`;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = serviceUsageClient(emulator, transport);
    number = emulator.projectNumber(projectId);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('a new project has only Service Usage and Resource Manager enabled; names use the project number', async () => {
    const [run] = await client.getService({ name: serviceName('run.googleapis.com') });
    expect(run.name).toBe(`projects/${number}/services/run.googleapis.com`);
    expect(run.state).toBe('DISABLED');
    expect(run.parent).toBe(''); // Google omits parent for a service the project never enabled
    const [usage] = await client.getService({ name: serviceName('serviceusage.googleapis.com') });
    expect(usage.state).toBe('ENABLED');
    expect(usage.parent).toBe(`projects/${number}`);
    const [crm] = await client.getService({ name: `projects/${number}/services/cloudresourcemanager.googleapis.com` });
    expect(crm.state).toBe('ENABLED');
  });

  test('EnableService is a long-running operation; the service is enabled when it is done', async () => {
    const [operation] = await client.enableService({ name: serviceName('run.googleapis.com') }, FAST_POLLING);
    expect(operation.name).toMatch(/^operations\//);
    const [response] = await operation.promise();
    expect(response.service?.name).toBe(`projects/${number}/services/run.googleapis.com`);
    expect(response.service?.state).toBe(State.ENABLED);
    expect(response.service?.parent).toBe(`projects/${number}`);
    const [run] = await client.getService({ name: serviceName('run.googleapis.com') });
    expect(run.state).toBe('ENABLED');
    expect(emulator.isServiceEnabled(projectId, 'run.googleapis.com')).toBe(true);
  });

  test('BatchEnableServices enables several services in one operation', async () => {
    const ids = ['secretmanager.googleapis.com', 'artifactregistry.googleapis.com', 'iam.googleapis.com'];
    const [operation] = await client.batchEnableServices({ parent: `projects/${projectId}`, serviceIds: ids }, FAST_POLLING);
    const [response] = await operation.promise();
    expect(response.services?.map((service) => service.name)).toEqual(ids.map((id) => `projects/${number}/services/${id}`));
    expect(response.services?.every((service) => service.state === State.ENABLED)).toBe(true);
  });

  test('BatchGetServices returns each service with its config', async () => {
    const [response] = await client.batchGetServices({
      parent: `projects/${projectId}`,
      names: [serviceName('secretmanager.googleapis.com'), `projects/${number}/services/cloudbuild.googleapis.com`],
    });
    expect(response.services?.map((service) => [service.config?.name, service.config?.title, service.state])).toEqual([
      ['secretmanager.googleapis.com', 'Secret Manager API', 'ENABLED'],
      ['cloudbuild.googleapis.com', 'Cloud Build API', 'DISABLED'],
    ]);
  });

  test('ListServices pages through the catalogue and filters by state', async () => {
    emulator.clearRequestLog();
    const all = [];
    for await (const service of client.listServicesAsync({ parent: `projects/${projectId}`, pageSize: 7 })) all.push(service);
    expect(all).toHaveLength(Object.keys(SERVICE_CATALOG).length);
    const pages = emulator.requestLog().filter((entry) => entry.method.endsWith('/ListServices'));
    expect(pages).toHaveLength(Math.ceil(all.length / 7));
    const [enabled] = await client.listServices({ parent: `projects/${projectId}`, filter: 'state:ENABLED' });
    expect(enabled.map((service) => service.config?.name).sort()).toEqual(
      [
        'artifactregistry.googleapis.com',
        'cloudresourcemanager.googleapis.com',
        'iam.googleapis.com',
        'run.googleapis.com',
        'secretmanager.googleapis.com',
        'serviceusage.googleapis.com',
        // Enabled in every new project, as Google documents.
        'storage-api.googleapis.com',
        'storage-component.googleapis.com',
        'storage.googleapis.com',
      ].sort(),
    );
    const [disabled] = await client.listServices({ parent: `projects/${projectId}`, filter: 'state:DISABLED' });
    expect(disabled.length + enabled.length).toBe(all.length);
    const error = await failureOf(() => client.listServices({ parent: `projects/${projectId}`, filter: 'name:run' }));
    expect(grpcCodeOf(error)).toBe(3);
  });

  test('DisableService turns a service off through an operation', async () => {
    const [operation] = await client.disableService({ name: serviceName('iam.googleapis.com') }, FAST_POLLING);
    const [response] = await operation.promise();
    expect(response.service?.state).toBe(State.DISABLED);
    const [iam] = await client.getService({ name: serviceName('iam.googleapis.com') });
    expect(iam.state).toBe('DISABLED');
    expect(iam.parent).toBe(`projects/${number}`); // once enabled, the project keeps a record of it
  });

  test('DisableService with checkIfServiceHasUsage CHECK refuses a service enabled in the last 3 days or used in the last 30', async () => {
    const CheckIfServiceHasUsage = protos.google.api.serviceusage.v1.DisableServiceRequest.CheckIfServiceHasUsage;
    const [enabled] = await client.enableService({ name: serviceName('pubsub.googleapis.com') }, FAST_POLLING);
    await enabled.promise();
    const recent = await failureOf(() =>
      client.disableService({ name: serviceName('pubsub.googleapis.com'), checkIfServiceHasUsage: CheckIfServiceHasUsage.CHECK }),
    );
    expect(grpcCodeOf(recent)).toBe(9);
    expect(messageOf(recent)).toMatch(/^Service pubsub\.googleapis\.com has usage in the last 30 days or was enabled in the past 3 days\./);
    // Enabled four days ago and never called since: CHECK lets it go.
    emulator.mutate((services) => {
      const project = services.projects.find(projectId)!;
      project.serviceActivity!['pubsub.googleapis.com'] = { enableTime: Date.now() - 4 * 24 * 3600 * 1000 };
    });
    const [old] = await client.disableService(
      { name: serviceName('pubsub.googleapis.com'), checkIfServiceHasUsage: CheckIfServiceHasUsage.CHECK },
      FAST_POLLING,
    );
    expect((await old.promise())[0].service?.state).toBe(State.DISABLED);
    // Enabled long ago but called just now (Secret Manager, enabled in an earlier test): refused.
    emulator.mutate((services) => {
      services.projects.find(projectId)!.serviceActivity!['secretmanager.googleapis.com'] = {
        enableTime: Date.now() - 90 * 24 * 3600 * 1000,
      };
    });
    const used = await restCall(emulator, 'GET', `/v1/projects/${projectId}/secrets`);
    expect(used.status).toBe(200);
    const usedRecently = await failureOf(() =>
      client.disableService({ name: serviceName('secretmanager.googleapis.com'), checkIfServiceHasUsage: CheckIfServiceHasUsage.CHECK }),
    );
    expect(grpcCodeOf(usedRecently)).toBe(9);
    // SKIP (gcloud --force) disables it anyway.
    const [forced] = await client.disableService(
      { name: serviceName('secretmanager.googleapis.com'), checkIfServiceHasUsage: CheckIfServiceHasUsage.SKIP },
      FAST_POLLING,
    );
    expect((await forced.promise())[0].service?.state).toBe(State.DISABLED);
  });

  test('operations are polled on v1 and on v1beta1 (where Terraform polls)', async () => {
    const [operation] = await client.enableService({ name: serviceName('cloudtasks.googleapis.com') });
    for (const version of ['v1', 'v1beta1']) {
      const answer = await restCall(emulator, 'GET', `/${version}/${operation.name}`);
      expect(answer.status, version).toBe(200);
      expect(answer.body).toMatchObject({ name: operation.name, done: true });
    }
  });

  test('the fields= system parameter selects parts of any REST answer (partial response)', async () => {
    const list = await restCall(
      emulator,
      'GET',
      `/v1/projects/${projectId}/services?pageSize=3&fields=nextPageToken,services(name,config/title)`,
    );
    expect(list.status).toBe(200);
    expect(Object.keys(list.body).sort()).toEqual(['nextPageToken', 'services']);
    expect(list.body.services).toHaveLength(3);
    for (const service of list.body.services) {
      expect(Object.keys(service).sort()).toEqual(['config', 'name']);
      expect(Object.keys(service.config)).toEqual(['title']);
    }
    const one = await restCall(emulator, 'GET', `/v1/projects/${projectId}/services/run.googleapis.com?fields=state`);
    expect(one.body).toEqual({ state: 'ENABLED' });
    const malformed = await restCall(emulator, 'GET', `/v1/projects/${projectId}/services/run.googleapis.com?fields=state(`);
    expect(malformed.status).toBe(400);
  });

  test('the catalogue knows the APIs a real project commonly has enabled (BigQuery family, Cloud SQL, Dataform, Dataplex, …)', async () => {
    const names = [
      'bigquery.googleapis.com',
      'bigquerystorage.googleapis.com',
      'bigquerymigration.googleapis.com',
      'analyticshub.googleapis.com',
      'dataform.googleapis.com',
      'dataplex.googleapis.com',
      'sql-component.googleapis.com',
      'storage.googleapis.com',
      'logging.googleapis.com',
      'monitoring.googleapis.com',
    ];
    const [operation] = await client.batchEnableServices({ parent: `projects/${projectId}`, serviceIds: names }, FAST_POLLING);
    const [response] = await operation.promise();
    expect(response.services?.map((service) => service.state)).toEqual(names.map(() => State.ENABLED));
    const [listed] = await client.batchGetServices({ parent: `projects/${projectId}`, names: names.map((name) => serviceName(name)) });
    expect(listed.services?.find((service) => service.config?.name === 'sql-component.googleapis.com')?.config?.title).toBe('Cloud SQL');
  });

  test('polling an operation that does not exist → NOT_FOUND', async () => {
    const error = await failureOf(() => client.checkEnableServiceProgress('operations/acf.p2-0-nonexistent'));
    expect(grpcCodeOf(error)).toBe(5);
    expect(messageOf(error)).toBe('Requested entity was not found.');
  });

  test('an unknown service name fails as at Google', async () => {
    for (const call of [
      () => client.getService({ name: serviceName('nosuchapi.googleapis.com') }),
      () => client.enableService({ name: serviceName('nosuchapi.googleapis.com') }),
      () => client.batchEnableServices({ parent: `projects/${projectId}`, serviceIds: ['run.googleapis.com', 'nosuchapi.googleapis.com'] }),
    ]) {
      const error = await failureOf(call);
      expect(grpcCodeOf(error)).toBe(7);
      expect(messageOf(error)).toBe('Not found or permission denied for service(s): nosuchapi.googleapis.com.');
      expect(errorInfoOf(error)).toMatchObject({
        reason: 'SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED',
        domain: 'serviceusage.googleapis.com',
        metadata: { services: 'nosuchapi.googleapis.com' },
      });
    }
  });

  test('request validation', async () => {
    const tooMany = Object.keys(SERVICE_CATALOG).slice(0, 21);
    expect(grpcCodeOf(await failureOf(() => client.batchEnableServices({ parent: `projects/${projectId}`, serviceIds: tooMany })))).toBe(3);
    expect(grpcCodeOf(await failureOf(() => client.batchEnableServices({ parent: `projects/${projectId}`, serviceIds: [] })))).toBe(3);
    const invalidProject = await failureOf(() => client.getService({ name: serviceName('run.googleapis.com', 'Not_A_Project') }));
    expect(grpcCodeOf(invalidProject)).toBe(7);
    expect(errorInfoOf(invalidProject)?.reason).toBe('CONSUMER_INVALID');
  });
});

test('every emulated API is in the Service Usage catalogue under the title its errors use', async () => {
  const { ALL_APIS } = await import('../../src/emulator/apis/index.js');
  for (const api of ALL_APIS) expect(SERVICE_CATALOG[api.service]).toBe(api.title);
});
