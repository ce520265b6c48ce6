// The read part of the Docker Registry HTTP API v2 (the OCI Distribution API) for Artifact
// Registry's regional hosts, reached on the emulator's one port through a path prefix:
// http://EMULATOR/hosts/REGION-docker.pkg.dev/v2/… stands for https://REGION-docker.pkg.dev/v2/….
//
// Served: the API version check (`GET /v2/`), the token service (`GET /v2/token`), manifests by
// tag or digest (`HEAD` and `GET /v2/<name>/manifests/<reference>`) and tag lists
// (`GET /v2/<name>/tags/list`). Authentication works as at Artifact Registry: a request without a
// registry token answers 401 with a Bearer challenge whose realm is the token endpoint under the
// same prefix; the token endpoint takes the Google access token as the password of Basic user
// `oauth2accesstoken` and hands out a registry token for the asked `repository:NAME:pull` scopes.
// Errors use the registry's body (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}`).
//
// Which manifests exist is the Artifact Registry model's business (artifact-registry.ts), reached
// through `RegistrySource`, so this file is only the protocol.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { rawRoute, type CallContext, type RawHttpRequest, type RawHttpResponse, type RawHttpRoute } from '../core/api.js';
import { ApiError, type CodeName } from '../core/errors.js';
import type { EmulatorServices } from '../core/services.js';

/** Prefix of the synthetic RPC names the request log and `--faults` use for registry calls. */
export const REGISTRY_RPC = 'docker.registry.v2';
export const DOWNLOAD_PERMISSION = 'artifactregistry.repositories.downloadArtifacts';

const API_VERSION = { 'Docker-Distribution-Api-Version': 'registry/2.0' } as const;
const JSON_TYPE = 'application/json; charset=utf-8';
const TOKEN_USER = 'oauth2accesstoken';
const TOKEN_LIFETIME_SECONDS = 3600;
const REGISTRY_HOST = /^([a-z]+(?:-[a-z]+)*[0-9]*)-docker\.pkg\.dev$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** An error in the registry protocol's own vocabulary (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, …). */
export class RegistryError extends ApiError {
  constructor(
    code: CodeName,
    readonly registryCode: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** What `HOST/NAME` names: `NAME` is `PROJECT/REPOSITORY/IMAGE…`. */
export interface RegistryTarget {
  /** `europe-west1-docker.pkg.dev` */
  host: string;
  /** `europe-west1` */
  location: string;
  project: string;
  repository: string;
  /** The image path inside the repository (one or more segments): `runatlantis/atlantis`. */
  image: string;
  /** `PROJECT/REPOSITORY/IMAGE`, as in the URL. */
  name: string;
}

export interface ServedManifest {
  digest: string;
  mediaType: string;
  body: string;
}

/** The registry's content, as the Artifact Registry model knows it. */
export interface RegistrySource {
  /** The project whose Artifact Registry enablement applies to pulls under `project`, or undefined when none does. */
  enablementProject(services: EmulatorServices, project: string): string | undefined;
  /** The manifest `reference` (a tag or a digest) names; throws a RegistryError (NAME_UNKNOWN, MANIFEST_UNKNOWN) otherwise. */
  manifest(ctx: CallContext, target: RegistryTarget, reference: string, accept: string[]): ServedManifest;
  /** The image's tags; throws NAME_UNKNOWN for a repository or image that does not exist. */
  tags(ctx: CallContext, target: RegistryTarget): string[];
}

// ─── Registry tokens ─────────────────────────────────────────────────────────────────────────
// Signed rather than stored, with a key per emulator process: a token cached from an earlier
// emulator process fails with 401 and the client fetches a new one, as with an expired token.

const SIGNING_KEY = randomBytes(32);

interface TokenClaims {
  /** The registry host the token is for. */
  service: string;
  /** Granted `NAME:pull` entries. */
  access: string[];
  /** Expiry, seconds since epoch. */
  exp: number;
}

function sign(payload: string): Buffer {
  return createHmac('sha256', SIGNING_KEY).update(payload).digest();
}

function issueToken(claims: TokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${sign(payload).toString('base64url')}`;
}

function verifyToken(token: string, service: string, now: number): TokenClaims | undefined {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    return claims.service === service && claims.exp * 1000 > now ? claims : undefined;
  } catch {
    return undefined;
  }
}

function bearerOf(request: RawHttpRequest): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
}

function claimsOf(request: RawHttpRequest): TokenClaims | undefined {
  const token = bearerOf(request);
  return token ? verifyToken(token, request.params.host ?? '', Date.now()) : undefined;
}

/** The Google access token sent as Basic `oauth2accesstoken:<token>`, or undefined. */
function accessTokenOf(request: RawHttpRequest): string | undefined {
  const encoded = /^Basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== TOKEN_USER) return undefined;
  const token = decoded.slice(colon + 1);
  return token.trim() === '' ? undefined : token;
}

/** `repository:NAME:pull,push` → the NAME:pull grants the emulator gives (it serves pulls only). */
function pullGrants(scopes: string[]): string[] {
  const grants: string[] = [];
  for (const scope of scopes.flatMap((text) => text.split(' ')).filter(Boolean)) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last <= first || scope.slice(0, first) !== 'repository') continue;
    const actions = scope.slice(last + 1).split(',');
    if (actions.includes('pull') || actions.includes('*')) grants.push(`${scope.slice(first + 1, last)}:pull`);
  }
  return grants;
}

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

function locationOf(host: string): string | undefined {
  return REGISTRY_HOST.exec(host)?.[1];
}

/** The target of a repository route, or undefined when the host or name is not one Artifact Registry serves. */
export function targetOf(host: string, name: string): RegistryTarget | undefined {
  const location = locationOf(host);
  const segments = name.split('/');
  if (!location || segments.length < 3 || !segments.every((segment) => PATH_COMPONENT.test(segment))) return undefined;
  const [project, repository, ...image] = segments as [string, string, ...string[]];
  return { host, location, project, repository, image: image.join('/'), name };
}

function requireTarget(request: RawHttpRequest): RegistryTarget {
  const host = request.params.host ?? '';
  if (!locationOf(host)) throw new RegistryError('NOT_FOUND', 'NAME_UNKNOWN', `Unknown registry host "${host}".`);
  const target = targetOf(host, request.params.name ?? '');
  if (!target)
    throw new RegistryError(
      'INVALID_ARGUMENT',
      'NAME_INVALID',
      `invalid repository name "${request.params.name ?? ''}": expected PROJECT/REPOSITORY/IMAGE`,
    );
  return target;
}

function repositoryResource(request: RawHttpRequest): string {
  const target = targetOf(request.params.host ?? '', request.params.name ?? '');
  return target ? `projects/${target.project}/locations/${target.location}/repositories/${target.repository}` : '';
}

/** Accepted media types, without parameters (`application/json; q=0.5` → `application/json`). */
function acceptOf(request: RawHttpRequest): string[] {
  return (request.headers.accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .filter(Boolean);
}

function checkReference(reference: string): void {
  if (reference.startsWith('sha256:') ? !DIGEST.test(reference) : !TAG.test(reference)) {
    const digest = reference.includes(':');
    throw new RegistryError(
      'INVALID_ARGUMENT',
      digest ? 'DIGEST_INVALID' : 'TAG_INVALID',
      `invalid ${digest ? 'digest' : 'tag'} "${reference}"`,
    );
  }
}

// ─── Answers ─────────────────────────────────────────────────────────────────────────────────

function origin(request: RawHttpRequest): string {
  return `http://${request.headers.host ?? '127.0.0.1'}`;
}

/** The Bearer challenge, with the realm under the same /hosts/<host> prefix the request came through. */
function challenge(request: RawHttpRequest, scope: string | undefined, error: string | undefined): string {
  const host = request.params.host ?? '';
  let header = `Bearer realm="${origin(request)}/hosts/${host}/v2/token",service="${host}"`;
  if (scope) header += `,scope="${scope}"`;
  if (error) header += `,error="${error}"`;
  return header;
}

const REGISTRY_CODES: Partial<Record<CodeName, string>> = {
  UNAUTHENTICATED: 'UNAUTHORIZED',
  PERMISSION_DENIED: 'DENIED',
  NOT_FOUND: 'NAME_UNKNOWN',
  INVALID_ARGUMENT: 'UNSUPPORTED',
  FAILED_PRECONDITION: 'UNSUPPORTED',
  RESOURCE_EXHAUSTED: 'TOOMANYREQUESTS',
  UNAVAILABLE: 'UNAVAILABLE',
};

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message }] });
}

interface ErrorContext {
  /** The scope a repository route needs (`repository:NAME:pull`), for the challenge. */
  scope?: (request: RawHttpRequest) => string | undefined;
  /** The message of a 401 for this route. */
  unauthenticated: (request: RawHttpRequest) => string;
}

function errorRenderer(context: ErrorContext): (error: ApiError, request: RawHttpRequest) => RawHttpResponse {
  return (error, request) => {
    const headers: Record<string, string> = { 'Content-Type': JSON_TYPE, ...API_VERSION };
    let code = error instanceof RegistryError ? error.registryCode : (REGISTRY_CODES[error.code] ?? 'UNKNOWN');
    let message = error.message;
    if (error.code === 'UNAUTHENTICATED') {
      const scope = context.scope?.(request);
      const token = bearerOf(request);
      const valid = token ? claimsOf(request) : undefined;
      // A valid token without the scope is "insufficient_scope"; an unknown or expired one "invalid_token".
      headers['WWW-Authenticate'] = challenge(request, scope, valid ? 'insufficient_scope' : token ? 'invalid_token' : undefined);
      code = 'UNAUTHORIZED';
      message = context.unauthenticated(request);
    } else if (error.code === 'PERMISSION_DENIED') {
      // --deny: the registry words IAM denials with double quotes, as Artifact Registry's docker front end does.
      const info = error.details.find(
        (detail) => detail['@type'].endsWith('google.rpc.ErrorInfo') && detail.reason === 'IAM_PERMISSION_DENIED',
      );
      const metadata = info?.metadata as { permission?: string; resource?: string } | undefined;
      if (metadata?.permission)
        message = `Permission "${metadata.permission}" denied on resource "${metadata.resource ?? ''}" (or it may not exist)`;
    }
    return { status: error.httpStatus, headers, body: errorBody(code, message) };
  };
}

function jsonAnswer(body: unknown, extra: Record<string, string> = {}): RawHttpResponse {
  return { status: 200, headers: { 'Content-Type': JSON_TYPE, ...API_VERSION, ...extra }, body: JSON.stringify(body) };
}

// ─── Routes ──────────────────────────────────────────────────────────────────────────────────

const BASE = '/hosts/{host}/v2';

export function dockerRegistryRoutes(source: RegistrySource): RawHttpRoute[] {
  const scopeOf = (request: RawHttpRequest) => `repository:${request.params.name ?? ''}:pull`;
  const hasPullScope = (request: RawHttpRequest) => claimsOf(request)?.access.includes(`${request.params.name ?? ''}:pull`) ?? false;
  const enablementProject = (request: RawHttpRequest, services: EmulatorServices) => {
    const target = targetOf(request.params.host ?? '', request.params.name ?? '');
    return target ? source.enablementProject(services, target.project) : undefined;
  };
  const repositoryErrors = errorRenderer({
    scope: scopeOf,
    unauthenticated: (request) =>
      `Unauthenticated request. Unauthenticated requests do not have permission "${DOWNLOAD_PERMISSION}" on resource "${repositoryResource(request)}" (or it may not exist)`,
  });

  // What every pull of a repository's content shares: the permission, the project whose API must be
  // enabled, a bearer token with that repository's pull scope, and the registry's error bodies.
  const pullRoute = (verb: 'GET' | 'HEAD', pathSuffix: string, method: string, handle: RawHttpRoute['handle']): RawHttpRoute =>
    rawRoute({
      verbs: [verb],
      path: `${BASE}/{name=**}/${pathSuffix}`,
      rpcName: `${REGISTRY_RPC}/${method}`,
      mutating: false,
      permission: DOWNLOAD_PERMISSION,
      resource: repositoryResource,
      project: enablementProject,
      authenticated: hasPullScope,
      handle,
      renderError: repositoryErrors,
    });

  const manifest = (verb: 'GET' | 'HEAD', method: string): RawHttpRoute =>
    pullRoute(verb, 'manifests/{reference}', method, (request, ctx) => {
      const target = requireTarget(request);
      const reference = request.params.reference ?? '';
      checkReference(reference);
      const served = source.manifest(ctx, target, reference, acceptOf(request));
      return {
        status: 200,
        headers: { 'Content-Type': served.mediaType, 'Docker-Content-Digest': served.digest, ETag: `"${served.digest}"`, ...API_VERSION },
        body: served.body,
      };
    });

  return [
    rawRoute({
      verbs: ['GET'],
      path: `${BASE}/`,
      rpcName: `${REGISTRY_RPC}/GetApiVersion`,
      mutating: false,
      resource: (request) => request.params.host ?? '',
      project: () => undefined,
      authenticated: (request) => claimsOf(request) !== undefined,
      handle(request) {
        if (!locationOf(request.params.host ?? ''))
          throw new RegistryError('NOT_FOUND', 'NAME_UNKNOWN', `Unknown registry host "${request.params.host ?? ''}".`);
        return jsonAnswer({});
      },
      renderError: errorRenderer({ unauthenticated: () => 'Unauthenticated request.' }),
    }),

    rawRoute({
      verbs: ['GET'],
      path: `${BASE}/token`,
      rpcName: `${REGISTRY_RPC}/GetToken`,
      mutating: false,
      resource: (request) => (request.query.scope ?? []).join(' '),
      project: () => undefined,
      authenticated: (request) => accessTokenOf(request) !== undefined,
      handle(request, ctx) {
        const host = request.params.host ?? '';
        if (!locationOf(host)) throw new RegistryError('NOT_FOUND', 'NAME_UNKNOWN', `Unknown registry host "${host}".`);
        const service = request.query.service?.[0];
        if (service !== undefined && service !== host) {
          throw new RegistryError('INVALID_ARGUMENT', 'UNSUPPORTED', `Tokens for service "${service}" are not issued by ${host}.`);
        }
        const exp = Math.floor(ctx.now / 1000) + TOKEN_LIFETIME_SECONDS;
        const token = issueToken({ service: host, access: pullGrants(request.query.scope ?? []), exp });
        return jsonAnswer({ token, access_token: token, expires_in: TOKEN_LIFETIME_SECONDS, issued_at: new Date(ctx.now).toISOString() });
      },
      renderError: errorRenderer({
        unauthenticated: () =>
          `Unauthenticated request. Send a Google access token as the password of user "${TOKEN_USER}" (Basic authentication).`,
      }),
    }),

    manifest('HEAD', 'HeadManifest'),
    manifest('GET', 'GetManifest'),

    pullRoute('GET', 'tags/list', 'ListTags', (request, ctx) => {
      const target = requireTarget(request);
      let tags = [...source.tags(ctx, target)].sort();
      const last = request.query.last?.[0];
      if (last) tags = tags.filter((tag) => tag > last);
      const n = request.query.n?.[0] === undefined ? undefined : Number(request.query.n[0]);
      if (n !== undefined && !(Number.isInteger(n) && n >= 0))
        throw new RegistryError(
          'INVALID_ARGUMENT',
          'PAGINATION_NUMBER_INVALID',
          `invalid number of results requested: ${request.query.n?.[0]}`,
        );
      const extra: Record<string, string> = {};
      if (n !== undefined && tags.length > n) {
        tags = tags.slice(0, n);
        extra.Link = `</hosts/${target.host}/v2/${target.name}/tags/list?n=${n}&last=${encodeURIComponent(tags.at(-1) ?? '')}>; rel="next"`;
      }
      return jsonAnswer({ name: target.name, tags }, extra);
    }),
  ];
}
