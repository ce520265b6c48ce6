// HTTP/1.1 REST: route by the google.api.http templates, transcode into the request message's
// proto3 JSON, run the call, answer JSON (or Google's JSON error body). Paths no JSON route
// claims may belong to a raw HTTP route (api.ts `rawRoutes`), which decodes and answers itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallPipeline } from './call-pipeline.js';
import { ApiError, asApiError, restErrorBody } from './errors.js';
import type { ProtoJsonCodec } from './json-codec.js';
import type { JsonObject, JsonValue } from './json.js';
import type { RawHttpRequest, RawHttpResponse } from './api.js';
import { projectSegmentOf } from './projects.js';
import { packageVersion } from './protos.js';
import type { MethodTable, RawBinding, RouteMatch } from './method-table.js';
import { parseFieldSelector, selectFields } from './partial-response.js';
import { DroppedConnection } from './faults.js';
import type { EmulatorServices } from './services.js';
import { parseJsonBody, requestJsonFromHttp, splitQuery } from './rest-request.js';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The page Google's front end serves for a URL no API claims. */
function notFoundPage(path: string): string {
  return `<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error 404 (Not Found)!!1</title>
  <p><b>404.</b> <ins>That’s an error.</ins>
  <p>The requested URL <code>${path.replace(/[<>&"]/g, '')}</code> was not found on this server.  <ins>That’s all we know.</ins>
`;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError('INVALID_ARGUMENT', 'Request payload size exceeds the limit.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    Vary: 'Origin, X-Origin, Referer',
    ...extraHeaders,
  });
  response.end(text);
}

function hasBearerToken(request: IncomingMessage): boolean {
  return /^Bearer\s+\S+/i.test(request.headers.authorization ?? '');
}

function rawRequestOf(request: IncomingMessage, url: URL, pathBindings: Map<string, string>, body: string): RawHttpRequest {
  const query: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) (query[key] ??= []).push(value);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: request.method ?? 'GET', path: url.pathname, params: Object.fromEntries(pathBindings), query, headers, body };
}

function sendRaw(response: ServerResponse, answer: RawHttpResponse): void {
  const body = Buffer.from(answer.body ?? '', answer.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  // Content-Length is the body's, also for HEAD (Node sends no body for HEAD itself).
  response.writeHead(answer.status, { ...answer.headers, 'Content-Length': body.length });
  response.end(body);
}

async function serveRaw(
  { binding, pathBindings }: { binding: RawBinding; pathBindings: Map<string, string> },
  pipeline: CallPipeline,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  const { route, method } = binding;
  let raw: RawHttpRequest = rawRequestOf(request, url, pathBindings, '');
  try {
    const bytes = await readBody(request);
    raw = rawRequestOf(request, url, pathBindings, bytes.toString(route.binaryBody ? 'base64' : 'utf8'));
    const answer = await pipeline.run({
      transport: 'rest',
      binding: method,
      authenticated: route.authenticated ? route.authenticated(raw) : hasBearerToken(request),
      readRequest: () => raw as unknown as JsonObject,
      render: (result: JsonValue) => result as unknown as RawHttpResponse,
    });
    sendRaw(response, answer);
  } catch (error) {
    if (error instanceof DroppedConnection) response.destroy();
    else sendRaw(response, route.renderError(asApiError(error), raw));
  }
}

/**
 * The candidate whose client library sent the request: a generated client's REST transport sends
 * `gapic/VERSION` (its package's version) in `x-goog-api-client`; it decides when the versions of
 * the APIs' packages differ (undefined otherwise).
 */
function sentByClientOf(candidates: RouteMatch[], request: IncomingMessage): RouteMatch | undefined {
  const header = request.headers['x-goog-api-client'];
  const gapic = /(?:^|\s)gapic\/(\S+)/.exec(Array.isArray(header) ? header.join(' ') : (header ?? ''))?.[1];
  if (!gapic) return undefined;
  const matching = candidates.filter((candidate) => {
    const pkg = candidate.binding.method.api.protoPackage;
    return pkg !== undefined && packageVersion(pkg) === gapic;
  });
  return matching.length === 1 ? matching[0] : undefined;
}

/** A regional Google host (`us-central1-run.googleapis.com`, `europe-west1-docker.pkg.dev`). */
const REGIONAL_HOST = /^[a-z]+(-[a-z]+)+[0-9]+-[a-z0-9.-]+$/;

/**
 * The URL to route. A request in absolute form (`GET http://HOST/path`, RFC 9112 §3.2.2) comes to
 * the emulator as an HTTP proxy — how gcloud reaches regional hosts it derives itself (`REGION-` +
 * the endpoint's host) — and a regional host's request is served under `/hosts/HOST/…`, as if
 * called there; other hosts' requests are served as their path.
 */
function routedUrl(request: IncomingMessage): URL {
  const raw = request.url ?? '/';
  const url = new URL(raw, 'http://emulator.invalid');
  if (/^https?:\/\//i.test(raw) && REGIONAL_HOST.test(url.hostname)) url.pathname = `/hosts/${url.hostname}${url.pathname}`;
  return url;
}

/** The route of a request: a `/hosts/SERVICE/…` prefix names the API; among APIs sharing a path, the one that claims it. */
async function chooseRoute(
  registry: MethodTable,
  services: EmulatorServices,
  request: IncomingMessage,
  url: URL,
): Promise<{ match: RouteMatch; rawBody?: string } | undefined> {
  const verb = request.method ?? 'GET';
  let candidates = registry.routeCandidates(verb, url.pathname);
  const hosted = /^\/hosts\/([^/]+)(\/.*)$/.exec(url.pathname);
  if (candidates.length === 0 && hosted) candidates = registry.routeCandidates(verb, hosted[2], hosted[1]);
  if (candidates.length <= 1) return candidates[0] && { match: candidates[0] };
  const rawBody = (await readBody(request)).toString('utf8');
  const shared = {
    verb,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: parseJsonBody(rawBody),
  };
  const claimed =
    candidates.find((candidate) =>
      candidate.binding.method.api.claimsRestRequest?.({ ...shared, pathBindings: Object.fromEntries(candidate.pathBindings) }, services),
    ) ?? sentByClientOf(candidates, request);
  const project = projectSegmentOf(url.pathname);
  const record = project ? services.projects.find(project) : undefined;
  const enabled = candidates.filter(
    (candidate) => record && services.projects.isServiceEnabled(record, candidate.binding.method.api.service),
  );
  return { match: claimed ?? (enabled.length === 1 ? enabled[0] : candidates[0]), rawBody };
}

export function createRestHandler(registry: MethodTable, pipeline: CallPipeline, codec: ProtoJsonCodec, services: EmulatorServices) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = routedUrl(request);
    let chosen: Awaited<ReturnType<typeof chooseRoute>>;
    try {
      chosen = await chooseRoute(registry, services, request, url);
    } catch (error) {
      const apiError = asApiError(error);
      sendJson(response, apiError.httpStatus, restErrorBody(apiError));
      return;
    }
    const raw = chosen ? undefined : registry.rawRoute(request.method ?? 'GET', url.pathname);
    if (raw) {
      await serveRaw(raw, pipeline, request, response, url);
      return;
    }
    if (!chosen) {
      const page = notFoundPage(url.pathname);
      response.writeHead(404, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(page) });
      response.end(page);
      return;
    }
    const { binding: restBinding, pathBindings } = chosen.match;
    const binding = restBinding.method;
    try {
      const rawBody = chosen.rawBody ?? (await readBody(request)).toString('utf8');
      const query = splitQuery(url.searchParams);
      const encoding = { numericEnums: query.numericEnums };
      // Checked before the call, as Google's front end rejects a malformed selector up front.
      const fields = url.searchParams.get('fields') ?? url.searchParams.get('$fields');
      const selector = fields ? parseFieldSelector(fields) : undefined;
      const answer = await pipeline.run({
        transport: 'rest',
        binding,
        authenticated: hasBearerToken(request),
        readRequest: () => {
          const json = requestJsonFromHttp(
            { pathBindings, query: query.fields, body: parseJsonBody(rawBody), bodyRule: restBinding.bodyRule },
            binding.requestType,
          );
          return binding.requestType ? codec.normalize(binding.requestType, json) : json;
        },
        render: (result: JsonValue) => (binding.responseType ? codec.normalize(binding.responseType, result, encoding) : result),
      });
      sendJson(response, 200, selector ? selectFields(answer, selector) : answer);
    } catch (error) {
      // --faults RESET: no answer at all, the connection goes.
      if (error instanceof DroppedConnection) {
        response.destroy();
        return;
      }
      const apiError = asApiError(error);
      const headers: Record<string, string> =
        apiError.code === 'UNAUTHENTICATED' ? { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' } : {};
      const api = binding.api;
      sendJson(
        response,
        apiError.httpStatus,
        api.restErrorBody ? api.restErrorBody(apiError) : restErrorBody(apiError, api.legacyRestErrors),
        headers,
      );
    }
  };
}
