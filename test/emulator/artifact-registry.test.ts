// Artifact Registry v1 through the real @google-cloud/artifact-registry client, over gRPC and REST;
// the recorded Google exchanges replayed; gcloud (where installed); the cross-API functions.
import { protos, type ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtImageDigest, imageStatus, registerImage } from '../../src/emulator/apis/artifact-registry.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { artifactRegistryClient, errorInfoOf, FAST_POLLING, failureOf, grpcCodeOf, messageOf, restCall, TRANSPORTS } from './clients.js';
import { gcloudAvailable, gcloudFor, type Gcloud } from './gcloud.js';
import { formatDifferences, loadRecording, replayRecording, type RecordedExchange } from './recordings.js';

const API = 'artifactregistry.googleapis.com';
const RPC = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
const Repository = protos.google.devtools.artifactregistry.v1.Repository;
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

describe.each(TRANSPORTS)('Artifact Registry over %s', (transport) => {
  const projectId = `ar-${transport}-project`;
  const location = 'europe-west1';
  const parent = `projects/${projectId}/locations/${location}`;
  const nameOf = (id: string) => `${parent}/repositories/${id}`;
  let emulator: RunningEmulator;
  let client: ArtifactRegistryClient;

  async function create(repositoryId: string, repository: Record<string, unknown> = { format: 'DOCKER' }) {
    const [operation] = await client.createRepository({ parent, repositoryId, repository }, FAST_POLLING);
    const [created] = await operation.promise();
    return created;
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    client = artifactRegistryClient(emulator, transport);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  test('the API starts disabled: SERVICE_DISABLED like Google', async () => {
    const error = await failureOf(() => client.getRepository({ name: nameOf('any') }));
    expect(grpcCodeOf(error)).toBe(7);
    expect(errorInfoOf(error)).toMatchObject({
      reason: 'SERVICE_DISABLED',
      metadata: { service: API, serviceTitle: 'Artifact Registry API' },
    });
    expect(messageOf(error)).toMatch(/^Artifact Registry API has not been used in project \d+ before or it is disabled/);
    emulator.setServiceEnabled(projectId, API);
  });

  test('Locations: list (paged) and get — where repositories may live', async () => {
    const locations: Array<{ name?: string | null; locationId?: string | null }> = [];
    const pages: AsyncIterable<(typeof locations)[number]> = client.listLocationsAsync({
      name: `projects/${projectId}`,
      pageSize: 10,
    });
    for await (const item of pages) locations.push(item);
    const ids = locations.map((item) => item.locationId);
    expect(ids).toEqual(expect.arrayContaining(['us', 'europe', 'asia', 'us-central1', 'europe-west1']));
    expect(locations.find((item) => item.locationId === 'europe-west1')?.name).toBe(`projects/${projectId}/locations/europe-west1`);
    // The client types the answer as a Location; gax hands back [Location, …] as for every call.
    const answer: unknown = await client.getLocation({ name: `projects/${projectId}/locations/us` });
    const one = Array.isArray(answer) ? (answer[0] as unknown) : answer;
    expect(one).toMatchObject({ name: `projects/${projectId}/locations/us`, locationId: 'us' });
    const missing = await failureOf(() => client.getLocation({ name: `projects/${projectId}/locations/mars-north1` }));
    expect(grpcCodeOf(missing)).toBe(5);
  });

  test('CreateRepository is a long-running operation; MODE_UNSPECIFIED becomes STANDARD_REPOSITORY', async () => {
    const [operation] = await client.createRepository(
      {
        parent,
        repositoryId: 'images',
        repository: { format: 'DOCKER', mode: 'MODE_UNSPECIFIED', description: 'Atlantis images', labels: { team: 'platform' } },
      },
      FAST_POLLING,
    );
    expect(operation.name).toMatch(new RegExp(`^${parent}/operations/[0-9a-f-]{36}$`));
    const [created] = await operation.promise();
    expect(created.name).toBe(nameOf('images'));
    expect(created.format).toBe(Repository.Format.DOCKER);
    expect(created.mode).toBe(Repository.Mode.STANDARD_REPOSITORY);
    expect(created.description).toBe('Atlantis images');
    expect(created.labels).toEqual({ team: 'platform' });
    expect(created.satisfiesPzi).toBe(true);
    // Like Google, the operation's Repository has no times and no registry URI.
    expect(created.createTime).toBeNull();
    expect(created.registryUri).toBe('');

    const [repo] = await client.getRepository({ name: nameOf('images') });
    expect(repo).toMatchObject({
      name: nameOf('images'),
      format: 'DOCKER',
      mode: 'STANDARD_REPOSITORY',
      registryUri: `${location}-docker.pkg.dev/${projectId}/images`,
      satisfiesPzi: true,
      vulnerabilityScanningConfig: {
        enablementState: 'SCANNING_DISABLED',
        enablementStateReason: 'API containerscanning.googleapis.com is not enabled.',
      },
    });
    expect(Number(repo.createTime?.seconds)).toBeGreaterThan(0);
    expect(repo.updateTime).toEqual(repo.createTime);
  });

  test('the operation can be polled by name through GetOperation', async () => {
    const [operation] = await client.deleteRepository({ name: nameOf('images') });
    await client.createRepository({ parent, repositoryId: 'polled', repository: { format: 'DOCKER' } });
    const polled = await client.checkDeleteRepositoryProgress(operation.name!);
    expect(polled.done).toBe(true);
    expect(polled.name).toBe(operation.name);
    const created = await create('images', { format: 'DOCKER', labels: { team: 'platform' } }); // deleted above: it can be created again
    expect(created.name).toBe(nameOf('images'));
  });

  test('ALREADY_EXISTS for a second repository with the same id', async () => {
    const error = await failureOf(() => client.createRepository({ parent, repositoryId: 'images', repository: { format: 'DOCKER' } }));
    expect(grpcCodeOf(error)).toBe(6);
    expect(messageOf(error)).toBe('the repository already exists');
  });

  test('repository ids, locations and formats are checked', async () => {
    for (const repositoryId of ['', 'Upper', '1starts-with-digit', 'ends-with-', 'under_score', 'a'.repeat(64)]) {
      const error = await failureOf(() => client.createRepository({ parent, repositoryId, repository: { format: 'DOCKER' } }));
      expect(grpcCodeOf(error), repositoryId).toBe(3);
    }
    expect(
      messageOf(await failureOf(() => client.createRepository({ parent, repositoryId: 'Upper', repository: { format: 'DOCKER' } }))),
    ).toMatch(/^Invalid repository ID "Upper": it must start with a lowercase letter/);
    await create('a'.repeat(63));
    const badLocation = await failureOf(() =>
      client.createRepository({ parent: `projects/${projectId}/locations/eu-west3`, repositoryId: 'r1', repository: { format: 'DOCKER' } }),
    );
    expect(grpcCodeOf(badLocation)).toBe(3);
    expect(messageOf(badLocation)).toBe('Request contains an invalid argument.');
    const noFormat = await failureOf(() => client.createRepository({ parent, repositoryId: 'r2', repository: {} }));
    expect(grpcCodeOf(noFormat)).toBe(3);
    const maven = await failureOf(() => client.createRepository({ parent, repositoryId: 'r3', repository: { format: 'MAVEN' } }));
    expect(grpcCodeOf(maven)).toBe(12);
    expect(messageOf(maven)).toBe('Repository format MAVEN is not emulated: the emulator serves DOCKER repositories only.');
    const unspecifiedMode = await failureOf(() =>
      client.createRepository({ parent, repositoryId: 'r4', repository: { format: 'DOCKER', disallowUnspecifiedMode: true } }),
    );
    expect(grpcCodeOf(unspecifiedMode)).toBe(3);
  });

  test('remote repositories: custom ghcr.io, common repository, Docker Hub', async () => {
    const ghcr = await create('ghcr', {
      format: 'DOCKER',
      mode: 'REMOTE_REPOSITORY',
      description: 'ghcr.io proxy',
      remoteRepositoryConfig: {
        description: 'GitHub',
        dockerRepository: { customRepository: { uri: 'https://ghcr.io' } },
        disableUpstreamValidation: true,
      },
    });
    expect(ghcr.mode).toBe(Repository.Mode.REMOTE_REPOSITORY);
    expect(ghcr.remoteRepositoryConfig?.dockerRepository?.customRepository?.uri).toBe('https://ghcr.io');
    expect(ghcr.remoteRepositoryConfig?.disableUpstreamValidation).toBe(false); // input only
    const common = await create('ghcr-common', {
      format: 'DOCKER',
      mode: 'REMOTE_REPOSITORY',
      remoteRepositoryConfig: { commonRepository: { uri: 'https://ghcr.io' } },
    });
    expect(common.remoteRepositoryConfig?.commonRepository?.uri).toBe('https://ghcr.io');
    const hub = await create('hub', {
      format: 'DOCKER',
      mode: 'REMOTE_REPOSITORY',
      remoteRepositoryConfig: { dockerRepository: { publicRepository: 'DOCKER_HUB' } },
    });
    expect(hub.remoteRepositoryConfig?.dockerRepository?.publicRepository).toBe(
      protos.google.devtools.artifactregistry.v1.RemoteRepositoryConfig.DockerRepository.PublicRepository.DOCKER_HUB,
    );
    const [got] = await client.getRepository({ name: nameOf('ghcr') });
    expect(got.remoteRepositoryConfig).toMatchObject({
      description: 'GitHub',
      dockerRepository: { customRepository: { uri: 'https://ghcr.io' } },
    });
    expect(got.registryUri).toBe(`${location}-docker.pkg.dev/${projectId}/ghcr`);
  });

  test('remote repository rules', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ format: 'DOCKER', mode: 'REMOTE_REPOSITORY' }, /needs a remote_repository_config/],
      [
        { format: 'DOCKER', remoteRepositoryConfig: { commonRepository: { uri: 'https://ghcr.io' } } },
        /can only be set for repositories in mode REMOTE_REPOSITORY/,
      ],
      [
        {
          format: 'DOCKER',
          mode: 'REMOTE_REPOSITORY',
          remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'http://ghcr.io' } } },
        },
        /expected an https:\/\/ URL/,
      ],
      [
        {
          format: 'DOCKER',
          mode: 'REMOTE_REPOSITORY',
          remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'https://us-docker.pkg.dev/p/r' } } },
        },
        /^Failed to validate remote upstream: generic::invalid_argument: Artifact Registry repositories not supported as custom remote repository URI$/,
      ],
      [{ format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: {} } }, /needs an upstream/],
      [
        { format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { mavenRepository: { publicRepository: 'MAVEN_CENTRAL' } } },
        /does not match the repository format DOCKER/,
      ],
      [
        {
          format: 'DOCKER',
          mode: 'REMOTE_REPOSITORY',
          remoteRepositoryConfig: {
            commonRepository: { uri: 'https://ghcr.io' },
            upstreamCredentials: { usernamePasswordCredentials: { username: 'u', passwordSecretVersion: 'nope' } },
          },
        },
        /Invalid secret version "nope"/,
      ],
      [
        {
          format: 'DOCKER',
          mode: 'VIRTUAL_REPOSITORY',
          virtualRepositoryConfig: { upstreamPolicies: [{ id: 'u', repository: nameOf('missing'), priority: 1 }] },
        },
        /does not exist/,
      ],
    ];
    for (const [repository, message] of cases) {
      const error = await failureOf(() => client.createRepository({ parent, repositoryId: 'invalid', repository }));
      expect(grpcCodeOf(error), JSON.stringify(repository)).toBe(3);
      expect(messageOf(error)).toMatch(message);
    }
  });

  test('virtual repositories name existing upstreams', async () => {
    const virtual = await create('virtual', {
      format: 'DOCKER',
      mode: 'VIRTUAL_REPOSITORY',
      virtualRepositoryConfig: { upstreamPolicies: [{ id: 'images', repository: nameOf('images'), priority: 10 }] },
    });
    expect(virtual.mode).toBe(Repository.Mode.VIRTUAL_REPOSITORY);
    expect(virtual.vulnerabilityScanningConfig?.enablementState).toBe(
      Repository.VulnerabilityScanningConfig.EnablementState.SCANNING_UNSUPPORTED,
    );
  });

  test('ListRepositories pages, filters by name and orders', async () => {
    const all = [];
    for await (const repo of client.listRepositoriesAsync({ parent, pageSize: 2 })) all.push(repo.name);
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(expect.arrayContaining([nameOf('images'), nameOf('ghcr'), nameOf('hub'), nameOf('virtual'), nameOf('polled')]));
    const [filtered] = await client.listRepositories({ parent, filter: `name="${parent}/repositories/ghcr*"` });
    expect(filtered.map((repo) => repo.name)).toEqual([nameOf('ghcr'), nameOf('ghcr-common')]);
    const [descending] = await client.listRepositories({ parent, orderBy: 'name desc' });
    expect(descending.map((repo) => repo.name)).toEqual([...all].reverse());
    expect(descending.every((repo) => repo.registryUri !== '')).toBe(true);
    const [elsewhere] = await client.listRepositories({ parent: `projects/${projectId}/locations/us-central1` });
    expect(elsewhere).toEqual([]);
    expect(grpcCodeOf(await failureOf(() => client.listRepositories({ parent, filter: 'format=DOCKER' })))).toBe(3);
  });

  test('UpdateRepository follows the update mask; immutable fields are rejected', async () => {
    const [before] = await client.getRepository({ name: nameOf('images') });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const [updated] = await client.updateRepository({
      repository: { name: nameOf('images'), description: 'new text', labels: { team: 'infra' }, format: 'DOCKER' },
      updateMask: { paths: ['description'] },
    });
    expect(updated.description).toBe('new text');
    expect(updated.labels).toEqual({ team: 'platform' }); // not in the mask
    expect(updated.registryUri).toBe(''); // Google's update answer has none
    expect(Number(updated.updateTime?.seconds) * 1000 + Number(updated.updateTime?.nanos) / 1e6).toBeGreaterThan(
      Number(before.updateTime?.seconds) * 1000 + Number(before.updateTime?.nanos) / 1e6,
    );
    const [labelled] = await client.updateRepository({
      repository: { name: nameOf('images'), labels: { team: 'infra' } },
      updateMask: { paths: ['labels'] },
    });
    expect(labelled.labels).toEqual({ team: 'infra' });
    for (const path of ['format', 'mode', 'kms_key_name', 'no_such_field', 'remote_repository_config.upstream_credentials']) {
      const error = await failureOf(() =>
        client.updateRepository({ repository: { name: nameOf('images') }, updateMask: { paths: [path] } }),
      );
      expect(grpcCodeOf(error), path).toBe(3);
    }
    const [remote] = await client.updateRepository({
      repository: { name: nameOf('ghcr'), remoteRepositoryConfig: { description: 'GHCR' } },
      updateMask: { paths: ['remote_repository_config.description'] },
    });
    expect(remote.remoteRepositoryConfig?.description).toBe('GHCR');
    expect(remote.remoteRepositoryConfig?.dockerRepository?.customRepository?.uri).toBe('https://ghcr.io');
    const missing = await failureOf(() =>
      client.updateRepository({ repository: { name: nameOf('missing'), description: 'x' }, updateMask: { paths: ['description'] } }),
    );
    expect(grpcCodeOf(missing)).toBe(5);
  });

  test('IAM policies on a repository: etags, stale etag → ABORTED, unknown service account → INVALID_ARGUMENT', async () => {
    const resource = nameOf('images');
    const [empty] = await client.getIamPolicy({ resource });
    expect(empty.bindings).toEqual([]);
    expect(empty.etag?.length).toBeGreaterThan(0);
    const [set] = await client.setIamPolicy({
      resource,
      policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['user:dev@example.com'] }], etag: empty.etag },
    });
    expect(set.version).toBe(1);
    expect(set.bindings?.[0]).toMatchObject({ role: 'roles/artifactregistry.reader', members: ['user:dev@example.com'] });
    expect(Buffer.from(set.etag as Uint8Array).toString('base64')).not.toBe(Buffer.from(empty.etag as Uint8Array).toString('base64'));
    const stale = await failureOf(() => client.setIamPolicy({ resource, policy: { bindings: [], etag: empty.etag } }));
    expect(grpcCodeOf(stale)).toBe(10);
    const ghost = await failureOf(() =>
      client.setIamPolicy({
        resource,
        policy: {
          bindings: [{ role: 'roles/artifactregistry.reader', members: [`serviceAccount:ghost@${projectId}.iam.gserviceaccount.com`] }],
        },
      }),
    );
    expect(grpcCodeOf(ghost)).toBe(3);
    expect(messageOf(ghost)).toBe(`Service account ghost@${projectId}.iam.gserviceaccount.com does not exist.`);
    const [got] = await client.getIamPolicy({ resource });
    expect(got.bindings).toHaveLength(1);
    const [tested] = await client.testIamPermissions({
      resource,
      permissions: ['artifactregistry.repositories.downloadArtifacts', 'artifactregistry.repositories.uploadArtifacts'],
    });
    expect(tested.permissions).toEqual([
      'artifactregistry.repositories.downloadArtifacts',
      'artifactregistry.repositories.uploadArtifacts',
    ]);
    expect(grpcCodeOf(await failureOf(() => client.getIamPolicy({ resource: nameOf('missing') })))).toBe(5);
  });

  test('docker images registered in a repository are listed and got', async () => {
    emulator.mutate((services) => {
      registerImage(services, `${location}-docker.pkg.dev/${projectId}/images/runatlantis/atlantis:v0.47.1`, DIGEST);
      registerImage(services, `${location}-docker.pkg.dev/${projectId}/images/tools/helper:1.0`, OTHER_DIGEST);
    });
    const [listed] = await client.listDockerImages({ parent: nameOf('images') });
    expect(listed.map((image) => image.name)).toEqual([
      `${nameOf('images')}/dockerImages/runatlantis%2Fatlantis@${DIGEST}`,
      `${nameOf('images')}/dockerImages/tools%2Fhelper@${OTHER_DIGEST}`,
    ]);
    const [atlantis] = listed;
    expect(atlantis).toMatchObject({
      uri: `${location}-docker.pkg.dev/${projectId}/images/runatlantis/atlantis@${DIGEST}`,
      tags: ['v0.47.1'],
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    expect(Number(atlantis.imageSizeBytes)).toBeGreaterThan(0);
    for (const field of ['uploadTime', 'updateTime', 'buildTime'] as const) expect(Number(atlantis[field]?.seconds)).toBeGreaterThan(0);
    const [got] = await client.getDockerImage({ name: atlantis.name! });
    expect(got.uri).toBe(atlantis.uri);
    const [bySize] = await client.listDockerImages({ parent: nameOf('images'), orderBy: 'name desc' });
    expect(bySize.map((image) => image.tags)).toEqual([['1.0'], ['v0.47.1']]);
    const [page] = await client.listDockerImages({ parent: nameOf('images'), pageSize: 1 }, { autoPaginate: false });
    expect(page).toHaveLength(1);
    expect(
      grpcCodeOf(
        await failureOf(() => client.getDockerImage({ name: `${nameOf('images')}/dockerImages/runatlantis%2Fatlantis@${OTHER_DIGEST}` })),
      ),
    ).toBe(5);
    expect(grpcCodeOf(await failureOf(() => client.listDockerImages({ parent: nameOf('missing') })))).toBe(5);
    const [repo] = await client.getRepository({ name: nameOf('images') });
    expect(Number(repo.sizeBytes)).toBe(listed.reduce((total, image) => total + Number(image.imageSizeBytes), 0));
  });

  test('DeleteRepository is a long-running operation that removes the repository, its images and its policy', async () => {
    await create('doomed');
    emulator.mutate((services) => registerImage(services, `${location}-docker.pkg.dev/${projectId}/doomed/app:1.0`, DIGEST));
    const [operation] = await client.deleteRepository({ name: nameOf('doomed') }, FAST_POLLING);
    expect(operation.name).toMatch(new RegExp(`^${parent}/operations/`));
    await operation.promise();
    expect(grpcCodeOf(await failureOf(() => client.getRepository({ name: nameOf('doomed') })))).toBe(5);
    expect(
      Object.values(emulator.state().collections['artifactregistry.dockerImages'] ?? {}).some(
        (image) => (image as { repository: string }).repository === nameOf('doomed'),
      ),
    ).toBe(false);
    expect(grpcCodeOf(await failureOf(() => client.deleteRepository({ name: nameOf('doomed') })))).toBe(5);
  });

  test('the request log names the API, the RPC, the resource and whether it mutates', async () => {
    emulator.clearRequestLog();
    await client.getRepository({ name: nameOf('images') });
    await create('logged');
    const entries = emulator.requestLog();
    expect(entries[0]).toMatchObject({
      transport,
      api: API,
      method: `${RPC}/GetRepository`,
      resource: nameOf('images'),
      status: 'OK',
      mutating: false,
    });
    expect(entries[1]).toMatchObject({
      transport,
      api: API,
      method: `${RPC}/CreateRepository`,
      resource: nameOf('logged'),
      mutating: true,
    });
    expect(
      entries
        .slice(2)
        .every((entry) => entry.method === 'google.longrunning.Operations/GetOperation' && entry.api === API && !entry.mutating),
    ).toBe(true);
  });
});

describe.each(TRANSPORTS)('Artifact Registry rules across calls over %s', (transport) => {
  test('--operation-delay: the repository exists only once the operation is done', async () => {
    const emulator = await startEmulator({ operationDelayMs: 300 });
    const client = artifactRegistryClient(emulator, transport);
    const parent = 'projects/ar-delay-project/locations/us-central1';
    try {
      emulator.setServiceEnabled('ar-delay-project', API);
      const [operation] = await client.createRepository({ parent, repositoryId: 'slow', repository: { format: 'DOCKER' } }, FAST_POLLING);
      expect(operation.done).toBe(false);
      expect(grpcCodeOf(await failureOf(() => client.getRepository({ name: `${parent}/repositories/slow` })))).toBe(5);
      // A second create while the first is pending is already a conflict.
      expect(
        grpcCodeOf(await failureOf(() => client.createRepository({ parent, repositoryId: 'slow', repository: { format: 'DOCKER' } }))),
      ).toBe(6);
      const [created] = await operation.promise();
      expect(created.name).toBe(`${parent}/repositories/slow`);
      const polls = emulator.requestLog().filter((entry) => entry.method === 'google.longrunning.Operations/GetOperation');
      expect(polls.length).toBeGreaterThan(1);
      expect((await client.getRepository({ name: `${parent}/repositories/slow` }))[0].name).toBe(`${parent}/repositories/slow`);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  test('--deny fails the calls that need the permission and leaves it out of testIamPermissions', async () => {
    const emulator = await startEmulator({
      deny: ['artifactregistry.repositories.create', 'artifactregistry.repositories.downloadArtifacts'],
    });
    const client = artifactRegistryClient(emulator, transport);
    const parent = 'projects/ar-deny-project/locations/us-central1';
    try {
      emulator.setServiceEnabled('ar-deny-project', API);
      const error = await failureOf(() => client.createRepository({ parent, repositoryId: 'denied', repository: { format: 'DOCKER' } }));
      expect(grpcCodeOf(error)).toBe(7);
      expect(errorInfoOf(error)).toMatchObject({
        reason: 'IAM_PERMISSION_DENIED',
        metadata: { permission: 'artifactregistry.repositories.create' },
      });
      emulator.mutate((services) => {
        // Set up through the state, since creating is denied.
        services.store.collection('artifactregistry.repositories').set(`${parent}/repositories/allowed`, {
          name: `${parent}/repositories/allowed`,
          projectId: 'ar-deny-project',
          location: 'us-central1',
          repositoryId: 'allowed',
          format: 'DOCKER',
          mode: 'STANDARD_REPOSITORY',
          fields: {},
          createTime: new Date().toISOString(),
          updateTime: new Date().toISOString(),
        });
      });
      const [tested] = await client.testIamPermissions({
        resource: `${parent}/repositories/allowed`,
        permissions: [
          'artifactregistry.repositories.create',
          'artifactregistry.repositories.get',
          'artifactregistry.repositories.downloadArtifacts',
        ],
      });
      expect(tested.permissions).toEqual(['artifactregistry.repositories.get']);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe('registerImage and imageStatus', () => {
  let emulator: RunningEmulator;
  const project = 'ar-status-project';
  const host = 'europe-west1-docker.pkg.dev';
  const status = (image: string) => {
    let answer: ReturnType<typeof imageStatus> | undefined;
    emulator.mutate((services) => {
      answer = imageStatus(services, image);
    });
    return answer!;
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(project, API);
    const client = artifactRegistryClient(emulator, 'grpc');
    const parent = `projects/${project}/locations/europe-west1`;
    for (const [repositoryId, repository] of [
      ['built', { format: 'DOCKER' }],
      ['ghcr', { format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { commonRepository: { uri: 'https://ghcr.io' } } }],
      ['immutable', { format: 'DOCKER', dockerConfig: { immutableTags: true } }],
    ] as const) {
      const [operation] = await client.createRepository({ parent, repositoryId, repository }, FAST_POLLING);
      await operation.promise();
    }
    const [operation] = await client.createRepository(
      {
        parent,
        repositoryId: 'all',
        repository: {
          format: 'DOCKER',
          mode: 'VIRTUAL_REPOSITORY',
          virtualRepositoryConfig: { upstreamPolicies: [{ id: 'b', repository: `${parent}/repositories/built`, priority: 1 }] },
        },
      },
      FAST_POLLING,
    );
    await operation.promise();
    await client.close();
  });
  afterAll(() => emulator.close());

  test('registerImage needs an existing standard repository and a sha256 digest', () => {
    const attempt = (image: string, digest = DIGEST) => {
      let failure: unknown;
      try {
        emulator.mutate((services) => registerImage(services, image, digest));
      } catch (error) {
        failure = error;
      }
      return failure as { code?: string; message?: string } | undefined;
    };
    expect(attempt(`${host}/${project}/built/app:v1.0.0`)).toBeUndefined();
    expect(attempt(`${host}/${project}/missing/app:v1.0.0`)).toMatchObject({
      code: 'NOT_FOUND',
      message: `Repository "missing" not found in projects/${project}/locations/europe-west1.`,
    });
    expect(attempt(`${host}/${project}/ghcr/app:v1.0.0`)).toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect(attempt(`${host}/${project}/built/app:v1.0.0`, 'sha256:short')).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(attempt(`docker.io/library/nginx:1.25`)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    // A tag moves to the newest image, except in a repository with immutable tags.
    expect(attempt(`${host}/${project}/built/app:v1.0.0`, OTHER_DIGEST)).toBeUndefined();
    expect(attempt(`${host}/${project}/immutable/app:v1`, DIGEST)).toBeUndefined();
    expect(attempt(`${host}/${project}/immutable/app:v1`, OTHER_DIGEST)).toMatchObject({ code: 'FAILED_PRECONDITION' });
    const images = Object.values(emulator.state().collections['artifactregistry.dockerImages'] ?? {}) as Array<{
      repository: string;
      digest: string;
      tags: string[];
    }>;
    const built = images.filter((image) => image.repository.endsWith('/built'));
    expect(built.find((image) => image.digest === OTHER_DIGEST)?.tags).toEqual(['v1.0.0']);
    expect(built.find((image) => image.digest === DIGEST)?.tags).toEqual([]);
  });

  test('imageStatus: public images, emulated repositories, remote and virtual repositories', () => {
    for (const image of [
      'nginx',
      'nginx:1.25',
      'library/nginx@' + DIGEST,
      'docker.io/runatlantis/atlantis:v0.47.1',
      'gcr.io/cloudrun/hello',
      'eu.gcr.io/some-project/app:1',
      'us-docker.pkg.dev/cloudrun/container/hello',
      'us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0',
    ]) {
      expect(status(image), image).toEqual({ pullable: true });
    }
    // Any other project is someone's own: a repository that is not there is not pullable, even in
    // a project the emulator has never seen a call for.
    expect(status('europe-west1-docker.pkg.dev/some-unknown-project/repo/app:v1.0.0').pullable).toBe(false);
    expect(status(`${host}/${project}/built/app:v1.0.0`)).toEqual({ pullable: true });
    expect(status(`${host}/${project}/built/app@${OTHER_DIGEST}`)).toEqual({ pullable: true });
    expect(status(`${host}/${project}/built/app:v9`)).toEqual({
      pullable: false,
      reason: `Image '${host}/${project}/built/app:v9' not found.`,
    });
    expect(status(`${host}/${project}/built/other:v1.0.0`).pullable).toBe(false);
    expect(status(`${host}/${project}/nosuchrepo/app:v1.0.0`)).toEqual({
      pullable: false,
      reason: `Image '${host}/${project}/nosuchrepo/app:v1.0.0' not found.`,
    });
    expect(status(`us-central1-docker.pkg.dev/${project}/built/app:v1.0.0`).pullable).toBe(false); // another location
    // Cloud Run cannot deploy from ghcr.io itself (Google answers 400; a remote repository proxies it).
    expect(status('ghcr.io/runatlantis/atlantis:v0.47.1')).toEqual({
      pullable: false,
      reason: expect.stringMatching(/^Expected an image path like .* but obtained ghcr\.io\/runatlantis\/atlantis:v0\.47\.1/),
    });
    // A remote repository serves the tags its upstream has: for Atlantis, exactly its releases
    // (apis/upstream-tags.ts) — not a release-like tag that was never released.
    for (const tag of ['v0.47.1', 'v0.47', 'latest', 'v0.47.1-debian', 'latest-alpine', 'v0.19.9-pre.20220923'])
      expect(status(`${host}/${project}/ghcr/runatlantis/atlantis:${tag}`).pullable, tag).toBe(true);
    for (const tag of ['v9.9.9', 'v0.48.0', '0.47.1', 'v0.47.x', 'main', 'dev-123'])
      expect(status(`${host}/${project}/ghcr/runatlantis/atlantis:${tag}`).pullable, tag).toBe(false);
    // Of an image the emulator has no list for, any release-like tag.
    for (const tag of ['v9.9.9', '1.2.3', 'latest']) expect(status(`${host}/${project}/ghcr/acme/app:${tag}`).pullable, tag).toBe(true);
    expect(status(`${host}/${project}/ghcr/acme/app:main`).pullable).toBe(false);
    expect(status(`${host}/${project}/ghcr/runatlantis/atlantis@${DIGEST}`).pullable).toBe(false); // never served
    // The check caches nothing.
    expect(
      Object.values(emulator.state().collections['artifactregistry.dockerImages'] ?? {}).some((image) =>
        (image as { repository: string }).repository.endsWith('/ghcr'),
      ),
    ).toBe(false);
    // A virtual repository answers for its upstreams.
    expect(status(`${host}/${project}/all/app:v1.0.0`).pullable).toBe(true);
    expect(status(`${host}/${project}/all/app:v2.0.0`).pullable).toBe(false);
    // Other registries are not where Cloud Run deploys from.
    expect(status('quay.io/org/app:1.0')).toMatchObject({ pullable: false, reason: expect.stringMatching(/^Expected an image path like/) });
    expect(status('not a reference').pullable).toBe(false);
  });

  test('imageStatus: a disabled API makes the project’s images unpullable', () => {
    emulator.setServiceEnabled(project, API, false);
    try {
      expect(status(`${host}/${project}/built/app:v1.0.0`)).toMatchObject({
        pullable: false,
        reason: expect.stringMatching(/^Artifact Registry API has not been used in project/),
      });
    } finally {
      emulator.setServiceEnabled(project, API);
    }
  });

  test('builtImageDigest gives a digest whose manifest the registry knows', () => {
    let digest = '';
    emulator.mutate((services) => {
      digest = builtImageDigest(services, `${host}/${project}/built/app:v3.0.0`, 'build-42');
      registerImage(services, `${host}/${project}/built/app:v3.0.0`, digest);
    });
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const stored = emulator.state().collections['artifactregistry.manifests']?.[digest] as { mediaType: string; body: string };
    expect(stored.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(status(`${host}/${project}/built/app@${digest}`).pullable).toBe(true);
  });
});

describe('recorded Artifact Registry exchanges replayed against the emulator', () => {
  let emulator: RunningEmulator;
  let baseUrl: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    baseUrl = `http://127.0.0.1:${emulator.port}`;
  });
  afterAll(() => emulator.close());

  /** Google renders an `Any` holding Empty as {"@type"} here, where the emulator (like other Google APIs) adds "value": {}. */
  const emptyValue = (exchange: RecordedExchange) => (exchange.request.target.includes('/operations/') ? ['response.value'] : []);

  async function replay(
    file: string,
    projectId: string,
    vars: Record<string, string>,
    ignore: (exchange: RecordedExchange) => string[] = emptyValue,
  ) {
    emulator.setServiceEnabled(projectId, API);
    const results = await replayRecording(loadRecording(file), { baseUrl, vars: { projectId, ...vars }, ignore });
    expect(formatDifferences(results)).toBe('');
    expect(results.length).toBeGreaterThan(0);
  }

  test('artifactregistry-repository: 404, create (standard, virtual), get, patch, delete, numeric enums', async () => {
    await replay('artifactregistry-repository.http.log', 'ar-replay-project', { uniqueId: 'arrec1' });
  });

  test('artifactregistry-repository-gcloud: create, get, patch with output fields sent back, delete', async () => {
    await replay('artifactregistry-repository-gcloud.http.log', 'ar-gcloud-replay', { uniqueId: 'argc1' });
  });

  test('iam-policy-artifactregistry-repository: get/set IAM policy on a repository', async () => {
    // The recorded policy names this service account: it must exist in the emulator.
    emulator.setServiceEnabled('test-project', 'iam.googleapis.com');
    expect((await restCall(emulator, 'POST', '/v1/projects/test-project/serviceAccounts', { accountId: 'test-sa' })).status).toBe(200);
    // This older recording predates registryUri in Get answers (see the README).
    await replay('iam-policy-artifactregistry-repository.http.log', 'ar-iam-replay', { uniqueId: 'ariam1' }, (exchange) => [
      ...emptyValue(exchange),
      ...(exchange.request.method === 'GET' && /repositories\/[^/:?]+\?/.test(exchange.request.target) ? ['registryUri'] : []),
    ]);
  });
});

describe.skipIf(!gcloudAvailable())('gcloud artifacts repositories against the emulator', () => {
  let emulator: RunningEmulator;
  let gcloud: Gcloud;
  const projectId = 'ar-gcloud-project';

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setServiceEnabled(projectId, API);
    gcloud = await gcloudFor(emulator, ['artifactregistry']);
  }, 120_000);
  afterAll(async () => {
    await gcloud?.cleanup();
    await emulator?.close();
  });

  test('gcloud artifacts repositories create / describe', async () => {
    const created = await gcloud.run([
      'artifacts',
      'repositories',
      'create',
      'atlantis',
      '--repository-format=docker',
      '--location=europe-west1',
      '--description=Atlantis images',
      '--project',
      projectId,
    ]);
    expect(created.stderr).not.toMatch(/ERROR/);
    expect(created.code).toBe(0);
    const described = await gcloud.run([
      'artifacts',
      'repositories',
      'describe',
      'atlantis',
      '--location=europe-west1',
      '--project',
      projectId,
      '--format=json',
    ]);
    expect(described.code).toBe(0);
    expect(described.json).toMatchObject({
      name: `projects/${projectId}/locations/europe-west1/repositories/atlantis`,
      format: 'DOCKER',
      mode: 'STANDARD_REPOSITORY',
      description: 'Atlantis images',
      registryUri: `europe-west1-docker.pkg.dev/${projectId}/atlantis`,
    });
    const again = await gcloud.run([
      'artifacts',
      'repositories',
      'create',
      'atlantis',
      '--repository-format=docker',
      '--location=europe-west1',
      '--project',
      projectId,
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/ALREADY_EXISTS|already exists/);
    expect(
      emulator
        .requestLog()
        .some((entry) => entry.method === `${RPC}/CreateRepository` && entry.status === 'OK' && entry.transport === 'rest'),
    ).toBe(true);
  }, 120_000);

  test('gcloud artifacts repositories list without --location lists the locations, then each one’s repositories', async () => {
    emulator.clearRequestLog();
    const listed = await gcloud.run(['artifacts', 'repositories', 'list', '--project', projectId, '--format=json'], { timeoutMs: 180_000 });
    expect(listed.stderr).not.toMatch(/ERROR/);
    expect(listed.code).toBe(0);
    expect(listed.json).toEqual([expect.objectContaining({ name: `projects/${projectId}/locations/europe-west1/repositories/atlantis` })]);
    const methods = emulator.requestLog().map((entry) => entry.method);
    expect(methods).toContain('google.cloud.location.Locations/ListLocations');
    expect(methods.filter((method) => method === `${RPC}/ListRepositories`).length).toBeGreaterThan(10);
  }, 240_000);
});
