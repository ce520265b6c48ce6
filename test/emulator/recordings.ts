// Replays recorded Google Cloud HTTP exchanges (test/emulator/recordings/: `*.http.log` logs and
// go-vcr v2 `*.vcr.yaml` cassettes, each with its provenance in recordings/README.md) against the
// emulator's HTTP surface and compares the answers field by field. Reusable for every API: parse a
// file, choose what to skip and what to ignore, replay, assert no differences.
//
//   const exchanges = loadRecording('serviceusage-enable-service.http.log');
//   const results = await replayRecording(exchanges, { baseUrl, vars: { uniqueId: 'abc123', projectNumber } });
//   expect(formatDifferences(results)).toBe('');
//
// Placeholders (`${projectId}`, `${uniqueId}`, …) are replaced by `vars` in requests and expected
// answers; placeholders with no value in `vars` (`${operationID}`) are captured from the actual
// answers and reused in later requests. Ids, times and etag values are compared by presence only;
// the actual value answered for a recorded one (an etag, say) replaces it in later requests, so a
// recorded read-modify-write sends the etag the emulator gave.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

// Vendored beside the tests (Apache-2.0, see recordings/LICENSE) so a clean clone replays them.
export const RECORDINGS_DIR = path.resolve(fileURLToPath(new URL('.', import.meta.url)), 'recordings');

export interface RecordedRequest {
  method: string;
  /** As recorded, placeholders included: `https://serviceusage.googleapis.com/v1/projects/${projectId}/services/x?alt=json`. */
  url: string;
  /** `serviceusage.googleapis.com`. */
  host: string;
  /** Path and query string: `/v1/projects/${projectId}/services/x?alt=json`. */
  target: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface RecordedResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body?: unknown;
  /** The recorder replaced Google's body (cassettes' `SANITISED_ERROR_BODY`): only status and content type are compared. */
  bodySanitised?: boolean;
}

export interface RecordedExchange {
  file: string;
  /** 0-based position in the file. */
  index: number;
  request: RecordedRequest;
  response: RecordedResponse;
}

const STATUS_LINE = /^(\d{3}) (.+)$/;

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function parseBody(lines: string[]): unknown {
  const text = lines.join('\n').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Parses the `.http.log` format: exchanges separated by `---`; request line, headers, body, blank, status line, headers, body. */
export function parseRecording(text: string, file = '(inline)'): RecordedExchange[] {
  const blocks = text
    .split(/\n---\n/)
    .map((block) => block.trim())
    .filter(Boolean);
  return blocks.map((block, index) => {
    const lines = block.split('\n');
    const [method, url] = lines[0].split(' ', 2) as [string, string];
    const requestHeadersEnd = lines.findIndex((line, i) => i > 0 && line.trim() === '');
    const statusIndex = lines.findIndex((line, i) => i > requestHeadersEnd && STATUS_LINE.test(line));
    if (requestHeadersEnd < 0 || statusIndex < 0) throw new Error(`${file}: exchange ${index} is malformed`);
    const responseHeadersEnd = lines.findIndex((line, i) => i > statusIndex && line.trim() === '');
    const [, status, statusText] = STATUS_LINE.exec(lines[statusIndex])!;
    const host = url.split('/')[2];
    return {
      file,
      index,
      request: {
        method,
        url,
        host,
        target: url.slice(url.indexOf(host) + host.length) || '/',
        headers: parseHeaders(lines.slice(1, requestHeadersEnd)),
        body: parseBody(lines.slice(requestHeadersEnd + 1, statusIndex)),
      },
      response: {
        status: Number(status),
        statusText: statusText,
        headers: parseHeaders(lines.slice(statusIndex + 1, responseHeadersEnd < 0 ? lines.length : responseHeadersEnd)),
        body: responseHeadersEnd < 0 ? undefined : parseBody(lines.slice(responseHeadersEnd + 1)),
      },
    };
  });
}

/** `rewrite`: recorded literals → placeholders, as for cassettes (e.g. a URL hash the recorder left in). */
export function loadRecording(file: string, rewrite: CassetteRewrite = []): RecordedExchange[] {
  return parseRecording(rewriteText(readFileSync(path.join(RECORDINGS_DIR, file), 'utf8'), rewrite), file);
}

/** Whether a recording is present (vendored recordings arrive through the project's reference material). */
export function hasRecording(file: string): boolean {
  return existsSync(path.join(RECORDINGS_DIR, file));
}

/** The skip reason of a replay test whose recording is not in this clone (see recordings/README.md). */
export function missingRecordingNote(file: string): string {
  return (
    `${file} is not in test/emulator/recordings/: it came from a fetched snapshot, which developers may not commit. ` +
    'The steering session can place it under shared/reference/gcp-recordings, from where it is vendored here.'
  );
}

interface CassetteInteraction {
  request: { method: string; url: string; body?: string; headers?: Record<string, string[]> };
  response: { code: number; status: string; body?: string; headers?: Record<string, string[]> };
}

/** Literal recorded text → placeholder, applied to every URL and body of a cassette (the recorder's fixed values). */
export type CassetteRewrite = Array<[RegExp | string, string]>;

/**
 * The body Kubernetes Config Connector's recorder writes in place of every 400/403/404 answer
 * (tests/e2e/unified_test.go, configureVCR: "Remove internal error message from failed
 * interactions"): the status is Google's, the body is not.
 */
export const SANITISED_ERROR_BODY = 'fake error message';

function headersOf(headers: Record<string, string[]> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, values]) => [name.toLowerCase(), values.join(', ')]));
}

function rewriteText(text: string, rewrite: CassetteRewrite): string {
  return rewrite.reduce(
    (out, [pattern, placeholder]) =>
      out.replace(typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern), 'g') : pattern, placeholder),
    text,
  );
}

/**
 * Parses a go-vcr v2 cassette (`version: 2`, `interactions[].request/response`) into the same
 * exchanges as `parseRecording`. `rewrite` turns the recorder's fixed values into placeholders
 * (`example-project` → `${projectId}`); distinct operation ids become `${operation1}`, `${operation2}`…
 * A sanitised error body (`SANITISED_ERROR_BODY`) becomes no body: only status and type are compared.
 */
export function parseCassette(text: string, file = '(inline)', rewrite: CassetteRewrite = []): RecordedExchange[] {
  const cassette = YAML.parse(text) as { interactions?: CassetteInteraction[] };
  const operations = new Map<string, string>();
  const placeholders = (value: string): string =>
    rewriteText(value, rewrite).replace(/operations\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g, (_, id: string) => {
      if (!operations.has(id)) operations.set(id, `\${operation${operations.size + 1}}`);
      return `operations/${operations.get(id)!}`;
    });
  const bodyOf = (body: string | undefined): unknown => {
    if (body === undefined || body.trim() === '' || body === SANITISED_ERROR_BODY) return undefined;
    return parseBody(placeholders(body).split('\n'));
  };
  return (cassette.interactions ?? []).map((interaction, index) => {
    const url = placeholders(interaction.request.url);
    const host = url.split('/')[2];
    return {
      file,
      index,
      request: {
        method: interaction.request.method,
        url,
        host,
        target: url.slice(url.indexOf(host) + host.length) || '/',
        headers: headersOf(interaction.request.headers),
        body: bodyOf(interaction.request.body),
      },
      response: {
        status: interaction.response.code,
        statusText: interaction.response.status.replace(/^\d+\s*/, ''),
        headers: headersOf(interaction.response.headers),
        body: bodyOf(interaction.response.body),
        ...(interaction.response.body === SANITISED_ERROR_BODY ? { bodySanitised: true } : {}),
      },
    };
  });
}

export function loadCassette(file: string, rewrite: CassetteRewrite = []): RecordedExchange[] {
  return parseCassette(readFileSync(path.join(RECORDINGS_DIR, file), 'utf8'), file, rewrite);
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Replaces `${name}` placeholders that have a value; leaves the others. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => vars[name] ?? whole);
}

function substituteDeep(value: unknown, vars: Record<string, string>, volatileValues?: Map<string, string>): unknown {
  if (typeof value === 'string') return volatileValues?.get(value) ?? substitute(value, vars);
  if (Array.isArray(value)) return value.map((item) => substituteDeep(item, vars, volatileValues));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteDeep(item, vars, volatileValues)]));
  }
  return value;
}

export interface Difference {
  /** Dotted JSON path (`service.state`, `bindings[0].members`), `(status)` for the HTTP status. */
  path: string;
  problem: 'missing' | 'unexpected' | 'value' | 'length' | 'status' | 'content-type';
  expected?: unknown;
  actual?: unknown;
}

/** Fields whose values are ids, times or etags: compared by presence and type only. */
export const VOLATILE_FIELDS = new Set([
  'etag',
  'createTime',
  'updateTime',
  'deleteTime',
  'expireTime',
  'lastTransitionTime',
  'startTime',
  'endTime',
  'uniqueId',
  'oauth2ClientId',
  'uid',
  'latestReadyRevision',
  'latestCreatedRevision',
  'revision',
]);

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export interface CompareOptions {
  /** Paths not compared at all, e.g. `labels` or `template.containers[].image` (`[]` matches any index). */
  ignorePaths?: string[];
  /** Values of placeholders captured so far; updated with captures from this comparison. */
  captures?: Record<string, string>;
  /** Recorded value → actual value of volatile fields seen so far (e.g. the recorded etag → the emulator's); updated here. */
  volatileValues?: Map<string, string>;
  volatileFields?: ReadonlySet<string>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches an expected string with placeholders against an actual one, capturing the placeholders' values. */
function matchPlaceholders(expected: string, actual: string, captures: Record<string, string>): boolean {
  const names: string[] = [];
  let pattern = '';
  let last = 0;
  for (const match of expected.matchAll(PLACEHOLDER)) {
    pattern += escapeRegExp(expected.slice(last, match.index));
    pattern += '(.+?)';
    names.push(match[1]);
    last = match.index + match[0].length;
  }
  pattern += escapeRegExp(expected.slice(last));
  const found = new RegExp(`^${pattern}$`).exec(actual);
  if (!found) return false;
  names.forEach((name, i) => {
    captures[name] = found[i + 1]!;
  });
  return true;
}

function isIgnored(pathText: string, ignorePaths: string[]): boolean {
  const generic = pathText.replace(/\[\d+\]/g, '[]');
  return ignorePaths.some((ignored) => generic === ignored || generic.startsWith(`${ignored}.`) || generic.startsWith(`${ignored}[`));
}

/** Field-by-field comparison of an expected (recorded) JSON value with an actual one. */
export function compareJson(expected: unknown, actual: unknown, options: CompareOptions = {}, at = ''): Difference[] {
  const ignorePaths = options.ignorePaths ?? [];
  const captures = (options.captures ??= {});
  const volatile = options.volatileFields ?? VOLATILE_FIELDS;
  if (at && isIgnored(at, ignorePaths)) return [];
  const key =
    at
      .replace(/\[\d+\]$/, '')
      .split('.')
      .at(-1) ?? '';
  if (typeof expected === 'string') {
    if (typeof actual !== 'string') return [{ path: at, problem: 'value', expected, actual }];
    if (volatile.has(key)) {
      options.volatileValues?.set(expected, actual);
      return [];
    }
    if (TIMESTAMP.test(expected) && TIMESTAMP.test(actual)) return [];
    if (expected.includes('${'))
      return matchPlaceholders(expected, actual, captures) ? [] : [{ path: at, problem: 'value', expected, actual }];
    return expected === actual ? [] : [{ path: at, problem: 'value', expected, actual }];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path: at, problem: 'value', expected, actual }];
    if (expected.length !== actual.length) return [{ path: at, problem: 'length', expected: expected.length, actual: actual.length }];
    return expected.flatMap((item, i) => compareJson(item, actual[i], options, `${at}[${i}]`));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [{ path: at, problem: 'value', expected, actual }];
    const differences: Difference[] = [];
    const expectedObject = expected as Record<string, unknown>;
    const actualObject = actual as Record<string, unknown>;
    for (const [name, value] of Object.entries(expectedObject)) {
      const child = at ? `${at}.${name}` : name;
      if (isIgnored(child, ignorePaths)) continue;
      if (!(name in actualObject)) differences.push({ path: child, problem: 'missing', expected: value });
      else differences.push(...compareJson(value, actualObject[name], options, child));
    }
    for (const name of Object.keys(actualObject)) {
      const child = at ? `${at}.${name}` : name;
      if (!(name in expectedObject) && !isIgnored(child, ignorePaths))
        differences.push({ path: child, problem: 'unexpected', actual: actualObject[name] });
    }
    return differences;
  }
  if (volatile.has(key) && typeof expected === typeof actual) return [];
  return expected === actual ? [] : [{ path: at, problem: 'value', expected, actual }];
}

export interface ReplayOptions {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** Fixed placeholder values (`projectId`, `projectNumber`, `uniqueId`, …). */
  vars: Record<string, string>;
  /** A reason to skip an exchange (APIs the emulator does not serve, set-up steps it does not emulate), or false. */
  skip?: (exchange: RecordedExchange) => string | false | undefined;
  /** Paths to ignore in one exchange's answer (deliberate differences, listed in the emulator README). */
  ignore?: (exchange: RecordedExchange) => string[];
  /**
   * Exchanges whose recorded body cannot be compared (the recorder replaced it, e.g. go-vcr cassettes'
   * `fake error message`): their status and content type are still compared.
   */
  statusOnly?: (exchange: RecordedExchange) => boolean;
  token?: string;
}

export interface ReplayResult {
  exchange: RecordedExchange;
  skipped?: string;
  status?: number;
  body?: unknown;
  differences: Difference[];
}

/** Sends each exchange's request in order and compares status, content type and body. */
export async function replayRecording(exchanges: RecordedExchange[], options: ReplayOptions): Promise<ReplayResult[]> {
  const captures: Record<string, string> = {};
  const volatileValues = new Map<string, string>();
  const results: ReplayResult[] = [];
  for (const exchange of exchanges) {
    const skipped = options.skip?.(exchange);
    if (skipped) {
      results.push({ exchange, skipped, differences: [] });
      continue;
    }
    const vars = { ...captures, ...options.vars };
    const target = substitute(exchange.request.target, vars);
    const body =
      exchange.request.body === undefined ? undefined : JSON.stringify(substituteDeep(exchange.request.body, vars, volatileValues));
    const response = await fetch(`${options.baseUrl}${target}`, {
      method: exchange.request.method,
      headers: {
        Authorization: `Bearer ${options.token ?? 'replay-token'}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    // An empty body (204 No Content) is no body, as in the recordings.
    let actual: unknown = text === '' ? undefined : text;
    try {
      actual = JSON.parse(text);
    } catch {
      // not JSON: compared as text
    }
    const differences: Difference[] = [];
    if (response.status !== exchange.response.status) {
      differences.push({ path: '(status)', problem: 'status', expected: exchange.response.status, actual: response.status });
    }
    const expectedType = exchange.response.headers['content-type'];
    const actualType = response.headers.get('content-type');
    if (expectedType && actualType?.toLowerCase() !== expectedType.toLowerCase()) {
      differences.push({ path: '(content-type)', problem: 'content-type', expected: expectedType, actual: actualType });
    }
    // A sanitised error answer (or one the caller says cannot be compared): status and content type are all there is to compare.
    if (!exchange.response.bodySanitised && !options.statusOnly?.(exchange)) {
      const expected = substituteDeep(exchange.response.body, options.vars);
      differences.push(...compareJson(expected, actual, { captures, volatileValues, ignorePaths: options.ignore?.(exchange) ?? [] }));
    }
    results.push({ exchange, status: response.status, body: actual, differences });
  }
  return results;
}

/** Skips exchanges with hosts the emulator does not serve (Compute, Billing, …). */
export function skipHosts(hosts: string[]): (exchange: RecordedExchange) => string | false {
  return (exchange) => (hosts.includes(exchange.request.host) ? `${exchange.request.host} is not emulated` : false);
}

/** A readable report of every difference ('' when there are none), for assertion messages. */
export function formatDifferences(results: ReplayResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    if (result.differences.length === 0) continue;
    const { file, index, request } = result.exchange;
    lines.push(`${file} #${index}: ${request.method} ${request.target}`);
    for (const difference of result.differences) {
      lines.push(
        `  ${difference.path || '(body)'}: ${difference.problem} expected=${JSON.stringify(difference.expected)} actual=${JSON.stringify(difference.actual)}`,
      );
    }
  }
  return lines.join('\n');
}
