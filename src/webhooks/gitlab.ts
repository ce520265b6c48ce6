// GitLab (gitlab.com and self-managed) project and group webhooks, REST API v4: project hooks
// (doc/api/project_webhooks.md) and group hooks (doc/api/group_webhooks.md, Premium and Ultimate).
// Events are boolean flags; the secret is `token`, write-only (never in a response).
import { bodyMessage, HttpClient, type HttpResponse } from './http.js';
import type { DesiredHook, HookTarget, HooksApi, LiveHook } from './types.js';

/** Atlantis' docs for GitLab: Push events, Comments, Merge request events. */
export const GITLAB_EVENTS = ['merge_requests_events', 'note_events', 'push_events'] as const;

/**
 * The event flags a project hook takes (lib/api/project_hooks.rb, project_hook_properties). The tool
 * owns its hook: every flag is sent, true for Atlantis' events and false for the others.
 */
export const GITLAB_EVENT_FLAGS = [
  'push_events',
  'issues_events',
  'confidential_issues_events',
  'merge_requests_events',
  'tag_push_events',
  'note_events',
  'confidential_note_events',
  'job_events',
  'pipeline_events',
  'wiki_page_events',
  'deployment_events',
] as const;

export interface GitLabOptions {
  /** https://gitlab.com/api/v4, or https://HOST/api/v4. */
  baseUrl: string;
  label: string;
  token: string;
  signal?: AbortSignal;
  log?: (kind: string, data: Record<string, unknown>) => void;
}

export function gitlabApiUrl(hostname: string | undefined): string {
  return `https://${hostname ?? 'gitlab.com'}/api/v4`;
}

type GitLabHook = { id: number; url: string; enable_ssl_verification?: boolean } & Partial<Record<string, unknown>>;

export function gitlabHooks(options: GitLabOptions): HooksApi {
  const http = new HttpClient({
    baseUrl: options.baseUrl,
    label: options.label,
    headers: { 'private-token': options.token },
    describeFailure: describeGitLabFailure,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const base = (t: HookTarget) => {
    // :id is the numeric id or the URL-encoded path (group%2Fsubgroup%2Fproject).
    if (t.kind === 'project') return `/projects/${encodeURIComponent(t.path)}/hooks`;
    if (t.kind === 'group') return `/groups/${encodeURIComponent(t.path)}/hooks`;
    throw new Error(`GitLab has no ${t.kind} hooks`);
  };
  const body = (d: DesiredHook) => ({
    url: d.url,
    ...Object.fromEntries(GITLAB_EVENT_FLAGS.map((flag) => [flag, d.events.includes(flag)])),
    enable_ssl_verification: true,
    ...(d.secret !== undefined ? { token: d.secret } : {}),
  });
  const what = (t: HookTarget) => (t.kind === 'group' ? `group ${t.path}` : `project ${t.kind === 'project' ? t.path : ''}`);
  return {
    provider: 'gitlab',
    label: options.label,
    baseUrl: http.baseUrl,
    atlantisEvents: GITLAB_EVENTS,
    targetKinds: ['project', 'group'],
    async list(target) {
      const hooks = await http.listAll<GitLabHook>(base(target), {
        query: { per_page: 100 },
        what: `list the webhooks of ${what(target)}`,
      });
      return hooks.map(toLive);
    },
    async create(target, desired) {
      const r = await http.request('POST', base(target), { body: body(desired), what: `create a webhook on ${what(target)}` });
      return toLive(r.body as GitLabHook);
    },
    async update(target, id, desired) {
      const r = await http.request('PUT', `${base(target)}/${id}`, {
        body: body(desired),
        what: `update webhook ${id} of ${what(target)}`,
      });
      return toLive(r.body as GitLabHook);
    },
    async delete(target, id) {
      await http.request('DELETE', `${base(target)}/${id}`, { what: `delete webhook ${id} of ${what(target)}` });
    },
  };
}

function toLive(h: GitLabHook): LiveHook {
  return {
    id: h.id,
    url: h.url,
    events: GITLAB_EVENT_FLAGS.filter((flag) => h[flag] === true).sort(),
    // GitLab has no "active" switch; a hook that keeps failing is disabled for a while (alert_status).
    active: h.alert_status === undefined || h.alert_status === 'executable',
    ...(h.enable_ssl_verification !== undefined ? { tlsVerification: h.enable_ssl_verification } : {}),
  };
}

export function describeGitLabFailure(r: HttpResponse, call: { method: string; what: string }): { message: string; hint?: string } {
  const said = bodyMessage(r.body);
  const detail = said ? ` (GitLab: ${said})` : '';
  const group = call.what.includes('group ');
  const role = group ? 'the Owner role on the group' : 'at least the Maintainer role on the project';
  switch (r.status) {
    case 401:
      return {
        message: `GitLab refused the token: could not ${call.what}${detail}`,
        hint: 'the token is invalid, expired or revoked: create a new one and export it again',
      };
    case 403:
      return {
        message: `GitLab denied access: could not ${call.what}${detail}`,
        hint: `the token needs the api scope, and its user ${role}`,
      };
    case 404:
      return {
        message: `not found on GitLab: could not ${call.what}${detail}`,
        hint: group
          ? 'check the group path; GitLab answers 404 when the token cannot see the group, and group webhooks need GitLab Premium or Ultimate'
          : `check the project path (group/subgroup/project); GitLab answers 404 when the token cannot see the project (it needs the api scope and ${role})`,
      };
    case 422:
      return {
        message: `GitLab rejected the request: could not ${call.what}${detail}`,
        hint: 'GitLab refuses URLs it considers local or blocked unless an administrator allows them',
      };
    default:
      return {
        message: `GitLab answered HTTP ${r.status}: could not ${call.what}${detail}`,
        ...(r.status >= 500 ? { hint: 'GitLab had a problem: try again shortly' } : {}),
      };
  }
}
