// The Docker Registry HTTP API v2 (read part) the emulator serves for Artifact Registry's regional
// hosts under /hosts/REGION-docker.pkg.dev: the token flow, manifests by tag and digest, tag lists,
// and how remote, standard and virtual repositories answer — over plain fetch, and through the
// tool's own registry client (src/gcp/registry.ts) exactly as the deploy's image phase uses it.
import { createHash } from 'node:crypto';
import type { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtImageDigest, registerImage } from '../../src/emulator/apis/artifact-registry.js';
import { publishUpstreamTags } from '../../src/emulator/apis/upstream-tags.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { GcpError } from '../../src/gcp/errors.js';
import { RegistryClient } from '../../src/gcp/docker-registry-client.js';
import { artifactRegistryClient, FAST_POLLING, type LooseJson } from './clients.js';

const API = 'artifactregistry.googleapis.com';
const REGION = 'europe-west1';
const HOST = `${REGION}-docker.pkg.dev`;
const PROJECT = 'registry-project';
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const REGISTERED = `sha256:${'c'.repeat(64)}`;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: LooseJson;
}

/** A registry session against one emulator: fetches tokens the way docker and the tool's client do. */
class Registry {
  constructor(
    readonly emulator: RunningEmulator,
    readonly host = HOST,
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.emulator.port}/hosts/${this.host}`;
  }

  async send(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${this.base}${path}`, { method, headers });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json: json as LooseJson };
  }

  /** The token for `scope`, following the challenge's realm with Basic `oauth2accesstoken:<access token>`. */
  async token(scope: string, accessToken = 'ya29.emulator'): Promise<string> {
    const challenge = (await this.send('GET', '/v2/')).headers.get('www-authenticate') ?? '';
    const realm = /realm="([^"]+)"/.exec(challenge)![1];
    const service = /service="([^"]+)"/.exec(challenge)![1];
    const basic = Buffer.from(`oauth2accesstoken:${accessToken}`).toString('base64');
    const response = await fetch(`${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(scope)}`, {
      headers: { Authorization: `Basic ${basic}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  async manifest(
    method: 'GET' | 'HEAD',
    name: string,
    reference: string,
    options: { accept?: string; token?: string } = {},
  ): Promise<Answer> {
    const token = options.token ?? (await this.token(`repository:${name}:pull`));
    return this.send(method, `/v2/${name}/manifests/${reference}`, { Authorization: `Bearer ${token}`, Accept: options.accept ?? ACCEPT });
  }

  async tags(name: string, query = ''): Promise<Answer> {
    return this.send('GET', `/v2/${name}/tags/list${query}`, { Authorization: `Bearer ${await this.token(`repository:${name}:pull`)}` });
  }
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

async function createRepositories(
  emulator: RunningEmulator,
  project: string,
  repositories: Array<[string, Record<string, unknown>]>,
): Promise<void> {
  emulator.setServiceEnabled(project, API);
  const client: ArtifactRegistryClient = artifactRegistryClient(emulator, 'grpc');
  try {
    for (const [repositoryId, repository] of repositories) {
      const [operation] = await client.createRepository(
        { parent: `projects/${project}/locations/${REGION}`, repositoryId, repository },
        FAST_POLLING,
      );
      await operation.promise();
    }
  } finally {
    await client.close();
  }
}

const GHCR_REMOTE: [string, Record<string, unknown>] = [
  'ghcr',
  {
    format: 'DOCKER',
    mode: 'REMOTE_REPOSITORY',
    remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: 'https://ghcr.io' } } },
  },
];

describe('Docker Registry HTTP API v2 on the emulator', () => {
  let emulator: RunningEmulator;
  let registry: Registry;
  const atlantis = `${PROJECT}/ghcr/runatlantis/atlantis`;

  beforeAll(async () => {
    emulator = await startEmulator();
    registry = new Registry(emulator);
    await createRepositories(emulator, PROJECT, [
      GHCR_REMOTE,
      [
        'hub',
        { format: 'DOCKER', mode: 'REMOTE_REPOSITORY', remoteRepositoryConfig: { dockerRepository: { publicRepository: 'DOCKER_HUB' } } },
      ],
      ['images', { format: 'DOCKER' }],
    ]);
    await createRepositories(emulator, PROJECT, [
      [
        'all',
        {
          format: 'DOCKER',
          mode: 'VIRTUAL_REPOSITORY',
          virtualRepositoryConfig: {
            upstreamPolicies: [
              { id: 'images', repository: `projects/${PROJECT}/locations/${REGION}/repositories/images`, priority: 20 },
              { id: 'ghcr', repository: `projects/${PROJECT}/locations/${REGION}/repositories/ghcr`, priority: 10 },
            ],
          },
        },
      ],
    ]);
  });
  afterAll(() => emulator.close());

  test('GET /v2/ challenges with a Bearer realm under the same /hosts prefix; a token opens it', async () => {
    const anonymous = await registry.send('GET', '/v2/');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer realm="http://127.0.0.1:${emulator.port}/hosts/${HOST}/v2/token",service="${HOST}"`,
    );
    expect(anonymous.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(anonymous.json).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: expect.any(String) }] });
    const token = await registry.token(`repository:${atlantis}:pull`);
    const authorized = await registry.send('GET', '/v2/', { Authorization: `Bearer ${token}` });
    expect(authorized.status).toBe(200);
    expect(authorized.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(authorized.json).toEqual({});
    const forged = await registry.send('GET', '/v2/', { Authorization: `Bearer ${token.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/error="invalid_token"$/);
  });

  test('the token service takes the access token as Basic oauth2accesstoken:<token>', async () => {
    const url = `/v2/token?service=${HOST}&scope=repository:${atlantis}:pull`;
    const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    expect((await registry.send('GET', url)).status).toBe(401);
    expect((await registry.send('GET', url, basic('someone', 'ya29.x'))).status).toBe(401);
    expect((await registry.send('GET', url, basic('oauth2accesstoken', ''))).status).toBe(401);
    const answer = await registry.send('GET', url, basic('oauth2accesstoken', 'ya29.anything'));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      token: expect.any(String),
      access_token: answer.json.token,
      expires_in: 3600,
      issued_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const otherService = await registry.send(
      'GET',
      `/v2/token?service=us-docker.pkg.dev&scope=repository:${atlantis}:pull`,
      basic('oauth2accesstoken', 'ya29.x'),
    );
    expect(otherService.status).toBe(400);
  });

  test('a remote repository answers a release tag with a stable synthesized multi-platform manifest, and caches it', async () => {
    const head = await registry.manifest('HEAD', atlantis, 'v0.47.1');
    expect(head.status).toBe(200);
    const digest = head.headers.get('docker-content-digest')!;
    expect(digest).toMatch(DIGEST_RE);
    expect(head.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
    expect(head.text).toBe('');
    const get = await registry.manifest('GET', atlantis, 'v0.47.1');
    expect(get.headers.get('docker-content-digest')).toBe(digest);
    expect(sha256(get.text)).toBe(digest); // the bytes hash to the digest
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(get.text));
    expect(get.json).toMatchObject({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json' });
    expect(get.json.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect((await registry.manifest('HEAD', atlantis, 'v0.47.1')).headers.get('docker-content-digest')).toBe(digest);

    // By digest, the index and each platform manifest.
    const byDigest = await registry.manifest('GET', atlantis, digest);
    expect(byDigest.text).toBe(get.text);
    const amd64 = get.json.manifests[0] as { digest: string; size: number };
    const child = await registry.manifest('GET', atlantis, amd64.digest);
    expect(child.status).toBe(200);
    expect(sha256(child.text)).toBe(amd64.digest);
    expect(Buffer.byteLength(child.text)).toBe(amd64.size);
    // A client that takes no index gets the linux/amd64 manifest, as from Distribution.
    const single = await registry.manifest('GET', atlantis, 'v0.47.1', { accept: 'application/vnd.oci.image.manifest.v1+json' });
    expect(single.headers.get('docker-content-digest')).toBe(amd64.digest);

    // Once served, the image is in the repository.
    const client = artifactRegistryClient(emulator, 'rest');
    try {
      const [images] = await client.listDockerImages({ parent: `projects/${PROJECT}/locations/${REGION}/repositories/ghcr` });
      expect(images).toHaveLength(1);
      expect(images[0]).toMatchObject({
        name: `projects/${PROJECT}/locations/${REGION}/repositories/ghcr/dockerImages/runatlantis%2Fatlantis@${digest}`,
        uri: `${HOST}/${atlantis}@${digest}`,
        tags: ['v0.47.1'],
        mediaType: 'application/vnd.oci.image.index.v1+json',
      });
      expect(images[0].imageManifests?.map((m) => [m.os, m.architecture, m.digest])).toEqual([
        ['linux', 'amd64', amd64.digest],
        ['linux', 'arm64', get.json.manifests[1].digest],
      ]);
      expect(Number(images[0].imageSizeBytes)).toBeGreaterThan(1_000_000);
    } finally {
      await client.close();
    }
  });

  test('tags that do not look like releases, unknown digests and unknown repositories answer like Distribution', async () => {
    // Atlantis' own tags only (apis/upstream-tags.ts): a release-like tag it never released is unknown too.
    for (const tag of ['v0.47.x', 'main', 'nightly', 'v9.9.9', '0.47.1']) {
      const answer = await registry.manifest('GET', atlantis, tag);
      expect(answer.status, tag).toBe(404);
      expect(answer.json).toEqual({
        errors: [{ code: 'MANIFEST_UNKNOWN', message: `Failed to fetch "${tag}" from request "/v2/${atlantis}/manifests/${tag}".` }],
      });
    }
    for (const tag of ['v0.47', 'latest', 'v0.47.1-debian', 'latest-alpine'])
      expect((await registry.manifest('HEAD', atlantis, tag)).status, tag).toBe(200);
    expect((await registry.manifest('GET', atlantis, `sha256:${'0'.repeat(64)}`)).json.errors[0].code).toBe('MANIFEST_UNKNOWN');
    const noRepository = await registry.manifest('GET', `${PROJECT}/nosuch/app`, 'v1.0.0');
    expect(noRepository.status).toBe(404);
    expect(noRepository.json.errors[0]).toEqual({ code: 'NAME_UNKNOWN', message: 'Repository "nosuch" not found' });
    expect((await registry.manifest('GET', `${PROJECT}/ghcr`, 'v1.0.0')).json.errors[0]).toEqual({
      code: 'NAME_INVALID',
      message: `invalid repository name "${PROJECT}/ghcr": expected PROJECT/REPOSITORY/IMAGE`,
    });
    expect((await registry.manifest('GET', `${PROJECT}/ghcr/Upper/case`, 'v1.0.0')).json.errors[0].code).toBe('NAME_INVALID');
    expect((await registry.manifest('GET', atlantis, 'sha256:abc')).json.errors[0].code).toBe('DIGEST_INVALID');
  });

  test('manifests need a token with the repository’s pull scope', async () => {
    const anonymous = await registry.send('HEAD', `/v2/${atlantis}/manifests/v0.47.1`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer realm="http://127.0.0.1:${emulator.port}/hosts/${HOST}/v2/token",service="${HOST}",scope="repository:${atlantis}:pull"`,
    );
    const get = await registry.send('GET', `/v2/${atlantis}/manifests/v0.47.1`);
    expect(get.json.errors[0]).toEqual({
      code: 'UNAUTHORIZED',
      message: `Unauthenticated request. Unauthenticated requests do not have permission "artifactregistry.repositories.downloadArtifacts" on resource "projects/${PROJECT}/locations/${REGION}/repositories/ghcr" (or it may not exist)`,
    });
    const otherScope = await registry.manifest('GET', atlantis, 'v0.47.1', {
      token: await registry.token(`repository:${PROJECT}/ghcr/other:pull`),
    });
    expect(otherScope.status).toBe(401);
    expect(otherScope.headers.get('www-authenticate')).toMatch(/,error="insufficient_scope"$/);
    const pushOnly = await registry.manifest('GET', atlantis, 'v0.47.1', { token: await registry.token(`repository:${atlantis}:push`) });
    expect(pushOnly.status).toBe(401);
    const otherHost = new Registry(emulator, 'us-docker.pkg.dev');
    const foreign = await registry.manifest('GET', atlantis, 'v0.47.1', { token: await otherHost.token(`repository:${atlantis}:pull`) });
    expect(foreign.status).toBe(401);
  });

  test('images registered by Cloud Build resolve by tag and digest', async () => {
    let built = '';
    emulator.mutate((services) => {
      registerImage(services, `${HOST}/${PROJECT}/images/atlantis/custom:v0.47.1-build1`, REGISTERED);
      built = builtImageDigest(services, `${HOST}/${PROJECT}/images/atlantis/custom:v2`, 'build-2');
      registerImage(services, `${HOST}/${PROJECT}/images/atlantis/custom:v2`, built);
    });
    const name = `${PROJECT}/images/atlantis/custom`;
    const byTag = await registry.manifest('HEAD', name, 'v0.47.1-build1');
    expect(byTag.status).toBe(200);
    expect(byTag.headers.get('docker-content-digest')).toBe(REGISTERED);
    expect(byTag.headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect((await registry.manifest('HEAD', name, REGISTERED)).status).toBe(200);
    // With bytes the registry knows, GET is byte-exact too.
    const exact = await registry.manifest('GET', name, 'v2');
    expect(exact.headers.get('docker-content-digest')).toBe(built);
    expect(sha256(exact.text)).toBe(built);
    // A standard repository resolves nothing it was not given.
    expect((await registry.manifest('GET', name, 'v0.47.2')).json.errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect((await registry.manifest('GET', `${PROJECT}/images/other`, 'v1.0.0')).json.errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  test('a virtual repository resolves through its upstreams, highest priority first', async () => {
    const fromImages = await registry.manifest('HEAD', `${PROJECT}/all/atlantis/custom`, 'v0.47.1-build1');
    expect(fromImages.headers.get('docker-content-digest')).toBe(REGISTERED);
    const direct = await registry.manifest('HEAD', atlantis, 'v0.46.0');
    const viaVirtual = await registry.manifest('HEAD', `${PROJECT}/all/runatlantis/atlantis`, 'v0.46.0');
    expect(viaVirtual.headers.get('docker-content-digest')).toBe(direct.headers.get('docker-content-digest'));
  });

  test('tags/list: a remote repository lists the tags of its upstream and what it cached, a standard one every tag, with pagination', async () => {
    const remote = await registry.tags(atlantis);
    expect(remote.status).toBe(200);
    expect(remote.json.name).toBe(atlantis);
    expect(remote.json.tags).toEqual(expect.arrayContaining(['v0.47.1', 'latest', 'v0.46.0']));
    // Versions nobody pulled yet: the upstream's own tags (the bundled Atlantis releases), sorted.
    expect(remote.json.tags).toEqual(expect.arrayContaining(['v0.17.0', 'v0.19.9-pre.20220923', 'v0.35.1']));
    expect(remote.json.tags).toEqual([...remote.json.tags].sort());
    expect(remote.json.tags).not.toContain('v0.48.0');
    emulator.mutate((services) => publishUpstreamTags(services, 'ghcr.io/runatlantis/atlantis', ['v0.48.0', 'v0.49.0-pre.20260901']));
    expect((await registry.tags(atlantis)).json.tags).toEqual(expect.arrayContaining(['v0.48.0', 'v0.49.0-pre.20260901']));
    const page = await registry.tags(atlantis, '?n=2&last=v0.47.1-debian');
    expect(page.json.tags).toEqual(['v0.48.0', 'v0.49.0-pre.20260901']);
    expect((await registry.tags(`${PROJECT}/ghcr/never/pulled`)).json).toEqual({ name: `${PROJECT}/ghcr/never/pulled`, tags: [] });
    const standard = await registry.tags(`${PROJECT}/images/atlantis/custom`);
    expect(standard.json.tags).toEqual(['v0.47.1-build1', 'v2']);
    const first = await registry.tags(`${PROJECT}/images/atlantis/custom`, '?n=1');
    expect(first.json.tags).toEqual(['v0.47.1-build1']);
    expect(first.headers.get('link')).toBe(
      `</hosts/${HOST}/v2/${PROJECT}/images/atlantis/custom/tags/list?n=1&last=v0.47.1-build1>; rel="next"`,
    );
    expect((await registry.tags(`${PROJECT}/images/atlantis/custom`, '?n=1&last=v0.47.1-build1')).json.tags).toEqual(['v2']);
    const unknown = await registry.tags(`${PROJECT}/images/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.errors[0].code).toBe('NAME_UNKNOWN');
  });

  test('Artifact Registry paths of projects the emulator does not hold are public images', async () => {
    const publicRegistry = new Registry(emulator, 'us-docker.pkg.dev');
    const hello = await publicRegistry.manifest('HEAD', 'cloudrun/container/hello', 'latest');
    expect(hello.status).toBe(200);
    const digest = hello.headers.get('docker-content-digest')!;
    expect(digest).toMatch(DIGEST_RE);
    expect((await publicRegistry.manifest('HEAD', 'cloudrun/container/hello', digest)).status).toBe(200);
    expect((await publicRegistry.manifest('HEAD', 'cloudrun/container/hello', 'not-a-release')).status).toBe(404);
    expect(emulator.state().projects.cloudrun).toBeUndefined(); // serving it recorded no project
  });

  test('every registry call is in the request log as a read of Artifact Registry', async () => {
    emulator.clearRequestLog();
    await registry.manifest('HEAD', atlantis, 'v0.47.1');
    await registry.manifest('GET', atlantis, 'nope');
    const entries = emulator.requestLog();
    expect(entries.map((entry) => [entry.method, entry.status])).toEqual([
      ['docker.registry.v2/GetApiVersion', 'UNAUTHENTICATED'],
      ['docker.registry.v2/GetToken', 'OK'],
      ['docker.registry.v2/HeadManifest', 'OK'],
      ['docker.registry.v2/GetApiVersion', 'UNAUTHENTICATED'],
      ['docker.registry.v2/GetToken', 'OK'],
      ['docker.registry.v2/GetManifest', 'NOT_FOUND'],
    ]);
    expect(entries.every((entry) => entry.api === API && entry.transport === 'rest' && entry.mutating === false)).toBe(true);
    expect(entries[2].resource).toBe(`projects/${PROJECT}/locations/${REGION}/repositories/ghcr`);
  });
});

describe('registry behaviour across emulators and options', () => {
  test('the synthesized digest is the same across calls, emulator restarts, projects and the upstream reached directly', async () => {
    const digests: string[] = [];
    for (const project of ['stable-project-a', 'stable-project-b']) {
      const emulator = await startEmulator();
      try {
        await createRepositories(emulator, project, [GHCR_REMOTE]);
        const registry = new Registry(emulator);
        digests.push(
          (await registry.manifest('HEAD', `${project}/ghcr/runatlantis/atlantis`, 'v0.47.1')).headers.get('docker-content-digest')!,
        );
        digests.push(
          (await registry.manifest('HEAD', `${project}/ghcr/runatlantis/atlantis`, 'v0.47.1')).headers.get('docker-content-digest')!,
        );
      } finally {
        await emulator.close();
      }
    }
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toMatch(DIGEST_RE);
    // Different tags and images have different digests.
    const emulator = await startEmulator();
    try {
      await createRepositories(emulator, 'stable-project-c', [GHCR_REMOTE]);
      const registry = new Registry(emulator);
      const other = (await registry.manifest('HEAD', 'stable-project-c/ghcr/runatlantis/atlantis', 'v0.47.0')).headers.get(
        'docker-content-digest',
      );
      expect(other).not.toBe(digests[0]);
    } finally {
      await emulator.close();
    }
  });

  test('pulls need the Artifact Registry API enabled, and --deny of downloadArtifacts is a DENIED', async () => {
    const emulator = await startEmulator({ deny: ['artifactregistry.repositories.downloadArtifacts'] });
    try {
      await createRepositories(emulator, 'denied-project', [GHCR_REMOTE]);
      const registry = new Registry(emulator);
      const denied = await registry.manifest('GET', 'denied-project/ghcr/runatlantis/atlantis', 'v0.47.1');
      expect(denied.status).toBe(403);
      expect(denied.json.errors[0]).toEqual({
        code: 'DENIED',
        message: `Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "projects/denied-project/locations/${REGION}/repositories/ghcr" (or it may not exist)`,
      });
    } finally {
      await emulator.close();
    }
    const second = await startEmulator();
    try {
      await createRepositories(second, 'disabled-project', [GHCR_REMOTE]);
      second.setServiceEnabled('disabled-project', API, false);
      const disabled = await new Registry(second).manifest('GET', 'disabled-project/ghcr/runatlantis/atlantis', 'v0.47.1');
      expect(disabled.status).toBe(403);
      expect(disabled.json.errors[0].code).toBe('DENIED');
      expect(disabled.json.errors[0].message).toMatch(
        /^Artifact Registry API has not been used in project \d+ before or it is disabled\. Enable it by visiting/,
      );
    } finally {
      await second.close();
    }
  });

  test('--faults reach registry calls by their short name', async () => {
    const emulator = await startEmulator({ faults: 'artifactregistry.HeadManifest=UNAVAILABLE:1' });
    try {
      await createRepositories(emulator, 'faulty-project', [GHCR_REMOTE]);
      const answer = await new Registry(emulator).manifest('HEAD', 'faulty-project/ghcr/runatlantis/atlantis', 'v0.47.1');
      expect(answer.status).toBe(503);
      expect(emulator.requestLog().at(-1)).toMatchObject({ method: 'docker.registry.v2/HeadManifest', status: 'UNAVAILABLE' });
    } finally {
      await emulator.close();
    }
  });
});

describe('the tool’s registry client against the emulator', () => {
  let emulator: RunningEmulator;
  const project = 'client-project';
  const image = (repository: string, reference: string) => `${HOST}/${project}/${repository}/runatlantis/atlantis${reference}`;
  const clientFor = (options: { bearerRealm?: boolean } = {}) =>
    new RegistryClient({
      baseUrl: `http://${emulator.host}/hosts/${HOST}`,
      accessToken: () => Promise.resolve('ya29.client-test-token'),
      retry: { retries: 0 },
      // As the image phase does: Artifact Registry's token realm is known, so discovery is skipped.
      ...(options.bearerRealm ? { bearerRealm: { realm: `https://${HOST}/v2/token`, service: HOST } } : {}),
    });

  beforeAll(async () => {
    emulator = await startEmulator();
    await createRepositories(emulator, project, [GHCR_REMOTE, ['images', { format: 'DOCKER' }]]);
  });
  afterAll(() => emulator.close());

  test('tag → digest on a remote repository: the token flow, a stable digest, then listed by ListDockerImages', async () => {
    emulator.clearRequestLog();
    const resolved = await clientFor().resolveDigest(image('ghcr', ':v0.47.1'));
    expect(resolved.digest).toMatch(DIGEST_RE);
    expect(resolved.reference).toBe(image('ghcr', `@${resolved.digest}`));
    expect(resolved.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(emulator.requestLog().map((entry) => [entry.method, entry.status])).toEqual([
      ['docker.registry.v2/GetApiVersion', 'UNAUTHENTICATED'],
      ['docker.registry.v2/GetToken', 'OK'],
      ['docker.registry.v2/HeadManifest', 'OK'],
    ]);
    // The same digest from another client, with the known realm (no discovery), and from plain HTTP.
    emulator.clearRequestLog();
    expect((await clientFor({ bearerRealm: true }).resolveDigest(image('ghcr', ':v0.47.1'))).digest).toBe(resolved.digest);
    expect(emulator.requestLog().map((entry) => entry.method)).toEqual(['docker.registry.v2/GetToken', 'docker.registry.v2/HeadManifest']);
    const head = await new Registry(emulator).manifest('HEAD', `${project}/ghcr/runatlantis/atlantis`, 'v0.47.1');
    expect(head.headers.get('docker-content-digest')).toBe(resolved.digest);

    const client = artifactRegistryClient(emulator, 'grpc');
    try {
      const [images] = await client.listDockerImages({ parent: `projects/${project}/locations/${REGION}/repositories/ghcr` });
      expect(images.map((listed) => [listed.uri, listed.tags])).toEqual([[image('ghcr', `@${resolved.digest}`), ['v0.47.1']]]);
    } finally {
      await client.close();
    }
    // Verifying a digest reference asks the registry, which has it now.
    expect((await clientFor().resolveDigest(image('ghcr', `@${resolved.digest}`), { verify: true })).digest).toBe(resolved.digest);
  });

  test('an unknown tag is a NOT_FOUND naming the tag, with the near tag the repository holds', async () => {
    const error = await clientFor()
      .resolveDigest(image('ghcr', ':v0.47.x'))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GcpError);
    expect((error as GcpError).code).toBe('NOT_FOUND');
    expect((error as GcpError).message).toMatch(/the registry has no tag v0\.47\.x .*MANIFEST_UNKNOWN.*did you mean v0\.47\.[01]\?/);
    expect(await clientFor().manifestExists(image('ghcr', ':v0.47.x'))).toBe(false);
    expect(await clientFor().manifestExists(image('ghcr', ':v0.47.1'))).toBe(true);
    const noRepository = (await clientFor()
      .resolveDigest(`${HOST}/${project}/nosuch/app:v1.0.0`)
      .catch((caught: unknown) => caught)) as GcpError;
    expect(noRepository.code).toBe('NOT_FOUND');
    expect(noRepository.message).toMatch(/NAME_UNKNOWN/);
  });

  test('an image registered by Cloud Build resolves by tag and by digest', async () => {
    let digest = '';
    emulator.mutate((services) => {
      digest = builtImageDigest(services, image('images', ':v1.2.3'), 'client-build');
      registerImage(services, image('images', ':v1.2.3'), digest);
      registerImage(services, image('images', ':only-head'), REGISTERED);
    });
    const client = clientFor({ bearerRealm: true });
    const byTag = await client.resolveDigest(image('images', ':v1.2.3'));
    expect(byTag).toEqual({
      digest,
      reference: image('images', `@${digest}`),
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    expect((await client.resolveDigest(image('images', `@${digest}`), { verify: true })).digest).toBe(digest);
    expect((await client.resolveDigest(image('images', ':only-head'))).digest).toBe(REGISTERED);
  });

  test('a denied pull and a disabled API reach the client as PERMISSION_DENIED', async () => {
    const denying = await startEmulator({ deny: ['artifactregistry.repositories.downloadArtifacts'] });
    try {
      await createRepositories(denying, project, [GHCR_REMOTE]);
      const error = (await new RegistryClient({
        baseUrl: `http://${denying.host}/hosts/${HOST}`,
        accessToken: () => Promise.resolve('ya29.t'),
        retry: { retries: 0 },
      })
        .resolveDigest(image('ghcr', ':v0.47.1'))
        .catch((caught: unknown) => caught)) as GcpError;
      expect(error.code).toBe('PERMISSION_DENIED');
      expect(error.message).toMatch(/artifactregistry\.repositories\.downloadArtifacts/);
    } finally {
      await denying.close();
    }
    emulator.setServiceEnabled(project, API, false);
    try {
      const error = (await clientFor()
        .resolveDigest(image('ghcr', ':v0.47.1'))
        .catch((caught: unknown) => caught)) as GcpError;
      expect(error.code).toBe('PERMISSION_DENIED');
      expect(error.message).toMatch(/Artifact Registry API has not been used in project/);
    } finally {
      emulator.setServiceEnabled(project, API);
    }
  });
});
