// `atlantis-run init` without a terminal: every answer from flags (or defaults), the file it
// writes, what it refuses, and where project/region defaults come from.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { schemaReference } from '../src/init/document.js';
import { runCli, runCliProcess } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { INIT_CASES } from './support/init-cases.js';

const recorder = fileURLToPath(new URL('./support/record-imports.mjs', import.meta.url));
const INSTALLED = fileURLToPath(new URL('../schema/atlantis-run.schema.json', import.meta.url));

/** The file the `# yaml-language-server: $schema=…` first line names, resolved as editors do. */
function schemaTarget(text: string, configDir: string): string {
  const ref = /^# yaml-language-server: \$schema=(\S+)/.exec(text)![1];
  return path.resolve(configDir, ref);
}
const template = readFileSync(new URL('../templates/repos.yaml', import.meta.url), 'utf8');

/** A PATH with nothing on it: no gcloud, so no default comes from a developer's machine. */
function noGcloud(dir: string): NodeJS.ProcessEnv {
  const bin = path.join(dir, 'empty-bin');
  mkdirSync(bin, { recursive: true });
  return { PATH: bin };
}

const GITHUB = [
  '--project',
  'acme-infra',
  '--region',
  'europe-west1',
  '--vcs',
  'github',
  '--vcs-user',
  'atlantis-bot',
  '--repo-allowlist',
  'github.com/acme/*',
];

async function init(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const cwd = options.cwd ?? tempDir();
  const result = await runCli(['init', ...args], { cwd, env: { ...noGcloud(cwd), ...options.env } });
  const file = path.join(cwd, 'atlantis-run.yaml');
  return { ...result, cwd, file, text: existsSync(file) ? readFileSync(file, 'utf8') : undefined };
}

function parse(text: string, file: string) {
  return parseConfig(text, file, {}, {});
}

describe('init --non-interactive: one file per provider', () => {
  for (const c of INIT_CASES) {
    it(c.name, async () => {
      const r = await init(['--non-interactive', ...c.flags]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const text = r.text!;
      // No node_modules/atlantis-run here: the schema of the installation that ran init, which exists.
      expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${INSTALLED}`);
      const config = await parse(text, r.file);
      expect(config.project).toBe('acme-infra');
      expect(config.region).toBe(c.expected.region);
      expect(config.service).toBe(c.expected.service ?? 'atlantis');
      expect(config.atlantis.vcs).toEqual(c.expected.vcs);
      expect(config.secrets).toEqual(c.expected.secrets);
      expect(config.atlantis.repoAllowlist).toEqual(c.expected.repoAllowlist);
      expect(config.serviceAccount.roles).toEqual(c.expected.roles ?? []);
      expect(config.domain).toBe(c.expected.domain);
      const choice = c.expected.persistence ?? 'gcs';
      expect(config.persistence).toEqual({
        plans: choice === 'memory' ? 'memory' : 'gcs',
        planRetentionDays: 30,
        locks: choice === 'gcs-redis' ? 'redis' : 'local',
        ...(choice === 'gcs-redis' ? { redis: { tier: 'basic', sizeGb: 1 } } : {}),
        dataDir: 'memory',
        ...(c.expected.sizeLimit ? { sizeLimit: c.expected.sizeLimit } : {}),
      });
      expect(config.atlantis.repoConfig).toBe(c.expected.repoConfig ? 'repos.yaml' : undefined);
      expect(existsSync(path.join(r.cwd, 'repos.yaml'))).toBe(Boolean(c.expected.repoConfig));
      // What init writes, the rest of the CLI accepts.
      const rendered = await runCli(['render', '--json'], { cwd: r.cwd });
      expect(rendered.code).toBe(0);
      expect(JSON.parse(rendered.stdout).service.name).toContain(`/services/${c.expected.service ?? 'atlantis'}`);
    });
  }

  it('writes a readable file: key order, comments, the $schema line first', async () => {
    const r = await init([...GITHUB, '--role', 'roles/viewer', '--domain', 'atlantis.acme.com', '--repo-config']);
    expect(r.code).toBe(0);
    const keys = r
      .text!.split('\n')
      .filter((l) => /^[a-zA-Z]/.test(l))
      .map((l) => l.split(':')[0]);
    expect(keys).toEqual(['project', 'region', 'service', 'atlantis', 'secrets', 'persistence', 'domain', 'serviceAccount']);
    expect(r.text).toContain('  vcs-token: {fromEnv: GITHUB_TOKEN}\n');
    expect(r.text).toContain('  repoConfig: repos.yaml\n');
    expect(r.text).toMatch(/^# Where atlantis-run reads each secret VALUE/m);
    expect(r.text).toContain('version: v0.47.1');
    expect(readFileSync(path.join(r.cwd, 'repos.yaml'), 'utf8')).toBe(template);
  });

  it('points $schema at node_modules/atlantis-run found in a parent folder', async () => {
    const root = tempDir();
    const schemaDir = path.join(root, 'node_modules', 'atlantis-run', 'schema');
    mkdirSync(schemaDir, { recursive: true });
    writeFileSync(path.join(schemaDir, 'atlantis-run.schema.json'), '{}');
    mkdirSync(path.join(root, 'infra', 'atlantis'), { recursive: true });
    const r = await init(GITHUB, { cwd: path.join(root, 'infra', 'atlantis') });
    expect(r.code).toBe(0);
    expect(r.text!.split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/atlantis-run/schema/atlantis-run.schema.json');
  });

  it('$schema always names a file that exists, whatever folder init runs in', async () => {
    const r = await init(GITHUB);
    const target = schemaTarget(r.text!, r.cwd);
    expect(existsSync(target), target).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toMatchObject({ $schema: expect.stringContaining('json-schema.org') });
    // Inside the installation's own tree (the quick start in a clone), the path is relative.
    const inClone = tempDir();
    const configDir = path.join(inClone, 'examples', 'mine');
    expect(schemaReference(configDir, path.join(inClone, 'schema', 'atlantis-run.schema.json'))).toBe(
      '../../schema/atlantis-run.schema.json',
    );
  });

  it('the same run twice gives the same bytes', async () => {
    const a = await init([...GITHUB, '--role', 'roles/viewer,roles/editor']);
    const b = await init([...GITHUB, '--role', 'roles/viewer', '--role', 'roles/editor']);
    expect(a.text).toBe(b.text);
  });

  it('prints what it wrote and the next steps; --json gives the result object', async () => {
    const human = await init([...GITHUB, '--repo-config']);
    expect(human.stdout).toContain('Wrote atlantis-run.yaml');
    expect(human.stdout).toContain('Wrote repos.yaml');
    expect(human.stdout).toContain('export GITHUB_TOKEN=');
    expect(human.stdout).toContain('atlantis-run deploy');

    const json = await init([...GITHUB, '--repo-config', '--json']);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(result).toMatchObject({
      type: 'result',
      ok: true,
      command: 'init',
      configPath: json.file,
      files: [json.file, path.join(json.cwd, 'repos.yaml')],
      provider: 'github',
      secrets: [
        {
          name: 'vcs-token',
          secretId: 'atlantis-vcs-token',
          source: { kind: 'env', variable: 'GITHUB_TOKEN', present: false },
          status: 'to-supply',
        },
      ],
    });
    expect((result.nextSteps as string[]).some((s) => s.startsWith('atlantis-run deploy'))).toBe(true);
  });

  it('never asks for or prints a secret value, and says whether the source is there', async () => {
    const r = await init(GITHUB, { env: { GITHUB_TOKEN: 'ghp_canary_value_123' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GITHUB_TOKEN is set in this shell');
    expect(r.stdout + r.stderr + r.text).not.toContain('ghp_canary_value_123');
  });

  it('--config elsewhere: writes there, keeps file paths relative to it, and says --config in the next steps', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', ...GITHUB, '--config', 'deploy/atlantis/atlantis-run.yaml', '--token-file', 'secrets/gh-token'], {
      cwd,
      env: noGcloud(cwd),
    });
    expect(r.code).toBe(0);
    const file = path.join(cwd, 'deploy', 'atlantis', 'atlantis-run.yaml');
    const config = await parse(readFileSync(file, 'utf8'), file);
    expect(config.secrets['vcs-token']).toEqual({ fromFile: '../../secrets/gh-token' });
    expect(r.stdout).toContain('atlantis-run deploy --config deploy/atlantis/atlantis-run.yaml');
    expect(r.stdout).toContain('put a GitHub personal access token of atlantis-bot with the repo scope in secrets/gh-token');
  });

  it('the default data volume size is left out; another size is written', async () => {
    const dflt = await init([...GITHUB, '--data-volume-size', '1024Mi']);
    expect((await parse(dflt.text!, dflt.file)).persistence).toEqual({
      plans: 'gcs',
      planRetentionDays: 30,
      locks: 'local',
      dataDir: 'memory',
    });
    const other = await init([...GITHUB, '--persistence', 'memory', '--data-volume-size', '512Mi']);
    expect((await parse(other.text!, other.file)).persistence).toEqual({
      plans: 'memory',
      planRetentionDays: 30,
      locks: 'local',
      dataDir: 'memory',
      sizeLimit: '512Mi',
    });
  });

  it('a host name equal to the provider default is left out', async () => {
    const r = await init([...GITHUB, '--vcs-hostname', 'github.com']);
    expect((await parse(r.text!, r.file)).atlantis.vcs).toEqual({ provider: 'github', user: 'atlantis-bot' });
  });
});

describe('init refuses to overwrite', () => {
  it('an existing atlantis-run.yaml is left byte for byte (exit 2); --force replaces it', async () => {
    const cwd = tempDir();
    const original = '# hand-written\nproject: keep-me   \r\n';
    writeFileSync(path.join(cwd, 'atlantis-run.yaml'), original);
    const refused = await init(GITHUB, { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('atlantis-run.yaml already exists');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(path.join(cwd, 'atlantis-run.yaml'), 'utf8')).toBe(original);

    const forced = await init([...GITHUB, '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(forced.text).toContain('project: acme-infra');
  });

  it('an existing repos.yaml stops --repo-config before anything is written; --force replaces both', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'repos.yaml'), 'repos: []\n');
    const refused = await init([...GITHUB, '--repo-config'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('repos.yaml already exists');
    expect(readFileSync(path.join(cwd, 'repos.yaml'), 'utf8')).toBe('repos: []\n');
    expect(existsSync(path.join(cwd, 'atlantis-run.yaml'))).toBe(false);

    // Without --repo-config an existing repos.yaml is none of init's business.
    expect((await init(GITHUB, { cwd })).code).toBe(0);

    const forced = await init([...GITHUB, '--repo-config', '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'repos.yaml'), 'utf8')).toBe(template);
  });

  it('refuses before asking anything when interactive (child process, existing file)', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'atlantis-run.yaml'), 'x: 1\n');
    const r = await runCliProcess(['init'], { cwd, env: noGcloud(cwd) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(path.join(cwd, 'atlantis-run.yaml'), 'utf8')).toBe('x: 1\n');
  });
});

describe('init without answers (CI mode) names the flag to pass', () => {
  const cases: [string, string[], string][] = [
    ['project', GITHUB.filter((_, i) => i > 1), '--project'],
    ['region', [...GITHUB.slice(0, 2), ...GITHUB.slice(4)], '--region'],
    ['VCS provider', ['--project', 'acme-infra', '--region', 'europe-west1', '--repo-allowlist', 'github.com/acme/*'], '--vcs'],
    ['VCS user', GITHUB.filter((a) => a !== '--vcs-user' && a !== 'atlantis-bot'), '--vcs-user'],
    ['repo allowlist', GITHUB.slice(0, 8), '--repo-allowlist'],
    [
      'GitHub App id',
      [
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'github-app',
        '--app-key-file',
        'k.pem',
        '--repo-allowlist',
        'github.com/x/*',
      ],
      '--gh-app-id',
    ],
    [
      'GitHub App key',
      [
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'github-app',
        '--gh-app-id',
        '1',
        '--repo-allowlist',
        'github.com/x/*',
      ],
      '--app-key-file',
    ],
    [
      'Gitea base URL',
      ['--project', 'acme-infra', '--region', 'europe-west1', '--vcs', 'gitea', '--vcs-user', 'a', '--repo-allowlist', 'x/*'],
      '--vcs-base-url',
    ],
    [
      'Azure DevOps webhook user',
      [
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'azuredevops',
        '--vcs-user',
        'a',
        '--repo-allowlist',
        'dev.azure.com/x/*',
      ],
      '--vcs-webhook-user',
    ],
  ];
  for (const [what, args, flag] of cases) {
    it(`${what} → exit 2 naming ${flag}`, async () => {
      // A terminal, but CI is set: never prompt.
      const cwd = tempDir();
      const r = await runCli(['init', ...args], { cwd, tty: true, env: { ...noGcloud(cwd), CI: 'true' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('not running interactively');
      expect(r.stderr).toMatch(new RegExp(`^  ${flag} `, 'm'));
      expect(existsSync(path.join(cwd, 'atlantis-run.yaml'))).toBe(false);
    });
  }

  it('--non-interactive on a terminal does not prompt either', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', '--non-interactive', ...GITHUB.slice(2)], { cwd, tty: true, env: noGcloud(cwd) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ {2}--project /m);
  });
});

describe('init rejects invalid answers, naming the field and its flag', () => {
  const replace = (flag: string, value: string) => {
    const args = [...GITHUB];
    args[args.indexOf(flag) + 1] = value;
    return args;
  };
  const cases: [string, string[], string[]][] = [
    ['bad project id', replace('--project', 'Acme_Infra'), ['project (--project)', 'not a valid project id']],
    ['unknown region', replace('--region', 'europe-wst1'), ['region (--region)', 'not a Cloud Run region', 'did you mean europe-west1']],
    [
      'allowlist with a scheme',
      replace('--repo-allowlist', 'https://github.com/acme/*'),
      ['atlantis.repoAllowlist (--repo-allowlist)', 'must not contain a scheme', 'github.com/acme/*'],
    ],
    ['unknown provider', replace('--vcs', 'githab'), ['atlantis.vcs.provider (--vcs)', 'did you mean github']],
    ['bad service name', [...GITHUB, '--service', 'Atlantis_1'], ['service (--service)']],
    [
      'service too long for the service account id',
      [...GITHUB, '--service', 'atlantis-for-the-platform'],
      ['service (--service)', 'at most 22'],
    ],
    ['bad role', [...GITHUB, '--role', 'storage.admin'], ['serviceAccount.roles (--role)', 'roles/storage.admin']],
    [
      'volume as large as the memory',
      [...GITHUB, '--data-volume-size', '2Gi'],
      ['persistence.sizeLimit (--data-volume-size)', 'not below'],
    ],
    ['unknown persistence', [...GITHUB, '--persistence', 'nfs'], ['persistence (--persistence)', 'gcs, gcs-redis']],
    [
      'plans on Cloud Storage before v0.47.0',
      [...GITHUB, '--atlantis-version', 'v0.46.2', '--persistence', 'gcs'],
      ['persistence.plans', 'needs Atlantis v0.47.0 or newer'],
    ],
    ['a Redis flag for another choice', [...GITHUB, '--redis-host', 'r.example.com'], ['--redis-host does not apply to --persistence gcs']],
    [
      'an external Redis without its host',
      [...GITHUB, '--persistence', 'gcs-external-redis'],
      ['Host name or IP address of your Redis', '--redis-host'],
    ],
    ['a bad network name', [...GITHUB, '--persistence', 'gcs-redis', '--network', 'My_Net'], ['persistence.network.name (--network)']],
    ['domain with a scheme', [...GITHUB, '--domain', 'https://atlantis.acme.com'], ['domain (--domain)', 'without a scheme']],
    ['hostname with a path', [...GITHUB, '--vcs-hostname', 'github.acme.com/api'], ['atlantis.vcs.hostname (--vcs-hostname)']],
    ['bad token variable', [...GITHUB, '--token-env', 'MY-TOKEN'], ['secrets.vcs-token.fromEnv (--token-env)']],
    ['token from both places', [...GITHUB, '--token-env', 'T', '--token-file', 'f'], ['secrets.vcs-token', '--token-env or --token-file']],
    ['a flag of another provider', [...GITHUB, '--gh-app-id', '12'], ['--gh-app-id does not apply to --vcs github']],
    [
      'non-numeric app id',
      [
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'github-app',
        '--gh-app-id',
        'abc',
        '--app-key-file',
        'k.pem',
        '--repo-allowlist',
        'x/*',
      ],
      ['atlantis.vcs.appId (--gh-app-id)'],
    ],
    [
      'bitbucket base URL without scheme',
      [
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'bitbucket',
        '--vcs-user',
        'a',
        '--vcs-base-url',
        'bitbucket.acme.com',
        '--repo-allowlist',
        'x/*',
      ],
      ['atlantis.vcs.baseUrl (--vcs-base-url)'],
    ],
    [
      'API user with Bitbucket Server',
      [
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'bitbucket',
        '--vcs-user',
        'a',
        '--vcs-base-url',
        'https://bb.acme.com',
        '--vcs-api-user',
        'x@acme.com',
        '--repo-allowlist',
        'x/*',
      ],
      ['--vcs-api-user applies to Bitbucket Cloud only'],
    ],
  ];
  for (const [what, args, messages] of cases) {
    it(what, async () => {
      const r = await init(args);
      expect(r.code).toBe(2);
      for (const m of messages) expect(r.stderr).toContain(m);
      expect(r.text).toBeUndefined();
    });
  }
});

describe('init: project and region defaults', () => {
  const gcloud = (() => {
    try {
      return execFileSync('sh', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  })();
  const withoutProjectRegion = GITHUB.slice(4);

  it.skipIf(!gcloud)('come from the active gcloud configuration when gcloud is installed', async () => {
    const config = tempDir('gcloud-config-');
    const env = { ...process.env, CLOUDSDK_CONFIG: config };
    execFileSync(gcloud, ['config', 'set', 'project', 'gcloud-project-1'], { env, stdio: 'ignore' });
    execFileSync(gcloud, ['config', 'set', 'run/region', 'europe-west4'], { env, stdio: 'ignore' });
    const cwd = tempDir();
    const r = await runCli(['init', ...withoutProjectRegion], { cwd, env: { CLOUDSDK_CONFIG: config } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const parsed = await parse(readFileSync(path.join(cwd, 'atlantis-run.yaml'), 'utf8'), path.join(cwd, 'atlantis-run.yaml'));
    expect(parsed.project).toBe('gcloud-project-1');
    expect(parsed.region).toBe('europe-west4');
    expect(r.stdout).toContain('project gcloud-project-1 (from gcloud config)');

    // The environment wins over gcloud, and flags over both.
    const envWins = await runCli(['init', ...withoutProjectRegion, '--region', 'us-east1'], {
      cwd: tempDir(),
      env: { CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_PROJECT: 'env-project-1' },
    });
    expect(envWins.code).toBe(0);
    expect(envWins.stdout).toContain('env-project-1 / us-east1');
  });

  it('without gcloud: CLOUDSDK_CORE_PROJECT / CLOUDSDK_RUN_REGION still work', async () => {
    const r = await init(withoutProjectRegion, { env: { CLOUDSDK_CORE_PROJECT: 'env-project-1', CLOUDSDK_RUN_REGION: 'us-west1' } });
    expect(r.code).toBe(0);
    expect(r.text).toContain('project: env-project-1\nregion: us-west1\n');
  });

  it('a gcloud that fails or hangs is tolerated quickly', async () => {
    const cwd = tempDir();
    const bin = path.join(cwd, 'fake-bin');
    mkdirSync(bin);
    const fake = path.join(bin, 'gcloud');
    writeFileSync(fake, '#!/bin/sh\necho "ERROR: gcloud crashed" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const failing = await runCli(['init', ...withoutProjectRegion], { cwd, env: { PATH: bin } });
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/^ {2}--project /m);

    // A gcloud that never answers (and leaves a child holding its output) is cut off.
    writeFileSync(fake, '#!/bin/sh\n/bin/sleep 30\n');
    const started = Date.now();
    const hanging = await runCli(['init', ...withoutProjectRegion, '--region', 'europe-west1'], {
      cwd,
      env: { PATH: bin, ATLANTIS_RUN_GCLOUD_TIMEOUT_MS: '300' },
    });
    expect(hanging.code).toBe(2);
    expect(hanging.stderr).toMatch(/^ {2}--project /m);
    expect(Date.now() - started).toBeLessThan(5000);

    // Output that is not what we expect is no default either.
    writeFileSync(fake, '#!/bin/sh\necho "not json"\n');
    const garbage = await runCli(['init', ...withoutProjectRegion], { cwd, env: { PATH: bin } });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^ {2}--project /m);
  });

  it('an invalid default is rejected naming the flag', async () => {
    const r = await init(withoutProjectRegion, { env: { CLOUDSDK_CORE_PROJECT: 'acme-infra', CLOUDSDK_RUN_REGION: 'mars-north1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('region (--region)');
  });
});

describe('init --help', () => {
  it('lists every flag', async () => {
    const r = await runCli(['init', '--help'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    for (const flag of [
      '--non-interactive',
      '--service',
      '--atlantis-version',
      '--vcs ',
      '--vcs-user',
      '--vcs-hostname',
      '--vcs-base-url',
      '--vcs-webhook-user',
      '--vcs-api-user',
      '--gh-app-id',
      '--gh-app-slug',
      '--gh-app-installation-id',
      '--repo-allowlist',
      '--persistence',
      '--data-volume-size',
      '--redis-host',
      '--redis-port',
      '--redis-tls',
      '--redis-password-env',
      '--redis-password-file',
      '--network',
      '--subnet',
      '--domain',
      '--role',
      '--repo-config',
      '--token-env',
      '--token-file',
      '--app-key-file',
      '--app-key-env',
      '--force',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    // --project and --region are the global flags, not redefined: listed once, under "Global Options".
    const [own, global] = r.stdout.split('Global Options:');
    expect(own).not.toMatch(/^\s+--project/m);
    expect(global).toMatch(/^\s+--project/m);
  });

  it('loads no schema, YAML, prompt or Google library', async () => {
    const dir = tempDir();
    const record = path.join(dir, 'imports.txt');
    const r = await runCliProcess(['init', '--help'], {
      cwd: dir,
      env: { RECORD_IMPORTS_FILE: record, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${recorder}` },
    });
    expect(r.code).toBe(0);
    const loaded = readFileSync(record, 'utf8');
    for (const heavy of ['zod', '/yaml/', '@inquirer', 'execa', '@google-cloud', 'src/init', 'dist/init'])
      expect(loaded, heavy).not.toContain(heavy);
  });
});

describe('init --push-secrets', () => {
  it('stores the values from their configured sources (non-interactive), and deploy then pins them', async () => {
    const { emulator, emulatorEnv, mutatingCalls, since } = await import('./support/emulator.js');
    const { SecretManagerServiceClient } = await import('@google-cloud/secret-manager');
    const { clientOptions } = await import('./emulator/clients.js');
    const emu = await emulator();
    const dir = tempDir();
    const env = emulatorEnv(emu, 'grpc');
    const r = await runCli(
      [
        'init',
        '--non-interactive',
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'github',
        '--vcs-user',
        'bot',
        '--repo-allowlist',
        'github.com/acme/*',
        '--token-env',
        'GITHUB_TOKEN',
        '--push-secrets',
      ],
      { cwd: dir, env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Stored vcs-token: stored as version 1 of atlantis-vcs-token');
    const client = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const [versions] = await client.listSecretVersions({ parent: 'projects/acme-infra/secrets/atlantis-vcs-token' });
    expect(versions).toHaveLength(1);
    await client.close();
    const calls = since(emu);
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(
      mutatingCalls(calls()).filter((c) => c.method.endsWith('/AddSecretVersion') && c.resource.endsWith('atlantis-vcs-token')),
    ).toEqual([]);
  });

  it('fails with exit 2 naming the missing source, storing nothing', async () => {
    const { emulator, emulatorEnv, mutatingCalls, since } = await import('./support/emulator.js');
    const emu = await emulator();
    const dir = tempDir();
    const calls = since(emu);
    const r = await runCli(
      [
        'init',
        '--non-interactive',
        '--project',
        'acme-infra',
        '--region',
        'europe-west1',
        '--vcs',
        'github',
        '--vcs-user',
        'bot',
        '--repo-allowlist',
        'github.com/acme/*',
        '--token-env',
        'MISSING_TOKEN',
        '--push-secrets',
      ],
      { cwd: dir, env: emulatorEnv(emu, 'grpc') },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MISSING_TOKEN');
    expect(mutatingCalls(calls())).toEqual([]);
  });
});

describe('init --non-interactive lists every missing answer at once', () => {
  it('names each flag left out, with its question, in one error (exit 2, nothing written)', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', '--non-interactive', '--vcs', 'gitea', '--project', 'acme-infra'], { cwd, env: noGcloud(cwd) });
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('Error: init needs 4 answers it was not given (not running interactively):');
    expect(lines.slice(1, 5).map((l) => l.trim().split(/\s+/)[0])).toEqual([
      '--region',
      '--vcs-base-url',
      '--vcs-user',
      '--repo-allowlist',
    ]);
    expect(r.stderr).toContain('Gitea base URL');
    expect(existsSync(path.join(cwd, 'atlantis-run.yaml'))).toBe(false);
  });

  it('without --vcs, says that the provider decides further flags', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', '--non-interactive'], { cwd, env: noGcloud(cwd) });
    expect(r.code).toBe(2);
    expect(r.stderr.match(/^ {2}--\S+/gm)).toEqual(['  --project', '  --region', '  --vcs', '  --repo-allowlist']);
    expect(r.stderr).toContain('then the flags that provider needs');
  });

  it('prompt hints ("type to jump") never appear in errors without a terminal', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', '--project', 'acme-infra', '--vcs', 'github'], { cwd, env: { ...noGcloud(cwd), CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Cloud Run region');
    expect(r.stderr).not.toMatch(/type to jump|space to pick|\(hidden\)/);
  });
});
