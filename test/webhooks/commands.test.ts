// `webhook add|list|remove` and `ci init` through the CLI's parser and run path, against the
// project's emulator (the deployed service, the webhook secret in Secret Manager) and a local VCS API
// that checks each request against the provider's description. Neither the admin token nor the
// webhook secret may appear in any output or in the debug log.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { emulator, emulatorEnv } from '../support/emulator.js';
import { projectDir } from '../support/fixtures.js';
import { description } from '../support/vcs-descriptions.js';
import { startVcsServer, type RunningVcsServer } from '../support/vcs-server.js';

const ADMIN = 'ghp_webhookAdmin00000000000000000000000000';
const servers: RunningVcsServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.close();
    expect(s.violations).toEqual([]);
  }
});

const GITLAB_CONFIG = `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["gitlab.com/platform/*"]
  vcs: {provider: gitlab, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITLAB_TOKEN}
`;

function lastJson(r: CliResult): Record<string, unknown> {
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

/** Every debug log the runs in `dir` wrote, as one text. */
function debugLogs(dir: string): string {
  const logs = path.join(dir, '.atlantis-run', 'logs');
  return readdirSync(logs)
    .map((f) => readFileSync(path.join(logs, f), 'utf8'))
    .join('\n');
}

async function webhookSecretValue(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const file = path.join(dir, 'webhook-secret.txt');
  expect((await runCli(['secrets', 'show', 'webhook-secret', '--output', file, '--force'], { cwd: dir, env })).code).toBe(0);
  return readFileSync(file, 'utf8').trim();
}

describe('webhook commands', () => {
  it('GitHub: add twice leaves one hook with the deployed secret; list marks it; remove deletes it; no secret anywhere', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const server = await startVcsServer({
      provider: 'github',
      description: description('github'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['repo:acme/infra'],
    });
    servers.push(server);
    const env = emulatorEnv(emu, 'grpc', { GH_ADMIN: ADMIN });
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const secret = await webhookSecretValue(dir, env);
    const flags = ['--repo', 'acme/infra', '--token-env', 'GH_ADMIN', '--api-url', server.apiUrl];

    const first = await runCli(['webhook', 'add', ...flags], { cwd: dir, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Created the Atlantis webhook on repository acme\/infra \(GitHub, hook \d+\)/);
    const hooks = server.hooks('repo:acme/infra');
    expect(hooks).toHaveLength(1);
    expect(hooks[0].url).toMatch(/^https:\/\/.+\/events$/);
    expect(hooks[0].secret).toBe(secret);
    expect(hooks[0].events.sort()).toEqual(['issue_comment', 'pull_request', 'pull_request_review', 'push']);
    expect(first.stdout).toContain(hooks[0].url);

    const second = await runCli(['--json', 'webhook', 'add', ...flags], { cwd: dir, env });
    expect(second.code).toBe(0);
    expect(lastJson(second)).toMatchObject({
      ok: true,
      command: 'webhook add',
      action: 'updated',
      changes: ['secret re-sent'],
      url: hooks[0].url,
    });
    expect(server.hooks('repo:acme/infra')).toHaveLength(1);
    const third = await runCli(['--json', 'webhook', 'add', ...flags, '--if-changed'], { cwd: dir, env });
    expect(lastJson(third).action).toBe('unchanged');

    server.seed('repo:acme/infra', [{ url: 'https://ci.example.com/hook' }]);
    const list = await runCli(['--json', 'webhook', 'list', ...flags], { cwd: dir, env });
    expect(list.code).toBe(0);
    expect((lastJson(list).hooks as { atlantis: boolean; url: string }[]).map((h) => [h.url, h.atlantis])).toEqual([
      [hooks[0].url, true],
      ['https://ci.example.com/hook', false],
    ]);
    const text = await runCli(['webhook', 'list', ...flags], { cwd: dir, env });
    expect(text.stdout).toMatch(/\* \d+\s+https:\/\/.+\/events/);

    const refused = await runCli(['webhook', 'remove', ...flags], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs confirmation/);
    const removed = await runCli(['webhook', 'remove', '-y', ...flags], { cwd: dir, env });
    expect(removed.code).toBe(0);
    expect(server.hooks('repo:acme/infra').map((h) => h.url)).toEqual(['https://ci.example.com/hook']);

    const all = [first, second, third, list, text, refused, removed].map((r) => r.stdout + r.stderr).join('\n') + debugLogs(dir);
    expect(all).not.toContain(ADMIN);
    expect(all).not.toContain(secret);
  });

  it('secrets rotate webhook-secret --update-webhooks changes both sides in one step; a bad target or token changes neither', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const server = await startVcsServer({
      provider: 'github',
      description: description('github'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['repo:acme/infra'],
    });
    servers.push(server);
    const env = emulatorEnv(emu, 'grpc', { GH_ADMIN: ADMIN, GH_NOBODY: 'ghp_unknowntoken0000000000000000000000000' });
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const flags = ['--repo', 'acme/infra', '--token-env', 'GH_ADMIN', '--api-url', server.apiUrl];
    expect((await runCli(['webhook', 'add', ...flags], { cwd: dir, env })).code).toBe(0);
    const before = await webhookSecretValue(dir, env);
    const addVersion = () => emu.requestLog().filter((e) => e.method.endsWith('/AddSecretVersion') && e.status === 'OK').length;
    const versions = addVersion();

    // Refused before anything changes: flags without --update-webhooks, a token the VCS rejects, web-password.
    const refusals: [string[], number, RegExp][] = [
      [['--repo', 'acme/infra'], 2, /--repo: only with --update-webhooks/],
      [
        ['--update-webhooks', '--repo', 'acme/infra', '--token-env', 'GH_NOBODY', '--api-url', server.apiUrl],
        1,
        /GitHub refused the token/,
      ],
      [['--update-webhooks', '--token-env', 'GH_ADMIN', '--api-url', server.apiUrl], 2, /which hook\?/],
    ];
    for (const [extra, code, message] of refusals) {
      const r = await runCli(['secrets', 'rotate', 'webhook-secret', '-y', ...extra], { cwd: dir, env });
      expect(r.code, extra.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
    }
    const password = await runCli(['secrets', 'rotate', 'web-password', '-y', '--update-webhooks', ...flags], { cwd: dir, env });
    expect(password.code).toBe(2);
    expect(password.stderr).toMatch(/only the webhook secret is sent to webhooks/);
    expect(addVersion()).toBe(versions);
    expect(server.hooks('repo:acme/infra')[0].secret).toBe(before);

    const rotated = await runCli(['--json', 'secrets', 'rotate', 'webhook-secret', '-y', '--update-webhooks', ...flags], { cwd: dir, env });
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = await webhookSecretValue(dir, env);
    expect(after).not.toBe(before);
    const hooks = server.hooks('repo:acme/infra');
    expect(hooks).toHaveLength(1);
    expect(hooks[0].secret).toBe(after);
    const result = lastJson(rotated);
    expect(result).toMatchObject({
      ok: true,
      command: 'secrets rotate',
      rollout: 'rolled-out',
      webhook: { provider: 'github', target: 'repository acme/infra', action: 'updated', hookId: hooks[0].id, url: hooks[0].url },
    });
    expect((result.steps as string[]).join('\n')).toMatch(/nothing to change by hand/);
    const all = rotated.stdout + rotated.stderr + debugLogs(dir);
    expect(all).not.toContain(after);
    expect(all).not.toContain(ADMIN);
  });

  it('GitLab group hook; refusals name what is missing and never echo a token', async () => {
    const emu = await emulator();
    const dir = projectDir(GITLAB_CONFIG);
    const server = await startVcsServer({
      provider: 'gitlab',
      description: description('gitlab'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['group:platform'],
      apiPrefix: '/api/v4',
    });
    servers.push(server);
    const env = emulatorEnv(emu, 'grpc', { GITLAB_TOKEN: 'glpat-testtoken00000000000000', GL_ADMIN: ADMIN });
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const secret = await webhookSecretValue(dir, env);
    const add = await runCli(['webhook', 'add', '--group', 'platform', '--token-env', 'GL_ADMIN', '--api-url', server.apiUrl], {
      cwd: dir,
      env,
    });
    expect(add.code).toBe(0);
    expect(server.hooks('group:platform')).toHaveLength(1);
    expect(server.hooks('group:platform')[0]).toMatchObject({ secret, events: ['push_events', 'merge_requests_events', 'note_events'] });

    const noToken = await runCli(['webhook', 'add', '--group', 'platform', '--token-env', 'UNSET_VAR', '--api-url', server.apiUrl], {
      cwd: dir,
      env,
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/--token-env UNSET_VAR: the variable is not set/);
    const typed = await runCli(
      ['webhook', 'list', '--group', 'platform', '--token-env', 'glpat-typedByMistake000000000', '--api-url', server.apiUrl],
      { cwd: dir, env },
    );
    expect(typed.code).toBe(2);
    expect(typed.stderr).toMatch(/takes the NAME of an environment variable, not a token/);
    expect(typed.stderr).not.toContain('glpat-typedByMistake');
    // Registered before the command line reached the debug log.
    expect(debugLogs(dir)).not.toContain('glpat-typedByMistake');
    const org = await runCli(['webhook', 'list', '--org', 'platform', '--token-env', 'GL_ADMIN'], { cwd: dir, env });
    expect(org.code).toBe(2);
    expect(org.stderr).toMatch(/GitLab has groups, not organisations/);
    const denied = await runCli(['webhook', 'list', '--group', 'platform', '--token-env', 'GITLAB_TOKEN', '--api-url', server.apiUrl], {
      cwd: dir,
      env,
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/GitLab refused the token/);
    for (const r of [add, noToken, typed, org, denied]) {
      expect(r.stdout + r.stderr).not.toContain(ADMIN);
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
  });

  it('a GitHub organisation, a GitLab project and a Gitea repository; the hook URL from --url or the mapped domain', async () => {
    const emu = await emulator();
    const github = await startVcsServer({
      provider: 'github',
      description: description('github'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['org:acme'],
    });
    servers.push(github);
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc', { GH_ADMIN: ADMIN });
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const secret = await webhookSecretValue(dir, env);
    const org = await runCli(
      [
        'webhook',
        'add',
        '--org',
        'acme',
        '--token-env',
        'GH_ADMIN',
        '--api-url',
        github.apiUrl,
        '--url',
        'https://atlantis.acme.dev/events',
      ],
      { cwd: dir, env },
    );
    expect(org.code, org.stderr).toBe(0);
    expect(github.hooks('org:acme')).toMatchObject([{ url: 'https://atlantis.acme.dev/events', secret }]);
    const plainHttp = await runCli(
      ['webhook', 'add', '--org', 'acme', '--token-env', 'GH_ADMIN', '--url', 'http://atlantis.acme.dev/events'],
      {
        cwd: dir,
        env,
      },
    );
    expect(plainHttp.code).toBe(2);
    expect(plainHttp.stderr).toContain('--url: the VCS must reach Atlantis over https://');

    // A mapped domain is the hook's host, once the configuration names it.
    const gitlab = await startVcsServer({
      provider: 'gitlab',
      description: description('gitlab'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['project:platform/live'],
      apiPrefix: '/api/v4',
    });
    servers.push(gitlab);
    const glDir = projectDir(GITLAB_CONFIG);
    const glEnv = emulatorEnv(emu, 'grpc', { GITLAB_TOKEN: 'glpat-testtoken00000000000000', GL_ADMIN: ADMIN });
    expect((await runCli(['deploy', '-y'], { cwd: glDir, env: glEnv })).code).toBe(0);
    writeFileSync(path.join(glDir, 'atlantis-run.yaml'), `${GITLAB_CONFIG}domain: atlantis.platform.dev\n`);
    const project = await runCli(['webhook', 'add', '--repo', 'platform/live', '--token-env', 'GL_ADMIN', '--api-url', gitlab.apiUrl], {
      cwd: glDir,
      env: glEnv,
    });
    expect(project.code, project.stderr).toBe(0);
    expect(gitlab.hooks('project:platform/live')).toMatchObject([{ url: 'https://atlantis.platform.dev/events' }]);

    const gitea = await startVcsServer({
      provider: 'gitea',
      description: description('gitea'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['repo:acme/infra'],
      apiPrefix: '/api/v1',
    });
    servers.push(gitea);
    const giteaConfig = GITLAB_CONFIG.replace('gitlab.com/platform/*', 'gitea.acme.dev/acme/*')
      .replace('{provider: gitlab, user: atlantis-bot}', '{provider: gitea, user: atlantis-bot, baseUrl: "https://gitea.acme.dev"}')
      .replace('GITLAB_TOKEN', 'GITEA_TOKEN');
    const giteaDir = projectDir(giteaConfig.replace('region: europe-west1', 'region: europe-west1\nservice: atlantis-gitea'));
    const giteaEnv = emulatorEnv(emu, 'grpc', { GITEA_TOKEN: 'gitea-token-0000000000000000000000000000', GT_ADMIN: ADMIN });
    const deployed = await runCli(['deploy', '-y'], { cwd: giteaDir, env: giteaEnv });
    expect(deployed.code, deployed.stderr).toBe(0);
    const repo = await runCli(['webhook', 'add', '--repo', 'acme/infra', '--token-env', 'GT_ADMIN', '--api-url', gitea.apiUrl], {
      cwd: giteaDir,
      env: giteaEnv,
    });
    expect(repo.code, repo.stderr).toBe(0);
    expect(gitea.hooks('repo:acme/infra')).toHaveLength(1);
    expect(gitea.hooks('repo:acme/infra')[0].url).toMatch(/^https:\/\/atlantis-gitea-.+\/events$/);
    for (const r of [org, plainHttp, project, repo]) expect(r.stdout + r.stderr).not.toContain(ADMIN);
  });

  it('Bitbucket keeps the printed instructions', async () => {
    const dir = projectDir(`project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["bitbucket.org/acme/*"]
  vcs: {provider: bitbucket, user: atlantis-bot}
`);
    const r = await runCli(['webhook', 'add', '--repo', 'acme/infra', '--token-env', 'X'], { cwd: dir, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/for Bitbucket add it by hand/);
    expect(r.stderr).toMatch(/repository settings → Webhooks/);
  });
});

describe('ci init command', () => {
  it('writes the GitHub workflows once; again only with --force', async () => {
    const dir = projectDir();
    const first = await runCli(['--json', 'ci', 'init', 'github'], { cwd: dir });
    expect(first.code).toBe(0);
    const result = lastJson(first);
    expect((result.files as { path: string; action: string }[]).map((f) => `${f.action} ${f.path}`)).toEqual([
      'created .github/workflows/atlantis-run-deploy.yml',
      'created .github/workflows/atlantis-run-drift.yml',
    ]);
    expect((result.nextSteps as string[]).join('\n')).toMatch(/ATLANTIS_RUN_WORKLOAD_IDENTITY_PROVIDER/);
    expect(readFileSync(path.join(dir, '.github/workflows/atlantis-run-deploy.yml'), 'utf8')).toContain("--config 'atlantis-run.yaml'");
    const again = await runCli(['ci', 'init', 'github'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exist: nothing was written/);
    const forced = await runCli(['ci', 'init', 'github', '--force', '--drift-schedule', '0 5 * * 1-5'], {
      cwd: dir,
    });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/Replaced \.github\/workflows\/atlantis-run-drift\.yml/);
    expect(readFileSync(path.join(dir, '.github/workflows/atlantis-run-drift.yml'), 'utf8')).toContain("cron: '0 5 * * 1-5'");
  });

  it('gitlab needs the provider and account, then writes the pipeline and the credential file', async () => {
    const dir = projectDir(GITLAB_CONFIG);
    const missing = await runCli(['ci', 'init', 'gitlab'], { cwd: dir });
    expect(missing.code).toBe(2);
    const ok = await runCli(
      [
        'ci',
        'init',
        'gitlab',
        '--workload-identity-provider',
        'projects/123456789012/locations/global/workloadIdentityPools/gitlab/providers/atlantis-run',
        '--service-account',
        'atlantis-deployer@my-project.iam.gserviceaccount.com',
      ],
      { cwd: dir },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Wrote \.gitlab-ci\.yml/);
    expect(JSON.parse(readFileSync(path.join(dir, '.gitlab/atlantis-run-credentials.json'), 'utf8')).type).toBe('external_account');
    expect(ok.stdout).toMatch(/pipeline schedule/);
  });
});
