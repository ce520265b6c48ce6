// The webhook modules against local GitHub, GitLab and Gitea APIs that check every request against
// the provider's API description and keep hooks in memory: idempotent add, updates, remove,
// organisation/group hooks, pagination, authentication failures, and no secret in any message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAtlantisRunError } from '../../src/errors.js';
import { clearRegisteredSecrets, registerSecret } from '../../src/util/redact.js';
import { openHooksApi, reconcileHook, removeHooks, webhookSettings, type HookTarget, type HooksApi } from '../../src/webhooks/index.js';
import { description } from '../support/vcs-descriptions.js';
import { startVcsServer, type Provider, type RunningVcsServer } from '../support/vcs-server.js';

const ADMIN = 'ghp_adminToken000000000000000000000000000';
const WEAK = 'ghp_weakToken0000000000000000000000000000';
const SECRET_1 = 'first-webhook-secret-0123456789abcdef';
const SECRET_2 = 'second-webhook-secret-fedcba9876543210';
const URL_EVENTS = 'https://atlantis-abc-ew.a.run.app/events';

interface Case {
  provider: Provider;
  prefix: string;
  repo: HookTarget;
  repoKey: string;
  org: HookTarget;
  orgKey: string;
  events: string[];
  update: 'PATCH' | 'PUT';
}

const CASES: Case[] = [
  {
    provider: 'github',
    prefix: '',
    repo: { kind: 'repository', owner: 'acme', name: 'infra' },
    repoKey: 'repo:acme/infra',
    org: { kind: 'organization', org: 'acme' },
    orgKey: 'org:acme',
    events: ['issue_comment', 'pull_request', 'pull_request_review', 'push'],
    update: 'PATCH',
  },
  {
    provider: 'gitlab',
    prefix: '/api/v4',
    repo: { kind: 'project', path: 'acme/platform/infra' },
    repoKey: 'project:acme/platform/infra',
    org: { kind: 'group', path: 'acme/platform' },
    orgKey: 'group:acme/platform',
    events: ['merge_requests_events', 'note_events', 'push_events'],
    update: 'PUT',
  },
  {
    provider: 'gitea',
    prefix: '/api/v1',
    repo: { kind: 'repository', owner: 'acme', name: 'infra' },
    repoKey: 'repo:acme/infra',
    org: { kind: 'organization', org: 'acme' },
    orgKey: 'org:acme',
    events: ['issue_comment', 'pull_request', 'pull_request_comment', 'pull_request_review', 'pull_request_sync', 'push'],
    update: 'PATCH',
  },
];

async function catchError(p: Promise<unknown>): Promise<{ message: string; hint: string }> {
  try {
    await p;
  } catch (err) {
    expect(isAtlantisRunError(err)).toBe(true);
    const e = err as Error & { hint?: string };
    return { message: e.message, hint: e.hint ?? '' };
  }
  throw new Error('expected a failure');
}

describe.each(CASES)('$provider webhooks', (c) => {
  let server: RunningVcsServer;
  let api: HooksApi;
  const open = (token: string) => openHooksApi({ provider: c.provider, label: c.provider, apiUrl: server.apiUrl }, token);

  beforeEach(async () => {
    registerSecret(ADMIN);
    registerSecret(WEAK);
    registerSecret(SECRET_1);
    registerSecret(SECRET_2);
    server = await startVcsServer({
      provider: c.provider,
      description: description(c.provider),
      tokens: { [ADMIN]: 'admin', [WEAK]: 'no-admin' },
      targets: [c.repoKey, c.orgKey],
      apiPrefix: c.prefix,
    });
    api = open(ADMIN);
  });

  afterEach(async () => {
    const violations = [...server.violations];
    await server.close();
    clearRegisteredSecrets();
    expect(violations).toEqual([]);
  });

  const desired = (secret = SECRET_1) => ({ url: URL_EVENTS, events: [...api.atlantisEvents], secret });

  it('creates the hook once: a second add updates it (secret re-sent), never duplicates', async () => {
    expect([...api.atlantisEvents].sort()).toEqual(c.events);
    const first = await reconcileHook(api, c.repo, desired());
    expect(first.action).toBe('created');
    expect(server.hooks(c.repoKey)).toHaveLength(1);
    const stored = server.hooks(c.repoKey)[0];
    expect(stored.url).toBe(URL_EVENTS);
    expect(stored.secret).toBe(SECRET_1);
    expect(stored.active).toBe(true);
    for (const e of c.events) expect(stored.events).toContain(e);

    const second = await reconcileHook(api, c.repo, desired());
    expect(second).toMatchObject({ action: 'updated', changes: ['secret re-sent'], duplicates: [] });
    expect(server.hooks(c.repoKey)).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === c.update)).toHaveLength(1);

    const third = await reconcileHook(api, c.repo, desired(), { secret: 'if-changed' });
    expect(third.action).toBe('unchanged');
    expect(server.requests.filter((r) => r.method === c.update)).toHaveLength(1);
  });

  it('a new secret is set on the existing hook', async () => {
    await reconcileHook(api, c.repo, desired(SECRET_1));
    const id = server.hooks(c.repoKey)[0].id;
    const result = await reconcileHook(api, c.repo, desired(SECRET_2));
    expect(result.action).toBe('updated');
    expect(server.hooks(c.repoKey)).toHaveLength(1);
    expect(server.hooks(c.repoKey)[0]).toMatchObject({ id, secret: SECRET_2 });
  });

  it('events changed by hand are put back, and reported', async () => {
    await reconcileHook(api, c.repo, desired());
    const hook = server.hooks(c.repoKey)[0];
    hook.events = c.provider === 'gitlab' ? ['push_events', 'tag_push_events'] : ['push'];
    if (c.provider !== 'gitlab') hook.active = false;
    const result = await reconcileHook(api, c.repo, desired(), { secret: 'if-changed' });
    expect(result.action).toBe('updated');
    expect(result.changes).toContain('events');
    if (c.provider !== 'gitlab') expect(result.changes).toContain('inactive');
    for (const e of c.events) expect(server.hooks(c.repoKey)[0].events).toContain(e);
    expect(server.hooks(c.repoKey)[0].events).not.toContain('tag_push_events');
    expect(server.hooks(c.repoKey)[0].active).toBe(true);
  });

  it('remove deletes exactly the Atlantis hook; other hooks stay', async () => {
    server.seed(c.repoKey, [{ url: 'https://ci.example.com/hook' }]);
    await reconcileHook(api, c.repo, desired());
    expect(server.hooks(c.repoKey)).toHaveLength(2);
    const removed = await removeHooks(api, c.repo, URL_EVENTS);
    expect(removed).toHaveLength(1);
    expect(server.hooks(c.repoKey).map((h) => h.url)).toEqual(['https://ci.example.com/hook']);
    expect(await removeHooks(api, c.repo, URL_EVENTS)).toEqual([]);
  });

  it(`${c.provider === 'gitlab' ? 'group' : 'organisation'} hooks: add twice, then remove`, async () => {
    expect((await reconcileHook(api, c.org, desired())).action).toBe('created');
    expect((await reconcileHook(api, c.org, desired())).action).toBe('updated');
    expect(server.hooks(c.orgKey)).toHaveLength(1);
    expect(server.hooks(c.repoKey)).toHaveLength(0);
    expect(await removeHooks(api, c.org, URL_EVENTS)).toHaveLength(1);
    expect(server.hooks(c.orgKey)).toHaveLength(0);
  });

  it('finds the hook past the first page (no duplicate), and reports existing duplicates', async () => {
    server.seed(
      c.repoKey,
      Array.from({ length: 120 }, (_, i) => ({ url: `https://other.example.com/${i}` })),
    );
    await reconcileHook(api, c.repo, desired());
    const again = await reconcileHook(api, c.repo, desired());
    expect(again.action).toBe('updated');
    expect(server.hooks(c.repoKey).filter((h) => h.url === URL_EVENTS)).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(2);

    if (c.provider !== 'github') {
      // GitHub refuses a second hook with one URL; the others accept it, so one may exist already.
      server.seed(c.repoKey, [{ url: URL_EVENTS }]);
      const withDuplicate = await reconcileHook(api, c.repo, desired());
      expect(withDuplicate.duplicates).toHaveLength(1);
      expect(await removeHooks(api, c.repo, URL_EVENTS)).toHaveLength(2);
    }
  });

  it('an unknown token, a token without admin rights, an unknown repository: actionable errors without secrets', async () => {
    const bad = await catchError(open('not-a-known-token-0123456789').list(c.repo));
    expect(bad.message).toMatch(/refused the token/);
    expect(bad.hint).toMatch(/invalid|expired/);

    const weak = await catchError(reconcileHook(open(WEAK), c.repo, desired()));
    expect(weak.message).toMatch(/denied access/);
    expect(weak.hint).toMatch({ github: /admin:repo_hook/, gitlab: /api scope.*Maintainer/, gitea: /write:repository/ }[c.provider]);

    const weakOrg = await catchError(reconcileHook(open(WEAK), c.org, desired()));
    expect(weakOrg.hint).toMatch({ github: /admin:org_hook/, gitlab: /Owner role on the group/, gitea: /write:organization/ }[c.provider]);

    const missing: HookTarget =
      c.provider === 'gitlab' ? { kind: 'project', path: 'acme/nope' } : { kind: 'repository', owner: 'acme', name: 'nope' };
    const notFound = await catchError(reconcileHook(api, missing, desired()));
    expect(notFound.message).toMatch(/not found/);
    expect(notFound.message).toContain('nope');

    for (const e of [bad, weak, weakOrg, notFound]) {
      for (const secret of [ADMIN, WEAK, SECRET_1, SECRET_2]) {
        expect(e.message).not.toContain(secret);
        expect(e.hint).not.toContain(secret);
      }
    }
  });

  it('an unreachable host is named', async () => {
    const url = server.apiUrl;
    await server.close();
    server = await startVcsServer({
      provider: c.provider,
      description: description(c.provider),
      tokens: {},
      targets: [],
      apiPrefix: c.prefix,
    });
    const dead = openHooksApi({ provider: c.provider, label: c.provider, apiUrl: url }, ADMIN);
    const e = await catchError(dead.list(c.repo));
    expect(e.message).toMatch(new RegExp(`could not reach ${c.provider} at 127\\.0\\.0\\.1:\\d+ .*connection refused`));
    expect(e.message).not.toContain(ADMIN);
  });
});

describe('the local servers check requests against the description', () => {
  it('refuses what GitHub would not accept: an undeclared field, a wrong type, a missing body', async () => {
    const server = await startVcsServer({
      provider: 'github',
      description: description('github'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['repo:acme/infra'],
    });
    const post = (body: unknown) =>
      fetch(`${server.apiUrl}/repos/acme/infra/hooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ name: 'web', config: { url: URL_EVENTS }, event: ['push'] })).status).toBe(400);
    expect((await post({ name: 'web', config: { url: URL_EVENTS }, events: 'push' })).status).toBe(400);
    expect((await post({ name: 'web', config: { url: URL_EVENTS, content_type: 'json' }, events: ['push'] })).status).toBe(201);
    const patch = await fetch(`${server.apiUrl}/repos/acme/infra/hooks/1000`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(patch.status).toBe(400);
    const wrongPath = await fetch(`${server.apiUrl}/repos/acme/infra/webhooks`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(wrongPath.status).toBe(404);
    expect(server.violations.join('\n')).toMatch(/body\.event is not in the description/);
    expect(server.violations.join('\n')).toMatch(/events: must be array/);
    expect(server.violations.join('\n')).toMatch(/requires a JSON body/);
    expect(server.violations.join('\n')).toMatch(/no such operation/);
    await server.close();
  });

  it('refuses a GitLab hook without url, and a Gitea hook type outside the enum', async () => {
    const gitlab = await startVcsServer({
      provider: 'gitlab',
      description: description('gitlab'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['project:a/b'],
      apiPrefix: '/api/v4',
    });
    const r1 = await fetch(`${gitlab.apiUrl}/projects/a%2Fb/hooks`, {
      method: 'POST',
      headers: { 'private-token': ADMIN, 'content-type': 'application/json' },
      body: '{"push_events":true}',
    });
    expect(r1.status).toBe(400);
    expect(gitlab.violations.join('\n')).toMatch(/must have required property 'url'/);
    await gitlab.close();
    const gitea = await startVcsServer({
      provider: 'gitea',
      description: description('gitea'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['repo:a/b'],
      apiPrefix: '/api/v1',
    });
    const r2 = await fetch(`${gitea.apiUrl}/repos/a/b/hooks`, {
      method: 'POST',
      headers: { authorization: `token ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'jenkins', config: { url: URL_EVENTS, content_type: 'json' } }),
    });
    expect(r2.status).toBe(400);
    expect(gitea.violations.join('\n')).toMatch(/must be equal to one of the allowed values/);
    await gitea.close();
  });
});

describe('GitHub Enterprise Server', () => {
  it('serves the API under https://HOST/api/v3 and is checked against the GHES description', async () => {
    expect(webhookSettings({ provider: 'github', user: 'atlantis', hostname: 'git.acme.com' })).toEqual({
      provider: 'github',
      label: 'GitHub Enterprise (git.acme.com)',
      apiUrl: 'https://git.acme.com/api/v3',
    });
    expect(webhookSettings({ provider: 'gitlab', user: 'atlantis', hostname: 'gitlab.acme.com' }).apiUrl).toBe(
      'https://gitlab.acme.com/api/v4',
    );
    expect(webhookSettings({ provider: 'gitea', user: 'atlantis', baseUrl: 'https://gitea.acme.com' }).apiUrl).toBe(
      'https://gitea.acme.com/api/v1',
    );
    const server = await startVcsServer({
      provider: 'github',
      description: description('ghes'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['repo:acme/infra'],
      apiPrefix: '/api/v3',
    });
    const api = openHooksApi({ provider: 'github', label: 'GitHub Enterprise', apiUrl: server.apiUrl }, ADMIN);
    const target: HookTarget = { kind: 'repository', owner: 'acme', name: 'infra' };
    expect((await reconcileHook(api, target, { url: URL_EVENTS, events: [...api.atlantisEvents], secret: SECRET_1 })).action).toBe(
      'created',
    );
    expect((await reconcileHook(api, target, { url: URL_EVENTS, events: [...api.atlantisEvents], secret: SECRET_1 })).action).toBe(
      'updated',
    );
    expect(server.hooks('repo:acme/infra')).toHaveLength(1);
    expect(server.requests[0].path).toMatch(/^\/api\/v3\/repos\/acme\/infra\/hooks/);
    expect(server.violations).toEqual([]);
    await server.close();
  });
});

describe('redirects', () => {
  it('are not followed (the token stays where it was sent) and say the name moved', async () => {
    const { createServer } = await import('node:http');
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(301, { location: 'https://elsewhere.example/repos/acme/renamed/hooks' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const api = openHooksApi({ provider: 'github', label: 'GitHub', apiUrl: `http://127.0.0.1:${port}` }, ADMIN);
    const e = await catchError(api.list({ kind: 'repository', owner: 'acme', name: 'infra' }));
    expect(e.message).toMatch(/answered HTTP 301 \(moved\)/);
    expect(e.hint).toMatch(/renamed or transferred/);
    expect(seen).toHaveLength(1);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
