// Cloud Run Admin API v2 through the real @google-cloud/run ServicesClient and RevisionsClient,
// over gRPC and REST: every method, validation, LRO behaviour (with and without
// --operation-delay), generations and revisions, revision readiness (images, service accounts,
// secrets) with the previous revision still serving, URLs, IAM, --deny, the request log, and the
// recorded Google exchanges replayed field by field.
import { request as httpRequest } from 'node:http';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { RevisionsClient, ServicesClient, protos } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerImage } from '../../src/emulator/apis/artifact-registry.js';
import { serviceUrls, type ServiceRecord } from '../../src/emulator/apis/cloud-run.js';
import { parseQuantity } from '../../src/emulator/apis/cloud-run-validation.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  clientOptions,
  errorInfoOf,
  FAST_POLLING,
  failureOf,
  grpcCodeOf,
  messageOf,
  restCall,
  TRANSPORTS,
  waitOperation,
  type LooseJson,
  type Transport,
} from './clients.js';
import { gcloudAvailable, gcloudFor, type Gcloud } from './gcloud.js';
import {
  formatDifferences,
  hasRecording,
  loadCassette,
  missingRecordingNote,
  loadRecording,
  replayRecording,
  type CassetteRewrite,
  type RecordedExchange,
} from './recordings.js';

const RUN = 'run.googleapis.com';
const IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const FAILED_PRECONDITION = 9;
const ABORTED = 10;
const INTERNAL = 13;

type Service = protos.google.cloud.run.v2.IService;
type Json = LooseJson;

function servicesClient(emulator: RunningEmulator, transport: Transport): ServicesClient {
  return new ServicesClient(clientOptions(emulator, transport));
}

function revisionsClient(emulator: RunningEmulator, transport: Transport): RevisionsClient {
  return new RevisionsClient(clientOptions(emulator, transport));
}

/** Enum values arrive as names over gRPC and as numbers over REST: compare by name. */
function enumName(enumType: Record<string, unknown>, value: unknown): string {
  if (typeof value === 'number') return String(Object.entries(enumType).find(([, number]) => number === value)?.[0]);
  return String(value);
}
const conditionState = (value: unknown) => enumName(protos.google.cloud.run.v2.Condition.State, value);
const commonReason = (value: unknown) => enumName(protos.google.cloud.run.v2.Condition.CommonReason, value);

function simpleService(extra: Service = {}, container: protos.google.cloud.run.v2.IContainer = {}): Service {
  return { template: { containers: [{ image: IMAGE, ...container }] }, ...extra };
}

/** A ServicesClient/RevisionsClient LRO call's final outcome: the response, or the error it ended with. */
async function outcome<T>(
  started: Promise<[{ promise(): Promise<[T, ...unknown[]]> }, ...unknown[]]>,
): Promise<{ response?: T; error?: Json }> {
  const [operation] = await started;
  try {
    const [response] = await operation.promise();
    return { response };
  } catch (error) {
    return { error: error as Json };
  }
}

function revisionId(name: string | null | undefined): string {
  return String(name ?? '')
    .split('/')
    .pop()!;
}

describe.each(TRANSPORTS)('Cloud Run v2 over %s', (transport) => {
  const projectId = `run-${transport}-project`;
  const location = 'us-central1';
  const parent = `projects/${projectId}/locations/${location}`;
  const serviceName = (id: string) => `${parent}/services/${id}`;
  let emulator: RunningEmulator;
  let services: ServicesClient;
  let revisions: RevisionsClient;
  let number: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    services = servicesClient(emulator, transport);
    revisions = revisionsClient(emulator, transport);
    number = emulator.projectNumber(projectId);
  });
  afterAll(async () => {
    await services.close();
    await revisions.close();
    await emulator.close();
  });

  test('calls before run.googleapis.com is enabled fail SERVICE_DISABLED', async () => {
    const error = await failureOf(() => services.getService({ name: serviceName('early') }));
    expect(grpcCodeOf(error)).toBe(PERMISSION_DENIED);
    expect(messageOf(error)).toMatch(new RegExp(`^Cloud Run Admin API has not been used in project ${number} before or it is disabled`));
    expect(errorInfoOf(error)).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: RUN, consumer: `projects/${number}` } });
    emulator.setServiceEnabled(projectId, RUN);
  });

  test('CreateService: an operation typed google.cloud.run.v2.Service, with the server defaults the recordings show', async () => {
    const [operation] = await services.createService(
      { parent, serviceId: 'atlantis', service: simpleService({ labels: { app: 'atlantis' } }, { env: [{ name: 'FOO', value: 'bar' }] }) },
      FAST_POLLING,
    );
    expect(operation.name).toMatch(new RegExp(`^projects/${projectId}/locations/${location}/operations/[0-9a-f-]{36}$`));
    expect(operation.done).toBe(false);
    // The service as accepted (recorded): Ready PENDING with nothing else, reconciling, the
    // deterministic URL only, no revision yet, and the default ingress left out.
    const metadata = operation.metadata as Service;
    expect(metadata.name).toBe(serviceName('atlantis'));
    expect(metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(metadata.generation)).toBe('1');
    expect(metadata.reconciling).toBe(true);
    expect(conditionState(metadata.terminalCondition?.state)).toBe('CONDITION_PENDING');
    expect(metadata.terminalCondition?.type ?? '').toBe('');
    expect(metadata.terminalCondition?.lastTransitionTime ?? null).toBeNull();
    expect(metadata.conditions ?? []).toEqual([]);
    expect(metadata.urls).toEqual([`https://atlantis-${number}.${location}.run.app`]);
    expect(metadata.uri ?? '').toBe('');
    expect(metadata.latestCreatedRevision ?? '').toBe('');
    expect(enumName(protos.google.cloud.run.v2.IngressTraffic as never, metadata.ingress ?? 0)).toBe('INGRESS_TRAFFIC_UNSPECIFIED');
    expect(metadata.etag).toMatch(/^"[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+"$/);
    const [service, finalMetadata] = (await operation.promise()) as unknown as [Service, Service];
    // The finished operation's metadata is the final service, not the accepted one.
    expect(String(finalMetadata.observedGeneration)).toBe('1');
    expect(conditionState(finalMetadata.terminalCondition?.state)).toBe('CONDITION_SUCCEEDED');
    expect(finalMetadata.uri).toBe(service.uri);
    expect(finalMetadata.etag).toBe(metadata.etag); // unchanged by the reconciliation, as recorded
    expect(service.name).toBe(serviceName('atlantis'));
    expect(service.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(service.generation)).toBe('1');
    expect(String(service.observedGeneration)).toBe('1');
    expect(service.creator).toBe('user@example.com');
    expect(service.lastModifier).toBe('user@example.com');
    expect(service.etag).toBeTruthy();
    expect(service.labels).toEqual({ app: 'atlantis' });
    expect(String(service.launchStage)).toMatch(/^(GA|4)$/);
    const container = service.template!.containers![0];
    expect(container.resources?.limits).toEqual({ cpu: '1000m', memory: '512Mi' });
    expect(container.resources?.cpuIdle).toBe(true);
    expect(container.ports).toEqual([expect.objectContaining({ name: 'http1', containerPort: 8080 })]);
    expect(container.startupProbe).toMatchObject({
      timeoutSeconds: 240,
      periodSeconds: 240,
      failureThreshold: 1,
      tcpSocket: { port: 8080 },
    });
    expect(container.env).toEqual([expect.objectContaining({ name: 'FOO', value: 'bar' })]);
    expect(service.template!.maxInstanceRequestConcurrency).toBe(80);
    expect(Number(service.template!.timeout!.seconds)).toBe(300);
    expect(service.scaling?.maxInstanceCount).toBe(100);
    // Google does not say which environment it picked: nothing is invented.
    expect(enumName(protos.google.cloud.run.v2.ExecutionEnvironment as never, service.template!.executionEnvironment ?? 0)).toBe(
      'EXECUTION_ENVIRONMENT_UNSPECIFIED',
    );
    expect(service.template!.serviceAccount).toBe(`${number}-compute@developer.gserviceaccount.com`);
    expect(enumName(protos.google.cloud.run.v2.IngressTraffic as never, service.ingress)).toBe('INGRESS_TRAFFIC_ALL');
  });

  test('the created service is Ready: revision, conditions, traffic statuses and URLs (deterministic first)', async () => {
    const [service] = await services.getService({ name: serviceName('atlantis') });
    expect(service.reconciling ?? false).toBe(false);
    expect(conditionState(service.terminalCondition?.state)).toBe('CONDITION_SUCCEEDED');
    expect(service.terminalCondition?.type).toBe('Ready');
    expect(service.conditions?.map((item) => [item.type, conditionState(item.state)])).toEqual([
      ['RoutesReady', 'CONDITION_SUCCEEDED'],
      ['ConfigurationsReady', 'CONDITION_SUCCEEDED'],
    ]);
    expect(revisionId(service.latestReadyRevision)).toMatch(/^atlantis-00001-[a-z0-9]{3}$/);
    expect(service.latestCreatedRevision).toBe(service.latestReadyRevision);
    // A LATEST target's status names no revision (recorded).
    expect(service.trafficStatuses).toHaveLength(1);
    expect(service.trafficStatuses?.[0]?.revision ?? '').toBe('');
    expect(service.trafficStatuses?.[0]?.percent).toBe(100);
    expect(service.urls?.[0]).toBe(`https://atlantis-${number}.${location}.run.app`);
    expect(service.urls?.[1]).toMatch(/^https:\/\/atlantis-[a-z0-9]{10}-uc\.a\.run\.app$/);
    expect(service.uri).toBe(service.urls?.[1]); // the hash form
    expect(service.traffic ?? []).toEqual([]); // not defaulted, as in the recordings

    const [revision] = await revisions.getRevision({ name: service.latestReadyRevision! });
    expect(revision.service).toBe(serviceName('atlantis'));
    expect(revision.conditions?.find((item) => item.type === 'Ready')?.state).toSatisfy(
      (state: unknown) => conditionState(state) === 'CONDITION_SUCCEEDED',
    );
    expect(revision.containers?.[0]?.image).toBe(IMAGE);
    expect(revision.serviceAccount).toBe(`${number}-compute@developer.gserviceaccount.com`);
    expect(revision.logUri).toContain(`revision_name/${revisionId(service.latestReadyRevision)}`);
  });

  test('GetService and ListServices (pages, all locations with "-"), and NOT_FOUND as Google words it', async () => {
    for (const id of ['svc-b', 'svc-a']) {
      const [operation] = await services.createService({ parent, serviceId: id, service: simpleService() }, FAST_POLLING);
      await operation.promise();
    }
    const [other] = await services.createService(
      { parent: `projects/${projectId}/locations/europe-west1`, serviceId: 'svc-eu', service: simpleService() },
      FAST_POLLING,
    );
    await other.promise();
    const names: string[] = [];
    for await (const service of services.listServicesAsync({ parent, pageSize: 2 })) names.push(service.name!);
    expect(names).toEqual(['atlantis', 'svc-a', 'svc-b'].map(serviceName));
    const [everywhere] = await services.listServices({ parent: `projects/${projectId}/locations/-` });
    expect(everywhere.map((service) => revisionId(service.name))).toEqual(['svc-eu', 'atlantis', 'svc-a', 'svc-b']);
    const [eu] = await services.getService({ name: `projects/${projectId}/locations/europe-west1/services/svc-eu` });
    expect(eu.urls?.[0]).toBe(`https://svc-eu-${number}.europe-west1.run.app`);
    expect(eu.urls?.[1]).toMatch(/-ew\.a\.run\.app$/);

    const missing = await failureOf(() => services.getService({ name: serviceName('nope') }));
    expect(grpcCodeOf(missing)).toBe(NOT_FOUND);
    expect(messageOf(missing)).toBe(`Resource 'nope' of kind 'SERVICE' in region '${location}' in project '${projectId}' does not exist.`);
  });

  test('ALREADY_EXISTS, service_id rules and validate_only', async () => {
    const exists = await failureOf(() => services.createService({ parent, serviceId: 'atlantis', service: simpleService() }));
    expect(grpcCodeOf(exists)).toBe(ALREADY_EXISTS);
    expect(messageOf(exists)).toBe("Resource 'atlantis' already exists.");
    for (const serviceId of ['Atlantis', '1atlantis', 'atlantis-', 'a'.repeat(50), 'at_lantis', '']) {
      const error = await failureOf(() => services.createService({ parent, serviceId, service: simpleService() }));
      expect(grpcCodeOf(error), serviceId).toBe(INVALID_ARGUMENT);
      expect(messageOf(error)).toMatch(/^service_id: /);
    }
    const [longest] = await services.createService(
      { parent, serviceId: `a${'b'.repeat(48)}`, service: simpleService(), validateOnly: true },
      FAST_POLLING,
    );
    const [validated] = await longest.promise();
    expect(validated.name).toBe(serviceName(`a${'b'.repeat(48)}`));
    const missing = await failureOf(() => services.getService({ name: serviceName(`a${'b'.repeat(48)}`) }));
    expect(grpcCodeOf(missing)).toBe(NOT_FOUND); // validate_only persisted nothing
  });

  test('UpdateService replaces the spec: a template change makes a new generation and revision; the same spec does not', async () => {
    const [before] = await services.getService({ name: serviceName('atlantis') });
    const first = revisionId(before.latestReadyRevision);
    const changed = {
      ...before,
      template: { ...before.template, containers: [{ ...before.template!.containers![0], env: [{ name: 'FOO', value: 'baz' }] }] },
    };
    const [operation] = await services.updateService({ service: changed }, FAST_POLLING);
    // As recorded: the accepted update still serves generation 1 (its revision, conditions and
    // URL), the Ready condition PENDING since the last transition, the new revision not made yet.
    const accepted = operation.metadata as Service;
    expect(String(accepted.generation)).toBe('2');
    expect(String(accepted.observedGeneration)).toBe('1');
    expect(accepted.reconciling).toBe(true);
    expect(conditionState(accepted.terminalCondition?.state)).toBe('CONDITION_PENDING');
    expect(accepted.terminalCondition?.type).toBe('Ready');
    const seconds = (condition: { lastTransitionTime?: { seconds?: unknown } | null } | null | undefined) =>
      String(condition?.lastTransitionTime?.seconds);
    expect(seconds(accepted.terminalCondition)).toBe(seconds(before.terminalCondition));
    expect(accepted.conditions?.map((item) => [item.type, conditionState(item.state), seconds(item)])).toEqual(
      before.conditions?.map((item) => [item.type, conditionState(item.state), seconds(item)]),
    );
    expect(accepted.latestReadyRevision).toBe(before.latestReadyRevision);
    expect(accepted.latestCreatedRevision).toBe(before.latestCreatedRevision);
    expect(accepted.uri).toBe(before.uri);
    expect(enumName(protos.google.cloud.run.v2.IngressTraffic as never, accepted.ingress)).toBe('INGRESS_TRAFFIC_ALL');
    const [updated] = await operation.promise();
    expect(String(updated.generation)).toBe('2');
    expect(String(updated.observedGeneration)).toBe('2');
    const second = revisionId(updated.latestReadyRevision);
    expect(second).toMatch(/^atlantis-00002-[a-z0-9]{3}$/);
    expect(updated.etag).not.toBe(before.etag);

    // The same spec again (as read back, output-only fields and all): no new generation or revision.
    const [same] = await services.updateService({ service: updated }, FAST_POLLING);
    const [unchanged] = await same.promise();
    expect(String(unchanged.generation)).toBe('2');
    expect(revisionId(unchanged.latestCreatedRevision)).toBe(second);

    // Labels are metadata: the etag changes, the generation does not.
    const [labelled] = await services.updateService({ service: { ...unchanged, labels: { app: 'atlantis', tier: 'ops' } } }, FAST_POLLING);
    const [withLabels] = await labelled.promise();
    expect(String(withLabels.generation)).toBe('2');
    expect(withLabels.labels).toEqual({ app: 'atlantis', tier: 'ops' });
    expect(withLabels.etag).not.toBe(unchanged.etag);

    // Traffic only: a new generation but no new revision; traffic pinned to the first revision.
    const traffic = [
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const, revision: first, percent: 100 },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' as const, percent: 0, tag: 'next' },
    ];
    const [pinned] = await services.updateService({ service: { ...withLabels, traffic } }, FAST_POLLING);
    const [pinnedService] = await pinned.promise();
    expect(String(pinnedService.generation)).toBe('3');
    expect(revisionId(pinnedService.latestCreatedRevision)).toBe(second);
    expect(pinnedService.trafficStatuses?.[0]).toMatchObject({ revision: first, percent: 100 });
    expect(pinnedService.trafficStatuses?.[1]).toMatchObject({ tag: 'next', uri: expect.stringMatching(/^https:\/\/next---atlantis-/) });
    expect(pinnedService.trafficStatuses?.[1]?.revision ?? '').toBe('');
    const [list] = await revisions.listRevisions({ parent: serviceName('atlantis') });
    expect(list.map((revision) => revisionId(revision.name))).toEqual([second, first]); // newest first

    // Back to 100% latest for the tests that follow.
    const [restored] = await services.updateService({ service: { ...pinnedService, traffic: [] } }, FAST_POLLING);
    await restored.promise();
  });

  test('a template naming an existing revision with another configuration → ALREADY_EXISTS', async () => {
    const [current] = await services.getService({ name: serviceName('atlantis') });
    const existing = revisionId(current.latestCreatedRevision);
    const error = await failureOf(() =>
      services.updateService({
        service: { ...current, template: { ...current.template, revision: existing, maxInstanceRequestConcurrency: 10 } },
      }),
    );
    expect(grpcCodeOf(error)).toBe(ALREADY_EXISTS);
    expect(messageOf(error)).toBe(`Revision named '${existing}' with different configuration already exists.`);
  });

  test('an update_mask limits the update to the named fields', async () => {
    const [before] = await services.getService({ name: serviceName('svc-a') });
    const [operation] = await services.updateService(
      {
        service: { name: serviceName('svc-a'), labels: { masked: 'yes' }, template: { containers: [{ image: 'gcr.io/other/image' }] } },
        updateMask: { paths: ['labels'] },
      },
      FAST_POLLING,
    );
    const [after] = await operation.promise();
    expect(after.labels).toEqual({ masked: 'yes' });
    expect(after.template?.containers?.[0]?.image).toBe(IMAGE);
    expect(String(after.generation)).toBe(String(before.generation));
  });

  test('etags: a stale etag → ABORTED on update and delete; the current one is accepted', async () => {
    const [current] = await services.getService({ name: serviceName('svc-a') });
    const stale = await failureOf(() => services.updateService({ service: { ...current, etag: 'c3RhbGU=', description: 'x' } }));
    expect(grpcCodeOf(stale)).toBe(ABORTED);
    const staleDelete = await failureOf(() => services.deleteService({ name: serviceName('svc-a'), etag: 'c3RhbGU=' }));
    expect(grpcCodeOf(staleDelete)).toBe(ABORTED);
    const [operation] = await services.updateService({ service: { ...current, description: 'with the right etag' } }, FAST_POLLING);
    const [updated] = await operation.promise();
    expect(updated.description).toBe('with the right etag');
  });

  test('UpdateService with allow_missing creates; without it the service must exist', async () => {
    const missing = await failureOf(() => services.updateService({ service: { name: serviceName('upserted'), ...simpleService() } }));
    expect(grpcCodeOf(missing)).toBe(NOT_FOUND);
    const [operation] = await services.updateService(
      { service: { name: serviceName('upserted'), ...simpleService() }, allowMissing: true },
      FAST_POLLING,
    );
    const [created] = await operation.promise();
    expect(String(created.generation)).toBe('1');
    expect(revisionId(created.latestReadyRevision)).toMatch(/^upserted-00001-/);
  });

  test('Revisions: get, list, and delete (not the latest or a serving one)', async () => {
    const [list] = await revisions.listRevisions({ parent: serviceName('atlantis') });
    expect(list.length).toBeGreaterThanOrEqual(2);
    const [latest, older] = list;
    const refused = await failureOf(() => revisions.deleteRevision({ name: latest.name! }));
    expect(grpcCodeOf(refused)).toBe(FAILED_PRECONDITION);
    const [operation] = await revisions.deleteRevision({ name: older.name! }, FAST_POLLING);
    const [deleted] = await operation.promise();
    expect(deleted.name).toBe(older.name);
    const gone = await failureOf(() => revisions.getRevision({ name: older.name! }));
    expect(grpcCodeOf(gone)).toBe(NOT_FOUND);
    expect(messageOf(gone)).toBe(
      `Resource '${revisionId(older.name)}' of kind 'REVISION' in region '${location}' in project '${projectId}' does not exist.`,
    );
  });

  test('DeleteService: the operation marks the service (deleteTime, expireTime +30 days, generation bumped, PENDING); done, it is gone', async () => {
    const [created] = await services.createService({ parent, serviceId: 'doomed', service: simpleService() }, FAST_POLLING);
    const [before] = await created.promise();
    const [operation] = await services.deleteService({ name: serviceName('doomed') }, FAST_POLLING);
    const accepted = operation.metadata as Service;
    expect(String(accepted.generation)).toBe('2');
    expect(String(accepted.observedGeneration)).toBe('1');
    expect(accepted.reconciling).toBe(true);
    expect(conditionState(accepted.terminalCondition?.state)).toBe('CONDITION_PENDING');
    expect(accepted.terminalCondition?.type).toBe('Ready');
    const deleteTime = Number(accepted.deleteTime?.seconds);
    expect(deleteTime).toBeGreaterThan(0);
    expect(Number(accepted.expireTime?.seconds) - deleteTime).toBe(30 * 24 * 3600);
    expect(Number(accepted.updateTime?.seconds)).toBe(deleteTime);
    expect(accepted.uri).toBe(before.uri);
    expect(accepted.etag).not.toBe(before.etag);
    const [deleted, finalMetadata] = (await operation.promise()) as unknown as [Service, Service];
    for (const final of [deleted, finalMetadata]) {
      expect(final.name).toBe(serviceName('doomed'));
      expect(String(final.generation)).toBe('2');
      expect(String(final.observedGeneration)).toBe('2');
      expect(conditionState(final.terminalCondition?.state)).toBe('CONDITION_SUCCEEDED');
      expect(final.reconciling ?? false).toBe(false);
      expect(Number(final.deleteTime?.seconds)).toBe(deleteTime);
    }
    const gone = await failureOf(() => services.getService({ name: serviceName('doomed') }));
    expect(grpcCodeOf(gone)).toBe(NOT_FOUND);
  });

  test('operations.list: this location’s operations, newest first, done=true|false filters', async () => {
    type ListRequest = Parameters<typeof services.listOperationsAsync>[0];
    const byFilter = (filter: string) => ({ name: parent, filter }) as unknown as ListRequest;
    const listed: string[] = [];
    for await (const operation of services.listOperationsAsync(byFilter(''))) listed.push(operation.name!);
    expect(listed.length).toBeGreaterThanOrEqual(8);
    expect(listed.every((name) => name.startsWith(`${parent}/operations/`))).toBe(true);
    const done: string[] = [];
    for await (const operation of services.listOperationsAsync(byFilter('done=true'))) done.push(operation.name!);
    expect(done).toEqual(listed);
    const pending: string[] = [];
    for await (const operation of services.listOperationsAsync(byFilter('done=false'))) pending.push(operation.name!);
    expect(pending).toEqual([]);
  });

  test('IAM policy: get, set with etags, unknown members, testIamPermissions; NOT_FOUND for a missing service', async () => {
    const resource = serviceName('atlantis');
    const [empty] = await services.getIamPolicy({ resource });
    expect(empty.bindings ?? []).toEqual([]);
    expect(empty.etag).toBeTruthy();
    const [set] = await services.setIamPolicy({
      resource,
      policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }], etag: empty.etag },
    });
    expect(set.bindings).toEqual([expect.objectContaining({ role: 'roles/run.invoker', members: ['allUsers'] })]);
    const stale = await failureOf(() => services.setIamPolicy({ resource, policy: { bindings: [], etag: empty.etag } }));
    expect(grpcCodeOf(stale)).toBe(ABORTED);
    const unknown = await failureOf(() =>
      services.setIamPolicy({
        resource,
        policy: { bindings: [{ role: 'roles/run.invoker', members: [`serviceAccount:ghost@${projectId}.iam.gserviceaccount.com`] }] },
      }),
    );
    expect(grpcCodeOf(unknown)).toBe(INVALID_ARGUMENT);
    expect(messageOf(unknown)).toBe(`Service account ghost@${projectId}.iam.gserviceaccount.com does not exist.`);
    const [tested] = await services.testIamPermissions({ resource, permissions: ['run.services.get', 'run.services.setIamPolicy'] });
    expect(tested.permissions).toEqual(['run.services.get', 'run.services.setIamPolicy']);
    const missing = await failureOf(() => services.getIamPolicy({ resource: serviceName('nope') }));
    expect(grpcCodeOf(missing)).toBe(NOT_FOUND);
  });

  test('DeleteService is an operation; the service, its revisions and its policy are gone when it is done', async () => {
    const [operation] = await services.deleteService({ name: serviceName('svc-b') }, FAST_POLLING);
    expect((operation.metadata as Service).name).toBe(serviceName('svc-b'));
    const [deleted] = await operation.promise();
    expect(deleted.name).toBe(serviceName('svc-b'));
    const gone = await failureOf(() => services.getService({ name: serviceName('svc-b') }));
    expect(grpcCodeOf(gone)).toBe(NOT_FOUND);
    const state = emulator.state();
    expect(Object.keys(state.collections['run.revisions'] ?? {}).filter((key) => key.includes('/services/svc-b/'))).toEqual([]);
    const again = await failureOf(() => services.deleteService({ name: serviceName('svc-b') }));
    expect(grpcCodeOf(again)).toBe(NOT_FOUND);
  });
});

// ---------------------------------------------------------------------------------------------

describe('Cloud Run v2 request validation', () => {
  const projectId = 'run-validation';
  const parent = `projects/${projectId}/locations/us-central1`;
  let emulator: RunningEmulator;
  let client: ServicesClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, RUN);
    client = servicesClient(emulator, 'grpc');
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  const limits = (cpu: string, memory: string, extra: Json = {}) => ({ resources: { limits: { cpu, memory }, ...extra } });
  const cases: Array<[string, Service, string]> = [
    ['no template', {}, 'template: Required field is missing'],
    ['no containers', { template: { containers: [] } }, 'must contain at least one container'],
    ['two ports', simpleService({}, { ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }), 'ports should contain 0 or 1 port'],
    ['bad port name', simpleService({}, { ports: [{ name: 'http2', containerPort: 8080 }] }), "must be one of empty, 'http1' or 'h2c'"],
    ['no image', { template: { containers: [{}] } }, 'you must provide an image name to deploy'],
    ['unusable image host', simpleService({}, { image: 'quay.io/org/app:1' }), 'Expected an image path like'],
    [
      'fractional CPU always allocated',
      simpleService({}, limits('0.5', '512Mi')),
      'Total cpu < 1 is not supported with cpu always allocated',
    ],
    [
      'fractional CPU with concurrency',
      { template: { containers: [{ image: IMAGE, ...limits('0.5', '512Mi', { cpuIdle: true }) }], maxInstanceRequestConcurrency: 10 } },
      'Total cpu < 1 is not supported with concurrency > 1',
    ],
    ['1 CPU with 8Gi', simpleService({}, limits('1', '8Gi')), 'For 1.0 CPU, memory must be between 128Mi and 4Gi inclusive.'],
    ['2 CPU with 16Gi', simpleService({}, limits('2000m', '16Gi')), 'For 2.0 CPU, memory must be between 128Mi and 8Gi inclusive.'],
    ['4 CPU with 1Gi', simpleService({}, limits('4', '1Gi')), 'For 4.0 CPU, memory must be between 2Gi and 16Gi inclusive.'],
    ['6 CPU with 2Gi', simpleService({}, limits('6', '2Gi')), 'For 6.0 CPU, memory must be between 4Gi and 24Gi inclusive.'],
    ['8 CPU with 48Gi', simpleService({}, limits('8', '48Gi')), 'For 8.0 CPU, memory must be between 4Gi and 32Gi inclusive.'],
    ['3 CPU', simpleService({}, limits('3', '2Gi')), 'Must be equal to one of [.08-1], 1.0, 2.0, 4.0, 6.0, 8.0'],
    ['unparsable CPU', simpleService({}, limits('lots', '1Gi')), 'limits.cpu: Could not parse Quantity'],
    ['unparsable memory', simpleService({}, limits('1', '1 GB')), 'limits.memory: Could not parse Quantity'],
    [
      'gen2 below 512Mi',
      { template: { containers: [{ image: IMAGE, ...limits('1', '256Mi') }], executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2' } },
      'requires at least 512Mi',
    ],
    [
      'min > max instances',
      { template: { containers: [{ image: IMAGE }], scaling: { minInstanceCount: 3, maxInstanceCount: 2 } } },
      'must be greater than or equal to min_instance_count',
    ],
    [
      'negative min instances',
      { template: { containers: [{ image: IMAGE }], scaling: { minInstanceCount: -1 } } },
      'must be greater than or equal to zero',
    ],
    [
      'service min > max',
      { ...simpleService(), scaling: { minInstanceCount: 5, maxInstanceCount: 1 } },
      'scaling.max_instance_count: must be greater than or equal to min_instance_count',
    ],
    [
      'NFS on gen1',
      {
        template: {
          containers: [{ image: IMAGE }],
          executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN1',
          volumes: [{ name: 'nfs', nfs: { server: '10.0.0.2', path: '/share' } }],
        },
      },
      'NFS volumes are only supported in the second generation',
    ],
    [
      'GCS on gen1',
      {
        template: {
          containers: [{ image: IMAGE }],
          executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN1',
          volumes: [{ name: 'data', gcs: { bucket: 'b' } }],
        },
      },
      'Cloud Storage volumes are only supported in the second generation',
    ],
    [
      'mount of an unknown volume',
      simpleService({}, { volumeMounts: [{ name: 'ghost', mountPath: '/data' }] }),
      'reference volumes [ghost] which were not found in volumes list',
    ],
    [
      'relative mount path',
      {
        template: {
          containers: [{ image: IMAGE, volumeMounts: [{ name: 'tmp', mountPath: 'data' }] }],
          volumes: [{ name: 'tmp', emptyDir: { medium: 'MEMORY' } }],
        },
      },
      'must be a valid unix absolute path',
    ],
    [
      'duplicate volume names',
      {
        template: {
          containers: [{ image: IMAGE }],
          volumes: [
            { name: 'v', emptyDir: {} },
            { name: 'v', emptyDir: {} },
          ],
        },
      },
      'Duplicate volume name',
    ],
    [
      'emptyDir size that does not parse',
      { template: { containers: [{ image: IMAGE }], volumes: [{ name: 'tmp', emptyDir: { medium: 'MEMORY', sizeLimit: 'huge' } }] } },
      'size_limit: Could not parse Quantity',
    ],
    [
      'secret env without version',
      simpleService({}, { env: [{ name: 'TOKEN', valueSource: { secretKeyRef: { secret: 'token' } } }] }),
      'value_source.secret_key_ref.version: Required field is missing',
    ],
    [
      'secret env without secret',
      simpleService({}, { env: [{ name: 'TOKEN', valueSource: { secretKeyRef: { version: '1' } } }] }),
      'value_source.secret_key_ref.secret: Required field is missing',
    ],
    [
      'secret env with a bad secret name',
      simpleService({}, { env: [{ name: 'TOKEN', valueSource: { secretKeyRef: { secret: 'a/b', version: '1' } } }] }),
      'secret_key_ref.secret: may only be',
    ],
    [
      'absolute secret item path',
      {
        template: {
          containers: [{ image: IMAGE }],
          volumes: [{ name: 's', secret: { secret: 'cfg', items: [{ path: '/etc/x', version: '1' }] } }],
        },
      },
      'must be a relative path',
    ],
    [
      'reserved env PORT',
      simpleService({}, { env: [{ name: 'PORT', value: '9000' }] }),
      'The following reserved env names were provided: PORT. These values are automatically set by the system.',
    ],
    [
      'reserved env K_SERVICE, K_REVISION, K_CONFIGURATION',
      simpleService({}, { env: ['K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'].map((name) => ({ name, value: 'x' })) }),
      'reserved env names were provided: K_SERVICE, K_REVISION, K_CONFIGURATION',
    ],
    [
      'system annotation on the template',
      { template: { containers: [{ image: IMAGE }], annotations: { 'run.googleapis.com/cpu-throttling': 'false' } } },
      'system annotations are not supported',
    ],
    [
      'system annotation on the service',
      { ...simpleService(), annotations: { 'run.googleapis.com/ingress': 'all' } },
      'system annotations are not supported',
    ],
    ['system label', { ...simpleService(), labels: { 'serving.knative.dev/service': 'x' } }, 'labels with run.googleapis.com'],
    [
      'concurrency above 1000',
      { template: { containers: [{ image: IMAGE }], maxInstanceRequestConcurrency: 2000 } },
      'Must be a number between 0 and 1000',
    ],
    [
      'timeout above one hour',
      { template: { containers: [{ image: IMAGE }], timeout: { seconds: 7200 } } },
      'the maximum allowed time is one hour',
    ],
    [
      'traffic not summing to 100',
      { ...simpleService(), traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 90 }] },
      'should be 100 in total',
    ],
    [
      'duplicate traffic tags',
      {
        ...simpleService(),
        traffic: [
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, tag: 't' },
          { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 0, tag: 't' },
        ],
      },
      'may not contain a duplicate tag',
    ],
    [
      'two serving containers',
      {
        template: {
          containers: [
            { name: 'a', image: IMAGE, ports: [{ containerPort: 8080 }] },
            { name: 'b', image: IMAGE, ports: [{ containerPort: 8081 }] },
          ],
        },
      },
      'exactly one container with an exposed port',
    ],
    [
      'duplicate container names',
      {
        template: {
          containers: [
            { name: 'a', image: IMAGE, ports: [{ containerPort: 8080 }] },
            { name: 'a', image: IMAGE },
          ],
        },
      },
      'duplicate container names',
    ],
    [
      'dependency on an unknown container',
      {
        template: {
          containers: [
            { name: 'a', image: IMAGE, ports: [{ containerPort: 8080 }], dependsOn: ['ghost'] },
            { name: 'b', image: IMAGE },
          ],
        },
      },
      'Container "ghost" does not exist.',
    ],
    [
      'VPC connector in a bad form',
      { template: { containers: [{ image: IMAGE }], vpcAccess: { connector: 'my-connector' } } },
      'connector: must be in form projects/',
    ],
    ['a name in the create body', { ...simpleService(), name: `${parent}/services/named` }, 'service.name: must be empty on create'],
    [
      'a revision name without the service prefix',
      { template: { containers: [{ image: IMAGE }], revision: 'other-00001-abc' } },
      'must be prefixed by the name of the enclosing Service',
    ],
  ];

  test.each(cases)('%s → INVALID_ARGUMENT', async (_title, service, expected) => {
    const error = await failureOf(() => client.createService({ parent, serviceId: 'validated', service }));
    expect(grpcCodeOf(error)).toBe(INVALID_ARGUMENT);
    expect(messageOf(error)).toContain(expected);
  });

  test('valid edge cases are accepted: 1000m / 2 / fractional request-based CPU; concurrency then defaults to 1', async () => {
    const accepted: Array<[string, Service]> = [
      ['cpu-1000m', simpleService({}, limits('1000m', '4Gi'))],
      ['cpu-2', simpleService({}, limits('2', '8Gi'))],
      ['cpu-8', simpleService({}, limits('8', '32Gi'))],
      ['cpu-half', simpleService({}, limits('0.5', '512Mi', { cpuIdle: true }))],
      ['small', simpleService({}, limits('1', '256Mi'))],
      [
        'nfs-gen2',
        {
          template: {
            containers: [{ image: IMAGE, volumeMounts: [{ name: 'nfs', mountPath: '/mnt/nfs' }] }],
            volumes: [{ name: 'nfs', nfs: { server: '10.0.0.2', path: '/share' } }],
          },
        },
      ],
    ];
    for (const [serviceId, service] of accepted) {
      const [operation] = await client.createService({ parent, serviceId, service }, FAST_POLLING);
      const [created] = await operation.promise();
      expect(created.name, serviceId).toBe(`${parent}/services/${serviceId}`);
    }
    const [half] = await client.getService({ name: `${parent}/services/cpu-half` });
    expect(half.template?.maxInstanceRequestConcurrency).toBe(1);
    const [small] = await client.getService({ name: `${parent}/services/small` });
    // Google's choice is not shown.
    expect(enumName(protos.google.cloud.run.v2.ExecutionEnvironment as never, small.template?.executionEnvironment ?? 0)).toBe(
      'EXECUTION_ENVIRONMENT_UNSPECIFIED',
    );
  });

  test('over REST the error is Google’s JSON body with a BadRequest listing every violation', async () => {
    const answer = await restCall(emulator, 'POST', `/v2/${parent}/services?serviceId=rest-invalid`, {
      template: {
        containers: [{ image: IMAGE, env: [{ name: 'PORT', value: '1' }], ...limits('1', '8Gi') }],
        scaling: { minInstanceCount: 2, maxInstanceCount: 1 },
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.status).toBe('INVALID_ARGUMENT');
    const badRequest = answer.body.error.details.find((detail: Json) => detail['@type'] === 'type.googleapis.com/google.rpc.BadRequest');
    expect(badRequest.fieldViolations.map((violation: Json) => violation.field)).toEqual([
      'template.scaling.max_instance_count',
      'template.containers[0].env',
      'template.containers[0].resources.limits.memory',
    ]);
    expect(answer.body.error.message.split('\n')).toHaveLength(3);
  });

  test('quantities parse like Kubernetes quantities', () => {
    expect(parseQuantity('1')).toBe(1);
    expect(parseQuantity('1000m')).toBe(1);
    expect(parseQuantity('0.5')).toBe(0.5);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('2Gi')).toBe(2 * 2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1 GB')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('Cloud Run v2 with --operation-delay', () => {
  const projectId = 'run-delayed';
  const parent = `projects/${projectId}/locations/us-central1`;
  let emulator: RunningEmulator;
  let client: ServicesClient;

  beforeAll(async () => {
    emulator = await startEmulator({ operationDelayMs: 400 });
    emulator.setServiceEnabled(projectId, RUN);
    client = servicesClient(emulator, 'rest');
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('the service exists at once, reconciling, with its new generation; Ready when the operation is done', async () => {
    const started = Date.now();
    const [operation] = await client.createService({ parent, serviceId: 'slow', service: simpleService() }, FAST_POLLING);
    const [during] = await client.getService({ name: `${parent}/services/slow` });
    expect(during.reconciling).toBe(true);
    expect(String(during.generation)).toBe('1');
    expect(conditionState(during.terminalCondition?.state)).toBe('CONDITION_PENDING');
    expect(revisionId(during.latestCreatedRevision)).toMatch(/^slow-00001-/);
    expect(during.latestReadyRevision ?? '').toBe('');
    expect(during.observedGeneration ?? '0').toBe('0');
    expect(during.uri ?? '').toBe('');
    const [done] = await operation.promise();
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(done.reconciling ?? false).toBe(false);
    expect(String(done.observedGeneration)).toBe('1');
    expect(done.latestReadyRevision).toBe(during.latestCreatedRevision);

    // An update: the old revision keeps serving while the new generation reconciles.
    const [update] = await client.updateService(
      { service: { ...done, template: { ...done.template, maxInstanceRequestConcurrency: 20 } } },
      FAST_POLLING,
    );
    const [midway] = await client.getService({ name: `${parent}/services/slow` });
    expect(midway.reconciling).toBe(true);
    expect(String(midway.generation)).toBe('2');
    expect(String(midway.observedGeneration)).toBe('1');
    expect(midway.latestReadyRevision).toBe(done.latestReadyRevision);
    expect(revisionId(midway.latestCreatedRevision)).toMatch(/^slow-00002-/);
    expect(midway.trafficStatuses?.map((status) => [status.revision || '', status.percent])).toEqual([['', 100]]);
    expect(midway.uri).toBe(done.uri);
    const [updated] = await update.promise();
    expect(updated.latestReadyRevision).toBe(midway.latestCreatedRevision);
  });

  test('operations:wait holds the call until the operation is done (or the timeout passes), over both transports', async () => {
    for (const transport of TRANSPORTS) {
      const [operation] = await client.createService({ parent, serviceId: `waited-${transport}`, service: simpleService() }, FAST_POLLING);
      const waitPath = `/v2/${operation.name}:wait`;
      const early = await waitOperation(emulator, transport, { name: operation.name!, timeout: '0.05s' }, waitPath);
      expect(early.done ?? false).toBe(false);
      const started = Date.now();
      const waited = await waitOperation(emulator, transport, { name: operation.name!, timeout: '10s' }, waitPath);
      expect(waited.done).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(waited.response).toBeTruthy();
    }
  });

  test('two updates in flight: each revision settles, the later generation wins', async () => {
    const [created] = await client.createService({ parent, serviceId: 'busy', service: simpleService() }, FAST_POLLING);
    const [service] = await created.promise();
    const [first] = await client.updateService(
      { service: { ...service, template: { ...service.template, maxInstanceRequestConcurrency: 10 } } },
      FAST_POLLING,
    );
    // Without an etag: the first update changed it (with it, the second would be ABORTED).
    const [second] = await client.updateService(
      { service: { ...service, etag: '', template: { ...service.template, maxInstanceRequestConcurrency: 20 } } },
      FAST_POLLING,
    );
    const [fromFirst] = await first.promise();
    const [fromSecond] = await second.promise();
    expect(String(fromSecond.generation)).toBe('3');
    expect(String(fromSecond.observedGeneration)).toBe('3');
    expect(fromSecond.template?.maxInstanceRequestConcurrency).toBe(20);
    expect(revisionId(fromSecond.latestReadyRevision)).toMatch(/^busy-00003-/);
    expect(String(fromFirst.generation)).toBe('3'); // the older operation reports the service as it is now
    const [list] = await revisionsClient(emulator, 'grpc').listRevisions({ parent: `${parent}/services/busy` });
    expect(list.map((revision) => [revisionId(revision.name).slice(0, 10), revision.reconciling ?? false])).toEqual([
      ['busy-00003', false],
      ['busy-00002', false],
      ['busy-00001', false],
    ]);
  });

  test('a delete takes effect when its operation is done', async () => {
    const [operation] = await client.deleteService({ name: `${parent}/services/slow` }, FAST_POLLING);
    const [stillThere] = await client.getService({ name: `${parent}/services/slow` });
    expect(stillThere.name).toBe(`${parent}/services/slow`);
    await operation.promise();
    const gone = await failureOf(() => client.getService({ name: `${parent}/services/slow` }));
    expect(grpcCodeOf(gone)).toBe(NOT_FOUND);
  });
});

// ---------------------------------------------------------------------------------------------

describe.each(TRANSPORTS)('Cloud Run revision readiness over %s', (transport) => {
  const projectId = `run-ready-${transport}`;
  const location = 'us-central1';
  const parent = `projects/${projectId}/locations/${location}`;
  let emulator: RunningEmulator;
  let client: ServicesClient;
  let secrets: SecretManagerServiceClient;
  let number: string;
  let runtime: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    for (const api of [RUN, 'secretmanager.googleapis.com', 'iam.googleapis.com', 'artifactregistry.googleapis.com'])
      emulator.setServiceEnabled(projectId, api);
    client = servicesClient(emulator, transport);
    secrets = new SecretManagerServiceClient(clientOptions(emulator, 'grpc'));
    number = emulator.projectNumber(projectId);
    const account = await restCall(emulator, 'POST', `/v1/projects/${projectId}/serviceAccounts`, { accountId: 'atlantis-runtime' });
    runtime = account.body.email;
    const [secret] = await secrets.createSecret({
      parent: `projects/${projectId}`,
      secretId: 'atlantis-vcs-token',
      secret: { replication: { automatic: {} } },
    });
    await secrets.addSecretVersion({ parent: secret.name!, payload: { data: Buffer.from('v1') } });
    await secrets.addSecretVersion({ parent: secret.name!, payload: { data: Buffer.from('v2') } });
    await secrets.disableSecretVersion({ name: `${secret.name}/versions/2` });
  });
  afterAll(async () => {
    await client.close();
    await secrets.close();
    await emulator.close();
  });

  const withSecret = (version: string, account = runtime): Service => ({
    template: {
      serviceAccount: account,
      containers: [
        {
          image: IMAGE,
          env: [
            { name: 'A', value: 'x' },
            { name: 'ATLANTIS_GH_TOKEN', valueSource: { secretKeyRef: { secret: 'atlantis-vcs-token', version } } },
          ],
        },
      ],
    },
  });

  test('a first revision that cannot start: the operation ends with code 13 and the condition message; nothing serves', async () => {
    const image = `${location}-docker.pkg.dev/${projectId}/images/atlantis:v1`;
    const { error } = await outcome(
      client.createService({ parent, serviceId: 'no-image', service: simpleService({}, { image }) }, FAST_POLLING),
    );
    expect(error?.code).toBe(INTERNAL);
    const [service] = await client.getService({ name: `${parent}/services/no-image` });
    const revision = revisionId(service.latestCreatedRevision);
    const message = `Revision '${revision}' is not ready and cannot serve traffic. Image '${image}' not found.`;
    expect(String(error?.message)).toContain(message);
    expect(conditionState(service.terminalCondition?.state)).toBe('CONDITION_FAILED');
    expect(service.terminalCondition?.message).toBe(message);
    expect(commonReason(service.terminalCondition?.reason)).toBe('REVISION_FAILED');
    expect(service.latestReadyRevision ?? '').toBe('');
    expect(service.trafficStatuses ?? []).toEqual([]);
    expect(service.observedGeneration ?? '0').toBe('0');
    expect(service.reconciling ?? false).toBe(false);
    const [failed] = await revisionsClient(emulator, transport).getRevision({ name: service.latestCreatedRevision! });
    const ready = failed.conditions?.find((item) => item.type === 'Ready');
    expect(conditionState(ready?.state)).toBe('CONDITION_FAILED');
    expect(commonReason(ready?.reason)).toBe('CONTAINER_MISSING');
    expect(ready?.message).toBe(`Image '${image}' not found.`);
  });

  const failures: Array<[string, string, () => Service, () => string, string]> = [
    [
      'a missing service account',
      'svc-no-account',
      () => ({ template: { serviceAccount: `ghost-runtime@${projectId}.iam.gserviceaccount.com`, containers: [{ image: IMAGE }] } }),
      () => `spec.template.spec.serviceAccountName: Service account ghost-runtime@${projectId}.iam.gserviceaccount.com does not exist.`,
      'CONTAINER_PERMISSION_DENIED',
    ],
    [
      'a missing secret version',
      'svc-no-version',
      () => withSecret('7'),
      () =>
        `spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name: Secret projects/${number}/secrets/atlantis-vcs-token/versions/7 was not found`,
      'SECRETS_ACCESS_CHECK_FAILED',
    ],
    [
      'a disabled secret version',
      'svc-disabled-version',
      () => withSecret('2'),
      () =>
        `spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name: Secret projects/${number}/secrets/atlantis-vcs-token/versions/2 is not in ENABLED state`,
      'SECRETS_ACCESS_CHECK_FAILED',
    ],
    [
      'a secret the service account may not read',
      'svc-unreadable',
      () => withSecret('1'),
      () =>
        `spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name: Permission denied on secret: projects/${number}/secrets/atlantis-vcs-token/versions/1 for Revision service account ${runtime}. The service account used must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project or higher level.`,
      'SECRETS_ACCESS_CHECK_FAILED',
    ],
    [
      'a secret volume the service account may not read',
      'svc-unreadable-volume',
      () => ({
        template: {
          serviceAccount: runtime,
          containers: [{ image: IMAGE, volumeMounts: [{ name: 'config', mountPath: '/etc/atlantis' }] }],
          volumes: [
            {
              name: 'config',
              secret: { secret: `projects/${projectId}/secrets/atlantis-vcs-token`, items: [{ path: 'token', version: '1' }] },
            },
          ],
        },
      }),
      () =>
        `spec.template.spec.volumes[0].secret.items[0].key: Permission denied on secret: projects/${projectId}/secrets/atlantis-vcs-token/versions/1 for Revision service account ${runtime}.`,
      'SECRETS_ACCESS_CHECK_FAILED',
    ],
  ];

  test.each(failures)(
    '%s: the new revision fails, the previous Ready revision keeps serving',
    async (_title, serviceId, bad, detail, reason) => {
      const name = `${parent}/services/${serviceId}`;
      const { response: good } = await outcome(client.createService({ parent, serviceId, service: simpleService() }, FAST_POLLING));
      const serving = revisionId(good?.latestReadyRevision);
      expect(serving).toMatch(/-00001-/);

      const { error } = await outcome(client.updateService({ service: { name, ...bad() } }, FAST_POLLING));
      expect(error?.code).toBe(INTERNAL);
      const [service] = await client.getService({ name });
      const failed = revisionId(service.latestCreatedRevision);
      expect(failed).toMatch(/-00002-/);
      expect(service.terminalCondition?.message).toContain(`Revision '${failed}' is not ready and cannot serve traffic. ${detail()}`);
      expect(String(error?.message)).toContain(detail());
      expect(conditionState(service.terminalCondition?.state)).toBe('CONDITION_FAILED');
      expect(revisionId(service.latestReadyRevision)).toBe(serving);
      expect(service.trafficStatuses?.map((status) => [status.revision ?? '', status.percent])).toEqual([['', 100]]);
      expect(String(service.generation)).toBe('2');
      expect(String(service.observedGeneration)).toBe('1');
      expect(service.urls?.[0]).toBe(`https://${serviceId}-${number}.${location}.run.app`);
      expect(service.uri).toBe(service.urls?.[1]);
      expect(service.conditions?.map((item) => [item.type, conditionState(item.state)])).toEqual([
        ['RoutesReady', 'CONDITION_SUCCEEDED'],
        ['ConfigurationsReady', 'CONDITION_FAILED'],
      ]);
      const [revision] = await revisionsClient(emulator, transport).getRevision({ name: service.latestCreatedRevision! });
      expect(commonReason(revision.conditions?.find((item) => item.type === 'Ready')?.reason)).toBe(reason);

      // Sending the same spec again creates no revision: the service stays failed and the operation says so again.
      const again = await outcome(client.updateService({ service: { name, ...bad() } }, FAST_POLLING));
      expect(again.error?.code).toBe(INTERNAL);
      const [still] = await client.getService({ name });
      expect(revisionId(still.latestCreatedRevision)).toBe(failed);
    },
  );

  test('fixing the cause (grant access on the secret) and deploying a new revision makes it Ready', async () => {
    const secret = `projects/${projectId}/secrets/atlantis-vcs-token`;
    await secrets.setIamPolicy({
      resource: secret,
      policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${runtime}`] }] },
    });
    const name = `${parent}/services/svc-unreadable`;
    const fixed = withSecret('1');
    fixed.template!.labels = { attempt: '2' }; // a changed template: a new revision
    const { response, error } = await outcome(client.updateService({ service: { name, ...fixed } }, FAST_POLLING));
    expect(error).toBeUndefined();
    expect(revisionId(response?.latestReadyRevision)).toMatch(/-00003-/);
    expect(conditionState(response?.terminalCondition?.state)).toBe('CONDITION_SUCCEEDED');
  });

  test('traffic to a named revision: served without a new revision, moved even while the newest revision failed, unknown ones refused', async () => {
    const name = `${parent}/services/svc-traffic`;
    const allocation = (value: unknown) => enumName(protos.google.cloud.run.v2.TrafficTargetAllocationType, value);
    const { response: first } = await outcome(
      client.createService({ parent, serviceId: 'svc-traffic', service: simpleService() }, FAST_POLLING),
    );
    const one = revisionId(first?.latestReadyRevision);
    const second = simpleService();
    second.template!.labels = { attempt: '2' };
    const { response: upgraded } = await outcome(client.updateService({ service: { name, ...second } }, FAST_POLLING));
    const two = revisionId(upgraded?.latestReadyRevision);
    expect(two).toMatch(/-00002-/);

    // A rollback: all traffic to the first revision; the template is unchanged, so no revision is made.
    const pinned = { ...second, traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const, revision: one, percent: 100 }] };
    const { response: rolledBack, error } = await outcome(client.updateService({ service: { name, ...pinned } }, FAST_POLLING));
    expect(error).toBeUndefined();
    expect(revisionId(rolledBack?.latestCreatedRevision)).toBe(two);
    expect(revisionId(rolledBack?.latestReadyRevision)).toBe(two);
    expect(rolledBack?.trafficStatuses?.map((t) => [allocation(t.type), t.revision, t.percent])).toEqual([
      ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', one, 100],
    ]);

    // Back to LATEST, then a failed deploy: LATEST keeps resolving to the newest Ready revision.
    await outcome(
      client.updateService(
        { service: { name, ...second, traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }] } },
        FAST_POLLING,
      ),
    );
    const broken = simpleService({}, { image: `${location}-docker.pkg.dev/${projectId}/images/missing:v9` });
    const failedDeploy = await outcome(client.updateService({ service: { name, ...broken } }, FAST_POLLING));
    expect(failedDeploy.error?.code).toBe(INTERNAL);
    const [afterFailure] = await client.getService({ name });
    // A LATEST status names no revision (as Google answers): the latest ready one is still the second.
    expect(afterFailure.trafficStatuses?.map((t) => [t.type, t.revision || undefined, t.percent])).toEqual([
      ['TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', undefined, 100],
    ]);
    expect(afterFailure.latestReadyRevision?.split('/').pop()).toBe(two);

    // The route moves to a named revision although the configuration stays failed (Knative reconciles them apart).
    const rollback = { ...broken, traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const, revision: one, percent: 100 }] };
    const duringFailure = await outcome(client.updateService({ service: { name, ...rollback } }, FAST_POLLING));
    expect(duringFailure.error?.code).toBe(INTERNAL);
    const [moved] = await client.getService({ name });
    expect(moved.trafficStatuses?.map((t) => [allocation(t.type), t.revision, t.percent])).toEqual([
      ['TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', one, 100],
    ]);
    expect(moved.conditions?.map((item) => [item.type, conditionState(item.state)])).toEqual([
      ['RoutesReady', 'CONDITION_SUCCEEDED'],
      ['ConfigurationsReady', 'CONDITION_FAILED'],
    ]);

    // A revision that does not exist cannot take traffic: the operation fails, the route stays.
    const fixed = {
      ...second,
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' as const, revision: 'svc-traffic-00099-zzz', percent: 100 }],
    };
    const unknown = await outcome(client.updateService({ service: { name, ...fixed } }, FAST_POLLING));
    expect(unknown.error?.code).toBe(INTERNAL);
    expect(String(unknown.error?.message)).toContain(
      "Revision 'svc-traffic-00099-zzz' does not exist or is deleted. Update all traffic to route to currently available revisions.",
    );
    const [kept] = await client.getService({ name });
    expect(kept.trafficStatuses?.map((t) => t.revision)).toEqual([one]);
  });

  test('pushing the missing image (repository + image) and deploying a new revision makes the first service Ready', async () => {
    const image = `${location}-docker.pkg.dev/${projectId}/images/atlantis:v1`;
    const registry = new ArtifactRegistryClient(clientOptions(emulator, 'grpc'));
    try {
      const [created] = await registry.createRepository({ parent, repositoryId: 'images', repository: { format: 'DOCKER' } }, FAST_POLLING);
      await created.promise();
    } finally {
      await registry.close();
    }
    emulator.mutate((services) => registerImage(services, image, `sha256:${'a'.repeat(64)}`));
    const name = `${parent}/services/no-image`;
    const { response, error } = await outcome(
      client.updateService({ service: { name, ...simpleService({}, { image, name: 'atlantis' }) } }, FAST_POLLING),
    );
    expect(error).toBeUndefined();
    expect(revisionId(response?.latestReadyRevision)).toMatch(/^no-image-00002-/);
    expect(response?.urls).toEqual([`https://no-image-${number}.${location}.run.app`, response?.uri]);
    expect(response?.uri).toMatch(/^https:\/\/no-image-[a-z0-9]{10}-uc\.a\.run\.app$/);
  });

  test('secrets and accounts fixed while the operation runs count (checked when it is done)', async () => {
    const delayed = await startEmulator({ operationDelayMs: 300 });
    try {
      const project = 'run-ready-race';
      for (const api of [RUN, 'secretmanager.googleapis.com', 'iam.googleapis.com']) delayed.setServiceEnabled(project, api);
      const slowClient = servicesClient(delayed, transport);
      const [operation] = await slowClient.createService(
        {
          parent: `projects/${project}/locations/${location}`,
          serviceId: 'race',
          service: { template: { serviceAccount: `late-runtime@${project}.iam.gserviceaccount.com`, containers: [{ image: IMAGE }] } },
        },
        FAST_POLLING,
      );
      const created = await restCall(delayed, 'POST', `/v1/projects/${project}/serviceAccounts`, { accountId: 'late-runtime' });
      expect(created.status).toBe(200);
      const [service] = await operation.promise();
      expect(conditionState(service.terminalCondition?.state)).toBe('CONDITION_SUCCEEDED');
      await slowClient.close();
    } finally {
      await delayed.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('Cloud Run v2: URLs, --deny, request log, state', () => {
  test('the deterministic URL is listed only when SERVICE-PROJECTNUMBER fits a 63-character DNS label; the hash form once serving', () => {
    const record = {
      projectId: 'p-123456',
      location: 'europe-west1',
      serviceId: 'a'.repeat(49),
      servedTraffic: [],
    } as unknown as ServiceRecord;
    expect(serviceUrls({ ...record, servedTraffic: undefined }, '123456789012')).toEqual([
      `https://${'a'.repeat(49)}-123456789012.europe-west1.run.app`,
    ]);
    const fits = serviceUrls(record, '123456789012'); // 49 + 1 + 12 = 62
    expect(fits[0]).toBe(`https://${'a'.repeat(49)}-123456789012.europe-west1.run.app`);
    expect(fits[1]).toMatch(/-ew\.a\.run\.app$/);
    const tooLong = serviceUrls(record, '12345678901234'); // 49 + 1 + 14 = 64
    expect(tooLong).toHaveLength(1);
    expect(tooLong[0]).toMatch(/^https:\/\/a+-[a-z0-9]{10}-ew\.a\.run\.app$/);
    expect(tooLong[0].split('//')[1].split('.')[0].length).toBeLessThanOrEqual(63);
  });

  test('--deny: the denied permission fails PERMISSION_DENIED and is missing from testIamPermissions; invokerIamDisabled needs setIamPolicy', async () => {
    const emulator = await startEmulator({ deny: ['run.services.create', 'run.services.setIamPolicy'] });
    const projectId = 'run-denied';
    const parent = `projects/${projectId}/locations/us-central1`;
    emulator.setServiceEnabled(projectId, RUN);
    const client = servicesClient(emulator, 'grpc');
    try {
      const error = await failureOf(() => client.createService({ parent, serviceId: 'denied', service: simpleService() }));
      expect(grpcCodeOf(error)).toBe(PERMISSION_DENIED);
      expect(messageOf(error)).toBe(
        `Permission 'run.services.create' denied on resource '${parent}/services/denied' (or it may not exist).`,
      );
      expect(errorInfoOf(error)).toMatchObject({ reason: 'IAM_PERMISSION_DENIED', metadata: { permission: 'run.services.create' } });
      // allow_missing creation needs run.services.create as well.
      const upsert = await failureOf(() =>
        client.updateService({ service: { name: `${parent}/services/denied`, ...simpleService() }, allowMissing: true }),
      );
      expect(grpcCodeOf(upsert)).toBe(PERMISSION_DENIED);
    } finally {
      await client.close();
      await emulator.close();
    }

    const partial = await startEmulator({ deny: ['run.services.setIamPolicy'] });
    partial.setServiceEnabled(projectId, RUN);
    const other = servicesClient(partial, 'rest');
    try {
      const [operation] = await other.createService({ parent, serviceId: 'public', service: simpleService() }, FAST_POLLING);
      const [created] = await operation.promise();
      const error = await failureOf(() => other.updateService({ service: { ...created, invokerIamDisabled: true } }));
      expect(grpcCodeOf(error)).toBe(PERMISSION_DENIED);
      expect(messageOf(error)).toBe(
        `Permission 'run.services.setIamPolicy' denied on resource '${parent}/services/public' (or it may not exist).`,
      );
      const [tested] = await other.testIamPermissions({
        resource: `${parent}/services/public`,
        permissions: ['run.services.get', 'run.services.setIamPolicy'],
      });
      expect(tested.permissions).toEqual(['run.services.get']);
    } finally {
      await other.close();
      await partial.close();
    }
    const open = await startEmulator();
    open.setServiceEnabled(projectId, RUN);
    const openClient = servicesClient(open, 'grpc');
    try {
      const [operation] = await openClient.createService(
        { parent, serviceId: 'public', service: { ...simpleService(), invokerIamDisabled: true } },
        FAST_POLLING,
      );
      const [created] = await operation.promise();
      expect(created.invokerIamDisabled).toBe(true);
    } finally {
      await openClient.close();
      await open.close();
    }
  });

  test('the request log names every call, its API, resource, status and whether it mutates', async () => {
    const emulator = await startEmulator();
    const projectId = 'run-logged';
    const parent = `projects/${projectId}/locations/us-central1`;
    emulator.setServiceEnabled(projectId, RUN);
    const client = servicesClient(emulator, 'grpc');
    const revisionClient = revisionsClient(emulator, 'rest');
    try {
      emulator.clearRequestLog();
      const [operation] = await client.createService({ parent, serviceId: 'logged', service: simpleService() }, FAST_POLLING);
      const [service] = await operation.promise();
      await client.getService({ name: service.name! });
      await revisionClient.listRevisions({ parent: service.name! });
      await failureOf(() => client.getService({ name: `${parent}/services/missing` }));
      const entries = emulator
        .requestLog()
        .map(({ transport, api, method, resource, status, mutating }) => ({ transport, api, method, resource, status, mutating }));
      expect(entries[0]).toEqual({
        transport: 'grpc',
        api: RUN,
        method: 'google.cloud.run.v2.Services/CreateService',
        resource: `${parent}/services/logged`,
        status: 'OK',
        mutating: true,
      });
      expect(
        entries
          .filter((entry) => entry.method === 'google.longrunning.Operations/GetOperation')
          .every((entry) => entry.api === RUN && entry.mutating === false),
      ).toBe(true);
      expect(entries.slice(-3)).toEqual([
        {
          transport: 'grpc',
          api: RUN,
          method: 'google.cloud.run.v2.Services/GetService',
          resource: service.name,
          status: 'OK',
          mutating: false,
        },
        {
          transport: 'rest',
          api: RUN,
          method: 'google.cloud.run.v2.Revisions/ListRevisions',
          resource: service.name,
          status: 'OK',
          mutating: false,
        },
        {
          transport: 'grpc',
          api: RUN,
          method: 'google.cloud.run.v2.Services/GetService',
          resource: `${parent}/services/missing`,
          status: 'NOT_FOUND',
          mutating: false,
        },
      ]);
    } finally {
      await client.close();
      await revisionClient.close();
      await emulator.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Real Cloud Run v2 traffic (recordings/README.md says where each recording comes from).

/** Kubernetes Config Connector's recorder replaced the project id and number with these literals (configureVCR). */
const KCC_VALUES: CassetteRewrite = [
  ['example-project', '${projectId}'],
  [/\b123456789\b/g, '${projectNumber}'],
  // The project's hash in `*.a.run.app` URLs: captured from the emulator's first answer, then held to it.
  [/-[a-z0-9]{10}-uc\.a\.run\.app/g, '-${urlHash}-uc.a.run.app'],
];

/** The recorder's own account (`creator`/`lastModifier`); the emulator cannot know who holds a token and says user@example.com. */
const CALLER_FIELDS = ['creator', 'lastModifier'];

function withOperationPaths(paths: string[]): string[] {
  return [...paths, ...paths.flatMap((path) => [`metadata.${path}`, `response.${path}`])];
}

interface RealRecording {
  file: string;
  /** Run exchanges the replay must have made at least. */
  minimumRunCalls: number;
  load: () => RecordedExchange[];
  /** Paths not compared, each with its reason in the README ("Cloud Run": replayed recordings). */
  ignore: string[];
}

const REAL_RECORDINGS: RealRecording[] = [
  {
    // KCC runservicebasic, recorded 2024-08-15: create, update, delete with every operation.
    file: 'run-v2-service-basic.vcr.yaml',
    minimumRunCalls: 13,
    load: () => loadCassette('run-v2-service-basic.vcr.yaml', KCC_VALUES),
    // Fields Google added after this recording: `urls` (in the 2024-08-28 and 2026 recordings) and the
    // service-wide `scaling {maxInstanceCount: 100}` (in the 2026 one).
    ignore: withOperationPaths([...CALLER_FIELDS, 'urls', 'scaling']),
  },
  {
    // KCC eventarctrigger's two Cloud Run services, recorded 2024-08-28 (its Eventarc, Pub/Sub, IAM and project calls are skipped).
    file: 'run-v2-service-pair.vcr.yaml',
    minimumRunCalls: 14,
    load: () => loadCassette('run-v2-service-pair.vcr.yaml', KCC_VALUES),
    ignore: withOperationPaths([...CALLER_FIELDS, 'scaling']),
  },
  {
    // KCC cloudruncomputeregionnetworkendpointgroup, recorded 2026-06-13 and normalised by KCC's golden-log normaliser.
    file: 'run-v2-service-2026.http.log',
    minimumRunCalls: 7,
    load: () => loadRecording('run-v2-service-2026.http.log', [[/-[a-z0-9]{10}-uc\.a\.run\.app/g, '-${urlHash}-uc.a.run.app']]),
    // The normaliser removes `.metadata.uid` and replaces a read's `generation` with 12345678901234 (tests/e2e/normalize.go).
    ignore: [...withOperationPaths(CALLER_FIELDS), 'metadata.uid', 'generation'],
  },
];

describe('real Cloud Run v2 traffic replayed against the emulator, field by field', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  for (const recording of REAL_RECORDINGS) {
    // Vendored from the project's reference material (recordings/README.md); absent from a clone that lacks it.
    test(recording.file, async ({ skip }) => {
      skip(!hasRecording(recording.file), missingRecordingNote(recording.file));
      const projectId = `run-real-${REAL_RECORDINGS.indexOf(recording)}`;
      emulator.setServiceEnabled(projectId, RUN);
      const results = await replayRecording(recording.load(), {
        baseUrl: `http://127.0.0.1:${emulator.port}`,
        vars: { projectId, projectNumber: emulator.projectNumber(projectId), uniqueId: 'rec' },
        skip: (exchange) => (exchange.request.host === RUN ? false : `${exchange.request.host}: not this recording's subject`),
        ignore: (exchange) => (exchange.request.host === RUN ? recording.ignore : []),
      });
      expect(formatDifferences(results)).toBe('');
      expect(results.filter((result) => !result.skipped).length).toBeGreaterThanOrEqual(recording.minimumRunCalls);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// gcloud run services: the v1 (Knative) API on the regional host, reached with the emulator as
// gcloud's HTTP proxy (gcloud derives `REGION-run.googleapis.com` from the endpoint itself).

describe.skipIf(!gcloudAvailable())('gcloud run services against the emulator', () => {
  const projectId = 'gcloud-run-project';
  const location = 'europe-west1';
  let emulator: RunningEmulator;
  let gcloud: Gcloud;
  let number: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, RUN);
    number = emulator.projectNumber(projectId);
    const client = servicesClient(emulator, 'grpc');
    try {
      for (const [serviceId, region] of [
        ['atlantis', location],
        ['other', 'us-central1'],
      ]) {
        const [operation] = await client.createService(
          { parent: `projects/${projectId}/locations/${region}`, serviceId, service: simpleService({ labels: { app: serviceId } }) },
          FAST_POLLING,
        );
        await operation.promise();
      }
    } finally {
      await client.close();
    }
    gcloud = await gcloudFor(emulator, ['run'], { viaProxy: true });
  }, 120_000);
  afterAll(async () => {
    await gcloud?.cleanup();
    await emulator?.close();
  });

  test('gcloud run services list (every region, then one)', async () => {
    const all = await gcloud.run(['run', 'services', 'list', '--project', projectId, '--format=json']);
    expect(all.stderr).not.toMatch(/ERROR/);
    expect(all.code).toBe(0);
    const items = all.json as Json[];
    expect(items.map((item) => [item.metadata.name, item.metadata.labels['cloud.googleapis.com/location']])).toEqual([
      ['atlantis', location],
      ['other', 'us-central1'],
    ]);
    const regional = await gcloud.run(['run', 'services', 'list', '--project', projectId, '--region', location, '--format=json']);
    expect(regional.code).toBe(0);
    expect((regional.json as Json[]).map((item) => item.metadata.name)).toEqual(['atlantis']);
    const methods = emulator.requestLog().map((entry) => `${entry.method} ${entry.resource}`);
    expect(methods).toContain(`google.cloud.run.v1.Services/ListServices projects/${projectId}/locations/-`);
    expect(methods).toContain(`google.cloud.run.v1.Services/ListServices namespaces/${projectId}/services`);
  });

  test('gcloud run services describe: the Knative v1 shape of the v2 service', async () => {
    const described = await gcloud.run([
      'run',
      'services',
      'describe',
      'atlantis',
      '--region',
      location,
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(described.stderr).not.toMatch(/ERROR/);
    expect(described.code).toBe(0);
    const service = described.json as Json;
    expect(service).toMatchObject({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: {
        name: 'atlantis',
        namespace: number,
        generation: 1,
        labels: { app: 'atlantis', 'cloud.googleapis.com/location': location },
        annotations: { 'run.googleapis.com/ingress': 'all', 'serving.knative.dev/creator': 'user@example.com' },
      },
      spec: {
        template: {
          spec: {
            containerConcurrency: 80,
            timeoutSeconds: 300,
            serviceAccountName: `${number}-compute@developer.gserviceaccount.com`,
            containers: [
              { image: IMAGE, ports: [{ name: 'http1', containerPort: 8080 }], resources: { limits: { cpu: '1000m', memory: '512Mi' } } },
            ],
          },
        },
        traffic: [{ percent: 100, latestRevision: true }],
      },
      status: { observedGeneration: 1, url: expect.stringMatching(/^https:\/\/atlantis-[a-z0-9]{10}-ew\.a\.run\.app$/) },
    });
    expect(service.status.conditions.map((item: Json) => [item.type, item.status])).toEqual([
      ['Ready', 'True'],
      ['ConfigurationsReady', 'True'],
      ['RoutesReady', 'True'],
    ]);
    expect(JSON.parse(service.metadata.annotations['run.googleapis.com/urls'])[0]).toBe(`https://atlantis-${number}.${location}.run.app`);
    const missing = await gcloud.run(['run', 'services', 'describe', 'nope', '--region', location, '--project', projectId]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/Cannot find service \[nope\]/);
  });

  test('gcloud run services delete: the v2 delete runs, the service is gone', async () => {
    const deleted = await gcloud.run(['run', 'services', 'delete', 'atlantis', '--region', location, '--project', projectId, '--quiet']);
    expect(deleted.stderr).not.toMatch(/ERROR/);
    expect(deleted.code).toBe(0);
    expect(
      emulator.requestLog().some((entry) => entry.method === 'google.cloud.run.v1.Services/DeleteService' && entry.status === 'OK'),
    ).toBe(true);
    const client = servicesClient(emulator, 'rest');
    try {
      const gone = await failureOf(() => client.getService({ name: `projects/${projectId}/locations/${location}/services/atlantis` }));
      expect(grpcCodeOf(gone)).toBe(NOT_FOUND);
    } finally {
      await client.close();
    }
  });
});

describe('Cloud Run v1 (Knative) services over REST, as gcloud calls them', () => {
  const projectId = 'run-knative-project';
  const region = 'us-central1';
  const host = `${region}-run.googleapis.com`;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, RUN);
    const client = servicesClient(emulator, 'rest');
    try {
      const [operation] = await client.createService(
        { parent: `projects/${projectId}/locations/${region}`, serviceId: 'web', service: simpleService() },
        FAST_POLLING,
      );
      await operation.promise();
    } finally {
      await client.close();
    }
  });
  afterAll(() => emulator.close());

  /** A request in absolute form, as an HTTP client sends it to its proxy. */
  function viaProxy(url: string): Promise<{ status: number; body: Json }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: emulator.port,
          method: 'GET',
          path: url,
          headers: { Authorization: 'Bearer t', Host: new URL(url).host },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Json }));
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  test('GET on the regional host (by /hosts prefix and through the proxy form) answers the Knative v1 Service', async () => {
    const path = `/apis/serving.knative.dev/v1/namespaces/${projectId}/services/web`;
    const direct = await restCall(emulator, 'GET', `/hosts/${host}${path}`);
    expect(direct.status).toBe(200);
    expect(direct.body).toMatchObject({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: emulator.projectNumber(projectId), labels: { 'cloud.googleapis.com/location': region } },
      spec: { traffic: [{ percent: 100, latestRevision: true }] },
      status: { observedGeneration: 1, latestReadyRevisionName: expect.stringMatching(/^web-00001-/) },
    });
    expect(direct.body.metadata.resourceVersion).toMatch(/^[A-Za-z0-9+/]{11}$/);
    const proxied = await viaProxy(`http://${host}${path}`);
    expect(proxied.status).toBe(200);
    expect(proxied.body).toEqual(direct.body);
    const missing = await restCall(emulator, 'GET', `/hosts/${host}/apis/serving.knative.dev/v1/namespaces/${projectId}/services/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      `Resource 'nope' of kind 'SERVICE' in region '${region}' in project '${projectId}' does not exist.`,
    );
  });

  test('lists: the namespace on the regional host, and every region on the global host; DELETE runs the v2 delete', async () => {
    const regional = await restCall(emulator, 'GET', `/hosts/${host}/apis/serving.knative.dev/v1/namespaces/${projectId}/services`);
    expect(regional.body).toMatchObject({ kind: 'ServiceList', items: [{ metadata: { name: 'web' } }] });
    const everywhere = await restCall(emulator, 'GET', `/v1/projects/${projectId}/locations/-/services`);
    expect(everywhere.body.items.map((item: Json) => item.metadata.name)).toEqual(['web']);
    const deleted = await restCall(emulator, 'DELETE', `/hosts/${host}/apis/serving.knative.dev/v1/namespaces/${projectId}/services/web`);
    expect(deleted.body).toMatchObject({ status: 'Success', details: { name: 'web', group: 'serving.knative.dev', kind: 'services' } });
    const gone = await restCall(emulator, 'GET', `/v2/projects/${projectId}/locations/${region}/services/web`);
    expect(gone.status).toBe(404);
  });
});
