// GitHub (github.com and GitHub Enterprise Server) repository and organisation webhooks, REST API
// https://docs.github.com/en/rest/repos/webhooks and …/rest/orgs/webhooks. GitHub masks a set
// secret as "********" when it lists hooks; it never returns it.
import { toolVersion } from '../version.js';
import { bodyMessage, HttpClient, type HttpResponse } from './http.js';
import type { DesiredHook, HookTarget, HooksApi, LiveHook } from './types.js';

/** The events Atlantis' docs list for GitHub (runatlantis.io/docs/configuring-webhooks). */
export const GITHUB_EVENTS = ['issue_comment', 'pull_request', 'pull_request_review', 'push'] as const;

export interface GitHubOptions {
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  baseUrl: string;
  label: string;
  token: string;
  signal?: AbortSignal;
  log?: (kind: string, data: Record<string, unknown>) => void;
}

/** The API base URL for the configured host name (GitHub Enterprise Server serves the REST API under /api/v3). */
export function githubApiUrl(hostname: string | undefined): string {
  return hostname && hostname !== 'github.com' ? `https://${hostname}/api/v3` : 'https://api.github.com';
}

interface GitHubHook {
  id: number;
  active: boolean;
  events: string[];
  config: { url?: string; content_type?: string; secret?: string; insecure_ssl?: string | number };
}

export function githubHooks(options: GitHubOptions): HooksApi {
  const http = new HttpClient({
    baseUrl: options.baseUrl,
    label: options.label,
    headers: {
      authorization: `Bearer ${options.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': `atlantis-run/${toolVersion()}`,
    },
    describeFailure: describeGitHubFailure,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const base = (t: HookTarget) => {
    if (t.kind === 'repository') return `/repos/${enc(t.owner)}/${enc(t.name)}/hooks`;
    if (t.kind === 'organization') return `/orgs/${enc(t.org)}/hooks`;
    throw new Error(`GitHub has no ${t.kind} hooks`);
  };
  const config = (d: DesiredHook) => ({
    url: d.url,
    content_type: 'json',
    insecure_ssl: '0',
    ...(d.secret !== undefined ? { secret: d.secret } : {}),
  });
  return {
    provider: 'github',
    label: options.label,
    baseUrl: http.baseUrl,
    atlantisEvents: GITHUB_EVENTS,
    targetKinds: ['repository', 'organization'],
    async list(target) {
      const hooks = await http.listAll<GitHubHook>(base(target), {
        query: { per_page: 100 },
        what: `list the webhooks of ${what(target)}`,
      });
      return hooks.map(toLive);
    },
    async create(target, desired) {
      const r = await http.request('POST', base(target), {
        body: { name: 'web', active: true, events: desired.events, config: config(desired) },
        what: `create a webhook on ${what(target)}`,
      });
      return toLive(r.body as GitHubHook);
    },
    async update(target, id, desired) {
      const r = await http.request('PATCH', `${base(target)}/${id}`, {
        body: { active: true, events: desired.events, config: config(desired) },
        what: `update webhook ${id} of ${what(target)}`,
      });
      return toLive(r.body as GitHubHook);
    },
    async delete(target, id) {
      await http.request('DELETE', `${base(target)}/${id}`, { what: `delete webhook ${id} of ${what(target)}` });
    },
  };
}

function toLive(h: GitHubHook): LiveHook {
  const insecure = h.config.insecure_ssl;
  return {
    id: h.id,
    url: h.config.url ?? '',
    events: [...(h.events ?? [])].sort(),
    active: h.active,
    ...(h.config.content_type !== undefined ? { contentType: h.config.content_type } : {}),
    ...(insecure !== undefined ? { tlsVerification: String(insecure) === '0' } : {}),
    secretSet: typeof h.config.secret === 'string' && h.config.secret.length > 0,
  };
}

const enc = encodeURIComponent;
const what = (t: HookTarget) =>
  t.kind === 'repository' ? `repository ${t.owner}/${t.name}` : t.kind === 'organization' ? `organisation ${t.org}` : t.path;

/**
 * GitHub answers 404 (not 403) when the token may not see the repository's hooks, and tells which
 * OAuth scopes a classic token has (X-OAuth-Scopes) and which the call accepts (X-Accepted-OAuth-Scopes).
 */
export function describeGitHubFailure(r: HttpResponse, call: { method: string; what: string }): { message: string; hint?: string } {
  const said = bodyMessage(r.body);
  const detail = said ? ` (GitHub: ${said})` : '';
  const org = call.what.includes('organisation');
  const scopes = r.headers.get('x-oauth-scopes');
  const accepted = r.headers.get('x-accepted-oauth-scopes');
  const scopeHint = org
    ? 'the token needs the admin:org_hook scope (classic) or the organisation "Webhooks: read and write" permission (fine-grained), and you must be an organisation owner'
    : 'the token needs the admin:repo_hook scope (classic) or the repository "Webhooks: read and write" permission (fine-grained), and admin access to the repository';
  const has = scopes !== null ? ` This token has: ${scopes || 'no scopes'}${accepted ? `; the call accepts: ${accepted}` : ''}.` : '';
  switch (r.status) {
    case 401:
      return {
        message: `GitHub refused the token: could not ${call.what}${detail}`,
        hint: 'the token is invalid or expired: create a new one and export it again',
      };
    case 403:
      if (r.headers.get('x-ratelimit-remaining') === '0') {
        return { message: `GitHub rate limit reached: could not ${call.what}`, hint: `wait until ${resetTime(r)} and run it again` };
      }
      return { message: `GitHub denied access: could not ${call.what}${detail}`, hint: `${scopeHint}.${has}` };
    case 404:
      return {
        message: `not found on GitHub: could not ${call.what}${detail}`,
        hint: `check the name; GitHub also answers 404 when the token cannot administer it: ${scopeHint}.${has}`,
      };
    case 422:
      return { message: `GitHub rejected the request: could not ${call.what}${validationDetail(r.body) || detail}` };
    default:
      return {
        message: `GitHub answered HTTP ${r.status}: could not ${call.what}${detail}`,
        ...(r.status >= 500 ? { hint: 'GitHub had a problem: try again shortly' } : {}),
      };
  }
}

function validationDetail(body: unknown): string {
  const errors = (body as { errors?: { message?: string; code?: string; field?: string }[] } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  return ` (${errors.map((e) => e.message ?? [e.field, e.code].filter(Boolean).join(' ')).join('; ')})`;
}

function resetTime(r: HttpResponse): string {
  const reset = Number(r.headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : 'the limit resets';
}
