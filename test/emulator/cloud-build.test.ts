// Cloud Build v1 through the real @google-cloud/cloudbuild client (gRPC and REST): CreateBuild as a
// long-running operation that registers the built images in Artifact Registry, GetBuild, ListBuilds.
import { CloudBuildClient, protos } from '@google-cloud/cloudbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { imageStatus } from '../../src/emulator/apis/artifact-registry.js';
import { startEmulator, type EmulatorServices, type RunningEmulator } from '../../src/emulator/index.js';
import {
  artifactRegistryClient,
  clientOptions,
  errorInfoOf,
  FAST_POLLING,
  failureOf,
  grpcCodeOf,
  messageOf,
  restCall,
  TRANSPORTS,
  type Transport,
} from './clients.js';

const API = 'cloudbuild.googleapis.com';
const Status = protos.google.devtools.cloudbuild.v1.Build.Status;
type Build = protos.google.devtools.cloudbuild.v1.IBuild;

function cloudBuildClient(emulator: RunningEmulator, transport: Transport): CloudBuildClient {
  return new CloudBuildClient(clientOptions(emulator, transport));
}

/** Enum values come back as names from unary calls and as numbers from an operation's Any: compare as names. */
function statusName(status: Build['status']): string {
  return typeof status === 'number' ? Status[status] : String(status);
}

function withServices<T>(emulator: RunningEmulator, fn: (services: EmulatorServices) => T): T {
  let result: T | undefined;
  emulator.mutate((services) => {
    result = fn(services);
  });
  return result as T;
}

const DOCKER_STEP = { name: 'gcr.io/cloud-builders/docker', args: ['build', '-t', 'IMAGE', '.'] };

describe.each(TRANSPORTS)('Cloud Build over %s', (transport) => {
  const projectId = `cb-${transport}-project`;
  const image = (name: string, tag = 'v1') => `us-central1-docker.pkg.dev/${projectId}/images/${name}:${tag}`;
  let emulator: RunningEmulator;
  let client: CloudBuildClient;
  let number: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = cloudBuildClient(emulator, transport);
    number = emulator.projectNumber(projectId);
    // The target repository, created through the Artifact Registry API.
    emulator.setServiceEnabled(projectId, 'artifactregistry.googleapis.com');
    const registry = artifactRegistryClient(emulator, transport);
    try {
      const [operation] = await registry.createRepository(
        { parent: `projects/${projectId}/locations/us-central1`, repositoryId: 'images', repository: { format: 'DOCKER' } },
        FAST_POLLING,
      );
      await operation.promise();
    } finally {
      await registry.close();
    }
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('the Cloud Build API must be enabled first (SERVICE_DISABLED)', async () => {
    const error = await failureOf(() => client.createBuild({ projectId, build: { steps: [DOCKER_STEP], images: [image('app')] } }));
    expect(grpcCodeOf(error)).toBe(7);
    expect(messageOf(error)).toMatch(new RegExp(`^Cloud Build API has not been used in project ${number} before or it is disabled`));
    expect(errorInfoOf(error)).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: API } });
    emulator.setServiceEnabled(projectId, API);
  });

  test('CreateBuild is an operation with BuildOperationMetadata; the finished build has results.images with digests, registered in Artifact Registry', async () => {
    const [operation] = await client.createBuild(
      { projectId, build: { steps: [DOCKER_STEP], images: [image('app')], tags: ['atlantis'] } },
      FAST_POLLING,
    );
    expect(operation.name).toMatch(new RegExp(`^operations/build/${projectId}/`));
    const queued = operation.metadata as protos.google.devtools.cloudbuild.v1.IBuildOperationMetadata;
    expect(statusName(queued.build?.status)).toBe('QUEUED');
    const id = queued.build!.id!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(queued.build?.name).toBe(`projects/${number}/locations/global/builds/${id}`);

    const [build] = await operation.promise();
    expect(statusName(build.status)).toBe('SUCCESS');
    expect(build.id).toBe(id);
    expect(build.projectId).toBe(projectId);
    expect(build.logUrl).toBe(`https://console.cloud.google.com/cloud-build/builds/${id}?project=${number}`);
    expect(build.images).toEqual([image('app')]);
    expect(build.tags).toEqual(['atlantis']);
    expect(build.results?.images).toHaveLength(1);
    const digest = build.results!.images![0].digest!;
    expect(build.results?.images?.[0]?.name).toBe(image('app'));
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const time of [build.createTime, build.startTime, build.finishTime]) expect(Number(time?.seconds)).toBeGreaterThan(0);
    expect(Number(build.timeout?.seconds)).toBe(600); // Google's default, filled in
    expect(build.logsBucket).toBe(`gs://${number}.cloudbuild-logs.googleusercontent.com`);

    expect(withServices(emulator, (services) => imageStatus(services, image('app')))).toEqual({ pullable: true });
    expect(
      withServices(emulator, (services) => imageStatus(services, `us-central1-docker.pkg.dev/${projectId}/images/app@${digest}`)),
    ).toEqual({ pullable: true });

    const [read] = await client.getBuild({ projectId, id });
    expect(read.status).toBe('SUCCESS');
    expect(read.results?.images?.[0]?.digest).toBe(digest);
    const [byName] = await client.getBuild({ name: `projects/${projectId}/locations/global/builds/${id}` });
    expect(byName.id).toBe(id);
  });

  test('the digest is stable: the same spec and image give the same digest; another spec another one', async () => {
    const digestOf = async (build: Build) => {
      const [operation] = await client.createBuild({ projectId, build }, FAST_POLLING);
      const [done] = await operation.promise();
      return done.results!.images!.map((built) => built.digest);
    };
    const spec = { steps: [DOCKER_STEP], images: [image('stable'), image('other')] };
    const first = await digestOf(spec);
    expect(await digestOf(spec)).toEqual(first);
    expect(first[0]).not.toBe(first[1]);
    const changed = await digestOf({ ...spec, steps: [{ ...DOCKER_STEP, args: ['build', '-t', 'x', 'subdir'] }] });
    expect(changed[0]).not.toBe(first[0]);
  });

  test('status goes QUEUED → WORKING → SUCCESS over the operation delay', async () => {
    const slow = await startEmulator({ operationDelayMs: 600 });
    const slowClient = cloudBuildClient(slow, transport);
    try {
      slow.setServiceEnabled(projectId, API);
      const [operation] = await slowClient.createBuild({ projectId, build: { steps: [DOCKER_STEP] } });
      const id = (operation.metadata as protos.google.devtools.cloudbuild.v1.IBuildOperationMetadata).build!.id!;
      const [queued] = await slowClient.getBuild({ projectId, id });
      expect(queued.status).toBe('QUEUED');
      expect(queued.startTime).toBeFalsy();
      expect(queued.finishTime).toBeFalsy();
      await new Promise((resolve) => setTimeout(resolve, 350));
      const [working] = await slowClient.getBuild({ projectId, id });
      expect(working.status).toBe('WORKING');
      expect(Number(working.startTime?.seconds)).toBeGreaterThan(0);
      expect(working.finishTime).toBeFalsy();
      const [done] = await operation.promise();
      expect(statusName(done.status)).toBe('SUCCESS');
      const [read] = await slowClient.getBuild({ projectId, id });
      expect(read.status).toBe('SUCCESS');
      expect(Number(read.finishTime?.seconds)).toBeGreaterThan(0);
    } finally {
      await slowClient.close();
      await slow.close();
    }
  });

  test('a build whose repository does not exist ends FAILURE; its operation fails like Google’s', async () => {
    const missing = `us-central1-docker.pkg.dev/${projectId}/no-such-repo/app:v1`;
    const [operation] = await client.createBuild({ projectId, build: { steps: [DOCKER_STEP], images: [missing] } }, FAST_POLLING);
    const id = (operation.metadata as protos.google.devtools.cloudbuild.v1.IBuildOperationMetadata).build!.id!;
    const error = await failureOf(() => operation.promise());
    expect(messageOf(error)).toMatch(/Build failed; check build logs for details/);
    const [build] = await client.getBuild({ projectId, id });
    expect(build.status).toBe('FAILURE');
    expect(build.statusDetail).toBe(`failed to push image "${missing}": name unknown: Repository "no-such-repo" not found`);
    expect(build.failureInfo).toMatchObject({ type: 'PUSH_FAILED' });
    expect(build.results?.images ?? []).toEqual([]);
    expect(Number(build.finishTime?.seconds)).toBeGreaterThan(0);
    // The failed operation still carries the finished build in its metadata.
    const polled = await restCall(emulator, 'GET', `/v1/${operation.name}`);
    expect(polled.body).toMatchObject({
      name: operation.name,
      done: true,
      error: { code: 2, message: 'Build failed; check build logs for details' },
      metadata: { '@type': 'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata', build: { id, status: 'FAILURE' } },
    });
  });

  test('a regional build: name and operation under the location, logUrl with the region', async () => {
    const parent = `projects/${projectId}/locations/us-central1`;
    const [operation] = await client.createBuild(
      { parent, projectId, build: { steps: [DOCKER_STEP], images: [image('regional')] } },
      FAST_POLLING,
    );
    expect(operation.name).toMatch(new RegExp(`^projects/${projectId}/locations/us-central1/operations/`));
    const [build] = await operation.promise();
    expect(build.name).toBe(`projects/${number}/locations/us-central1/builds/${build.id}`);
    expect(build.logUrl).toBe(`https://console.cloud.google.com/cloud-build/builds;region=us-central1/${build.id}?project=${number}`);
    const [read] = await client.getBuild({ name: `projects/${projectId}/locations/us-central1/builds/${build.id}` });
    expect(read.status).toBe('SUCCESS');
    // A regional build is not found in the global region.
    expect(grpcCodeOf(await failureOf(() => client.getBuild({ projectId, id: build.id! })))).toBe(5);
  });

  test('substitutions: built-ins and user values apply to images; unknown or unused ones are errors unless ALLOW_LOOSE', async () => {
    const [operation] = await client.createBuild(
      {
        projectId,
        build: {
          steps: [{ name: 'gcr.io/cloud-builders/docker', args: ['build', '-t', '${_IMAGE}', '--build-arg', 'HOME=$$HOME', '.'] }],
          images: ['us-central1-docker.pkg.dev/$PROJECT_ID/images/${_NAME}:$BUILD_ID'],
          substitutions: { _NAME: 'subst', _IMAGE: 'x' },
        },
      },
      FAST_POLLING,
    );
    const [build] = await operation.promise();
    expect(build.results?.images?.[0]?.name).toBe(`us-central1-docker.pkg.dev/${projectId}/images/subst:${build.id}`);
    expect(build.images).toEqual(['us-central1-docker.pkg.dev/$PROJECT_ID/images/${_NAME}:$BUILD_ID']); // the spec is kept as written

    const cases: Array<[Build, string]> = [
      [
        { steps: [{ name: 'ubuntu', args: ['echo', '$_MISSING'] }] },
        'key in the template "_MISSING" is not matched in the substitution list',
      ],
      [
        { steps: [{ name: 'ubuntu', args: ['echo'] }], substitutions: { _UNUSED: 'x' } },
        'key "_UNUSED" in the substitution data is not matched in the template',
      ],
      [
        { steps: [{ name: 'ubuntu', args: ['echo', '$HOME'] }] },
        `invalid value for 'build.steps[0].args[1]': key in the template "HOME" is not a valid built-in substitution`,
      ],
      [
        { steps: [{ name: 'ubuntu' }], substitutions: { lower: 'x' } },
        `invalid value for 'build.substitutions': substitution key "lower" does not respect format "^_[A-Z0-9_]+$"`,
      ],
    ];
    for (const [spec, message] of cases) {
      const error = await failureOf(() => client.createBuild({ projectId, build: spec }));
      expect(grpcCodeOf(error)).toBe(3);
      expect(messageOf(error)).toBe(message);
    }
    const [loose] = await client.createBuild(
      {
        projectId,
        build: {
          steps: [{ name: 'ubuntu', args: ['echo', '$_MISSING'] }],
          substitutions: { _UNUSED: 'x' },
          options: { substitutionOption: 'ALLOW_LOOSE' },
        },
      },
      FAST_POLLING,
    );
    const [looseBuild] = await loose.promise();
    expect(statusName(looseBuild.status)).toBe('SUCCESS');
  });

  test('validation: steps required, a named service account must exist and needs a logs destination', async () => {
    const noSteps = await failureOf(() => client.createBuild({ projectId, build: { images: [image('x')] } }));
    expect(grpcCodeOf(noSteps)).toBe(3);
    const noName = await failureOf(() => client.createBuild({ projectId, build: { steps: [{ args: ['x'] }] } }));
    expect(grpcCodeOf(noName)).toBe(3);

    const email = `builder@${projectId}.iam.gserviceaccount.com`;
    const serviceAccount = `projects/${projectId}/serviceAccounts/${email}`;
    const missingAccount = await failureOf(() =>
      client.createBuild({ projectId, build: { steps: [DOCKER_STEP], serviceAccount, options: { logging: 'CLOUD_LOGGING_ONLY' } } }),
    );
    expect(grpcCodeOf(missingAccount)).toBe(3);
    expect(messageOf(missingAccount)).toMatch(/service account .* does not exist/);

    emulator.setServiceEnabled(projectId, 'iam.googleapis.com');
    expect((await restCall(emulator, 'POST', `/v1/projects/${projectId}/serviceAccounts`, { accountId: 'builder' })).status).toBe(200);
    const noLogs = await failureOf(() => client.createBuild({ projectId, build: { steps: [DOCKER_STEP], serviceAccount } }));
    expect(grpcCodeOf(noLogs)).toBe(3);
    expect(messageOf(noLogs)).toMatch(/^if 'build.service_account' is specified, the build must either \(a\) specify 'build.logs_bucket'/);
    const [operation] = await client.createBuild(
      { projectId, build: { steps: [DOCKER_STEP], serviceAccount, options: { logging: 'CLOUD_LOGGING_ONLY' } } },
      FAST_POLLING,
    );
    const [build] = await operation.promise();
    expect(build.serviceAccount).toBe(serviceAccount);
  });

  test('GetBuild of an unknown build → NOT_FOUND; ListBuilds lists newest first, pages and filters', async () => {
    const missing = await failureOf(() => client.getBuild({ projectId, id: '00000000-0000-0000-0000-000000000000' }));
    expect(grpcCodeOf(missing)).toBe(5);
    expect(messageOf(missing)).toBe('Requested entity was not found.');

    const [all] = await client.listBuilds({ projectId });
    expect(all.length).toBeGreaterThanOrEqual(6);
    const times = all.map((build) => Number(build.createTime?.seconds) * 1e9 + Number(build.createTime?.nanos ?? 0));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.every((build) => build.name?.startsWith(`projects/${number}/locations/global/builds/`))).toBe(true);

    const [page, , response] = await client.listBuilds({ projectId, pageSize: 2 }, { autoPaginate: false });
    expect(page).toHaveLength(2);
    expect(response?.nextPageToken).toBeTruthy();
    const [failed] = await client.listBuilds({ projectId, filter: 'status="FAILURE"' });
    expect(failed.map((build) => build.status)).toEqual(['FAILURE']);
    const [tagged] = await client.listBuilds({ projectId, filter: 'tags="atlantis"' });
    expect(tagged).toHaveLength(1);
    const [regional] = await client.listBuilds({ parent: `projects/${projectId}/locations/us-central1`, projectId });
    expect(regional).toHaveLength(1);
  });

  test('--deny cloudbuild.builds.create fails CreateBuild PERMISSION_DENIED', async () => {
    const denied = await startEmulator({ deny: ['cloudbuild.builds.create'] });
    const deniedClient = cloudBuildClient(denied, transport);
    try {
      denied.setServiceEnabled(projectId, API);
      const error = await failureOf(() => deniedClient.createBuild({ projectId, build: { steps: [DOCKER_STEP] } }));
      expect(grpcCodeOf(error)).toBe(7);
      expect(messageOf(error)).toBe(
        `Permission 'cloudbuild.builds.create' denied on resource 'projects/${projectId}' (or it may not exist).`,
      );
      const [list] = await deniedClient.listBuilds({ projectId });
      expect(list).toEqual([]);
    } finally {
      await deniedClient.close();
      await denied.close();
    }
  });

  test('the request log shows CreateBuild as mutating and the polling as Cloud Build’s', async () => {
    emulator.clearRequestLog();
    const [operation] = await client.createBuild({ projectId, build: { steps: [DOCKER_STEP] } }, FAST_POLLING);
    await operation.promise();
    const entries = emulator.requestLog();
    expect(entries[0]).toMatchObject({
      method: 'google.devtools.cloudbuild.v1.CloudBuild/CreateBuild',
      api: API,
      resource: `projects/${projectId}`,
      mutating: true,
      status: 'OK',
    });
    expect(
      entries
        .slice(1)
        .every((entry) => entry.method === 'google.longrunning.Operations/GetOperation' && entry.api === API && !entry.mutating),
    ).toBe(true);
  });
});
