// A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution 2.8) started on
// 127.0.0.1 with a throwaway config and storage folder, optionally behind htpasswd Basic auth the
// way Artifact Registry accepts `oauth2accesstoken:<access token>`. Images are pushed with plain
// fetch. Distribution cannot issue Bearer tokens itself, so `startBearerFront` puts a small
// node:http token service + authenticating proxy in front of it (see there).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

// ─── The registry process ────────────────────────────────────────────────────────────────────

export type Availability = { ok: true; binary: string } | { ok: false; reason: string };

/** Where docker-registry is: $ATLANTIS_RUN_DOCKER_REGISTRY, else `docker-registry` on PATH. */
export function registryAvailability(): Availability {
  const explicit = process.env.ATLANTIS_RUN_DOCKER_REGISTRY;
  const candidates = explicit
    ? [explicit]
    : [
        ...(process.env.PATH ?? '')
          .split(path.delimiter)
          .filter(Boolean)
          .map((d) => path.join(d, 'docker-registry')),
        '/usr/bin/docker-registry',
      ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return { ok: true, binary: candidate };
    } catch {
      /* next */
    }
  }
  return {
    ok: false,
    reason: explicit
      ? `ATLANTIS_RUN_DOCKER_REGISTRY=${explicit} is not an executable`
      : 'docker-registry is not installed (apt-get install docker-registry; .ci/run does this)',
  };
}

/** The access token the htpasswd registry accepts as the password of `oauth2accesstoken`. */
export const HTPASSWD_TOKEN = 'ya29.atlantis-run-test-access-token';
// bcrypt (cost 4, the minimum distribution accepts, so logins stay fast) of HTPASSWD_TOKEN. Made
// once with libxcrypt (Python 3.11's crypt module, METHOD_BLOWFISH) and kept as a fixture, so the
// tests need neither a bcrypt library nor a tool CI may lack. The htpasswd tests check it: the
// registry lets HTPASSWD_TOKEN in and turns another token away.
const HTPASSWD_BCRYPT = '$2b$04$/srBQqjYO6BES4yuQPIMuu7SqeUD8PUmOJEyPvwVDX3pU7M7/PKsS';
export const HTPASSWD_USER = 'oauth2accesstoken';

export interface TestRegistry {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** 127.0.0.1:PORT, what ATLANTIS_RUN_REGISTRY_HOST takes */
  host: string;
  port: number;
  /** Basic credentials for pushing, when started with htpasswd. */
  credentials: { username: string; password: string } | undefined;
  /** What the process printed (errors only: the config sets log level error). */
  output(): string;
  stop(): Promise<void>;
}

export async function startRegistry(options: { htpasswd?: boolean } = {}): Promise<TestRegistry> {
  const availability = registryAvailability();
  if (!availability.ok) throw new Error(availability.reason);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlantis-run-registry-'));
  try {
    // A port picked free can be taken before the registry binds it: try again on another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const config = path.join(dir, 'config.yml');
      writeFileSync(config, registryConfig(dir, port, options.htpasswd === true));
      const child = spawn(availability.binary, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      const output = capture(child);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Never leave a registry behind a test process that dies.
      const reap = (): void => void child.kill('SIGKILL');
      process.once('exit', reap);
      try {
        await waitReady(`http://127.0.0.1:${port}`, exited, output);
      } catch (err) {
        process.removeListener('exit', reap);
        child.kill('SIGKILL');
        if (attempt < 3 && /address already in use/.test(output())) continue;
        throw err;
      }
      return {
        baseUrl: `http://127.0.0.1:${port}`,
        host: `127.0.0.1:${port}`,
        port,
        credentials: options.htpasswd ? { username: HTPASSWD_USER, password: HTPASSWD_TOKEN } : undefined,
        output,
        async stop() {
          process.removeListener('exit', reap);
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

// The packaged /etc/docker/registry/config.yml listens on every interface with htpasswd on: ours
// binds loopback, stores in the temp folder, and allows deletes (tests remove tags).
function registryConfig(dir: string, port: number, htpasswd: boolean): string {
  const lines = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${JSON.stringify(path.join(dir, 'data'))}}, delete: {enabled: true}}`,
    `http: {addr: 127.0.0.1:${port}, secret: ${randomUUID()}}`,
  ];
  if (htpasswd) {
    const file = path.join(dir, 'htpasswd');
    writeFileSync(file, `${HTPASSWD_USER}:${HTPASSWD_BCRYPT}\n`);
    lines.push(`auth: {htpasswd: {realm: atlantis-run-test, path: ${JSON.stringify(file)}}}`);
  }
  return `${lines.join('\n')}\n`;
}

function capture(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

async function waitReady(baseUrl: string, exited: Promise<number | null>, output: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`docker-registry exited before it answered:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      if (res.headers.get('docker-distribution-api-version') === 'registry/2.0') return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${baseUrl}/v2/ within 15 s:\n${output()}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ─── Pushing an image ────────────────────────────────────────────────────────────────────────

export const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface PushedImage {
  /** What the tag points to: the manifest, or the index with `index: true`. */
  digest: string;
  mediaType: string;
  /** The platform manifests (one without `index`), e.g. {platform: 'linux/arm64', digest}. */
  platforms: Array<{ platform: string; digest: string }>;
  layerDigest: string;
}

export interface PushOptions {
  auth?: { username: string; password: string } | undefined;
  /** Push an OCI image index over two platform manifests (linux/amd64, linux/arm64). */
  index?: boolean;
  /** Content of the one file in the layer: different content, different digests. */
  content?: string;
}

/** Pushes a small real OCI image (config + one gzipped tar layer + manifest) and tags it. */
export async function pushImage(baseUrl: string, name: string, tag: string, options: PushOptions = {}): Promise<PushedImage> {
  const headers: Record<string, string> = options.auth
    ? { Authorization: `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` }
    : {};
  const tar = tarOf('hello.txt', options.content ?? `hello from ${name}:${tag}\n`);
  const layer = gzipSync(tar);
  const layerDigest = await pushBlob(baseUrl, name, layer, headers);
  const platforms = options.index ? ['amd64', 'arm64'] : ['amd64'];

  const manifests: Array<{ platform: string; digest: string; size: number }> = [];
  for (const architecture of platforms) {
    const config = json({
      architecture,
      os: 'linux',
      config: { Cmd: ['/bin/cat', '/hello.txt'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    });
    const configDigest = await pushBlob(baseUrl, name, config, headers);
    const manifest = json({
      schemaVersion: 2,
      mediaType: OCI.manifest,
      config: { mediaType: OCI.config, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI.layer, digest: layerDigest, size: layer.length }],
    });
    // A platform manifest of an index is pushed by digest; a lone one goes straight to the tag.
    const digest = await putManifest(baseUrl, name, options.index ? sha256(manifest) : tag, manifest, OCI.manifest, headers);
    manifests.push({ platform: `linux/${architecture}`, digest, size: manifest.length });
  }
  if (!options.index)
    return {
      digest: manifests[0].digest,
      mediaType: OCI.manifest,
      platforms: manifests.map(({ platform, digest }) => ({ platform, digest })),
      layerDigest,
    };

  const index = json({
    schemaVersion: 2,
    mediaType: OCI.index,
    manifests: manifests.map((m) => {
      const [os, architecture] = m.platform.split('/');
      return { mediaType: OCI.manifest, digest: m.digest, size: m.size, platform: { architecture, os } };
    }),
  });
  const digest = await putManifest(baseUrl, name, tag, index, OCI.index, headers);
  return { digest, mediaType: OCI.index, platforms: manifests.map(({ platform, digest: d }) => ({ platform, digest: d })), layerDigest };
}

/** Removes a tag's manifest (the registry is started with deletes enabled). */
export async function deleteManifest(baseUrl: string, name: string, digest: string, auth?: PushOptions['auth']): Promise<void> {
  const headers: Record<string, string> = auth
    ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  const res = await fetch(`${baseUrl}/v2/${name}/manifests/${digest}`, { method: 'DELETE', headers });
  await expectStatus(res, 202, `DELETE manifest ${digest}`);
}

// Monolithic upload: POST opens an upload session, PUT to its Location with ?digest= completes it.
async function pushBlob(baseUrl: string, name: string, blob: Buffer, headers: Record<string, string>): Promise<string> {
  const digest = sha256(blob);
  const start = await fetch(`${baseUrl}/v2/${name}/blobs/uploads/`, { method: 'POST', headers });
  await expectStatus(start, 202, `POST blob upload for ${name}`);
  const location = new URL(start.headers.get('location') ?? '', baseUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.length) },
    body: blob,
  });
  await expectStatus(put, 201, `PUT blob ${digest}`);
  return digest;
}

async function putManifest(
  baseUrl: string,
  name: string,
  reference: string,
  body: Buffer,
  mediaType: string,
  headers: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${baseUrl}/v2/${name}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': mediaType },
    body,
  });
  await expectStatus(res, 201, `PUT manifest ${name}:${reference}`);
  const digest = sha256(body);
  const announced = res.headers.get('docker-content-digest');
  if (announced !== digest) throw new Error(`registry stored manifest ${name}:${reference} as ${announced}, expected ${digest}`);
  return digest;
}

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} (expected ${status}) ${text}`);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A one-file ustar archive: a 512-byte header, the content padded to 512, two zero blocks. */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string): void => void header.write(value, offset, length, 'ascii');
  const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(data.length, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, ' '.repeat(8)); // the checksum is summed with its own field as spaces
  field(156, 1, '0');
  field(257, 8, 'ustar\u000000');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

// ─── A Bearer-token front for the real registry ──────────────────────────────────────────────

export interface BearerFrontOptions {
  /** The real registry (without auth) the front proxies to. */
  upstream: string;
  /** The Google access token the token service accepts as Basic oauth2accesstoken:<token>. */
  accessToken: string;
  service?: string;
  /** Lifetime of issued tokens in seconds (answered as expires_in). */
  expiresIn?: number;
  /** Answer the token as `access_token` instead of `token` (both forms exist in the wild). */
  tokenField?: 'token' | 'access_token';
  /** Repositories a valid token is refused for with 403 DENIED, as Artifact Registry does. */
  denyRepositories?: string[];
  /** Drop Docker-Content-Digest from manifest responses: the client must hash the body. */
  stripDigestHeader?: boolean;
  /** Answer manifest requests with a 307 to the upstream registry (another origin). */
  redirectManifests?: boolean;
  /** Serve under /hosts/<host> like the project's emulator, announcing the realm as https://<host>/v2/token. */
  emulatorHost?: string;
  /** Announce this realm instead of the front's own token URL. */
  realm?: string;
}

export interface BearerFront {
  /** Base URL for RegistryClient (includes /hosts/<host> with `emulatorHost`). */
  baseUrl: string;
  /** The scope of each token request, in order. */
  tokenRequests: string[];
  /** "METHOD path STATUS" of each registry request the front answered. */
  requests: string[];
  /** The next N registry requests answer 503. */
  failNext: number;
  /** Forget issued tokens: the next request with one gets a 401 challenge, as after expiry. */
  revokeTokens(): void;
  close(): Promise<void>;
}

/**
 * A tiny Artifact Registry look-alike for the Bearer flow, which distribution cannot do itself:
 * `/v2/…` without a valid Bearer token answers 401 with `WWW-Authenticate: Bearer realm=…`;
 * the realm (`/v2/token`) checks Basic `oauth2accesstoken:<access token>` and issues a random
 * token for the requested repository scope; requests with a valid token are proxied, unchanged,
 * to the real registry.
 */
export async function startBearerFront(options: BearerFrontOptions): Promise<BearerFront> {
  const service = options.service ?? 'registry.test';
  const prefix = options.emulatorHost ? `/hosts/${options.emulatorHost}` : '';
  const issued = new Map<string, string>(); // token → repository
  const state: BearerFront = {
    baseUrl: '',
    tokenRequests: [],
    requests: [],
    failNext: 0,
    revokeTokens: () => issued.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const errorBody = (code: string, message: string): string => JSON.stringify({ errors: [{ code, message, detail: null }] });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (!url.pathname.startsWith(prefix)) return void res.writeHead(404).end();
    const pathname = url.pathname.slice(prefix.length);
    const send = (status: number, headers: Record<string, string>, body = ''): void => {
      if (pathname !== '/v2/token') state.requests.push(`${req.method} ${pathname} ${status}`);
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(req.method === 'HEAD' ? undefined : body);
    };

    if (pathname === '/v2/token') {
      const scope = url.searchParams.get('scope') ?? '';
      state.tokenRequests.push(scope);
      const expected = `Basic ${Buffer.from(`oauth2accesstoken:${options.accessToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return send(401, {}, errorBody('UNAUTHORIZED', 'invalid credentials'));
      const repository = /^repository:(.+):pull$/.exec(scope)?.[1];
      if (url.searchParams.get('service') !== service || !repository)
        return send(400, {}, errorBody('UNSUPPORTED', 'bad service or scope'));
      const token = randomUUID();
      issued.set(token, repository);
      const field = options.tokenField ?? 'token';
      return send(200, {}, JSON.stringify({ [field]: token, expires_in: options.expiresIn ?? 300 }));
    }

    if (state.failNext > 0) {
      state.failNext--;
      return send(503, {}, errorBody('UNAVAILABLE', 'the service is currently unavailable'));
    }
    const repository = /^\/v2\/(.+)\/(?:manifests|tags|blobs)\//.exec(pathname)?.[1];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = bearer === undefined ? undefined : issued.get(bearer);
    if (granted === undefined || (repository !== undefined && granted !== repository)) {
      const realm = options.realm ?? (options.emulatorHost ? `https://${options.emulatorHost}/v2/token` : `${origin()}/v2/token`);
      const scope = repository ? `,scope="repository:${repository}:pull"` : '';
      return send(
        401,
        { 'WWW-Authenticate': `Bearer realm="${realm}",service="${service}"${scope}` },
        errorBody('UNAUTHORIZED', 'authentication required'),
      );
    }
    if (repository && options.denyRepositories?.includes(repository)) {
      return send(
        403,
        {},
        errorBody(
          'DENIED',
          `Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "${repository}" (or it may not exist)`,
        ),
      );
    }
    if (options.redirectManifests && pathname.includes('/manifests/')) {
      return send(307, { Location: `${options.upstream}${pathname}${url.search}` });
    }
    proxy(req, res, `${options.upstream}${pathname}${url.search}`, options.stripDigestHeader === true, (status) =>
      state.requests.push(`${req.method} ${pathname} ${status}`),
    );
  });
  const origin = (): string => `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `${origin()}${prefix}`;
  return state;
}

function proxy(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: string,
  stripDigest: boolean,
  record: (status: number) => void,
): void {
  const headers = { ...req.headers };
  delete headers.authorization; // the upstream registry has no auth; the front did the checking
  delete headers.host;
  const upstream = http.request(target, { method: req.method, headers }, (answer) => {
    const out = { ...answer.headers };
    if (stripDigest) delete out['docker-content-digest'];
    record(answer.statusCode ?? 502);
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
  });
  upstream.on('error', (err) => res.writeHead(502).end(String(err)));
  req.pipe(upstream);
}
