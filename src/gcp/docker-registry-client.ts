// OCI Distribution client: turns an image tag into the digest Cloud Run deploys, so a revision
// never runs "whatever the tag pointed to at the time". It speaks the registry protocol directly
// (no Google library covers it) over Node's fetch, and authenticates the way Artifact Registry
// does: a 401 challenge on /v2/, then either a Bearer token from the challenge's realm (exchanged
// for the Google access token sent as Basic `oauth2accesstoken:<token>`) or that Basic header as is.
//
// The reference's host names the image; the base URL says where that registry is reached (Google,
// a plain-HTTP test registry, or the emulator's /hosts/<host> path — the ClientFactory decides).
// Neither the access token nor a registry token ever goes into an error message or the debug log.
import { createHash } from 'node:crypto';
import { GcpError } from './errors.js';
import type { GcpCode } from './errors.js';
import { TRANSIENT, withRetry } from './retry.js';
import type { RetryOptions } from './retry.js';
import { registerSecret } from '../util/redact.js';
import { closest } from '../util/suggest.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
} as const;

// Indexes first: asking for a multi-arch tag must yield the index digest (what Cloud Run takes),
// not a registry's down-converted single-platform manifest.
const ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest].join(', ');

// Artifact Registry's fixed user name for an OAuth access token used as a password.
const TOKEN_USER = 'oauth2accesstoken';
const DEFAULT_TIMEOUT_MS = 30_000;
// The token spec's default lifetime when the token service names none.
const DEFAULT_TOKEN_SECONDS = 60;
// Tag list pages: as many tags per page as registries commonly allow, and a bound on pages.
const TAGS_PAGE = 1000;
const MAX_TAG_PAGES = 50;

// ─── References ──────────────────────────────────────────────────────────────────────────────

export interface ImageReference {
  /** host[:port], e.g. europe-west1-docker.pkg.dev */
  registry: string;
  /** The repository name (path) inside the registry, e.g. my-project/images/atlantis */
  repository: string;
  tag: string | undefined;
  /** sha256:<64 hex> */
  digest: string | undefined;
}

// The grammar of distribution/reference, restricted to what Cloud Run deploys (sha256 digests).
const HOST_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_RE = new RegExp(`^(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const EXAMPLE = 'europe-west1-docker.pkg.dev/my-project/images/atlantis:v0.30.0';

/** Parses HOST/PATH[:TAG][@sha256:DIGEST]. The host is required: this tool never assumes Docker Hub. */
export function parseImageReference(ref: string): ImageReference {
  const invalid = (why: string): GcpError =>
    new GcpError('INVALID_ARGUMENT', `invalid image reference "${ref}": ${why} (expected e.g. ${EXAMPLE})`, { api: 'registry' });
  const text = ref.trim();
  if (!text || /\s/.test(text)) throw invalid('it is empty or contains spaces');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw invalid(`"${digest}" is not a sha256 digest (sha256: and 64 lowercase hex digits)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalid(`"${tag}" is not a valid tag`);
  }
  const slash = rest.indexOf('/');
  const host = slash < 0 ? '' : rest.slice(0, slash);
  // Like Docker: the first component is a host only if it has a dot or a port, or is localhost.
  if (slash < 0 || !(host.includes('.') || host.includes(':') || host === 'localhost')) {
    throw invalid('it names no registry host');
  }
  if (!HOST_RE.test(host)) throw invalid(`"${host}" is not a valid registry host`);
  const repository = rest.slice(slash + 1);
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) {
      throw invalid(`"${component}" is not a valid repository path component (lowercase letters, digits, and . _ - between them)`);
    }
  }
  if (repository.length > 255) throw invalid('the repository name is longer than 255 characters');
  return { registry: host, repository, tag, digest };
}

export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

// ─── Client ──────────────────────────────────────────────────────────────────────────────────

export interface RegistryClientOptions {
  /** Where the registry is reached: ClientFactory.restBase('registry', region). */
  baseUrl: string;
  /** The Google OAuth access token; asked for only when the registry challenges. */
  accessToken: () => Promise<string>;
  /** The host image references name when given as {repository, tag}; default: from baseUrl. */
  registryHost?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /**
   * Retries of transient failures (429, 5xx, unreachable, timeouts) inside the client. Off by
   * default: the tool calls it through ApiCaller.run(), which retries — one retry layer, not two.
   */
  retry?: Omit<RetryOptions, 'predicates' | 'signal'>;
  /**
   * The Bearer challenge when it is known in advance (Artifact Registry's token endpoint is always
   * https://REGION-docker.pkg.dev/v2/token): saves the `GET /v2/` round trip before the first call.
   */
  bearerRealm?: { realm: string; service?: string };
  /** Receives one entry per HTTP request: method, URL, status, duration (never headers). */
  log?: { write(kind: string, data?: Record<string, unknown>): void };
}

export type ImageTarget =
  string | { repository: string; tag?: string | undefined; digest?: string | undefined; registry?: string | undefined };

export interface ResolvedImage {
  /** sha256:<64 hex>: of the index for a multi-arch image. */
  digest: string;
  /** HOST/PATH@sha256:…, what a Cloud Run revision should name. */
  reference: string;
  /** The manifest's media type; undefined when a digest reference was taken as is, without a call. */
  mediaType: string | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
}

type Challenge =
  { scheme: 'none' } | { scheme: 'basic' } | { scheme: 'bearer'; realm: string; service: string | undefined; scope: string | undefined };

interface Bearer {
  token: string;
  expiresAt: number;
}

/** What a request is for: the image named in messages, the scope tokens are asked for. */
interface Subject {
  image: string;
  ref: ImageReference;
  scope: string;
  /** The public method, for GcpError.method. */
  method: string;
}

export class RegistryClient {
  private readonly base: URL;
  private readonly baseText: string;
  readonly registryHost: string;
  private readonly timeoutMs: number;
  private challenge: Promise<Challenge> | undefined;
  private readonly tokens = new Map<string, Promise<Bearer>>();
  // Every credential this client has handled, scrubbed from any text that could reach a message.
  private readonly secrets = new Set<string>();

  constructor(private readonly options: RegistryClientOptions) {
    this.baseText = options.baseUrl.replace(/\/+$/, '');
    this.base = new URL(this.baseText);
    this.registryHost = options.registryHost ?? /\/hosts\/([^/]+)$/.exec(this.base.pathname)?.[1] ?? this.base.host;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (options.bearerRealm) {
      this.challenge = Promise.resolve({
        scheme: 'bearer',
        realm: options.bearerRealm.realm,
        service: options.bearerRealm.service,
        scope: undefined,
      });
    }
  }

  /**
   * The digest a tag points to now. A reference that already has a digest is returned as is,
   * without a call, unless `verify` asks to check that the registry has that manifest.
   */
  async resolveDigest(image: ImageTarget, options: CallOptions & { verify?: boolean } = {}): Promise<ResolvedImage> {
    const ref = this.target(image);
    if (ref.digest && !options.verify) {
      return { digest: ref.digest, reference: canonical(ref, ref.digest), mediaType: undefined };
    }
    return this.retrying(
      () => this.resolveOnce(ref, { method: 'registry.resolveDigest', explain: true, signal: options.signal }),
      options.signal,
    );
  }

  /** Whether the registry has the manifest (tag or digest). Other failures still throw. */
  async manifestExists(image: ImageTarget, options: CallOptions = {}): Promise<boolean> {
    const ref = this.target(image);
    try {
      await this.retrying(
        () => this.resolveOnce(ref, { method: 'registry.manifestExists', explain: false, signal: options.signal }),
        options.signal,
      );
      return true;
    } catch (err) {
      if (err instanceof GcpError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  /**
   * Every tag of the image's repository (`GET /v2/NAME/tags/list`), following the `Link` header's
   * pages. A tag or digest in `image` is ignored. NOT_FOUND when the registry has no such repository.
   */
  async listTags(image: ImageTarget, options: CallOptions = {}): Promise<string[]> {
    const ref = this.target(image);
    const subject: Subject = {
      image: `${ref.registry}/${ref.repository}`,
      ref,
      scope: `repository:${ref.repository}:pull`,
      method: 'registry.listTags',
    };
    return this.retrying(async () => {
      const tags: string[] = [];
      let query = `n=${TAGS_PAGE}`;
      for (let page = 0; page < MAX_TAG_PAGES; page++) {
        const res = await this.send(
          'GET',
          `/v2/${ref.repository}/tags/list?${query}`,
          { Accept: 'application/json' },
          subject,
          options.signal,
        );
        const text = Buffer.from(await this.read(res, subject, options.signal)).toString('utf8');
        if (!res.ok) {
          if (res.status === 404) {
            throw this.error('NOT_FOUND', subject, `the registry has no repository ${ref.repository} (${this.detail(res, text)})`, 404);
          }
          throw this.httpError(res, subject, text);
        }
        let listed: unknown;
        try {
          listed = (JSON.parse(text) as { tags?: unknown }).tags;
        } catch {
          throw this.error('UNKNOWN', subject, 'the registry answered the tag list with something other than JSON', res.status);
        }
        if (Array.isArray(listed)) tags.push(...listed.filter((t): t is string => typeof t === 'string'));
        const next = nextPageQuery(res.headers.get('link'));
        if (!next) break;
        query = next;
      }
      return [...new Set(tags)];
    }, options.signal);
  }

  private target(image: ImageTarget): ImageReference {
    if (typeof image === 'string') return parseImageReference(image);
    // Through the parser, so the object form gets the same validation and messages.
    return parseImageReference(
      formatImageReference({
        registry: image.registry ?? this.registryHost,
        repository: image.repository,
        tag: image.tag,
        digest: image.digest,
      }),
    );
  }

  private retrying<T>(fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (!this.options.retry) return fn();
    return withRetry(fn, { ...this.options.retry, predicates: TRANSIENT, ...(signal ? { signal } : {}) });
  }

  private async resolveOnce(
    ref: ImageReference,
    o: { method: string; explain: boolean; signal: AbortSignal | undefined },
  ): Promise<ResolvedImage> {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const subject: Subject = { image: formatImageReference(ref), ref, scope: `repository:${ref.repository}:pull`, method: o.method };
    const path = `/v2/${ref.repository}/manifests/${reference}`;
    const headers = { Accept: ACCEPT };

    const head = await this.send('HEAD', path, headers, subject, o.signal);
    if (head.ok) {
      const digest = head.headers.get('docker-content-digest') ?? '';
      if (DIGEST_RE.test(digest)) {
        if (ref.digest && digest !== ref.digest) throw this.mismatch(subject, ref.digest, digest);
        return { digest, reference: canonical(ref, digest), mediaType: mediaTypeOf(head.headers.get('content-type')) };
      }
    } else if (head.status === 429 || head.status >= 500) {
      throw this.httpError(head, subject, undefined); // a HEAD has no body to learn more from
    }
    // No usable digest header, HEAD refused, or an error whose JSON body only a GET carries.
    const get = await this.send('GET', path, headers, subject, o.signal);
    if (!get.ok) throw await this.failure(get, subject, o);
    const body = Buffer.from(await this.read(get, subject, o.signal));
    const computed = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const announced = get.headers.get('docker-content-digest');
    if (announced && DIGEST_RE.test(announced) && announced !== computed) throw this.mismatch(subject, announced, computed);
    if (ref.digest && ref.digest !== computed) throw this.mismatch(subject, ref.digest, computed);
    return {
      digest: computed,
      reference: canonical(ref, computed),
      mediaType: mediaTypeOf(get.headers.get('content-type')) ?? mediaTypeInBody(body),
    };
  }

  // ─── Auth ──────────────────────────────────────────────────────────────────────────────────

  /** A registry request with credentials, answering one fresh 401 challenge. */
  private async send(
    method: 'GET' | 'HEAD',
    path: string,
    headers: Record<string, string>,
    subject: Subject,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const url = `${this.baseText}${path}`;
    const challenge = await this.discover(subject, signal);
    const auth = await this.authorization(challenge, subject, signal);
    const first = await this.fetch(method, url, { ...headers, ...auth }, subject, signal);
    if (first.status !== 401) return first;

    // A 401 despite the ping: a Bearer token expired, this repository needs a scope the ping did
    // not name, or the registry challenges per repository only. Basic credentials already sent
    // would fail the same way again.
    const fresh = parseChallenge(first.headers.get('www-authenticate'));
    if (!fresh || fresh.scheme === 'none' || (fresh.scheme === 'basic' && auth.Authorization)) return first;
    if (challenge.scheme === 'bearer') this.tokens.delete(tokenKey(challenge, subject.scope));
    this.challenge = Promise.resolve(fresh);
    const retryAuth = await this.authorization(
      fresh,
      fresh.scheme === 'bearer' && fresh.scope ? { ...subject, scope: fresh.scope } : subject,
      signal,
    );
    await first.body?.cancel();
    return this.fetch(method, url, { ...headers, ...retryAuth }, subject, signal);
  }

  /** GET /v2/ once per client: 200 means no auth, 401 names the scheme (and realm). */
  private discover(subject: Subject, signal: AbortSignal | undefined): Promise<Challenge> {
    this.challenge ??= (async () => {
      const res = await this.fetch('GET', `${this.baseText}/v2/`, {}, subject, signal);
      if (res.status === 429 || res.status >= 500) {
        const text = await this.read(res, subject, signal).then(
          (b) => Buffer.from(b).toString('utf8'),
          () => '',
        );
        throw this.httpError(res, subject, text);
      }
      await res.body?.cancel();
      if (res.status === 401) return parseChallenge(res.headers.get('www-authenticate')) ?? { scheme: 'basic' };
      // 200, or a registry without the version check: proceed, a later 401 still gets answered.
      return { scheme: 'none' } as const;
    })();
    // A failed ping (outage, timeout) must not stick: the retry pings again.
    const ping = this.challenge;
    ping.catch(() => this.challenge === ping && (this.challenge = undefined));
    return ping;
  }

  private async authorization(challenge: Challenge, subject: Subject, signal: AbortSignal | undefined): Promise<Record<string, string>> {
    if (challenge.scheme === 'none') return {};
    if (challenge.scheme === 'basic') return { Authorization: await this.basic() };
    const key = tokenKey(challenge, subject.scope);
    const existing = this.tokens.get(key);
    const cached = existing && (await existing.catch(() => undefined));
    if (cached && cached.expiresAt > Date.now()) return { Authorization: `Bearer ${cached.token}` };
    // One exchange per scope even when calls race: whoever comes first leaves its promise here.
    let pending = this.tokens.get(key);
    if (!pending || pending === existing) {
      const created = this.exchange(challenge, subject, signal);
      this.tokens.set(key, created);
      created.catch(() => this.tokens.get(key) === created && this.tokens.delete(key));
      pending = created;
    }
    return { Authorization: `Bearer ${(await pending).token}` };
  }

  private async basic(): Promise<string> {
    const token = await this.options.accessToken();
    this.remember(token);
    return `Basic ${Buffer.from(`${TOKEN_USER}:${token}`).toString('base64')}`;
  }

  /** The token exchange: realm?service=…&scope=… with the access token as Basic credentials. */
  private async exchange(
    challenge: Extract<Challenge, { scheme: 'bearer' }>,
    subject: Subject,
    signal: AbortSignal | undefined,
  ): Promise<Bearer> {
    const url = this.realmUrl(challenge.realm, subject);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', subject.scope);
    const started = Date.now();
    const res = await this.fetch('GET', url.toString(), { Authorization: await this.basic(), Accept: 'application/json' }, subject, signal);
    const text = await this.read(res, subject, signal).then((b) => Buffer.from(b).toString('utf8'));
    if (!res.ok) {
      const where = `the registry's token service ${url.origin}${url.pathname}`;
      const detail = this.detail(res, text);
      if (res.status === 401) {
        throw this.error('UNAUTHENTICATED', subject, `${where} did not accept the Google access token (${detail})`, res.status);
      }
      if (res.status === 403 && disabledService(text) !== undefined) throw this.disabled(subject, disabledService(text)!, res.status, text);
      if (res.status === 403) {
        throw this.error(
          'PERMISSION_DENIED',
          subject,
          `${where} refused ${subject.scope} (${detail}); the deploying account needs roles/artifactregistry.reader on the repository`,
          res.status,
        );
      }
      throw this.error(codeOfStatus(res.status), subject, `${where} answered ${detail}`, res.status);
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw this.error('UNKNOWN', subject, `the registry's token service answered something other than JSON`, res.status);
    }
    const token =
      typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
    if (!token) throw this.error('UNKNOWN', subject, `the registry's token service answered without a token`, res.status);
    this.remember(token);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    // Renew early: a token that expires in flight costs a 401 round trip.
    return { token, expiresAt: started + seconds * 1000 - Math.min(30_000, (seconds * 1000) / 4) };
  }

  /**
   * The realm the Google access token is sent to. Only the registry's own host qualifies (a Google
   * access token opens the whole project), never plain HTTP when the registry is HTTPS, and a realm
   * naming the real host is mapped onto the base URL, so the emulator's /hosts/<host> form works.
   */
  private realmUrl(realm: string, subject: Subject): URL {
    let url: URL;
    try {
      url = new URL(realm, `${this.baseText}/`);
    } catch {
      throw this.error('UNKNOWN', subject, `the registry named an invalid token realm "${realm}"`);
    }
    if (url.host === this.registryHost && url.host !== this.base.host) {
      return new URL(`${this.baseText}${url.pathname}${url.search}`);
    }
    if (url.hostname !== this.base.hostname) {
      throw this.error(
        'PERMISSION_DENIED',
        subject,
        `the registry sent its token realm to another host (${url.host}); refusing to send Google credentials there`,
      );
    }
    if (this.base.protocol === 'https:' && url.protocol !== 'https:') {
      throw this.error(
        'PERMISSION_DENIED',
        subject,
        `the registry's token realm ${url.origin} is not HTTPS; refusing to send Google credentials in clear`,
      );
    }
    return url;
  }

  private remember(secret: string): void {
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    registerSecret(secret); // and the CLI's redactor, for anything that reaches output
  }

  // ─── HTTP ──────────────────────────────────────────────────────────────────────────────────

  private async fetch(
    method: string,
    url: string,
    headers: Record<string, string>,
    subject: Subject,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const started = Date.now();
    try {
      // Redirects are followed (blob and manifest storage may live elsewhere); fetch drops the
      // Authorization header when one leaves the origin.
      const res = await fetch(url, { method, headers, redirect: 'follow', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      this.options.log?.write('registry-request', { method, url, status: res.status, ms: Date.now() - started });
      return res;
    } catch (err) {
      this.options.log?.write('registry-request', { method, url, error: describeCause(err), ms: Date.now() - started });
      throw this.transportError(err, subject, signal);
    }
  }

  private async read(res: Response, subject: Subject, signal: AbortSignal | undefined): Promise<ArrayBuffer> {
    try {
      return await res.arrayBuffer();
    } catch (err) {
      throw this.transportError(err, subject, signal);
    }
  }

  private transportError(err: unknown, subject: Subject, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason ?? err; // the caller's cancellation is not a registry failure
    if (err instanceof Error && err.name === 'TimeoutError') {
      return this.error(
        'DEADLINE_EXCEEDED',
        subject,
        `the registry at ${this.baseText} did not answer within ${this.timeoutMs < 1000 ? `${this.timeoutMs} ms` : `${Math.round(this.timeoutMs / 1000)} s`}`,
      );
    }
    return this.error('UNAVAILABLE', subject, `the registry at ${this.baseText} could not be reached (${describeCause(err)})`);
  }

  // ─── Errors ────────────────────────────────────────────────────────────────────────────────

  /** The error for a failed manifest GET, with the registry's own code and, for tags, a probe. */
  private async failure(res: Response, subject: Subject, o: { explain: boolean; signal: AbortSignal | undefined }): Promise<GcpError> {
    const text = await this.read(res, subject, o.signal).then(
      (b) => Buffer.from(b).toString('utf8'),
      () => '',
    );
    const registryError = parseRegistryError(text);
    if (res.status !== 404 && registryError?.code !== 'MANIFEST_UNKNOWN' && registryError?.code !== 'NAME_UNKNOWN') {
      return this.httpError(res, subject, text);
    }
    const { ref } = subject;
    const detail = this.detail(res, text);
    let why: string;
    if (registryError?.code === 'NAME_UNKNOWN') {
      why = `the registry has no repository ${ref.repository}`;
    } else if (ref.digest) {
      why = `the registry has no manifest ${ref.digest}`;
    } else {
      // Distribution answers MANIFEST_UNKNOWN for a missing repository too; its tag list tells.
      const tags = o.explain ? await this.tags(subject, o.signal) : undefined;
      const tag = ref.tag ?? 'latest';
      if (tags === 'no-repository') {
        why = `the registry has no repository ${ref.repository}`;
      } else {
        why = `the registry has no tag ${tag}`;
        const near = tags ? closest(tag, tags) : undefined;
        const more = near ? `; did you mean ${near}?` : tags && tags.length === 0 ? '; the repository has no tags' : '';
        return this.error(
          'NOT_FOUND',
          subject,
          `image ${subject.image} not found: ${why} (${detail})${more}`,
          res.status,
          registryError?.code,
        );
      }
    }
    return this.error('NOT_FOUND', subject, `image ${subject.image} not found: ${why} (${detail})`, res.status, registryError?.code);
  }

  /** The repository's tags, 'no-repository' when the registry says so, undefined when unknown. */
  private async tags(subject: Subject, signal: AbortSignal | undefined): Promise<string[] | 'no-repository' | undefined> {
    try {
      const res = await this.send('GET', `/v2/${subject.ref.repository}/tags/list?n=1000`, { Accept: 'application/json' }, subject, signal);
      const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
      if (res.status === 404) return parseRegistryError(text)?.code === 'NAME_UNKNOWN' ? 'no-repository' : undefined;
      if (!res.ok) return undefined;
      const tags = (JSON.parse(text) as { tags?: unknown }).tags;
      return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
    } catch {
      return undefined; // only an explanation: the original error stands
    }
  }

  private httpError(res: Response, subject: Subject, text: string | undefined): GcpError {
    const registryCode = text ? parseRegistryError(text)?.code : undefined;
    const detail = this.detail(res, text);
    switch (true) {
      case res.status === 401:
        return this.error(
          'UNAUTHENTICATED',
          subject,
          `the registry ${this.registryHost} did not accept the Google access token (${detail})`,
          401,
          registryCode,
        );
      case res.status === 403 && disabledService(text) !== undefined:
        return this.disabled(subject, disabledService(text)!, res.status, text);
      case res.status === 403:
        return this.error(
          'PERMISSION_DENIED',
          subject,
          `access denied (${detail}); the deploying account needs roles/artifactregistry.reader on the repository`,
          403,
          registryCode,
        );
      case res.status === 429:
        return this.error('RESOURCE_EXHAUSTED', subject, `the registry is rate limiting requests (${detail})`, 429, registryCode);
      case res.status >= 500:
        return this.error('UNAVAILABLE', subject, `the registry ${this.registryHost} failed (${detail})`, res.status, registryCode);
      default:
        return this.error(codeOfStatus(res.status), subject, `the registry refused the request (${detail})`, res.status, registryCode);
    }
  }

  /**
   * The registry's 403 when Artifact Registry is disabled in the project: not a missing role. A
   * GcpError with Google's SERVICE_DISABLED reason, like every other API's, so callers treat it alike.
   */
  private disabled(subject: Subject, service: string, httpStatus: number, text: string | undefined): GcpError {
    // Google's own sentence (which names the project and how to enable the API) is the message.
    const google = (text ? parseRegistryError(text)?.message : undefined) || `${service} is disabled in the project`;
    return new GcpError('PERMISSION_DENIED', this.scrub(`image ${subject.image}: ${google}`), {
      api: 'registry',
      method: subject.method,
      reason: 'SERVICE_DISABLED',
      metadata: { image: subject.image, service },
      httpStatus,
    });
  }

  private mismatch(subject: Subject, expected: string, actual: string): GcpError {
    return this.error('DATA_LOSS', subject, `the registry served a manifest whose digest is ${actual}, not ${expected}`);
  }

  /** "MANIFEST_UNKNOWN: manifest unknown", or "HTTP 502" plus a short plain-text body. */
  private detail(res: Response, text: string | undefined): string {
    const registryError = text ? parseRegistryError(text) : undefined;
    if (registryError) return this.scrub(`${registryError.code}${registryError.message ? `: ${registryError.message}` : ''}`);
    const plain = text && /^text\/plain/i.test(res.headers.get('content-type') ?? '') ? text.trim() : '';
    return this.scrub(plain && plain.length <= 200 ? `HTTP ${res.status}: ${plain}` : `HTTP ${res.status}`);
  }

  private error(code: GcpCode, subject: Subject, message: string, httpStatus?: number, registryCode?: string): GcpError {
    // Every message names the image first: it is what the user configured and can act on.
    const text = message.startsWith(`image ${subject.image}`) ? message : `image ${subject.image}: ${message}`;
    return new GcpError(code, this.scrub(text), {
      api: 'registry',
      method: subject.method,
      reason: registryCode,
      metadata: { image: subject.image, ...(registryCode ? { registryCode } : {}) },
      ...(httpStatus !== undefined ? { httpStatus } : {}),
    });
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret) out = out.split(secret).join('[REDACTED]');
    return out;
  }
}

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────

/**
 * The query of the next tags/list page from `Link: <…/tags/list?n=…&last=…>; rel="next"`. Only its
 * `n` and `last` are kept: the link's path may carry a prefix of the registry's own (the emulator's
 * /hosts/…), and the next page is always asked of the same repository.
 */
function nextPageQuery(link: string | null): string | undefined {
  const target = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link ?? '')?.[1];
  if (!target) return undefined;
  const params = new URL(target, 'http://registry.invalid/').searchParams;
  const last = params.get('last');
  if (!last) return undefined;
  return `n=${encodeURIComponent(params.get('n') ?? String(TAGS_PAGE))}&last=${encodeURIComponent(last)}`;
}

function canonical(ref: ImageReference, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}

function tokenKey(challenge: Challenge, scope: string): string {
  return challenge.scheme === 'bearer' ? `${challenge.realm} ${challenge.service ?? ''} ${scope}` : scope;
}

function mediaTypeOf(contentType: string | null): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  // Some registries label every manifest plain JSON; the body's mediaType is then the better answer.
  return type && type !== 'application/json' && type !== 'text/plain' ? type : undefined;
}

function mediaTypeInBody(body: Buffer): string | undefined {
  try {
    const mediaType = (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof mediaType === 'string' ? mediaType : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The API named by Google's "X API has not been used in project N before or it is disabled. Enable it
 * by visiting https://console.developers.google.com/apis/api/SERVICE/overview?project=N …" (the
 * registry sends it as a DENIED error), or undefined for any other text.
 */
function disabledService(text: string | undefined): string | undefined {
  if (!text || !/has not been used in project \S+ before or it is disabled/.test(text)) return undefined;
  return /\/apis\/api\/([a-z0-9.-]+)\//.exec(text)?.[1] ?? 'artifactregistry.googleapis.com';
}

/** `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = match[1].toLowerCase();
  const params: Record<string, string> = {};
  for (const m of match[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[m[1].toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme === 'bearer' && params.realm) return { scheme: 'bearer', realm: params.realm, service: params.service, scope: params.scope };
  return undefined;
}

/** The OCI error body: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"…","detail":…}]}. */
function parseRegistryError(text: string): { code: string; message: string } | undefined {
  try {
    const first = (JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> }).errors?.[0];
    if (!first || typeof first.code !== 'string') return undefined;
    const message = typeof first.message === 'string' ? first.message : '';
    return { code: first.code, message: message.length > 300 ? `${message.slice(0, 300)}…` : message };
  } catch {
    return undefined;
  }
}

function codeOfStatus(status: number): GcpCode {
  if (status >= 500) return 'UNAVAILABLE';
  const codes: Record<number, GcpCode> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    405: 'UNIMPLEMENTED',
    429: 'RESOURCE_EXHAUSTED',
  };
  return codes[status] ?? 'UNKNOWN';
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, …). */
function describeCause(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    if (!(current.cause instanceof Error)) return current.message;
    current = current.cause;
  }
  return String(current);
}
