// Gitea repository and organisation webhooks, REST API v1 (/api/v1/repos/{owner}/{repo}/hooks and
// /api/v1/orgs/{org}/hooks, swagger templates/swagger/v1_json.tmpl). The secret goes in
// config.secret and is never returned. Gitea expands `pull_request` into the whole pull-request event
// family (routers/api/v1/utils/hook.go, pullHook), so events are compared after that expansion.
import { bodyMessage, HttpClient, type HttpResponse } from './http.js';
import type { DesiredHook, HookTarget, HooksApi, LiveHook } from './types.js';

/** Atlantis' docs for Gitea. */
export const GITEA_EVENTS = [
  'issue_comment',
  'pull_request',
  'pull_request_comment',
  'pull_request_review',
  'pull_request_sync',
  'push',
] as const;

// What Gitea turns on for `pull_request` and `pull_request_review`, across versions (1.17 split
// reviews into approved/rejected/comment; later versions have pull_request_review and _request).
const PULL_REQUEST_FAMILY = [
  'pull_request',
  'pull_request_assign',
  'pull_request_label',
  'pull_request_milestone',
  'pull_request_comment',
  'pull_request_review',
  'pull_request_review_approved',
  'pull_request_review_rejected',
  'pull_request_review_comment',
  'pull_request_review_request',
  'pull_request_sync',
];
const REVIEW_FAMILY = [
  'pull_request_review',
  'pull_request_review_approved',
  'pull_request_review_rejected',
  'pull_request_review_comment',
];

/** The event names a Gitea hook may report for these requested events. */
export function giteaEventClosure(events: readonly string[]): Set<string> {
  const out = new Set(events);
  if (events.includes('pull_request')) for (const e of PULL_REQUEST_FAMILY) out.add(e);
  if (events.includes('pull_request_review')) for (const e of REVIEW_FAMILY) out.add(e);
  return out;
}

/** Whether a hook's reported events are what these requested events give: each requested one is on, nothing outside their family is. */
export function giteaEventsMatch(requested: readonly string[], live: readonly string[]): boolean {
  const closure = giteaEventClosure(requested);
  const liveSet = new Set(live);
  const covered = (e: string) => liveSet.has(e) || (e === 'pull_request_review' && REVIEW_FAMILY.some((r) => liveSet.has(r)));
  return requested.every(covered) && live.every((e) => closure.has(e));
}

export interface GiteaOptions {
  /** BASE_URL/api/v1. */
  baseUrl: string;
  label: string;
  token: string;
  signal?: AbortSignal;
  log?: (kind: string, data: Record<string, unknown>) => void;
}

export function giteaApiUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v1`;
}

interface GiteaHook {
  id: number;
  type?: string;
  active: boolean;
  events: string[];
  config: Record<string, string>;
}

export function giteaHooks(options: GiteaOptions): HooksApi {
  const http = new HttpClient({
    baseUrl: options.baseUrl,
    label: options.label,
    headers: { authorization: `token ${options.token}` },
    describeFailure: describeGiteaFailure,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const base = (t: HookTarget) => {
    if (t.kind === 'repository') return `/repos/${enc(t.owner)}/${enc(t.name)}/hooks`;
    if (t.kind === 'organization') return `/orgs/${enc(t.org)}/hooks`;
    throw new Error(`Gitea has no ${t.kind} hooks`);
  };
  const config = (d: DesiredHook) => ({ url: d.url, content_type: 'json', ...(d.secret !== undefined ? { secret: d.secret } : {}) });
  const what = (t: HookTarget) =>
    t.kind === 'repository' ? `repository ${t.owner}/${t.name}` : t.kind === 'organization' ? `organisation ${t.org}` : t.path;
  return {
    provider: 'gitea',
    label: options.label,
    baseUrl: http.baseUrl,
    atlantisEvents: GITEA_EVENTS,
    targetKinds: ['repository', 'organization'],
    async list(target) {
      // Gitea pages with `limit` (its maximum is a server setting, 50 by default) and sends a Link header.
      const hooks = await http.listAll<GiteaHook>(base(target), { query: { limit: 50 }, what: `list the webhooks of ${what(target)}` });
      return hooks.map(toLive);
    },
    async create(target, desired) {
      const r = await http.request('POST', base(target), {
        body: { type: 'gitea', active: true, branch_filter: '*', events: desired.events, config: config(desired) },
        what: `create a webhook on ${what(target)}`,
      });
      return toLive(r.body as GiteaHook);
    },
    async update(target, id, desired) {
      // Fields that are not pointers in EditHookOption (events, branch_filter) are reset when omitted: always send them.
      const r = await http.request('PATCH', `${base(target)}/${id}`, {
        body: { active: true, branch_filter: '*', events: desired.events, config: config(desired) },
        what: `update webhook ${id} of ${what(target)}`,
      });
      return toLive(r.body as GiteaHook);
    },
    async delete(target, id) {
      await http.request('DELETE', `${base(target)}/${id}`, { what: `delete webhook ${id} of ${what(target)}` });
    },
  };
}

const enc = encodeURIComponent;

function toLive(h: GiteaHook): LiveHook {
  return {
    id: h.id,
    url: h.config?.url ?? '',
    events: [...(h.events ?? [])].sort(),
    active: h.active,
    ...(h.config?.content_type !== undefined ? { contentType: h.config.content_type } : {}),
  };
}

export function describeGiteaFailure(r: HttpResponse, call: { method: string; what: string }): { message: string; hint?: string } {
  const said = bodyMessage(r.body);
  const detail = said ? ` (Gitea: ${said})` : '';
  const org = call.what.includes('organisation');
  const scope = org
    ? 'the token needs the write:organization scope and its user must own the organisation'
    : 'the token needs the write:repository scope and its user admin rights on the repository';
  switch (r.status) {
    case 401:
      return {
        message: `Gitea refused the token: could not ${call.what}${detail}`,
        hint: 'the token is invalid or was deleted: create a new one and export it again',
      };
    case 403:
      return { message: `Gitea denied access: could not ${call.what}${detail}`, hint: scope };
    case 404:
      return {
        message: `not found on Gitea: could not ${call.what}${detail}`,
        hint: `check the name and the base URL; Gitea answers 404 when the token's user cannot see it (${scope})`,
      };
    case 422:
      return { message: `Gitea rejected the request: could not ${call.what}${detail}` };
    default:
      return {
        message: `Gitea answered HTTP ${r.status}: could not ${call.what}${detail}`,
        ...(r.status >= 500 ? { hint: 'Gitea had a problem: try again shortly' } : {}),
      };
  }
}
