// JSON over HTTPS to a VCS API with Node's global fetch: the admin token in a header (never in a URL,
// a log line or an error), a timeout, pagination by the Link header, and failures turned into one
// actionable line by the provider module. Request and response bodies are never logged: they may
// carry the webhook secret.
import { OperationError } from '../errors.js';
import { redact } from '../util/redact.js';

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
}

/** What a provider module says about a failed call: the one line and the hint. */
export type DescribeFailure = (response: HttpResponse, call: { method: string; what: string }) => { message: string; hint?: string };

export interface HttpClientOptions {
  baseUrl: string;
  /** Authentication and API-version headers; values are secret and never logged. */
  headers: Record<string, string>;
  describeFailure: DescribeFailure;
  /** Provider label for network errors ("GitHub"). */
  label: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Debug log: method, URL, status and timing (never headers or bodies). */
  log?: (kind: string, data: Record<string, unknown>) => void;
  /** For tests: another fetch implementation. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** What the call does, for error messages: "list the hooks of repository acme/infra". */
  what: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_PAGES = 50;

export class HttpClient {
  readonly baseUrl: string;
  readonly host: string;

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.host = new URL(this.baseUrl).host;
  }

  /** One call; `path` is relative to the base URL ("/repos/a/b/hooks") or an absolute URL on the same host. */
  async request(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.body);
    }
    const started = Date.now();
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, { method, headers, body: payload, signal: this.signal(), redirect: 'manual' });
    } catch (err) {
      this.options.log?.('vcs-http-error', { method, url, ms: Date.now() - started, error: networkReason(err) });
      throw new OperationError(`could not reach ${this.options.label} at ${this.host} to ${options.what}: ${networkReason(err)}`, {
        hint: `check the host name (vcs settings in atlantis-run.yaml, or --api-url) and that ${this.host} is reachable from here`,
      });
    }
    const text = await response.text();
    const result: HttpResponse = { status: response.status, headers: response.headers, body: parseJson(text) };
    this.options.log?.('vcs-http', { method, url, status: response.status, ms: Date.now() - started });
    if (response.status >= 200 && response.status < 300) return result;
    if (response.status >= 300 && response.status < 400) {
      // Not followed: the token must not travel to wherever a redirect points.
      throw new OperationError(`${this.options.label} answered HTTP ${response.status} (moved) to ${options.what}`, {
        hint: 'the repository, organisation or group was probably renamed or transferred: use its new name',
      });
    }
    const { message, hint } = this.options.describeFailure(result, { method, what: options.what });
    throw new OperationError(redact(message), hint === undefined ? {} : { hint: redact(hint) });
  }

  /** Every item of a paginated list: follows `Link: <…>; rel="next"` on the same host. */
  async listAll<T>(path: string, options: RequestOptions): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = this.url(path, options.query);
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const response = await this.request('GET', next, { what: options.what });
      if (!Array.isArray(response.body)) {
        throw new OperationError(`${this.options.label} answered an unexpected body to ${options.what} (expected a JSON array)`);
      }
      items.push(...(response.body as T[]));
      next = nextLink(response.headers.get('link'), this.host);
    }
    return items;
  }

  private url(path: string, query?: Record<string, string | number | undefined>): string {
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(this.baseUrl + path);
    if (url.host !== this.host) throw new OperationError(`refusing to follow ${this.options.label} to another host (${url.host})`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  private signal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
  }
}

/** `<https://…?page=2>; rel="next", <…>; rel="last"` → the next URL, only on the same host. */
export function nextLink(header: string | null, host: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2].split(/\s+/).includes('next')) {
      try {
        return new URL(m[1]).host === host ? m[1] : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return err.name === 'TimeoutError' ? 'no answer in time' : 'cancelled';
  }
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code?.startsWith('CERT_') || code?.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    return `TLS certificate not trusted (${code})`;
  return redact(cause?.message ?? (err instanceof Error ? err.message : String(err)));
}

/** The `message` of a JSON error body, when it has one (all three providers use that key). */
export function bodyMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'error_description', 'error']) {
      const v = record[key];
      if (typeof v === 'string' && v.trim()) return v.trim();
      if (v && typeof v === 'object') return JSON.stringify(v);
    }
  }
  return undefined;
}
