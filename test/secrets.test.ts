// `atlantis-run secrets push / list / rotate / show` through the CLI against the project's emulator.
// Assertions look at exit codes and messages, the emulator's request log (what was called, what
// mutated), live state read back through the real client libraries, and the lockfile.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ServicesClient, RevisionsClient } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { main } from '../src/cli/main.js';
import { PROVIDERS } from '../src/atlantis/catalog.js';
import { cleanEnv, runCli, type CliResult } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since, TRANSPORTS, type Transport } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';
import { assertBuilt, KEY, runCliPty } from './support/pty.js';
import type { RunningEmulator } from '../src/emulator/index.js';

const SERVICE = 'projects/my-project/locations/europe-west1/services/atlantis';
const TOKEN_ID = 'atlantis-vcs-token';
const TOKEN_1 = 'ghp_testtoken000000000000000000000000000000'; // emulatorEnv's GITHUB_TOKEN
const TOKEN_2 = 'ghp_secondtoken00000000000000000000000000000';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const methodsOf = (entries: { method: string; resource: string }[]) => entries.map((e) => e.method.split('/').pop()!).sort();

function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

function lockfile(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')) as Record<string, any>;
}

/** Runs the CLI in-process with stdout on a (pretend) terminal: what `secrets show` needs. */
async function runOnTerminal(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  const stream = (tty: boolean) => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
    s.isTTY = tty;
    s.columns = 120;
    return s;
  };
  const stdout = stream(true);
  const stderr = stream(false);
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  const stdin = stream(false);
  stdin.end();
  const code = await main(args, { stdout, stderr, stdin, env: cleanEnv(options.env), cwd: options.cwd });
  return { code, stdout: Buffer.concat(chunks.out).toString(), stderr: Buffer.concat(chunks.err).toString() };
}

/** Real clients pointed at the emulator, to read back what the CLI did. */
function clients(emu: RunningEmulator, transport: Transport = 'grpc') {
  const secrets = new SecretManagerServiceClient(clientOptions(emu, transport));
  const services = new ServicesClient(clientOptions(emu, transport));
  const revisions = new RevisionsClient(clientOptions(emu, transport));
  return {
    secrets,
    services,
    async versions(id: string): Promise<Record<string, string>> {
      const [list] = await secrets.listSecretVersions({ parent: `projects/my-project/secrets/${id}` });
      return Object.fromEntries(list.map((v) => [v.name!.split('/').pop()!, String(v.state)]));
    },
    async payload(id: string, version: string): Promise<string> {
      const [access] = await secrets.accessSecretVersion({ name: `projects/my-project/secrets/${id}/versions/${version}` });
      return Buffer.from(access.payload!.data as Uint8Array).toString();
    },
    async service() {
      const [service] = await services.getService({ name: SERVICE });
      return service;
    },
    /** The version the service pins for an env var (ATLANTIS_GH_TOKEN…). */
    async pin(envName: string): Promise<string | undefined> {
      const [service] = await services.getService({ name: SERVICE });
      return service.template!.containers![0].env!.find((e) => e.name === envName)?.valueSource?.secretKeyRef?.version ?? undefined;
    },
    async revisionCount(): Promise<number> {
      const [list] = await revisions.listRevisions({ parent: SERVICE });
      return list.length;
    },
    async close() {
      await Promise.all([secrets.close(), services.close(), revisions.close()]);
    },
  };
}

/** A deployed Atlantis (github provider, token from $GITHUB_TOKEN) to push secrets into. */
async function deployed(transport: Transport = 'grpc', config = MINIMAL_CONFIG, extraEnv: NodeJS.ProcessEnv = {}) {
  const emu = await emulator();
  const dir = projectDir(config);
  const env = emulatorEnv(emu, transport, extraEnv);
  const first = await runCli(['deploy', '-y'], { cwd: dir, env });
  expect(first.code, first.stderr).toBe(0);
  return { emu, dir, env, read: clients(emu, transport) };
}

describe('secrets push refuses bad input: exit 2, a clear message, no mutating call', () => {
  it('empty token, unknown name, value as an argument, missing value, bad flag combinations', async () => {
    const { emu, dir, env, read } = await deployed();
    writeFileSync(path.join(dir, 'empty.txt'), '\n');
    writeFileSync(path.join(dir, 'two-lines.txt'), 'ghp_a0000000000000000000\nghp_b0000000000000000000\n');
    const canary = 'ghp_ARGUMENTcanary000000000000000000000042';
    const calls = since(emu);
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['secrets', 'push', 'vcs-token', '--from-file', 'empty.txt'], env, /secret vcs-token: the value from file empty\.txt is empty/],
      [['secrets', 'push', 'vcs-token', '--from-file', 'two-lines.txt'], env, /spans several lines; a token is one line/],
      [['secrets', 'push', 'vcs-token', '--from-file', 'missing.txt'], env, /--from-file missing\.txt: no such file/],
      [
        ['secrets', 'push', 'vcs-tokn'],
        env,
        /unknown secret \(not shown: it is no secret name, and could be a value\): expected one of vcs-token, webhook-secret, web-password[\s\S]*did you mean vcs-token\?/,
      ],
      [
        ['secrets', 'push', 'github-app-key'],
        env,
        /secret "github-app-key" is not used by this configuration \(github\); its secrets are: vcs-token, webhook-secret, web-password/,
      ],
      [
        ['secrets', 'push', 'vcs-token', canary],
        env,
        /an extra argument \(not shown\) — secret values are never taken from the command line, where they would stay in shell history/,
      ],
      [['secrets', 'push', `--value=${canary}`], env, /unknown option --value — secret values are never taken from the command line/],
      [
        ['secrets', 'push', 'vcs-token', '--token', canary],
        env,
        /unknown option --token, an extra argument|an extra argument \(not shown\), unknown option --token/,
      ],
      [['secrets', 'push', canary], env, /unknown secret \(not shown: it is no secret name, and could be a value\)/],
      [
        ['secrets', 'push', 'vcs-token'],
        { ...env, GITHUB_TOKEN: '' },
        /no value to push — \$GITHUB_TOKEN is not set[\s\S]*hint: give it with --from-file PATH .*export GITHUB_TOKEN=… \(secrets\.vcs-token: \{fromEnv: GITHUB_TOKEN\}\)/,
      ],
      [
        ['secrets', 'push'],
        { ...env, GITHUB_TOKEN: '' },
        /nothing to push: no configured source has a value now[\s\S]*vcs-token: \$GITHUB_TOKEN is not set/,
      ],
      [['secrets', 'push', 'webhook-secret'], env, /it is generated by atlantis-run \(use secrets rotate for a new value\)/],
      [['secrets', 'push', '--from-file', 'empty.txt'], env, /--from-file needs a NAME/],
      [['secrets', 'push', '--stage', '--rollout-only'], env, /--stage and --rollout-only exclude each other/],
      [['secrets', 'push', '--keep', '0'], env, /--keep: expected a whole number of versions, at least 1/],
      [['secrets', 'push', '--wait-timeout', 'soon'], env, /--wait-timeout: expected a duration/],
    ];
    for (const [args, runEnv, message] of cases) {
      const r = await runCli(args, { cwd: dir, env: runEnv });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout + r.stderr, args.join(' ')).not.toContain(canary);
    }
    expect(mutatingCalls(calls())).toEqual([]);
    // The refused argument never reached the debug logs either.
    const logs = path.join(dir, '.atlantis-run', 'logs');
    for (const file of readdirSync(logs)) expect(readFileSync(path.join(logs, file), 'utf8'), file).not.toContain(canary);
    expect(await read.versions(TOKEN_ID)).toEqual({ '1': 'ENABLED' });
    await read.close();
  });

  it('a GitHub App key that is not a PEM private key, and a repos.yaml that is not Atlantis repo config', async () => {
    const emu = await emulator();
    const dir = projectDir(
      `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github-app, appId: 12345}
  repoConfig: repos.yaml
secrets:
  github-app-key: {fromFile: app.pem}
`,
      {
        'app.pem': '-----BEGIN RSA PRIVATE KEY-----\nnot really a key\n-----END RSA PRIVATE KEY-----\n',
        'repos.yaml': 'repos:\n  - id: /.*/\n',
        'broken.yaml': 'repos:\n  - id: /.*/\n   allowed_overrides: [workflow]\n',
        'wrong-keys.yaml': 'repositories:\n  - id: /.*/\n',
      },
    );
    const env = emulatorEnv(emu, 'grpc');
    const calls = since(emu);
    const cases: [string[], RegExp][] = [
      [
        ['secrets', 'push', 'github-app-key'],
        /secret github-app-key: the value from file .*app\.pem is not a PEM private key[\s\S]*hint: use the private key file GitHub generated/,
      ],
      [
        ['secrets', 'push', 'repo-config', '--from-file', 'broken.yaml'],
        /secret repo-config: file broken\.yaml is not valid YAML \(line 3\)/,
      ],
      [
        ['secrets', 'push', 'repo-config', '--from-file', 'wrong-keys.yaml'],
        // The file is secret: its key names are not echoed.
        /secret repo-config: file wrong-keys\.yaml has a top-level key Atlantis does not know \(not shown: the file is secret\)[\s\S]*accepts: repos, workflows/,
      ],
      [
        ['secrets', 'push', 'vcs-token'],
        /secret "vcs-token" is not used by this configuration \(github-app\); its secrets are: github-app-key, webhook-secret, web-password, repo-config/,
      ],
      // Without NAME the bad key stops the whole push before anything is called.
      [['secrets', 'push'], /is not a PEM private key/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd: dir, env });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(calls().filter((e) => e.api !== 'serviceusage.googleapis.com')).toEqual([]);
    expect(mutatingCalls(calls())).toEqual([]);
  });
});

describe.each(TRANSPORTS)('secrets push over %s', (transport) => {
  it('adds exactly one version for a changed value and pins the live service to it', async () => {
    const { emu, dir, env, read } = await deployed(transport);
    const calls = since(emu);
    const r = await runCli(['secrets', 'push', 'vcs-token', '--json'], { cwd: dir, env: { ...env, GITHUB_TOKEN: TOKEN_2 } });
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result).toMatchObject({
      type: 'result',
      ok: true,
      command: 'secrets push',
      mode: 'rollout',
      rollout: 'rolled-out',
      secrets: [
        {
          name: 'vcs-token',
          secretId: TOKEN_ID,
          action: 'added',
          version: '2',
          previous: '1',
          checksum: `sha256:${sha(TOKEN_2).slice(0, 12)}`,
          origin: '$GITHUB_TOKEN',
        },
      ],
      pinned: [{ name: 'vcs-token', secretId: TOKEN_ID, from: '1', to: '2' }],
      staged: [],
      disabled: [],
    });
    // One version added, one service update; the accessor binding was there already.
    expect(methodsOf(mutatingCalls(calls()))).toEqual(['AddSecretVersion', 'UpdateService']);
    expect(await read.versions(TOKEN_ID)).toEqual({ '1': 'ENABLED', '2': 'ENABLED' });
    expect(await read.payload(TOKEN_ID, '2')).toBe(TOKEN_2);
    const service = await read.service();
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('2');
    expect(service.terminalCondition?.state).toBe('CONDITION_SUCCEEDED');
    expect(result.revision).toBe(service.latestReadyRevision!.split('/').pop());
    // The other secrets keep their pins.
    expect(await read.pin('ATLANTIS_GH_WEBHOOK_SECRET')).toBe('1');
    const lock = lockfile(dir);
    expect(lock.resources.secrets['vcs-token']).toMatchObject({
      name: `projects/my-project/secrets/${TOKEN_ID}`,
      version: '2',
      sha256: sha(TOKEN_2),
    });
    expect(lock.resources.secrets['vcs-token'].stagedVersion).toBeUndefined();
    expect(lock.resources.service.readyRevision).toBe(result.revision);

    // deploy agrees with what push did: nothing to change, no mutating call.
    const after = since(emu);
    const deploy = await runCli(['deploy', '-y', '--json'], { cwd: dir, env: { ...env, GITHUB_TOKEN: TOKEN_2 } });
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(lastJson(deploy.stdout).changes).toBe(0);
    expect(mutatingCalls(after())).toEqual([]);
    await read.close();
  });
});

describe('secrets push of a file mounted as a volume', () => {
  it('pushes a changed repos.yaml and pins the secret volume to it (REST)', async () => {
    const config = MINIMAL_CONFIG.replace(
      'vcs: {provider: github, user: atlantis-bot}',
      'vcs: {provider: github, user: atlantis-bot}\n  repoConfig: repos.yaml',
    );
    const emu = await emulator();
    const dir = projectDir(config, { 'repos.yaml': 'repos:\n  - id: /.*/\n' });
    const env = emulatorEnv(emu, 'rest');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    const read = clients(emu, 'rest');
    writeFileSync(path.join(dir, 'repos.yaml'), 'repos:\n  - id: /.*/\n    allowed_overrides: [workflow]\n');
    const calls = since(emu);
    const r = await runCli(['secrets', 'push', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.secrets.map((s: { name: string; action: string }) => `${s.name} ${s.action}`)).toEqual([
      'vcs-token unchanged',
      'repo-config added',
    ]);
    expect(result.pinned).toEqual([{ name: 'repo-config', secretId: 'atlantis-repo-config', from: '1', to: '2' }]);
    expect(methodsOf(mutatingCalls(calls()))).toEqual(['AddSecretVersion', 'UpdateService']);
    const volume = (await read.service()).template!.volumes!.find((v) => v.name === 'repo-config')!;
    expect(volume.secret).toMatchObject({ secret: 'atlantis-repo-config', items: [{ path: 'repos.yaml', version: '2' }] });
    expect(await read.payload('atlantis-repo-config', '2')).toContain('allowed_overrides');
    await read.close();
  });
});

describe('secrets push', () => {
  it('makes no mutating call for an unchanged value, with or without a lockfile', async () => {
    const { emu, dir, env, read } = await deployed();
    for (const args of [
      ['secrets', 'push', 'vcs-token'],
      ['secrets', 'push'],
    ]) {
      const calls = since(emu);
      const r = await runCli(args, { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `vcs-token: unchanged — ${TOKEN_ID} version 1 already holds this value (sha256:${sha(TOKEN_1).slice(0, 12)})`,
      );
      expect(r.stdout).toContain('Nothing to roll out');
      expect(mutatingCalls(calls())).toEqual([]);
    }
    // A fresh CI runner: the payload is compared instead of the lockfile's digest.
    rmSync(path.join(dir, 'atlantis-run.lock'));
    const calls = since(emu);
    const r = await runCli(['secrets', 'push', 'vcs-token', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout).secrets[0]).toMatchObject({ action: 'unchanged', version: '1' });
    expect(methodsOf(calls())).toContain('AccessSecretVersion');
    expect(mutatingCalls(calls())).toEqual([]);
    expect(await read.versions(TOKEN_ID)).toEqual({ '1': 'ENABLED' });
    await read.close();
  });

  it('without secretmanager.versions.access: adds a version rather than guess, and lists without checksums', async () => {
    const emu = await emulator({ deny: ['secretmanager.versions.access'] });
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    // No lockfile to vouch for version 1, and its payload cannot be read to compare.
    rmSync(path.join(dir, 'atlantis-run.lock'));
    const r = await runCli(['secrets', 'push', 'vcs-token'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: cannot read ${TOKEN_ID} version 1 to compare (no secretmanager.versions.access): adding a new version`,
    );
    expect(r.stdout).toContain(`vcs-token: added ${TOKEN_ID} version 2`);
    const list = await runCli(['secrets', 'list'], { cwd: dir, env });
    expect(list.code, list.stderr).toBe(0);
    // vcs-token: the lockfile now knows version 2's digest; the generated ones cannot be read.
    expect(list.stdout).toMatch(new RegExp(`vcs-token\\s+${TOKEN_ID}\\s+2\\s+2\\s+.*sha256:${sha(TOKEN_1).slice(0, 12)}`));
    expect(list.stdout).toMatch(/webhook-secret\s+atlantis-webhook-secret\s+1\s+1\s+-\s+\S+ \S+\s+-$/m);
  });

  it("reads --from-file - from stdin, strips a token file's trailing newline and says so", async () => {
    const { dir, env, read } = await deployed();
    const r = await runCli(['secrets', 'push', 'vcs-token', '--from-file', '-'], { cwd: dir, env, stdin: `${TOKEN_2}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('vcs-token: removed the trailing newline from stdin');
    // $GITHUB_TOKEN (the configured source) still holds the old token: deploy would push it back.
    expect(r.stderr).toContain(
      'vcs-token: atlantis-run.yaml reads it from $GITHUB_TOKEN, which holds a different value — the next deploy would push that one back',
    );
    expect(r.stdout).toContain(`vcs-token: added ${TOKEN_ID} version 2, from stdin`);
    expect(await read.payload(TOKEN_ID, '2')).toBe(TOKEN_2);
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('2');
    await read.close();
  });

  it('asks with hidden input on a terminal when no source has a value', async () => {
    assertBuilt(['src/cli/commands/secrets-push.ts', 'src/secret-values/source.ts', 'src/secrets/push.ts', 'src/cli/command-table.ts']);
    const { dir, env, read } = await deployed();
    // The built CLI on a pseudo-terminal: inquirer's password prompt in raw mode, keys typed.
    const screen = await runCliPty(['secrets', 'push', 'vcs-token'], {
      cwd: dir,
      env: { ...env, GITHUB_TOKEN: '' },
      steps: [
        { expect: 'Value for vcs-token (GitHub access token), hidden', send: '\r' },
        // An empty answer is refused with the reason, and asked again.
        { expect: 'is empty', send: [KEY.ctrlU, `${TOKEN_2}`, KEY.enter] },
      ],
    });
    expect(screen.code, screen.screen).toBe(0);
    expect(screen.screen).toContain(`added ${TOKEN_ID} version 2, from the prompt`);
    // Masked: the typed token never appears on the terminal.
    expect(screen.screen).not.toContain(TOKEN_2);
    expect(await read.payload(TOKEN_ID, '2')).toBe(TOKEN_2);
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('2');
    await read.close();
  });

  it('--stage only adds the version; --rollout-only rolls it out later', async () => {
    const { emu, dir, env, read } = await deployed();
    writeFileSync(path.join(dir, 'token.txt'), TOKEN_2);
    const stageCalls = since(emu);
    const staged = await runCli(['secrets', 'push', 'vcs-token', '--from-file', 'token.txt', '--stage'], { cwd: dir, env });
    expect(staged.code, staged.stderr).toBe(0);
    expect(methodsOf(mutatingCalls(stageCalls()))).toEqual(['AddSecretVersion']);
    expect(staged.stdout).toContain(`Staged: ${TOKEN_ID} version 2 (pushed with --stage)`);
    expect(staged.stdout).toContain('atlantis-run secrets push --rollout-only');
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('1');
    expect(lockfile(dir).resources.secrets['vcs-token']).toMatchObject({ version: '1', stagedVersion: '2', sha256: sha(TOKEN_2) });

    const list = await runCli(['secrets', 'list', '--json'], { cwd: dir, env });
    expect(list.code, list.stderr).toBe(0);
    expect(lastJson(list.stdout).secrets.find((s: { name: string }) => s.name === 'vcs-token')).toMatchObject({
      inUse: '1',
      newest: '2',
      staged: true,
    });

    const rollCalls = since(emu);
    const rolled = await runCli(['secrets', 'push', '--rollout-only', '--json'], { cwd: dir, env });
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(lastJson(rolled.stdout)).toMatchObject({
      mode: 'rollout-only',
      rollout: 'rolled-out',
      secrets: [],
      pinned: [{ secretId: TOKEN_ID, from: '1', to: '2' }],
    });
    expect(methodsOf(mutatingCalls(rollCalls()))).toEqual(['UpdateService']);
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('2');
    const lock = lockfile(dir).resources.secrets['vcs-token'];
    expect(lock).toMatchObject({ version: '2', sha256: sha(TOKEN_2) });
    expect(lock.stagedVersion).toBeUndefined();

    // Nothing left to roll out: no mutating call.
    const again = since(emu);
    expect((await runCli(['secrets', 'push', '--rollout-only'], { cwd: dir, env })).code).toBe(0);
    expect(mutatingCalls(again())).toEqual([]);
    await read.close();
  });

  it('a staged version is rolled out by deploy', async () => {
    const { emu, dir, env, read } = await deployed();
    const staged = await runCli(['secrets', 'push', 'vcs-token', '--stage'], { cwd: dir, env: { ...env, GITHUB_TOKEN: TOKEN_2 } });
    expect(staged.code, staged.stderr).toBe(0);
    const calls = since(emu);
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env: { ...env, GITHUB_TOKEN: TOKEN_2 } });
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(methodsOf(mutatingCalls(calls()))).toEqual(['UpdateService']);
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('2');
    expect(lockfile(dir).resources.secrets['vcs-token'].stagedVersion).toBeUndefined();
    await read.close();
  });

  it('before the first deploy: creates the secret with its labels and leaves the version staged', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    // The APIs are disabled in a fresh project: push says to deploy first and changes nothing.
    const early = since(emu);
    const refused = await runCli(['secrets', 'push', 'vcs-token'], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the Secret Manager API is not enabled in my-project');
    expect(mutatingCalls(early())).toEqual([]);

    for (const api of ['secretmanager.googleapis.com', 'run.googleapis.com']) emu.setServiceEnabled('my-project', api);
    const read = clients(emu);
    const r = await runCli(['secrets', 'push', 'vcs-token'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Staged: ${TOKEN_ID} version 1 (atlantis is not deployed yet)`);
    expect(r.stdout).toContain('Run `atlantis-run deploy` to roll it out.');
    const [secret] = await read.secrets.getSecret({ name: `projects/my-project/secrets/${TOKEN_ID}` });
    expect(secret.labels).toEqual({ 'managed-by': 'atlantis-run', 'atlantis-run-service': 'atlantis', 'atlantis-run-secret': 'vcs-token' });
    const record = lockfile(dir).resources.secrets['vcs-token'];
    expect(record).toMatchObject({ stagedVersion: '1', sha256: sha(TOKEN_1) });
    expect(record.version).toBeUndefined();

    // deploy pins the pushed version instead of adding another.
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(await read.versions(TOKEN_ID)).toEqual({ '1': 'ENABLED' });
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('1');
    await read.close();
  });

  it('changes only the version pins of the live service, not drift from the configuration', async () => {
    const { dir, env, read } = await deployed();
    // Out of band: someone changed a setting in the console.
    const live = await read.service();
    live.template!.containers![0].env!.find((e) => e.name === 'ATLANTIS_REPO_ALLOWLIST')!.value = 'github.com/other/*';
    const [op] = await read.services.updateService({ service: live });
    await op.promise();
    const r = await runCli(['secrets', 'push', 'vcs-token'], { cwd: dir, env: { ...env, GITHUB_TOKEN: TOKEN_2 } });
    expect(r.code, r.stderr).toBe(0);
    const after = await read.service();
    const envOf = (name: string) => after.template!.containers![0].env!.find((e) => e.name === name)!;
    expect(envOf('ATLANTIS_REPO_ALLOWLIST').value).toBe('github.com/other/*');
    expect(envOf('ATLANTIS_GH_TOKEN').valueSource!.secretKeyRef!.version).toBe('2');
    await read.close();
  });

  it('reports a revision that fails to start like deploy does (exit 1), and the old one keeps serving', async () => {
    const { dir, env, read } = await deployed();
    const before = await read.service();
    // Out of band: an image that does not exist; the failed revision leaves the template broken.
    const broken = await read.service();
    broken.template!.containers![0].image = `europe-west1-docker.pkg.dev/my-project/missing/atlantis@sha256:${'b'.repeat(64)}`;
    const [op] = await read.services.updateService({ service: broken });
    await op.promise().catch(() => undefined);
    const r = await runCli(['secrets', 'push', 'vcs-token'], { cwd: dir, env: { ...env, GITHUB_TOKEN: TOKEN_2 } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/revision atlantis-\S+ failed:/);
    expect(r.stderr).toContain(`${before.latestReadyRevision!.split('/').pop()} keeps serving`);
    expect(r.stderr).toMatch(/Logs: `atlantis-run logs --revision atlantis-\S+`, https:\/\/console\.cloud\.google\.com\/logs\/query/);
    // The version exists (deploy will pin it once the cause is fixed); nothing was disabled.
    expect(await read.versions(TOKEN_ID)).toEqual({ '1': 'ENABLED', '2': 'ENABLED' });
    await read.close();
  });

  it('disables versions older than the newest --keep that no revision uses (not destroyed)', async () => {
    const { dir, env, read } = await deployed();
    // Version 1 is in use by the first revision. Versions 2-4 are staged and never rolled out.
    for (const n of [2, 3, 4]) {
      const r = await runCli(['secrets', 'push', 'vcs-token', '--stage'], {
        cwd: dir,
        env: { ...env, GITHUB_TOKEN: `ghp_staged${n}00000000000000000000000000000` },
      });
      expect(r.code, r.stderr).toBe(0);
    }
    const r5 = await runCli(['secrets', 'push', 'vcs-token', '--json'], {
      cwd: dir,
      env: { ...env, GITHUB_TOKEN: 'ghp_fifth000000000000000000000000000000000' },
    });
    expect(r5.code, r5.stderr).toBe(0);
    // Kept: 5 and 4 (the newest two), 1 (the first revision pins it). Disabled: 2 and 3.
    expect(lastJson(r5.stdout).disabled).toEqual([
      { name: 'vcs-token', secretId: TOKEN_ID, version: '2' },
      { name: 'vcs-token', secretId: TOKEN_ID, version: '3' },
    ]);
    expect(await read.versions(TOKEN_ID)).toEqual({ '1': 'ENABLED', '2': 'DISABLED', '3': 'DISABLED', '4': 'ENABLED', '5': 'ENABLED' });

    const r6 = await runCli(['secrets', 'push', 'vcs-token', '--keep', '1'], {
      cwd: dir,
      env: { ...env, GITHUB_TOKEN: 'ghp_sixth000000000000000000000000000000000' },
    });
    expect(r6.code, r6.stderr).toBe(0);
    expect(r6.stdout).toContain(`Disabled old versions (not destroyed): ${TOKEN_ID} 4`);
    // 5 stays: the previous revision pins it (traffic can go back to it). 1 likewise.
    expect(await read.versions(TOKEN_ID)).toEqual({
      '1': 'ENABLED',
      '2': 'DISABLED',
      '3': 'DISABLED',
      '4': 'DISABLED',
      '5': 'ENABLED',
      '6': 'ENABLED',
    });
    expect(await read.pin('ATLANTIS_GH_TOKEN')).toBe('6');
    await read.close();
  });
});

describe('secrets rotate', () => {
  it('generates, rolls out and says what to change on the VCS side; the value only where asked', async () => {
    const { emu, dir, env, read } = await deployed();
    const number = emu.projectNumber('my-project');
    const webhookUrl = `https://atlantis-${number}.europe-west1.run.app/events`;
    const before = await read.payload('atlantis-webhook-secret', '1');

    const r = await runCli(['secrets', 'rotate', 'webhook-secret', '-y'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const value2 = await read.payload('atlantis-webhook-secret', '2');
    expect(value2).not.toBe(before);
    expect(value2).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await read.pin('ATLANTIS_GH_WEBHOOK_SECRET')).toBe('2');
    expect(r.stdout).toContain(PROVIDERS.github.webhookHelp);
    expect(r.stdout).toContain(`URL:      ${webhookUrl}`);
    expect(r.stdout).toContain('secret:   the new value (`atlantis-run secrets show webhook-secret` on a terminal prints it)');
    expect(r.stdout + r.stderr).not.toContain(value2);

    // --output: a 0600 file with the new value, and the same hints; JSON carries no value.
    const out = path.join(dir, 'webhook.txt');
    const j = await runCli(['secrets', 'rotate', 'webhook-secret', '-y', '--json', '--output', 'webhook.txt'], { cwd: dir, env });
    expect(j.code, j.stderr).toBe(0);
    const value3 = await read.payload('atlantis-webhook-secret', '3');
    expect(readFileSync(out, 'utf8')).toBe(value3);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const result = lastJson(j.stdout);
    expect(result).toMatchObject({ ok: true, command: 'secrets rotate', name: 'webhook-secret', version: '3', webhookUrl, output: out });
    expect(result.steps.join('\n')).toContain(`written to webhook.txt, mode 0600`);
    expect(j.stdout + j.stderr).not.toContain(value3);
    // Versions 1 and 2 are pinned by earlier revisions, so none is disabled.
    expect(await read.versions('atlantis-webhook-secret')).toEqual({ '1': 'ENABLED', '2': 'ENABLED', '3': 'ENABLED' });

    // An existing --output file is never replaced without --force, and then nothing changes at all.
    const calls = since(emu);
    const refused = await runCli(['secrets', 'rotate', 'webhook-secret', '-y', '--output', 'webhook.txt'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--output webhook.txt exists; it was not changed');
    expect(readFileSync(out, 'utf8')).toBe(value3);
    expect(mutatingCalls(calls())).toEqual([]);
    const forced = await runCli(['secrets', 'rotate', 'webhook-secret', '-y', '--output', 'webhook.txt', '--force'], { cwd: dir, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(await read.payload('atlantis-webhook-secret', '4'));
    expect(statSync(out).mode & 0o777).toBe(0o600);

    // --show prints the value, but only to a terminal.
    const shown = await runOnTerminal(['secrets', 'rotate', 'web-password', '-y', '--show'], { cwd: dir, env });
    expect(shown.code, shown.stderr).toBe(0);
    const password = await read.payload('atlantis-web-password', '2');
    expect(shown.stdout.trimEnd().split('\n').at(-1)).toBe(password);
    expect(shown.stdout).toContain('The web UI password changed');
    expect(shown.stderr).not.toContain(password);
    await read.close();
  });

  it('refuses what it cannot do, before changing anything', async () => {
    const { emu, dir, env } = await deployed();
    const calls = since(emu);
    const cases: [string[], RegExp][] = [
      [
        ['secrets', 'rotate', 'vcs-token', '-y'],
        /secrets rotate generates new values for webhook-secret and web-password only; vcs-token is a value you supply[\s\S]*secrets push vcs-token/,
      ],
      [
        ['secrets', 'rotate', 'hook-secret', '-y'],
        /unknown secret \(not shown: it is no secret name, and could be a value\): expected one of webhook-secret, web-password/,
      ],
      [['secrets', 'rotate', 'webhook-secret', '-y', '--show'], /--show prints the new value only to a terminal/],
      [['secrets', 'rotate', 'webhook-secret', '-y', '--show', '--json'], /never into --json output/],
      [
        ['secrets', 'rotate', 'webhook-secret'],
        /rotating webhook-secret needs confirmation \(webhooks are refused until the VCS side has the new value\)[\s\S]*--yes/,
      ],
      [['secrets', 'rotate', 'webhook-secret', '-y', 'my-own-value'], /an extra argument \(not shown\)/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd: dir, env });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(mutatingCalls(calls())).toEqual([]);
  });

  it('for Azure DevOps names the webhook basic-auth user and password', async () => {
    const { dir, env } = await deployed(
      'grpc',
      `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["dev.azure.com/acme/*"]
  vcs: {provider: azuredevops, user: atlantis-bot, webhookUser: atlantis-hooks}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
`,
    );
    const r = await runCli(['secrets', 'rotate', 'webhook-secret', '-y'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(PROVIDERS.azuredevops.webhookHelp);
    expect(r.stdout).toContain('user:     atlantis-hooks');
    expect(r.stdout).toContain('password: the new value');
  });
});

describe('secrets show', () => {
  it('prints the value in use only to a terminal or into a 0600 file', async () => {
    const { emu, dir, env, read } = await deployed();
    const value = await read.payload('atlantis-webhook-secret', '1');
    const calls = since(emu);
    const piped = await runCli(['secrets', 'show', 'webhook-secret'], { cwd: dir, env });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('stdout is not a terminal: secrets show does not print a value into a pipe or a file');
    const json = await runOnTerminal(['secrets', 'show', 'webhook-secret', '--json'], { cwd: dir, env });
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('secrets show never puts a value into --json output');
    expect(calls()).toEqual([]);

    const shown = await runOnTerminal(['secrets', 'show', 'webhook-secret'], { cwd: dir, env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(`${value}\n`);
    expect(shown.stderr).toContain('atlantis-webhook-secret version 1 (in use)');

    const file = await runCli(['secrets', 'show', 'webhook-secret', '--output', 'hook.txt'], { cwd: dir, env });
    expect(file.code, file.stderr).toBe(0);
    expect(file.stdout).toContain('Wrote atlantis-webhook-secret version 1 (in use) to hook.txt (mode 0600).');
    expect(readFileSync(path.join(dir, 'hook.txt'), 'utf8')).toBe(value);
    expect(statSync(path.join(dir, 'hook.txt')).mode & 0o777).toBe(0o600);
    const again = await runCli(['secrets', 'show', 'webhook-secret', '--output', 'hook.txt'], { cwd: dir, env });
    expect(again.code).toBe(2);
    expect(mutatingCalls(calls())).toEqual([]);
    // The debug logs of those runs never carry the value.
    const logs = path.join(dir, '.atlantis-run', 'logs');
    for (const f of readdirSync(logs)) expect(readFileSync(path.join(logs, f), 'utf8'), f).not.toContain(value);
    await read.close();
  });
});

describe('secrets list', () => {
  it('shows ids, versions in use and newest, staged, created and checksums — never a value', async () => {
    const { dir, env, read } = await deployed();
    const staged = await runCli(['secrets', 'push', 'vcs-token', '--stage'], { cwd: dir, env: { ...env, GITHUB_TOKEN: TOKEN_2 } });
    expect(staged.code, staged.stderr).toBe(0);
    const webhook = await read.payload('atlantis-webhook-secret', '1');

    const table = await runCli(['secrets', 'list'], { cwd: dir, env });
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SECRET ID\s+IN USE\s+NEWEST\s+STAGED\s+CREATED\s+CHECKSUM$/);
    const token = lines.find((l) => l.startsWith('vcs-token'))!;
    expect(token).toMatch(
      new RegExp(
        `^vcs-token\\s+${TOKEN_ID}\\s+1\\s+2\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+sha256:${sha(TOKEN_1).slice(0, 12)}$`,
      ),
    );
    expect(lines.find((l) => l.startsWith('webhook-secret'))).toContain(`sha256:${sha(webhook).slice(0, 12)}`);
    expect(table.stdout).toContain('secrets push --rollout-only');

    const json = await runCli(['secrets', 'list', '--json'], { cwd: dir, env });
    expect(json.code, json.stderr).toBe(0);
    const result = lastJson(json.stdout);
    expect(result).toMatchObject({ ok: true, command: 'secrets list', deployed: true });
    expect(result.secrets.map((s: { name: string }) => s.name)).toEqual(['vcs-token', 'webhook-secret', 'web-password']);
    expect(result.secrets[0]).toMatchObject({
      secretId: TOKEN_ID,
      source: '$GITHUB_TOKEN',
      inUse: '1',
      newest: '2',
      staged: true,
      checksum: `sha256:${sha(TOKEN_1).slice(0, 12)}`,
      versions: [
        { version: '2', state: 'ENABLED', checksum: `sha256:${sha(TOKEN_2).slice(0, 12)}` },
        { version: '1', state: 'ENABLED', checksum: `sha256:${sha(TOKEN_1).slice(0, 12)}` },
      ],
    });
    for (const text of [table.stdout, table.stderr, json.stdout, json.stderr]) {
      for (const secret of [TOKEN_1, TOKEN_2, webhook]) expect(text).not.toContain(secret);
    }
    await read.close();
  });
});

describe('secret values never leak', () => {
  it('a canary appears nowhere but in Secret Manager and where show was asked for it', async () => {
    const canary = 'ghp_CANARYsecrets0123456789abcdefCANARY77';
    const { dir, env, read } = await deployed('grpc', MINIMAL_CONFIG.replace('GITHUB_TOKEN', 'CANARY_TOKEN'), { CANARY_TOKEN: canary });
    const canaryEnv = env;
    writeFileSync(path.join(dir, 'canary.txt'), `${canary}-file\n`);
    const outputs: string[] = [];
    const runs: [string[], NodeJS.ProcessEnv, string?][] = [
      [['secrets', 'push', '--json', '--verbose'], canaryEnv],
      [['secrets', 'push', 'vcs-token'], canaryEnv],
      [['secrets', 'push', 'vcs-token', '--from-file', 'canary.txt', '--stage', '--json'], canaryEnv],
      [['secrets', 'push', 'vcs-token', '--from-file', '-', '--verbose'], canaryEnv, `${canary}-stdin`],
      [['secrets', 'push', '--rollout-only', '--json'], canaryEnv],
      [['secrets', 'list'], canaryEnv],
      [['secrets', 'list', '--json'], canaryEnv],
      [['secrets', 'show', 'vcs-token', '--output', 'shown.txt'], canaryEnv],
      [['status', '--json'], canaryEnv],
    ];
    for (const [args, runEnv, stdin] of runs) {
      const r = await runCli(args, { cwd: dir, env: runEnv, ...(stdin ? { stdin } : {}) });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    // A failing rollout too (--verbose: stack traces and causes), after the value was read: the
    // live template points at an image that does not exist, so the new revision cannot start.
    const broken = await read.service();
    broken.template!.containers![0].image = `europe-west1-docker.pkg.dev/my-project/missing/atlantis@sha256:${'c'.repeat(64)}`;
    const [op] = await read.services.updateService({ service: broken });
    await op.promise().catch(() => undefined);
    const failing = await runCli(['secrets', 'push', 'vcs-token', '--json', '--verbose'], {
      cwd: dir,
      env: { ...env, CANARY_TOKEN: `${canary}-failing` },
    });
    expect(failing.code, failing.stderr).toBe(1);
    outputs.push(failing.stdout, failing.stderr);

    for (const text of outputs) expect(text).not.toContain(canary);
    expect(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')).not.toContain(canary);
    const logs = path.join(dir, '.atlantis-run', 'logs');
    for (const file of readdirSync(logs)) {
      const text = readFileSync(path.join(logs, file), 'utf8');
      expect(text, file).not.toContain(canary);
      expect(text, file).not.toContain(Buffer.from(canary).toString('base64'));
    }
    // Where it belongs: Secret Manager, and the file show was asked to write.
    expect(await read.payload(TOKEN_ID, '1')).toBe(canary);
    expect(await read.payload(TOKEN_ID, '2')).toBe(`${canary}-file`);
    expect(await read.payload(TOKEN_ID, '3')).toBe(`${canary}-stdin`);
    expect(readFileSync(path.join(dir, 'shown.txt'), 'utf8')).toBe(`${canary}-stdin`);
    await read.close();
  });
});
