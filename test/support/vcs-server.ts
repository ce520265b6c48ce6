// A local GitHub / GitLab / Gitea API for the webhook endpoints, on 127.0.0.1. Every request is
// checked against the provider's published API description (test/support/openapi.ts): an operation
// the description lacks, an undeclared or mistyped parameter or body field, a missing required
// field, is answered 400 and recorded in `violations` (tests assert it stays empty). Responses are
// built like the provider's (status codes, bodies, Link pagination) and are themselves checked
// against the description before they are sent. Hooks are kept in memory, so idempotence and
// updates are observable; tokens map to grants so authentication and permission failures can be
// provoked. Behaviour that no description states (duplicate refusal, defaults, error wording) is
// noted where it is implemented, with where it comes from.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiDescription, type Matched } from './openapi.js';

export type Provider = 'github' | 'gitlab' | 'gitea';
/** `admin`: may manage hooks; `no-admin`: a valid token without the scope or role hooks need. */
export type Grant = 'admin' | 'no-admin';

export interface StoredHook {
  id: number;
  url: string;
  /** Provider-native event names (GitLab: the `*_events` flags that are true). */
  events: string[];
  active: boolean;
  contentType: string;
  secret: string | undefined;
  insecureSsl: string;
  branchFilter: string;
  createdAt: string;
  updatedAt: string;
}

export interface VcsServerOptions {
  provider: Provider;
  description: ApiDescription;
  tokens: Record<string, Grant>;
  /** 'repo:acme/infra', 'org:acme', 'project:acme/infra', 'group:acme'. */
  targets: string[];
  /** Where the API lives under the server root: '' (github.com), '/api/v3' (GitHub Enterprise), '/api/v4', '/api/v1'. */
  apiPrefix?: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface RunningVcsServer {
  /** The API base URL a client uses, e.g. http://127.0.0.1:PORT/api/v4. */
  apiUrl: string;
  hooks(target: string): StoredHook[];
  /** Adds hooks directly (pagination and duplicate tests). */
  seed(target: string, hooks: Partial<StoredHook>[]): void;
  requests: RequestRecord[];
  violations: string[];
  close(): Promise<void>;
}

const GITEA_PULL_FAMILY = [
  'pull_request',
  'pull_request_assign',
  'pull_request_label',
  'pull_request_milestone',
  'pull_request_comment',
  'pull_request_review',
  'pull_request_review_request',
  'pull_request_sync',
];
const GITLAB_FLAGS = [
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
  'releases_events',
  'emoji_events',
];

export async function startVcsServer(options: VcsServerOptions): Promise<RunningVcsServer> {
  const prefix = options.apiPrefix ?? { github: '', gitlab: '', gitea: '' }[options.provider];
  const store = new Map<string, StoredHook[]>(options.targets.map((t) => [t, []]));
  const requests: RequestRecord[] = [];
  const violations: string[] = [];
  let nextId = 1000;
  let origin = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      violations.push(`server error: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const record = (status: number) => requests.push({ method, path: url.pathname + url.search, status });
    const send = (matched: Matched | undefined, status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (matched) {
        const problems = options.description.checkResponse(matched.op, status, body, errorSchema(options.provider));
        for (const p of problems) violations.push(`server response to ${method} ${url.pathname}: ${p}`);
      }
      record(status);
      res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };

    const matched = options.description.match(method, url.pathname);
    if (!matched) {
      violations.push(`${method} ${url.pathname}: no such operation in the API description`);
      return send(undefined, 404, { message: 'Not Found' });
    }
    let body: unknown;
    if (raw.length > 0) {
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
        violations.push(`${method} ${url.pathname}: body sent without content-type application/json`);
      try {
        body = JSON.parse(raw);
      } catch {
        violations.push(`${method} ${url.pathname}: body is not JSON`);
        return send(matched, 400, { message: 'Problems parsing JSON' });
      }
    }
    const problems = options.description.checkRequest(matched, url.searchParams, body, raw.length > 0);
    if (problems.length > 0) {
      for (const p of problems) violations.push(`${method} ${url.pathname}: ${p}`);
      return send(matched, 400, { message: `request does not match the API description: ${problems.join('; ')}` });
    }

    const token = tokenOf(options.provider, req.headers);
    const grant = token === undefined ? undefined : options.tokens[token];
    if (!grant) return send(matched, 401, unauthorized(options.provider));
    const target = targetKey(options.provider, matched);
    const hooks = store.get(target);
    if (grant === 'no-admin') return send(matched, ...forbidden(options.provider, target));
    if (!hooks) return send(matched, 404, notFound(options.provider, target));

    const hookId = matched.params.hook_id ?? (options.provider === 'gitea' ? matched.params.id : undefined);
    const isItem = matched.op.template.endsWith('}');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const api = { provider: options.provider, origin, prefix, target };

    if (!isItem && method === 'GET') {
      const { page, size, links } = paginate(options.provider, url, hooks.length);
      const items = hooks.slice((page - 1) * size, page * size).map((h) => present(api, h));
      return send(matched, 200, items, links);
    }
    if (!isItem && method === 'POST') {
      const created = create(options.provider, body as HookBody, hooks, now, () => nextId++);
      if ('error' in created) return send(matched, created.status, created.error);
      hooks.push(created.hook);
      return send(matched, 201, present(api, created.hook));
    }
    const hook = hooks.find((h) => String(h.id) === hookId);
    if (!hook) return send(matched, 404, notFound(options.provider, target, true));
    if (method === 'GET') return send(matched, 200, present(api, hook));
    if (method === 'DELETE') {
      hooks.splice(hooks.indexOf(hook), 1);
      return send(matched, 204, undefined);
    }
    const error = update(options.provider, hook, body as HookBody, now);
    if (error) return send(matched, error.status, error.error);
    return send(matched, 200, present(api, hook));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: origin + prefix,
    hooks: (t) => store.get(t) ?? [],
    seed(target, list) {
      const hooks = store.get(target)!;
      for (const h of list) {
        const now = '2024-01-01T00:00:00Z';
        hooks.push({
          id: nextId++,
          url: 'https://example.com/hook',
          events: ['push'],
          active: true,
          contentType: 'json',
          secret: undefined,
          insecureSsl: '0',
          branchFilter: '*',
          createdAt: now,
          updatedAt: now,
          ...h,
        });
      }
    },
    requests,
    violations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** GitHub: `Authorization: Bearer|token T`; GitLab: `PRIVATE-TOKEN: T` (or Bearer); Gitea: `Authorization: token T` (or Bearer). */
function tokenOf(provider: Provider, headers: IncomingMessage['headers']): string | undefined {
  if (provider === 'gitlab' && typeof headers['private-token'] === 'string') return headers['private-token'];
  const auth = headers.authorization;
  const m = auth ? /^(Bearer|token)\s+(\S+)$/i.exec(auth) : null;
  if (!m) return undefined;
  if (provider === 'gitlab' && m[1].toLowerCase() !== 'bearer') return undefined;
  return m[2];
}

function targetKey(provider: Provider, matched: Matched): string {
  const t = matched.op.template;
  const p = matched.params;
  if (provider === 'gitlab') return t.includes('/projects/') ? `project:${p.id}` : `group:${p.id}`;
  return t.startsWith('/repos/') || t.includes('/repos/') ? `repo:${p.owner}/${p.repo}` : `org:${p.org}`;
}

function errorSchema(provider: Provider): string {
  return { github: '/components/schemas/basic-error', gitlab: '/definitions/API_Error', gitea: '/definitions/APIError' }[provider];
}

// Error bodies. GitHub: basic-error with documentation_url (docs.github.com/rest). GitLab: Grape's
// {"message": "401 Unauthorized"} / "404 Project Not Found" (lib/api/helpers.rb). Gitea: APIError
// {message, url}; the wording of Gitea's 401 is ours.
function unauthorized(provider: Provider): unknown {
  if (provider === 'github') return { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' };
  if (provider === 'gitlab') return { message: '401 Unauthorized' };
  return { message: 'token is required', url: 'https://gitea.example/api/swagger' };
}

function forbidden(provider: Provider, target: string): [number, unknown, Record<string, string>?] {
  if (provider === 'github') {
    return [
      403,
      {
        message: 'Resource not accessible by personal access token',
        documentation_url: 'https://docs.github.com/rest/repos/webhooks',
        status: '403',
      },
      {
        'x-oauth-scopes': 'repo',
        'x-accepted-oauth-scopes': target.startsWith('org:') ? 'admin:org_hook' : 'admin:repo_hook, read:repo_hook, write:repo_hook',
      },
    ];
  }
  if (provider === 'gitlab') return [403, { message: '403 Forbidden' }];
  return [
    403,
    {
      message: `token does not have at least one of required scope(s): [write:${target.startsWith('org:') ? 'organization' : 'repository'}]`,
      url: 'https://gitea.example/api/swagger',
    },
  ];
}

function notFound(provider: Provider, target: string, hook = false): unknown {
  if (provider === 'github')
    return { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/webhooks', status: '404' };
  if (provider === 'gitlab')
    return { message: hook ? '404 Not found' : `404 ${target.startsWith('group:') ? 'Group' : 'Project'} Not Found` };
  return { message: "The target couldn't be found.", url: 'https://gitea.example/api/swagger' };
}

/** Page number and size from the provider's parameters, and Link (GitLab: also X-Next-Page, Gitea: X-Total-Count). */
function paginate(provider: Provider, url: URL, total: number): { page: number; size: number; links: Record<string, string> } {
  const sizeParam = provider === 'gitea' ? 'limit' : 'per_page';
  // Defaults and maxima: GitHub 30/100 (docs: using pagination), GitLab 20/100 (doc/api/rest), Gitea 30/50 (MAX_RESPONSE_ITEMS).
  const [def, max] = { github: [30, 100], gitlab: [20, 100], gitea: [30, 50] }[provider];
  const size = Math.min(Math.max(Number(url.searchParams.get(sizeParam) ?? def) || def, 1), max);
  const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(total / size), 1);
  const link = (p: number) => {
    const u = new URL(url);
    u.searchParams.set('page', String(p));
    u.searchParams.set(sizeParam, String(size));
    return u.toString();
  };
  const parts: string[] = [];
  if (page < last) parts.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  if (page > 1) parts.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
  const headers: Record<string, string> = parts.length ? { link: parts.join(', ') } : {};
  if (provider === 'gitlab')
    Object.assign(headers, {
      'x-page': String(page),
      'x-per-page': String(size),
      'x-total': String(total),
      'x-next-page': page < last ? String(page + 1) : '',
    });
  if (provider === 'gitea') headers['x-total-count'] = String(total);
  return { page, size, links: headers };
}

type Created = { hook: StoredHook } | { status: number; error: unknown };

/** A hook request body as the three APIs shape it (already checked against the description). */
interface HookBody {
  name?: string;
  type?: string;
  active?: boolean;
  events?: string[];
  add_events?: string[];
  remove_events?: string[];
  config?: Record<string, string>;
  url?: string;
  token?: string;
  enable_ssl_verification?: boolean;
  branch_filter?: string;
  [flag: string]: unknown;
}

function create(provider: Provider, body: HookBody, hooks: StoredHook[], now: string, id: () => number): Created {
  const base = {
    active: true,
    contentType: 'json',
    secret: undefined as string | undefined,
    insecureSsl: '0',
    branchFilter: '*',
    createdAt: now,
    updatedAt: now,
  };
  if (provider === 'github') {
    const config = body.config ?? {};
    if (body.name !== undefined && body.name !== 'web') return { status: 422, error: validation('name', 'invalid') };
    if (!config.url) return { status: 422, error: validation('url', 'missing_field') };
    // GitHub refuses a second hook with the same URL on one repository or organisation.
    if (hooks.some((h) => h.url === config.url)) {
      return {
        status: 422,
        error: {
          message: 'Validation Failed',
          errors: [{ resource: 'Hook', code: 'custom', message: 'Hook already exists on this repository' }],
          documentation_url: 'https://docs.github.com/rest/repos/webhooks#create-a-repository-webhook',
          status: '422',
        },
      };
    }
    return {
      hook: {
        ...base,
        id: id(),
        url: config.url,
        events: body.events ?? ['push'],
        active: body.active ?? true,
        contentType: config.content_type ?? 'form',
        secret: config.secret || undefined,
        insecureSsl: String(config.insecure_ssl ?? '0'),
      },
    };
  }
  if (provider === 'gitlab') {
    if (!/^https?:\/\/[^\s/]+/.test(String(body.url))) return { status: 422, error: { message: 'Invalid url given' } };
    // GitLab turns push events on unless told otherwise (push_events defaults to true in the model).
    const flags = Object.fromEntries(GITLAB_FLAGS.map((f) => [f, body[f] ?? f === 'push_events']));
    return {
      hook: {
        ...base,
        id: id(),
        url: String(body.url),
        events: GITLAB_FLAGS.filter((f) => flags[f]),
        secret: body.token || undefined,
        insecureSsl: body.enable_ssl_verification === false ? '1' : '0',
      },
    };
  }
  // Gitea: checkCreateHookOption wants config url and content_type; content_type json or form (routers/api/v1/utils/hook.go).
  const config = body.config ?? {};
  for (const name of ['url', 'content_type'])
    if (!config[name]) return { status: 422, error: { message: `Missing config option: ${name}`, url: '' } };
  if (!['json', 'form'].includes(config.content_type)) return { status: 422, error: { message: 'Invalid content type', url: '' } };
  return {
    hook: {
      ...base,
      id: id(),
      url: config.url,
      events: giteaEvents(body.events),
      active: body.active ?? false,
      contentType: config.content_type,
      secret: config.secret || undefined,
      branchFilter: body.branch_filter ?? '',
    },
  };
}

function update(provider: Provider, hook: StoredHook, body: HookBody, now: string): { status: number; error: unknown } | undefined {
  hook.updatedAt = now;
  if (provider === 'github') {
    const config = body.config ?? {};
    if (config.url !== undefined) hook.url = config.url;
    if (config.content_type !== undefined) hook.contentType = config.content_type;
    if (config.secret !== undefined) hook.secret = config.secret || undefined;
    if (config.insecure_ssl !== undefined) hook.insecureSsl = String(config.insecure_ssl);
    if (body.events !== undefined) hook.events = [...body.events];
    for (const e of body.add_events ?? []) if (!hook.events.includes(e)) hook.events.push(e);
    const removed = body.remove_events;
    if (removed) hook.events = hook.events.filter((e) => !removed.includes(e));
    if (body.active !== undefined) hook.active = body.active;
    return undefined;
  }
  if (provider === 'gitlab') {
    if (!/^https?:\/\/[^\s/]+/.test(String(body.url))) return { status: 422, error: { message: 'Invalid url given' } };
    hook.url = String(body.url);
    // Only the parameters given change (declared_params(include_missing: false)).
    const flags = new Set(hook.events);
    for (const f of GITLAB_FLAGS) {
      if (body[f] === true) flags.add(f);
      else if (body[f] === false) flags.delete(f);
    }
    hook.events = GITLAB_FLAGS.filter((f) => flags.has(f));
    if (body.token !== undefined) hook.secret = body.token || undefined;
    if (body.enable_ssl_verification !== undefined) hook.insecureSsl = body.enable_ssl_verification ? '0' : '1';
    return undefined;
  }
  // Gitea editHook: config keys given replace; events and branch_filter are plain fields (reset when omitted); active is a pointer.
  const config = body.config ?? {};
  if (config.url !== undefined) hook.url = config.url;
  if (config.content_type !== undefined) {
    if (!['json', 'form'].includes(config.content_type)) return { status: 422, error: { message: 'Invalid content type', url: '' } };
    hook.contentType = config.content_type;
  }
  if (config.secret !== undefined) hook.secret = config.secret || undefined;
  hook.events = giteaEvents(body.events);
  hook.branchFilter = body.branch_filter ?? '';
  if (body.active !== undefined) hook.active = body.active;
  return undefined;
}

/** Gitea's updateHookEvents: no events means push; `pull_request` turns on the whole pull-request family. */
function giteaEvents(events: string[] | undefined): string[] {
  const given = events && events.length > 0 ? events : ['push'];
  const out = new Set(given);
  if (given.includes('pull_request')) for (const e of GITEA_PULL_FAMILY) out.add(e);
  return [...out];
}

function validation(field: string, code: string): unknown {
  return {
    message: 'Validation Failed',
    errors: [{ resource: 'Hook', field, code }],
    documentation_url: 'https://docs.github.com/rest/repos/webhooks',
    status: '422',
  };
}

interface PresentContext {
  provider: Provider;
  origin: string;
  prefix: string;
  target: string;
}

/** A stored hook as the provider shows it. Secrets: GitHub masks a set one; GitLab and Gitea never return it. */
function present(c: PresentContext, h: StoredHook): Record<string, unknown> {
  if (c.provider === 'github') {
    const org = c.target.startsWith('org:');
    const self = `${c.origin}${c.prefix}/${org ? `orgs/${c.target.slice(4)}` : `repos/${c.target.slice(5)}`}/hooks/${h.id}`;
    const config: Record<string, string> = { url: h.url, content_type: h.contentType, insecure_ssl: h.insecureSsl };
    if (h.secret) config.secret = '********';
    const common = {
      id: h.id,
      url: self,
      ping_url: `${self}/pings`,
      deliveries_url: `${self}/deliveries`,
      name: 'web',
      events: h.events,
      active: h.active,
      config,
      updated_at: h.updatedAt,
      created_at: h.createdAt,
    };
    return org
      ? { ...common, type: 'Organization' }
      : { ...common, type: 'Repository', test_url: `${self}/test`, last_response: { code: null, status: 'unused', message: null } };
  }
  if (c.provider === 'gitlab') {
    const group = c.target.startsWith('group:');
    return {
      id: h.id,
      url: h.url,
      name: '',
      description: '',
      created_at: h.createdAt,
      ...Object.fromEntries(GITLAB_FLAGS.map((f) => [f, h.events.includes(f)])),
      repository_update_events: false,
      enable_ssl_verification: h.insecureSsl === '0',
      alert_status: 'executable',
      branch_filter_strategy: 'wildcard',
      ...(group ? { group_id: 42, subgroup_events: false } : { project_id: 7 }),
    };
  }
  return {
    id: h.id,
    type: 'gitea',
    branch_filter: h.branchFilter,
    config: { url: h.url, content_type: h.contentType, http_method: 'post' },
    events: h.events,
    authorization_header: '',
    active: h.active,
    updated_at: h.updatedAt,
    created_at: h.createdAt,
  };
}
