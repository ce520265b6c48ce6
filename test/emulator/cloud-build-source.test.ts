// Cloud Build takes its source from the emulated Cloud Storage bucket and pushes as its service
// account: CreateBuild resolves `source.storageSource` (bucket, object, generation) as that
// account, as Google does, and the push needs write access to the target repository.
import { CloudBuildClient, protos } from '@google-cloud/cloudbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { imageStatus } from '../../src/emulator/apis/artifact-registry.js';
import { startEmulator, type EmulatorServices, type RunningEmulator } from '../../src/emulator/index.js';
import {
  artifactRegistryClient,
  clientOptions,
  FAST_POLLING,
  failureOf,
  grpcCodeOf,
  messageOf,
  projectsClient,
  restCall,
  TRANSPORTS,
  type Transport,
} from './clients.js';

type Build = protos.google.devtools.cloudbuild.v1.IBuild;
const Status = protos.google.devtools.cloudbuild.v1.Build.Status;

function statusName(status: Build['status']): string {
  return typeof status === 'number' ? Status[status] : String(status);
}

function failureTypeName(type: unknown): string {
  return typeof type === 'number' ? protos.google.devtools.cloudbuild.v1.Build.FailureInfo.FailureType[type] : String(type);
}

async function storageCall(emulator: RunningEmulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${emulator.port}${path}`, {
    method,
    headers: {
      Authorization: 'Bearer t',
      ...(body === undefined || Buffer.isBuffer(body) ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

describe.each(TRANSPORTS)('Cloud Build from a Cloud Storage source over %s', (transport: Transport) => {
  const projectId = `cbs-${transport}-project`;
  const bucket = `cbs-${transport}-sources`;
  const builder = `builder@${projectId}.iam.gserviceaccount.com`;
  const serviceAccount = `projects/${projectId}/serviceAccounts/${builder}`;
  const repository = `projects/${projectId}/locations/europe-west1/repositories/atlantis`;
  const image = (tag: string) => `europe-west1-docker.pkg.dev/${projectId}/atlantis/atlantis:${tag}`;
  const dockerStep = (tag: string) => ({ name: 'gcr.io/cloud-builders/docker', args: ['build', '-t', image(tag), '.'] });
  let emulator: RunningEmulator;
  let client: CloudBuildClient;
  let number: string;
  let sourceGeneration: string;

  const build = (tag: string, storageSource: object, extra: Build = {}): Build => ({
    source: { storageSource },
    steps: [dockerStep(tag)],
    images: [image(tag)],
    serviceAccount,
    options: { logging: 'CLOUD_LOGGING_ONLY' },
    ...extra,
  });

  async function run(spec: Build): Promise<Build> {
    const [operation] = await client.createBuild({ projectId, build: spec }, FAST_POLLING);
    try {
      const [done] = await operation.promise();
      return done;
    } catch {
      const id = (operation.metadata as protos.google.devtools.cloudbuild.v1.IBuildOperationMetadata).build!.id!;
      const [failed] = await client.getBuild({ projectId, id });
      return failed;
    }
  }

  async function grantOnBucket(role: string, member: string): Promise<void> {
    const policy = (await storageCall(emulator, 'GET', `/storage/v1/b/${bucket}/iam`)).json;
    policy.bindings.push({ role, members: [member] });
    expect((await storageCall(emulator, 'PUT', `/storage/v1/b/${bucket}/iam`, policy)).status).toBe(200);
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    client = new CloudBuildClient(clientOptions(emulator, transport));
    number = emulator.projectNumber(projectId);
    for (const api of ['cloudbuild.googleapis.com', 'iam.googleapis.com', 'artifactregistry.googleapis.com'])
      emulator.setServiceEnabled(projectId, api);
    expect((await restCall(emulator, 'POST', `/v1/projects/${projectId}/serviceAccounts`, { accountId: 'builder' })).status).toBe(200);
    const registry = artifactRegistryClient(emulator, transport);
    try {
      const [operation] = await registry.createRepository(
        { parent: `projects/${projectId}/locations/europe-west1`, repositoryId: 'atlantis', repository: { format: 'DOCKER' } },
        FAST_POLLING,
      );
      await operation.promise();
    } finally {
      await registry.close();
    }
    expect(
      (
        await storageCall(emulator, 'POST', `/storage/v1/b?project=${projectId}`, {
          name: bucket,
          location: 'europe-west1',
          iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
          lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] },
        })
      ).status,
    ).toBe(200);
    const upload = await storageCall(
      emulator,
      'POST',
      `/upload/storage/v1/b/${bucket}/o?uploadType=media&name=source/context.tgz`,
      Buffer.from('tarball'),
      {
        'Content-Type': 'application/gzip',
      },
    );
    sourceGeneration = upload.json.generation;
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('a user-specified service account without a logs destination is refused with Google’s text', async () => {
    const error = await failureOf(() =>
      client.createBuild({ projectId, build: { ...build('v0', { bucket, object: 'source/context.tgz' }), options: {} } }),
    );
    expect(grpcCodeOf(error)).toBe(3);
    expect(messageOf(error)).toBe(
      "if 'build.service_account' is specified, the build must either (a) specify 'build.logs_bucket', (b) use the REGIONAL_USER_OWNED_BUCKET build.options.default_logs_bucket_behavior option, or (c) use either CLOUD_LOGGING_ONLY / NONE logging options",
    );
  });

  test('an account that cannot read the source object: CreateBuild fails "could not resolve source … Error 403"', async () => {
    const error = await failureOf(() => client.createBuild({ projectId, build: build('v1', { bucket, object: 'source/context.tgz' }) }));
    expect(grpcCodeOf(error)).toBe(3);
    expect(messageOf(error)).toBe(
      `could not resolve source: googleapi: Error 403: ${builder} does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist)., forbidden`,
    );
  });

  test('with Storage Object Viewer on the bucket and Artifact Registry Writer on the repository the build runs: source resolved, image pushed with a digest', async () => {
    await grantOnBucket('roles/storage.objectViewer', `serviceAccount:${builder}`);
    const registry = artifactRegistryClient(emulator, transport);
    try {
      await registry.setIamPolicy({
        resource: repository,
        policy: { bindings: [{ role: 'roles/artifactregistry.writer', members: [`serviceAccount:${builder}`] }] },
      });
    } finally {
      await registry.close();
    }
    const done = await run(build('v2', { bucket, object: 'source/context.tgz' }));
    expect(statusName(done.status)).toBe('SUCCESS');
    expect(done.source?.storageSource).toMatchObject({ bucket, object: 'source/context.tgz' });
    expect(done.sourceProvenance?.resolvedStorageSource).toMatchObject({ bucket, object: 'source/context.tgz' });
    expect(String(done.sourceProvenance?.resolvedStorageSource?.generation)).toBe(sourceGeneration);
    const digest = done.results?.images?.[0]?.digest ?? '';
    expect(done.results?.images?.[0]?.name).toBe(image('v2'));
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    let status: { pullable: boolean } | undefined;
    emulator.mutate((services: EmulatorServices) => {
      status = imageStatus(services, `europe-west1-docker.pkg.dev/${projectId}/atlantis/atlantis@${digest}`);
    });
    expect(status).toEqual({ pullable: true });
  });

  test('a missing object, or a generation that is not the live one, fails CreateBuild "Error 404: No such object"', async () => {
    for (const source of [
      { bucket, object: 'source/missing.tgz' },
      { bucket, object: 'source/context.tgz', generation: '1' },
    ]) {
      const error = await failureOf(() => client.createBuild({ projectId, build: build('v3', source) }));
      expect(grpcCodeOf(error)).toBe(3);
      expect(messageOf(error)).toBe(`could not resolve source: googleapi: Error 404: No such object: ${bucket}/${source.object}, notFound`);
    }
    const pinned = await run(build('v3', { bucket, object: 'source/context.tgz', generation: sourceGeneration }));
    expect(statusName(pinned.status)).toBe('SUCCESS');
  });

  test('a missing bucket: 404 when the account may read at project level, 403 otherwise (it cannot tell)', async () => {
    const missing = { bucket: `${bucket}-gone`, object: 'source/context.tgz' };
    expect(messageOf(await failureOf(() => client.createBuild({ projectId, build: build('v4', missing) })))).toMatch(
      /Error 403: .*, forbidden$/,
    );
    const projects = projectsClient(emulator, transport);
    try {
      const [policy] = await projects.getIamPolicy({ resource: `projects/${projectId}` });
      await projects.setIamPolicy({
        resource: `projects/${projectId}`,
        policy: {
          ...policy,
          bindings: [...(policy.bindings ?? []), { role: 'roles/storage.objectViewer', members: [`serviceAccount:${builder}`] }],
        },
      });
    } finally {
      await projects.close();
    }
    expect(messageOf(await failureOf(() => client.createBuild({ projectId, build: build('v4', missing) })))).toBe(
      'could not resolve source: googleapi: Error 404: The specified bucket does not exist., notFound',
    );
  });

  test('an account without write access to the repository: the build fails at the push (PUSH_NOT_AUTHORIZED) and registers nothing', async () => {
    const other = `projects/${projectId}/locations/europe-west1/repositories/other`;
    const registry = artifactRegistryClient(emulator, transport);
    try {
      const [operation] = await registry.createRepository(
        { parent: `projects/${projectId}/locations/europe-west1`, repositoryId: 'other', repository: { format: 'DOCKER' } },
        FAST_POLLING,
      );
      await operation.promise();
    } finally {
      await registry.close();
    }
    const target = `europe-west1-docker.pkg.dev/${projectId}/other/atlantis:v5`;
    const failed = await run({ ...build('v5', { bucket, object: 'source/context.tgz' }), images: [target] });
    expect(statusName(failed.status)).toBe('FAILURE');
    expect(failureTypeName(failed.failureInfo?.type)).toBe('PUSH_NOT_AUTHORIZED');
    expect(failed.statusDetail).toBe(
      `failed to push image "${target}": denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "${other}" (or it may not exist)`,
    );
    let status: { pullable: boolean } | undefined;
    emulator.mutate((services: EmulatorServices) => {
      status = imageStatus(services, target);
    });
    expect(status?.pullable).toBe(false);
  });

  test('the Compute Engine default account (Editor on its project, by Google’s automatic grant) reaches the bucket through projectEditor', async () => {
    const done = await run({
      source: { storageSource: { bucket, object: 'source/context.tgz' } },
      steps: [dockerStep('v6')],
      images: [image('v6')],
    });
    expect(statusName(done.status)).toBe('SUCCESS');
    expect(done.serviceAccount).toBe(`projects/${projectId}/serviceAccounts/${number}-compute@developer.gserviceaccount.com`);
  });
});
