import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { runCli } from './support/cli.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';

const base = () => parse(MINIMAL_CONFIG) as Record<string, any>;

async function load(doc: unknown, flags = {}, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(typeof doc === 'string' ? doc : stringify(doc), '/tmp/x/atlantis-run.yaml', flags, env);
}

async function problem(doc: unknown, flags = {}, env: NodeJS.ProcessEnv = {}): Promise<ConfigError> {
  try {
    await load(doc, flags, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('accepts the minimal file and fills defaults', async () => {
    const config = await load(base());
    expect(config.service).toBe('atlantis');
    expect(config.atlantis.version).toBe('v0.47.1');
    expect(config.resources).toEqual({ cpu: 1, memory: '2Gi' });
    expect(config.persistence).toEqual({ plans: 'memory', planRetentionDays: 30, locks: 'local', dataDir: 'memory' });
    expect(config.image).toEqual({ strategy: 'upstream' });
    expect(config.access.uiAuth).toBe(true);
    expect(config.names.serviceAccountEmail).toBe('atlantis-runtime@my-project.iam.gserviceaccount.com');
    expect(config.names.secretId('vcs-token')).toBe('atlantis-vcs-token');
    expect(config.names.repositoryId).toBe('atlantis-ghcr');
  });

  it('takes project and region from flag over environment over file', async () => {
    const doc = base();
    expect((await load(doc)).project).toBe('my-project');
    expect((await load(doc, {}, { CLOUDSDK_CORE_PROJECT: 'from-gcloud-env' })).project).toBe('from-gcloud-env');
    expect((await load(doc, {}, { CLOUDSDK_CORE_PROJECT: 'from-gcloud-env', ATLANTIS_RUN_PROJECT: 'from-tool-env' })).project).toBe(
      'from-tool-env',
    );
    expect((await load(doc, { project: 'from-flag' }, { ATLANTIS_RUN_PROJECT: 'from-tool-env' })).project).toBe('from-flag');
    expect((await load(doc, {}, { CLOUDSDK_RUN_REGION: 'us-central1' })).region).toBe('us-central1');
    expect((await load(doc, { region: 'asia-east1' }, { CLOUDSDK_RUN_REGION: 'us-central1' })).region).toBe('asia-east1');
  });

  const bad: [string, (d: Record<string, any>) => void, string, RegExp][] = [
    [
      'unknown provider',
      (d) => (d.atlantis.vcs.provider = 'githab'),
      'atlantis.vcs.provider',
      /expected one of github, github-app, gitlab, bitbucket, azuredevops, gitea/,
    ],
    ['missing project', (d) => delete d.project, 'project', /is required/],
    ['bad project id', (d) => (d.project = 'My_Project'), 'project', /not a valid project id/],
    ['short project id', (d) => (d.project = 'abc'), 'project', /not a valid project id/],
    ['missing region', (d) => delete d.region, 'region', /is required/],
    ['unknown region', (d) => (d.region = 'europe-wst1'), 'region', /not a Cloud Run region/],
    ['bad service name', (d) => (d.service = 'Atlantis_Prod'), 'service', /not a valid Cloud Run service name/],
    ['service name ending in hyphen', (d) => (d.service = 'atlantis-'), 'service', /not a valid Cloud Run service name/],
    [
      'service name too long for SA id',
      (d) => (d.service = 'atlantis-for-the-platform-team'),
      'serviceAccount.id',
      /not a valid service account id/,
    ],
    ['bad explicit SA id', (d) => (d.serviceAccount = { id: 'sa' }), 'serviceAccount.id', /6–30/],
    ['cpu below 1', (d) => (d.resources = { cpu: 0.5, memory: '1Gi' }), 'resources.cpu', /at least 1/],
    ['cpu not a Cloud Run size', (d) => (d.resources = { cpu: 3, memory: '4Gi' }), 'resources.cpu', /one of 1, 2, 4, 6, 8/],
    [
      'memory above the CPU range',
      (d) => (d.resources = { cpu: 1, memory: '8Gi' }),
      'resources.memory',
      /outside what Cloud Run allows with 1 vCPU/,
    ],
    [
      'memory below the CPU range',
      (d) => (d.resources = { cpu: 4, memory: '1Gi' }),
      'resources.memory',
      /outside what Cloud Run allows with 4 vCPU/,
    ],
    ['memory not a quantity', (d) => (d.resources = { cpu: 1, memory: 'lots' }), 'resources.memory', /memory size such as 512Mi/],
    [
      'volume as large as memory',
      (d) => (d.persistence = { mode: 'memory', sizeLimit: '2Gi' }),
      'persistence.sizeLimit',
      /not below resources.memory/,
    ],
    ['unknown persistence mode', (d) => (d.persistence = { mode: 'floppy' }), 'persistence.mode', /expected one of memory/],
    ['missing allowlist', (d) => delete d.atlantis.repoAllowlist, 'atlantis.repoAllowlist', /is required/],
    ['empty allowlist', (d) => (d.atlantis.repoAllowlist = []), 'atlantis.repoAllowlist', /at least one/],
    [
      'allowlist with a scheme',
      (d) => (d.atlantis.repoAllowlist = ['https://github.com/acme/*']),
      'atlantis.repoAllowlist[0]',
      /must not contain a scheme/,
    ],
    ['github without user', (d) => delete d.atlantis.vcs.user, 'atlantis.vcs.user', /is required/],
    [
      'github-app without appId',
      (d) => (d.atlantis.vcs = { provider: 'github-app' }),
      'atlantis.vcs.appId',
      /expected a number|is required/,
    ],
    ['gitea without baseUrl', (d) => (d.atlantis.vcs = { provider: 'gitea', user: 'bot' }), 'atlantis.vcs.baseUrl', /is required/],
    [
      'gitea with a bad URL',
      (d) => (d.atlantis.vcs = { provider: 'gitea', user: 'bot', baseUrl: 'gitea.local' }),
      'atlantis.vcs.baseUrl',
      /expected a URL/,
    ],
    [
      'azuredevops without webhookUser',
      (d) => (d.atlantis.vcs = { provider: 'azuredevops', user: 'bot' }),
      'atlantis.vcs.webhookUser',
      /is required/,
    ],
    [
      'gitlab with a URL as hostname',
      (d) => (d.atlantis.vcs = { provider: 'gitlab', user: 'bot', hostname: 'https://gitlab.example.com' }),
      'atlantis.vcs.hostname',
      /host name/,
    ],
    [
      'misspelt key',
      (d) => ((d.atlantis.vcs.usr = 'x'), delete d.atlantis.vcs.user),
      'atlantis.vcs.user',
      /is required \(and 1 more problem\)/,
    ],
    ['unknown top-level key', (d) => (d.regoin = 'x'), 'regoin', /unknown setting/],
    [
      'env var that is managed',
      (d) => (d.atlantis.env = { ATLANTIS_DATA_DIR: '/tmp' }),
      'atlantis.env.ATLANTIS_DATA_DIR',
      /set by atlantis-run itself/,
    ],
    [
      'env var that looks secret',
      (d) => (d.atlantis.env = { ATLANTIS_API_SECRET: 'hunter2' }),
      'atlantis.env.ATLANTIS_API_SECRET',
      /looks like a secret/,
    ],
    ['env var lower-case', (d) => (d.atlantis.env = { atlantis_log_level: 'debug' }), 'atlantis.env.atlantis_log_level', /upper-case/],
    ['unknown secret name', (d) => (d.secrets = { 'vcs-tokn': { fromEnv: 'X' } }), 'secrets.vcs-tokn', /unknown secret name/],
    [
      'secret not used by provider',
      (d) => (d.secrets = { 'github-app-key': { fromFile: 'k.pem' } }),
      'secrets.github-app-key',
      /not used by this configuration/,
    ],
    [
      'secret source with both forms',
      (d) => (d.secrets = { 'vcs-token': { fromEnv: 'X', fromFile: 'y' } }),
      'secrets.vcs-token',
      /fromEnv/,
    ],
    ['bad role', (d) => (d.serviceAccount = { roles: ['storage.admin'] }), 'serviceAccount.roles[0]', /roles\/storage.admin/],
    ['bad domain', (d) => (d.domain = 'https://atlantis.example.com'), 'domain', /host name/],
    ['bad image reference', (d) => (d.image = { strategy: 'reference', reference: 'not an image' }), 'image.reference', /image reference/],
    ['bad version tag', (d) => (d.atlantis.version = 'v0.47.1 latest'), 'atlantis.version', /image tag/],
  ];

  for (const [name, mutate, path, message] of bad) {
    it(`rejects ${name}, naming ${path}`, async () => {
      const doc = base();
      mutate(doc);
      const err = await problem(doc);
      expect(err.path).toBe(path);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
      expect(err.exitCode).toBe(2);
    });
  }

  it('suggests the key meant by a typo', async () => {
    const doc = base();
    doc.atlantis.repoAlowlist = doc.atlantis.repoAllowlist;
    delete doc.atlantis.repoAllowlist;
    const err = await problem(doc);
    const issues = (err as ConfigError & { issues: { path: string; hint?: string }[] }).issues;
    expect(issues.find((i) => i.path === 'atlantis.repoAlowlist')?.hint).toBe('did you mean repoAllowlist?');
  });

  it('reports YAML syntax errors with a line number', async () => {
    const err = await problem('project: my-project\natlantis:\n  vcs: {provider: github\n');
    expect(err.message).toMatch(/atlantis-run\.yaml:\d+:\d+: invalid YAML/);
  });

  it('rejects duplicate keys', async () => {
    const err = await problem(`${MINIMAL_CONFIG}project: other-project\n`);
    expect(err.message).toMatch(/invalid YAML/);
  });

  it('validates each provider with its own fields', async () => {
    const providers = [
      { provider: 'github', user: 'bot', hostname: 'github.example.com', org: 'acme' },
      { provider: 'github-app', appId: 12345, slug: 'atlantis-app', installationId: 42 },
      { provider: 'gitlab', user: 'bot', hostname: 'gitlab.example.com' },
      { provider: 'bitbucket', user: 'bot' },
      { provider: 'bitbucket', user: 'bot', baseUrl: 'https://bitbucket.example.com/' },
      { provider: 'azuredevops', user: 'bot', webhookUser: 'hook' },
      { provider: 'gitea', user: 'bot', baseUrl: 'https://gitea.example.com' },
    ];
    for (const vcs of providers) {
      const doc = base();
      doc.atlantis.vcs = vcs;
      // Any host: this test is about each provider's fields (the allowlist's host has its own test).
      doc.atlantis.repoAllowlist = ['*'];
      doc.secrets = vcs.provider === 'github-app' ? { 'github-app-key': { fromFile: './key.pem' } } : { 'vcs-token': { fromEnv: 'TOKEN' } };
      const config = await load(doc);
      expect(config.atlantis.vcs.provider).toBe(vcs.provider);
    }
  });

  it('exits 2 through the CLI with a one-line message naming the field, and changes nothing', async () => {
    const dir = projectDir(MINIMAL_CONFIG.replace('provider: github', 'provider: githab'));
    const result = await runCli(['render'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [firstLine, hint] = result.stderr.split('\n');
    expect(firstLine).toBe(
      'Error: atlantis.vcs.provider: "githab": expected one of github, github-app, gitlab, bitbucket, azuredevops, gitea',
    );
    // A near miss gets the suggestion the --vcs flag gets.
    expect(hint).toBe('  hint: did you mean github?');
    expect(result.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/); // no stack trace without --verbose
  });

  it('names the missing configuration file and how to create one', async () => {
    const dir = projectDir();
    const result = await runCli(['render', '--config', 'nope.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/configuration file not found: .*nope\.yaml/);
    expect(result.stderr).toContain('atlantis-run init');
  });
});

describe('repo allowlist and the VCS host', () => {
  const withVcs = (vcs: Record<string, unknown>, allowlist: string[]) => {
    const doc = base();
    doc.atlantis.vcs = vcs;
    doc.atlantis.repoAllowlist = allowlist;
    return doc;
  };

  it('an entry without a host, or naming another host, can never match: an error naming the host to start with', async () => {
    const noHost = await problem(withVcs({ provider: 'github', user: 'bot' }, ['acme/*']));
    expect(noHost.path).toBe('atlantis.repoAllowlist[0]');
    expect(noHost.message).toContain('"acme/*" never matches');
    expect(noHost.message).toContain('start with github.com/');
    expect(noHost.hint).toBe('write it as github.com/acme/*');

    const selfManaged = await problem(withVcs({ provider: 'gitlab', user: 'bot', hostname: 'gitlab.acme.com' }, ['gitlab.com/acme/*']));
    expect(selfManaged.message).toContain('start with gitlab.acme.com/');
    expect(selfManaged.hint).toBe('write it as gitlab.acme.com/acme/*');

    const enterprise = await problem(withVcs({ provider: 'github', user: 'bot', hostname: 'github.acme.com' }, ['github.com/acme/*']));
    expect(enterprise.hint).toBe('write it as github.acme.com/acme/*');
    const bitbucketServer = await problem(
      withVcs({ provider: 'bitbucket', user: 'bot', baseUrl: 'https://bitbucket.acme.com:7990' }, ['bitbucket.org/acme/*']),
    );
    expect(bitbucketServer.hint).toBe('write it as bitbucket.acme.com:7990/acme/*');
  });

  it('entries that can match pass: the host, wildcards in the host part, exclusions, Azure DevOps organisation hosts', async () => {
    const ok = [
      [{ provider: 'github', user: 'bot' }, ['github.com/acme/*', '*', '*/acme/*', '!github.com/acme/secret', 'github.com/*']],
      [{ provider: 'gitlab', user: 'bot', hostname: 'gitlab.acme.com' }, ['gitlab.acme.com/platform/*']],
      [{ provider: 'bitbucket', user: 'bot' }, ['bitbucket.org/acme/*']],
      [
        { provider: 'bitbucket', user: 'bot', baseUrl: 'https://bitbucket.acme.com:7990' },
        ['bitbucket.acme.com:7990/acme/*', 'bitbucket.acme.com/x/*'],
      ],
      [{ provider: 'azuredevops', user: 'bot', webhookUser: 'hook' }, ['dev.azure.com/acme/infra/*', 'acme.visualstudio.com/infra/*']],
      [{ provider: 'gitea', user: 'bot', baseUrl: 'https://gitea.acme.com' }, ['gitea.acme.com/acme/*']],
    ] as const;
    for (const [vcs, allowlist] of ok) {
      const doc = withVcs({ ...vcs }, [...allowlist]);
      doc.secrets = { 'vcs-token': { fromEnv: 'TOKEN' } };
      await expect(load(doc), JSON.stringify(vcs)).resolves.toBeDefined();
    }
  });

  it('init refuses such an entry too, before writing anything', async () => {
    const dir = projectDir();
    const r = await runCli(
      [
        'init',
        '--config',
        'new.yaml',
        '--non-interactive',
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'gitlab',
        '--vcs-user',
        'bot',
        '--vcs-hostname',
        'gitlab.acme.com',
        '--repo-allowlist',
        'gitlab.com/acme/*',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"gitlab.com/acme/*" never matches');
    expect(r.stderr).toContain('write it as gitlab.acme.com/acme/*');
  });
});

describe('the starter repos.yaml', () => {
  for (const file of ['../templates/repos.yaml', '../examples/quickstart/repos.yaml']) {
    it(`${file.replace('../', '')}: requires approval before apply, and repositories cannot override that`, () => {
      const repos = parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as {
        repos: { id: string; apply_requirements?: string[]; allowed_overrides?: string[]; allow_custom_workflows?: boolean }[];
      };
      for (const repo of repos.repos) {
        expect(repo.apply_requirements).toEqual(expect.arrayContaining(['approved', 'mergeable']));
        // Each of these would let a repository's own atlantis.yaml loosen or bypass the requirements.
        for (const key of ['apply_requirements', 'plan_requirements', 'import_requirements'])
          expect(repo.allowed_overrides ?? []).not.toContain(key);
        expect(repo.allow_custom_workflows).toBe(false);
      }
    });
  }
});
