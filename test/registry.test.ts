// The registry client against a real registry: Debian's docker-registry (CNCF distribution) on
// 127.0.0.1, started per suite by test/support/registry.ts. Without the binary these tests are
// skipped with the reason in the suite name and on stderr, except in CI, where .ci/run installs
// it and a missing binary fails the run instead.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcpError } from '../src/gcp/errors.js';
import { ClientFactory, factoryOptionsFromEnv } from '../src/gcp/factory.js';
import { MEDIA_TYPES, RegistryClient, parseImageReference } from '../src/gcp/docker-registry-client.js';
import {
  HTPASSWD_TOKEN,
  deleteManifest,
  freePort,
  pushImage,
  registryAvailability,
  startBearerFront,
  startRegistry,
} from './support/registry.js';
import type { BearerFront, PushedImage, TestRegistry } from './support/registry.js';

const AR = 'europe-west1-docker.pkg.dev';
const IMAGE = 'my-project/atlantis-ghcr/runatlantis/atlantis';
const FAST = { minDelayMs: 1, maxDelayMs: 5, retries: 2 };

/** The rejection of `promise`, which must be a GcpError. */
async function failure(promise: Promise<unknown>): Promise<GcpError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GcpError);
  return err as GcpError;
}

/** A secret must appear nowhere in the error: message, metadata, cause chain. */
function expectNoSecret(err: GcpError, ...secrets: string[]): void {
  const everything = `${err.message}\n${inspect(err, { depth: 10 })}`;
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(`oauth2accesstoken:${secret}`).toString('base64'));
  }
}

describe('parseImageReference', () => {
  it('splits host, repository, tag and digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`${AR}/${IMAGE}:v0.30.0`)).toEqual({ registry: AR, repository: IMAGE, tag: 'v0.30.0', digest: undefined });
    expect(parseImageReference(`${AR}/${IMAGE}@${digest}`)).toEqual({ registry: AR, repository: IMAGE, tag: undefined, digest });
    expect(parseImageReference(`${AR}/${IMAGE}:v1@${digest}`)).toEqual({ registry: AR, repository: IMAGE, tag: 'v1', digest });
    expect(parseImageReference('127.0.0.1:5000/a/b')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'a/b',
      tag: undefined,
      digest: undefined,
    });
    expect(parseImageReference('localhost/a_b/c-d.e:x')).toMatchObject({ registry: 'localhost', repository: 'a_b/c-d.e', tag: 'x' });
  });

  it('refuses what is not a full reference, saying why', () => {
    const cases: Array<[string, RegExp]> = [
      ['runatlantis/atlantis:v1', /names no registry host/],
      ['atlantis', /names no registry host/],
      [`${AR}/Images/atlantis`, /"Images" is not a valid repository path component/],
      [`${AR}/a/b@sha256:abc`, /is not a sha256 digest/],
      [`${AR}/a/b:-bad`, /"-bad" is not a valid tag/],
      [`${AR}/a b`, /empty or contains spaces/],
    ];
    for (const [ref, why] of cases) {
      const err = (() => {
        try {
          parseImageReference(ref);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, ref).toBeInstanceOf(GcpError);
      expect((err as GcpError).code).toBe('INVALID_ARGUMENT');
      expect((err as GcpError).message).toMatch(why);
    }
  });
});

describe('RegistryClient against a server that never answers', () => {
  // A socket that accepts and stays silent: no registry binary needed for these two.
  let server: http.Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = http.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up after the timeout with DEADLINE_EXCEEDED', async () => {
    const rc = new RegistryClient({ baseUrl, accessToken: async () => 'x', timeoutMs: 100, retry: { minDelayMs: 1, retries: 1 } });
    const err = await failure(rc.resolveDigest(`${AR}/${IMAGE}:v1`));
    expect(err.code).toBe('DEADLINE_EXCEEDED');
    expect(err.message).toBe(`image ${AR}/${IMAGE}:v1: the registry at ${baseUrl} did not answer within 100 ms`);
  });

  it('stops at once when the caller aborts, with the caller’s reason rather than a registry error', async () => {
    const rc = new RegistryClient({ baseUrl, accessToken: async () => 'x', retry: FAST });
    const controller = new AbortController();
    const pending = rc.resolveDigest(`${AR}/${IMAGE}:v1`, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('interrupted by Ctrl-C')), 50);
    const err = await pending;
    expect(err).not.toBeInstanceOf(GcpError);
    expect((err as Error).message).toBe('interrupted by Ctrl-C');
  });
});

const availability = registryAvailability();
if (!availability.ok) process.stderr.write(`registry tests skipped: ${availability.reason}\n`);

// In CI the binary is installed by .ci/run: a skip there would hide a broken install.
it.runIf(!availability.ok && process.env.CI)('docker-registry is installed (CI installs it in .ci/run)', () => {
  expect.fail(availability.ok ? '' : availability.reason);
});

describe.skipIf(!availability.ok)(`against a real docker-registry${availability.ok ? '' : ` — SKIPPED: ${availability.reason}`}`, () => {
  let registry: TestRegistry;
  let single: PushedImage;
  let multi: PushedImage;
  let tokenCalls = 0;
  // The plain registry asks for no credentials: the token provider must never be called.
  const client = (baseUrl = registry.baseUrl, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) =>
    new RegistryClient({
      baseUrl,
      accessToken: async () => {
        tokenCalls++;
        return 'ya29.never-asked-for';
      },
      retry: FAST,
      ...extra,
    });

  beforeAll(async () => {
    registry = await startRegistry();
    single = await pushImage(registry.baseUrl, IMAGE, 'v0.30.0');
    multi = await pushImage(registry.baseUrl, 'my-project/images/multi', 'v1', { index: true });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('resolves a tag of a single-platform manifest to its digest', async () => {
    const resolved = await client().resolveDigest(`${registry.host}/${IMAGE}:v0.30.0`);
    expect(resolved).toEqual({
      digest: single.digest,
      reference: `${registry.host}/${IMAGE}@${single.digest}`,
      mediaType: MEDIA_TYPES.ociManifest,
    });
    expect(tokenCalls).toBe(0);
  });

  it('resolves a multi-arch tag to the digest of the index, not of a platform manifest', async () => {
    const resolved = await client().resolveDigest({ repository: 'my-project/images/multi', tag: 'v1' });
    expect(resolved.digest).toBe(multi.digest);
    expect(resolved.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(multi.platforms.map((p) => p.digest)).not.toContain(resolved.digest);
    // The object form names the registry the client was built for.
    expect(resolved.reference).toBe(`${registry.host}/my-project/images/multi@${multi.digest}`);
  });

  it('reports an unknown tag as NOT_FOUND naming the tag, the registry code and a near tag', async () => {
    const err = await failure(client().resolveDigest(`${AR}/${IMAGE}:v0.30.1`));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.reason).toBe('MANIFEST_UNKNOWN');
    expect(err.message).toBe(
      `image ${AR}/${IMAGE}:v0.30.1 not found: the registry has no tag v0.30.1 (MANIFEST_UNKNOWN: manifest unknown); did you mean v0.30.0?`,
    );
  });

  it('reports an unknown repository as NOT_FOUND naming the repository', async () => {
    const err = await failure(client().resolveDigest(`${AR}/my-project/nothing/here:v1`));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(
      new RegExp(
        `^image ${AR}/my-project/nothing/here:v1 not found: the registry has no repository my-project/nothing/here \\(MANIFEST_UNKNOWN`,
      ),
    );
  });

  it('takes a reference with a digest as is without a call, and verifies it when asked', async () => {
    // Nothing listens on this port: an answer proves no request was made.
    const offline = client(`http://127.0.0.1:${await freePort()}`);
    const ref = `${AR}/${IMAGE}:v0.30.0@${single.digest}`;
    expect(await offline.resolveDigest(ref)).toEqual({
      digest: single.digest,
      reference: `${AR}/${IMAGE}@${single.digest}`,
      mediaType: undefined,
    });

    const verified = await client().resolveDigest(ref, { verify: true });
    expect(verified).toEqual({ digest: single.digest, reference: `${AR}/${IMAGE}@${single.digest}`, mediaType: MEDIA_TYPES.ociManifest });

    const missing = `sha256:${'0'.repeat(64)}`;
    const err = await failure(client().resolveDigest(`${AR}/${IMAGE}@${missing}`, { verify: true }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(`the registry has no manifest ${missing}`);
  });

  it('tells whether a manifest exists', async () => {
    const c = client();
    expect(await c.manifestExists(`${AR}/${IMAGE}:v0.30.0`)).toBe(true);
    expect(await c.manifestExists(`${AR}/${IMAGE}@${single.digest}`)).toBe(true);
    expect(await c.manifestExists(`${AR}/${IMAGE}:v9.9.9`)).toBe(false);
    expect(await c.manifestExists(`${AR}/no/such:v1`)).toBe(false);
  });

  it('sees a tag removed from the registry as gone', async () => {
    const pushed = await pushImage(registry.baseUrl, 'my-project/images/doomed', 'v1', { content: 'doomed' });
    const c = client();
    expect((await c.resolveDigest(`${AR}/my-project/images/doomed:v1`)).digest).toBe(pushed.digest);
    await deleteManifest(registry.baseUrl, 'my-project/images/doomed', pushed.digest);
    const err = await failure(c.resolveDigest(`${AR}/my-project/images/doomed:v1`));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/the registry has no tag v1/);
  });

  it('reaches the registry through ClientFactory with ATLANTIS_RUN_REGISTRY_HOST', async () => {
    const factory = new ClientFactory(factoryOptionsFromEnv({ ATLANTIS_RUN_REGISTRY_HOST: registry.host }));
    const baseUrl = factory.restBase('registry', 'europe-west1');
    expect(baseUrl).toBe(`http://${registry.host}`);
    const rc = new RegistryClient({ baseUrl, accessToken: () => factory.accessToken() });
    // The reference keeps naming Artifact Registry: that is what Cloud Run pulls.
    const resolved = await rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`);
    expect(resolved.reference).toBe(`${AR}/${IMAGE}@${single.digest}`);
    await factory.close();
  });

  it('reports an unreachable registry as UNAVAILABLE after retrying', async () => {
    const port = await freePort();
    const err = await failure(client(`http://127.0.0.1:${port}`).resolveDigest(`${AR}/${IMAGE}:v1`));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toBe(`image ${AR}/${IMAGE}:v1: the registry at http://127.0.0.1:${port} could not be reached (ECONNREFUSED)`);
  });

  describe('with htpasswd Basic auth (Artifact Registry’s oauth2accesstoken form)', () => {
    let secured: TestRegistry;
    let pushed: PushedImage;
    beforeAll(async () => {
      secured = await startRegistry({ htpasswd: true });
      pushed = await pushImage(secured.baseUrl, IMAGE, 'v0.30.0', { auth: secured.credentials });
    });
    afterAll(async () => {
      await secured?.stop();
    });

    it('resolves with the right access token', async () => {
      let asked = 0;
      const rc = new RegistryClient({
        baseUrl: secured.baseUrl,
        accessToken: async () => {
          asked++;
          return HTPASSWD_TOKEN;
        },
      });
      expect((await rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`)).digest).toBe(pushed.digest);
      expect(asked).toBeGreaterThan(0);
    });

    it('refuses a wrong access token with UNAUTHENTICATED, never echoing it', async () => {
      const wrong = 'ya29.wrong-token-that-must-not-leak';
      const rc = new RegistryClient({ baseUrl: secured.baseUrl, accessToken: async () => wrong, retry: FAST });
      const err = await failure(rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`));
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.message).toBe(
        `image ${AR}/${IMAGE}:v0.30.0: the registry ${secured.host} did not accept the Google access token (UNAUTHORIZED: authentication required)`,
      );
      expectNoSecret(err, wrong, HTPASSWD_TOKEN);
      // An unknown tag behind auth is still NOT_FOUND, once authenticated.
      const ok = new RegistryClient({ baseUrl: secured.baseUrl, accessToken: async () => HTPASSWD_TOKEN, retry: FAST });
      const missing = await failure(ok.resolveDigest(`${AR}/${IMAGE}:v0.30.9`));
      expect(missing.code).toBe('NOT_FOUND');
      expectNoSecret(missing, HTPASSWD_TOKEN);
    });
  });

  // The Bearer flow: distribution cannot issue tokens, so a node:http front (test/support/
  // registry.ts, startBearerFront) plays Artifact Registry's token service and checks the tokens,
  // and proxies authorised requests to this real registry.
  describe('with Bearer token challenges (token service + proxy in front of the real registry)', () => {
    const ACCESS = 'ya29.bearer-flow-access-token';
    const fronts: BearerFront[] = [];
    const front = async (options: Partial<Parameters<typeof startBearerFront>[0]> = {}) => {
      const f = await startBearerFront({ upstream: registry.baseUrl, accessToken: ACCESS, ...options });
      fronts.push(f);
      return f;
    };
    const bearerClient = (f: BearerFront, token = ACCESS) =>
      new RegistryClient({ baseUrl: f.baseUrl, accessToken: async () => token, retry: FAST });
    afterAll(async () => {
      await Promise.all(fronts.map((f) => f.close()));
    });

    it('exchanges the access token for a Bearer token per repository scope, and caches it', async () => {
      const f = await front();
      const rc = bearerClient(f);
      expect((await rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`)).digest).toBe(single.digest);
      expect((await rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`)).digest).toBe(single.digest);
      expect(f.tokenRequests).toEqual([`repository:${IMAGE}:pull`]);
      expect((await rc.resolveDigest(`${AR}/my-project/images/multi:v1`)).digest).toBe(multi.digest);
      expect(f.tokenRequests).toEqual([`repository:${IMAGE}:pull`, 'repository:my-project/images/multi:pull']);
      // One ping, then HEADs only: the digest header answers.
      expect(f.requests).toEqual(['GET /v2/ 401', ...Array(3).fill(expect.stringMatching(/^HEAD \/v2\/.+\/manifests\/v\S+ 200$/))]);
    });

    it('takes the token from access_token too, and renews it after a 401', async () => {
      const f = await front({ tokenField: 'access_token' });
      const rc = bearerClient(f);
      expect((await rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`)).digest).toBe(single.digest);
      f.revokeTokens(); // as if the cached token had expired
      expect((await rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`)).digest).toBe(single.digest);
      expect(f.tokenRequests).toHaveLength(2);
    });

    it('refuses a wrong access token at the token service with UNAUTHENTICATED, never echoing it', async () => {
      const f = await front();
      const wrong = 'ya29.another-wrong-token';
      const err = await failure(bearerClient(f, wrong).resolveDigest(`${AR}/${IMAGE}:v0.30.0`));
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.message).toBe(
        `image ${AR}/${IMAGE}:v0.30.0: the registry's token service ${new URL(f.baseUrl).origin}/v2/token did not accept the Google access token (UNAUTHORIZED: invalid credentials)`,
      );
      expectNoSecret(err, wrong, ACCESS);
    });

    it('reports a denied repository as PERMISSION_DENIED with the registry’s DENIED message', async () => {
      const f = await front({ denyRepositories: [IMAGE] });
      const err = await failure(bearerClient(f).resolveDigest(`${AR}/${IMAGE}:v0.30.0`));
      expect(err.code).toBe('PERMISSION_DENIED');
      expect(err.reason).toBe('DENIED');
      expect(err.message).toMatch(/access denied \(DENIED: Permission "artifactregistry\.repositories\.downloadArtifacts" denied/);
      expect(err.message).toMatch(/roles\/artifactregistry\.reader/);
      expectNoSecret(err, ACCESS);
    });

    it('hashes the manifest body when the registry sends no Docker-Content-Digest', async () => {
      const f = await front({ stripDigestHeader: true });
      const rc = bearerClient(f);
      expect(await rc.resolveDigest(`${AR}/${IMAGE}:v0.30.0`)).toMatchObject({ digest: single.digest, mediaType: MEDIA_TYPES.ociManifest });
      expect(await rc.resolveDigest(`${AR}/my-project/images/multi:v1`)).toMatchObject({
        digest: multi.digest,
        mediaType: MEDIA_TYPES.ociIndex,
      });
      expect(f.requests.filter((r) => r.startsWith('GET /v2/my-project'))).toHaveLength(2);
    });

    it('follows redirects to another origin', async () => {
      const f = await front({ redirectManifests: true });
      expect((await bearerClient(f).resolveDigest(`${AR}/my-project/images/multi:v1`)).digest).toBe(multi.digest);
      expect(f.requests).toContain('HEAD /v2/my-project/images/multi/manifests/v1 307');
    });

    it('retries 503s, and reports UNAVAILABLE when they do not stop', async () => {
      const f = await front();
      f.failNext = 2;
      expect((await bearerClient(f).resolveDigest(`${AR}/${IMAGE}:v0.30.0`)).digest).toBe(single.digest);
      f.failNext = 100;
      const err = await failure(bearerClient(f).resolveDigest(`${AR}/${IMAGE}:v0.30.0`));
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toBe(
        `image ${AR}/${IMAGE}:v0.30.0: the registry ${new URL(f.baseUrl).host} failed (UNAVAILABLE: the service is currently unavailable)`,
      );
    });

    it('works at the emulator’s /hosts/<host> path, mapping the announced realm onto it', async () => {
      const f = await front({ emulatorHost: AR });
      expect(f.baseUrl).toMatch(new RegExp(`/hosts/${AR}$`));
      const resolved = await bearerClient(f).resolveDigest({ repository: IMAGE, tag: 'v0.30.0' });
      expect(resolved.reference).toBe(`${AR}/${IMAGE}@${single.digest}`);
      expect(f.tokenRequests).toEqual([`repository:${IMAGE}:pull`]);
    });

    it('never sends the access token to a realm on another host', async () => {
      const f = await front({ realm: 'https://tokens.example.com/v2/token' });
      const err = await failure(bearerClient(f).resolveDigest(`${AR}/${IMAGE}:v0.30.0`));
      expect(err.code).toBe('PERMISSION_DENIED');
      expect(err.message).toMatch(/token realm to another host \(tokens\.example\.com\); refusing to send Google credentials there/);
      expect(f.tokenRequests).toEqual([]);
    });
  });
});
