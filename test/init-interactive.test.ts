// The init wizard driven for real: the built CLI runs on a pseudo-terminal (python3's pty), the test
// waits for each question to appear and types the keys a person would. For every provider, the
// file must be byte-identical to the one --non-interactive writes from the same answers as flags.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { INIT_CASES } from './support/init-cases.js';
import { assertBuilt, KEY, runCliPty } from './support/pty.js';

/** The last question: store the values in Secret Manager now? Enter takes the default, no. */
const DECLINE_STORING = { expect: 'in Secret Manager', send: KEY.enter };

/** A PATH with nothing on it: no gcloud, so no default comes from a developer's machine. */
function emptyPath(dir: string): NodeJS.ProcessEnv {
  const bin = path.join(dir, 'empty-bin');
  mkdirSync(bin, { recursive: true });
  return { PATH: bin };
}

beforeAll(() => {
  // The pseudo-terminal runs bin/atlantis-run.js, i.e. dist/: it must be built from these sources.
  assertBuilt([
    'src/init/wizard.ts',
    'src/init/document.ts',
    'src/init/run.ts',
    'src/cli/commands/init.ts',
    'src/cli/command-table.ts',
    'src/ui/host.ts',
  ]);
});

describe('init wizard on a terminal gives the same file as the flags', () => {
  // These run concurrently (one CLI process each), so they keep their own folders: the shared
  // tempDir() cleanup runs after every test and would remove a neighbour's folder mid-run.
  const dirs: string[] = [];
  const ownDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atlantis-run-init-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of INIT_CASES) {
    it.concurrent(c.name, async () => {
      const typed = ownDir();
      const screen = await runCliPty(['init'], { cwd: typed, env: emptyPath(typed), steps: [...c.steps, DECLINE_STORING] });
      expect(screen.code, screen.screen).toBe(0);
      expect(screen.screen).toContain('Wrote atlantis-run.yaml');

      const flagged = ownDir();
      const flags = await runCli(['init', '--non-interactive', ...c.flags], { cwd: flagged, env: emptyPath(flagged) });
      expect(flags.code, flags.stderr).toBe(0);

      const fromWizard = readFileSync(path.join(typed, 'atlantis-run.yaml'), 'utf8');
      const fromFlags = readFileSync(path.join(flagged, 'atlantis-run.yaml'), 'utf8');
      expect(fromWizard).toBe(fromFlags);
      const config = await parseConfig(fromWizard, path.join(typed, 'atlantis-run.yaml'), {}, {});
      expect(config.atlantis.vcs).toEqual(c.expected.vcs);
      expect(config.secrets).toEqual(c.expected.secrets);
      expect(existsSync(path.join(typed, 'repos.yaml'))).toBe(Boolean(c.expected.repoConfig));
      if (c.expected.repoConfig) {
        expect(readFileSync(path.join(typed, 'repos.yaml'), 'utf8')).toBe(readFileSync(path.join(flagged, 'repos.yaml'), 'utf8'));
      }
    });
  }
});

describe('init wizard behaviour', () => {
  it('rejects bad answers in place, naming the problem, and asks again', async () => {
    const dir = tempDir();
    const r = await runCliPty(['init', '--vcs', 'github', '--vcs-user', 'atlantis-bot', '--region', 'europe-west1'], {
      cwd: dir,
      env: emptyPath(dir),
      steps: [
        { expect: 'Google Cloud project id', send: ['Acme_Infra', KEY.enter] },
        { expect: 'is not a valid project id', send: [KEY.ctrlU, 'acme-infra', KEY.enter] },
        { expect: 'Cloud Run service name', send: KEY.enter },
        { expect: 'Atlantis version', send: KEY.enter },
        { expect: 'GitHub Enterprise host name', send: ['https://github.acme.com', KEY.enter] },
        { expect: 'must be a host name without a scheme', send: [KEY.ctrlU, KEY.enter] },
        { expect: 'Where will atlantis-run read', send: KEY.enter },
        { expect: 'Environment variable that will hold', send: KEY.enter },
        { expect: 'Repositories Atlantis may serve', send: ['https://github.com/acme/*', KEY.enter] },
        { expect: 'must not contain a scheme', send: [KEY.ctrlU, 'github.com/acme/*', KEY.enter] },
        { expect: 'Where does Atlantis keep plans and locks', send: KEY.enter },
        { expect: 'Size of the in-memory data volume', send: ['4Gi', KEY.enter] },
        { expect: 'is not below', send: [KEY.ctrlU, KEY.enter] },
        { expect: 'Custom domain', send: KEY.enter },
        { expect: 'Project roles for the runtime service account', send: KEY.enter },
        { expect: 'Other project roles', send: ['storage.admin', KEY.enter] },
        { expect: 'is not a role such as', send: [KEY.ctrlU, KEY.enter] },
        { expect: 'Write a starter server-side repos.yaml', send: KEY.enter },
        DECLINE_STORING,
      ],
    });
    expect(r.code, r.screen).toBe(0);
    const text = readFileSync(path.join(dir, 'atlantis-run.yaml'), 'utf8');
    expect(text).toContain('project: acme-infra\n');
    expect(text).toContain('    - github.com/acme/*\n');
    expect(text).not.toContain('hostname');
  });

  it('offers the environment defaults and skips questions a flag answered', async () => {
    const dir = tempDir();
    const r = await runCliPty(
      [
        'init',
        '--vcs',
        'gitlab',
        '--vcs-user',
        'atlantis',
        '--repo-allowlist',
        'gitlab.com/acme/*',
        '--role',
        'roles/viewer',
        '--repo-config',
      ],
      {
        cwd: dir,
        env: { ...emptyPath(dir), CLOUDSDK_CORE_PROJECT: 'env-project-1', CLOUDSDK_RUN_REGION: 'asia-east1' },
        steps: [
          { expect: 'Google Cloud project id (env-project-1)', send: KEY.enter },
          // The list opens on the default region.
          { expect: /❯ asia-east1/, send: KEY.enter },
          { expect: 'Cloud Run service name', send: KEY.enter },
          { expect: 'Atlantis version', send: KEY.enter },
          { expect: 'Self-managed GitLab host name', send: KEY.enter },
          { expect: 'Where will atlantis-run read the GitLab access token', send: KEY.enter },
          { expect: 'Environment variable that will hold the GitLab access token (GITLAB_TOKEN)', send: KEY.enter },
          { expect: 'Where does Atlantis keep plans and locks', send: KEY.enter },
          { expect: 'Size of the in-memory data volume', send: KEY.enter },
          { expect: 'Custom domain', send: KEY.enter },
          DECLINE_STORING,
        ],
      },
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).not.toContain('Which VCS does Atlantis serve');
    expect(r.screen).not.toContain('Project roles for the runtime service account');
    expect(r.screen).not.toContain('Write a starter server-side repos.yaml');
    const text = readFileSync(path.join(dir, 'atlantis-run.yaml'), 'utf8');
    expect(text).toContain('project: env-project-1\nregion: asia-east1\n');
    expect(existsSync(path.join(dir, 'repos.yaml'))).toBe(true);
  });

  it('Ctrl-C stops the wizard with exit 130 and writes nothing', async () => {
    const dir = tempDir();
    const r = await runCliPty(['init'], {
      cwd: dir,
      env: emptyPath(dir),
      steps: [
        { expect: 'Google Cloud project id', send: ['acme-infra', KEY.enter] },
        { expect: 'Cloud Run region', send: KEY.ctrlC },
      ],
    });
    expect(r.code).toBe(130);
    expect(r.screen).toContain('nothing is written before the last answer');
    expect(r.screen).toContain('nothing was changed');
    expect(existsSync(path.join(dir, 'atlantis-run.yaml'))).toBe(false);
  });

  it('an existing repos.yaml is refused as soon as it is asked for, before anything is written', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'repos.yaml'), 'repos: []\n');
    const r = await runCliPty(
      [
        'init',
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
        '--role',
        'roles/viewer',
      ],
      {
        cwd: dir,
        env: emptyPath(dir),
        steps: [
          { expect: 'Cloud Run service name', send: KEY.enter },
          { expect: 'Atlantis version', send: KEY.enter },
          { expect: 'GitHub Enterprise host name', send: KEY.enter },
          { expect: 'Where will atlantis-run read', send: KEY.enter },
          { expect: 'Environment variable that will hold', send: KEY.enter },
          { expect: 'Where does Atlantis keep plans and locks', send: KEY.enter },
          { expect: 'Size of the in-memory data volume', send: KEY.enter },
          { expect: 'Custom domain', send: KEY.enter },
          { expect: 'Write a starter server-side repos.yaml', send: ['y', KEY.enter] },
        ],
      },
    );
    expect(r.code).toBe(2);
    expect(r.screen).toContain('repos.yaml already exists');
    expect(readFileSync(path.join(dir, 'repos.yaml'), 'utf8')).toBe('repos: []\n');
    expect(existsSync(path.join(dir, 'atlantis-run.yaml'))).toBe(false);
  });
});

describe('init stores the values right away when asked', () => {
  it('on a terminal: asks, takes the token at a hidden prompt, and stages it in Secret Manager', async () => {
    const { emulator } = await import('./support/emulator.js');
    const emu = await emulator();
    const dir = tempDir();
    const token = 'ghp_typedAtTheHiddenPrompt0000000000000000';
    const r = await runCliPty(
      [
        'init',
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
        '--role',
        'roles/viewer',
      ],
      {
        cwd: dir,
        env: { ...emptyPath(dir), ATLANTIS_RUN_EMULATOR_HOST: emu.host, ATLANTIS_RUN_POLL_MS: '20' },
        steps: [
          { expect: 'Cloud Run service name', send: KEY.enter },
          { expect: 'Atlantis version', send: KEY.enter },
          { expect: 'GitHub Enterprise host name', send: KEY.enter },
          { expect: 'Where will atlantis-run read', send: KEY.enter },
          { expect: 'Environment variable that will hold', send: KEY.enter },
          { expect: 'Where does Atlantis keep plans and locks', send: KEY.enter },
          { expect: 'Size of the in-memory data volume', send: KEY.enter },
          { expect: 'Custom domain', send: KEY.enter },
          { expect: 'Write a starter server-side repos.yaml', send: KEY.enter },
          { expect: 'in Secret Manager', send: ['y', KEY.enter] },
          { expect: '(hidden)', send: [token, KEY.enter] },
        ],
      },
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain('Stored vcs-token: stored as version 1 of atlantis-vcs-token');
    expect(r.screen).not.toContain(token);
    const { SecretManagerServiceClient } = await import('@google-cloud/secret-manager');
    const { clientOptions } = await import('./emulator/clients.js');
    const client = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const [access] = await client.accessSecretVersion({ name: 'projects/acme-infra/secrets/atlantis-vcs-token/versions/1' });
    expect(Buffer.from(access.payload!.data as Uint8Array).toString()).toBe(token);
    await client.close();
  });
});
