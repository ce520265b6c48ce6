// HTTP/1.1 REST: route by the google.api.http templates, transcode into the request message's
// proto3 JSON, run the call, answer JSON (or Google's JSON error body). Paths no JSON route
// claims may belong to a raw HTTP route (api.ts `rawRoutes`), which decodes and answers itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallPipeline } from './call-pipeline.js';
import { ApiError, asApiError, restErrorBody } from './errors.js';
import type { ProtoJsonCodec } from './json-codec.js';
import type { JsonObject, JsonValue } from './json.js';
import type { RawHttpRequest, RawHttpResponse } from './api.js';
import type { MethodTable, RawBinding } from './method-table.js';
import { parseFieldSelector, selectFields } from './partial-response.js';
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

function readBody(request: IncomingMessage): Promise<string> {
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
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
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
  const body = Buffer.from(answer.body ?? '', 'utf8');
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
    raw = rawRequestOf(request, url, pathBindings, await readBody(request));
    const answer = await pipeline.run({
      transport: 'rest',
      binding: method,
      authenticated: route.authenticated ? route.authenticated(raw) : hasBearerToken(request),
      readRequest: () => raw as unknown as JsonObject,
      render: (result: JsonValue) => result as unknown as RawHttpResponse,
    });
    sendRaw(response, answer);
  } catch (error) {
    sendRaw(response, route.renderError(asApiError(error), raw));
  }
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

export function createRestHandler(registry: MethodTable, pipeline: CallPipeline, codec: ProtoJsonCodec) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = routedUrl(request);
    const route = registry.route(request.method ?? 'GET', url.pathname);
    const raw = route ? undefined : registry.rawRoute(request.method ?? 'GET', url.pathname);
    if (raw) {
      await serveRaw(raw, pipeline, request, response, url);
      return;
    }
    if (!route) {
      const page = notFoundPage(url.pathname);
      response.writeHead(404, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(page) });
      response.end(page);
      return;
    }
    const { binding: restBinding, pathBindings } = route;
    const binding = restBinding.method;
    try {
      const rawBody = await readBody(request);
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
      const apiError = asApiError(error);
      const headers: Record<string, string> =
        apiError.code === 'UNAUTHENTICATED' ? { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' } : {};
      sendJson(response, apiError.httpStatus, restErrorBody(apiError, binding.api.legacyRestErrors), headers);
    }
  };
}
