// Bad inputs, as a table: each is refused with the path or field it is about and what to do —
// exit 2 for what the user gave (1 for the environment), no "probably a bug", no raw EISDIR, before
// any change, and never echoing what could be a secret.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from './support/fixtures.js';

const GITEA_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'; // 40 hex: looks like a name
const asRoot = process.getuid?.() === 0;

interface Case {
  name: string;
  /** Files in the project folder (the config is MINIMAL_CONFIG unless given). */
  config?: string;
  files?: Record<string, string | Buffer>;
  setup?: (dir: string) => void;
  args: (dir: string) => string[];
  env?: NodeJS.ProcessEnv;
  code?: number;
  says: (string | RegExp)[];
  never?: string[];
  skip?: boolean;
}

const withEnv = (env: Record<string, string>) =>
  MINIMAL_CONFIG.replace(
    'atlantis:\n',
    `atlantis:\n  env:\n${Object.entries(env)
      .map(([k, v]) => `    ${k}: "${v}"\n`)
      .join('')}`,
  );
const tokenFile = (content: string | Buffer) => ({
  config: MINIMAL_CONFIG.replace('vcs-token: {fromEnv: GITHUB_TOKEN}', 'vcs-token: {fromFile: token.txt}'),
  files: { 'token.txt': content },
});
const ALIAS_BOMB = `${MINIMAL_CONFIG}x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
${Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`).join('\n')}
`;
const stateFile = (content: string) => ({
  files: { 'state.json': content },
  args: (d: string) => ['emulator', '--state', path.join(d, 'state.json')],
});

const CASES: Case[] = [
  // The lockfile, checked before the first write.
  {
    name: 'lockfile path is a folder',
    setup: (d) => mkdirSync(path.join(d, 'locks')),
    args: (d) => ['deploy', '-y', '--lockfile', path.join(d, 'locks')],
    says: ['locks is a folder, not a file', '--lockfile'],
  },
  {
    name: 'lockfile in a "folder" that is a file',
    files: { 'plain.txt': 'x' },
    args: (d) => ['deploy', '-y', '--lockfile', path.join(d, 'plain.txt', 'atlantis-run.lock')],
    says: ['cannot be created', 'plain.txt is not a folder', '--lockfile'],
  },
  {
    name: 'lockfile not writable',
    skip: asRoot,
    setup: (d) => {
      mkdirSync(path.join(d, 'ro'));
      chmodSync(path.join(d, 'ro'), 0o500);
    },
    args: (d) => ['deploy', '-y', '--lockfile', path.join(d, 'ro', 'atlantis-run.lock')],
    says: ['permission denied', '--lockfile'],
  },
  {
    // sysfs refuses new files to root too, which access(W_OK) does not show.
    name: 'lockfile in a folder that refuses new files, root included',
    skip: !existsSync('/sys/kernel'),
    args: () => ['deploy', '-y', '--lockfile', '/sys/atlantis-run.lock'],
    says: ['the lockfile /sys/atlantis-run.lock cannot be created: its folder /sys', '--lockfile'],
  },
  // The emulator's --state file.
  { name: 'emulator state: not JSON', ...stateFile('{"formatVersion": 1, "proj'), says: ['state.json is not valid JSON', 'move it away'] },
  { name: 'emulator state: empty', ...stateFile(''), says: ['state.json is empty', 'move it away'] },
  {
    name: 'emulator state: another format',
    ...stateFile('{"formatVersion": 7}'),
    says: ['has state format 7; this emulator reads format 1'],
  },
  {
    name: 'emulator state: collections: null',
    ...stateFile('{"formatVersion": 1, "collections": null}'),
    says: ['is damaged: "collections" is null, not an object'],
  },
  {
    name: 'emulator state: a folder',
    setup: (d) => mkdirSync(path.join(d, 'state.json')),
    args: (d) => ['emulator', '--state', path.join(d, 'state.json')],
    says: ['state.json is a folder, not a file'],
  },
  {
    name: 'in-process emulator state: corrupt',
    setup: (d) => {
      mkdirSync(path.join(d, '.atlantis-run'));
      writeFileSync(path.join(d, '.atlantis-run', 'emulator-state.json'), '{"formatVersion": 1, "projects": [');
    },
    args: () => ['plan', '--emulator'],
    says: ['emulator-state.json is not valid JSON'],
  },
  // The configuration.
  { name: 'a YAML alias bomb', config: ALIAS_BOMB, args: () => ['render'], says: ['atlantis-run.yaml: expands too many aliases'] },
  {
    name: 'config path is a folder',
    setup: (d) => mkdirSync(path.join(d, 'conf')),
    args: (d) => ['render', '--config', path.join(d, 'conf')],
    says: ['conf is a folder, not a file', '--config'],
  },
  {
    name: 'config path is a symlink loop',
    setup: (d) => symlinkSync(path.join(d, 'loop.yaml'), path.join(d, 'loop.yaml')),
    args: (d) => ['render', '--config', path.join(d, 'loop.yaml')],
    says: ['symbolic link that leads back to itself'],
  },
  { name: 'reserved env name PORT', config: withEnv({ PORT: '8080' }), args: () => ['render'], says: ['atlantis.env.PORT: is reserved'] },
  {
    name: 'reserved env name K_REVISION',
    config: withEnv({ K_REVISION: 'x' }),
    args: () => ['render'],
    says: ['atlantis.env.K_REVISION: is reserved'],
  },
  ...['K_SERVICE', 'K_CONFIGURATION'].map((name) => ({
    name: `reserved env name ${name}`,
    config: withEnv({ [name]: 'x' }),
    args: () => ['render'],
    says: [`atlantis.env.${name}: is reserved`],
  })),
  {
    name: 'reserved env prefix X_GOOGLE_',
    config: withEnv({ X_GOOGLE_THING: 'x' }),
    args: () => ['render'],
    says: ['atlantis.env.X_GOOGLE_THING: is reserved'],
  },
  {
    name: 'an env value over 32 KiB',
    config: withEnv({ ATLANTIS_BIG: 'x'.repeat(33_000) }),
    args: () => ['render'],
    says: ['atlantis.env.ATLANTIS_BIG: is 33000 bytes; Cloud Run takes at most 32768'],
  },
  {
    name: 'a joined allowlist over 32 KiB',
    config: MINIMAL_CONFIG.replace(
      'repoAllowlist: ["github.com/acme/*"]',
      `repoAllowlist: [${Array.from({ length: 1500 }, (_, i) => `"github.com/acme/repository-${i}"`).join(', ')}]`,
    ),
    args: () => ['render'],
    says: ['atlantis.repoAllowlist: joined with commas it is', 'use wildcards'],
  },
  {
    name: 'a comma inside one allowlist entry',
    config: MINIMAL_CONFIG.replace('"github.com/acme/*"', '"github.com/acme/*,github.com/*"'),
    args: () => ['render'],
    says: ['atlantis.repoAllowlist[0]', 'contains a comma', 'its own list item'],
  },
  {
    name: 'a newline in vcs.user',
    config: MINIMAL_CONFIG.replace('user: atlantis-bot', 'user: "atlantis\\nbot"'),
    args: () => ['render'],
    says: ['atlantis.vcs.user: must not contain a colon, a newline'],
  },
  {
    name: 'a colon in access.uiUser',
    config: `${MINIMAL_CONFIG}access: {uiUser: "admin:x"}\n`,
    args: () => ['render'],
    says: ['access.uiUser: must not contain a colon'],
  },
  {
    name: 'an image Cloud Run cannot pull (ghcr.io)',
    config: `${MINIMAL_CONFIG}image: {strategy: reference, reference: "ghcr.io/runatlantis/atlantis:v0.47.1"}\n`,
    args: () => ['render'],
    says: ['image.reference: Cloud Run cannot deploy images from ghcr.io', 'strategy: upstream'],
  },
  // Secret values and their sources.
  {
    name: 'fromFile naming a FIFO',
    ...tokenFile(''),
    setup: (d) => {
      execFileSync('rm', [path.join(d, 'token.txt')]);
      execFileSync('mkfifo', [path.join(d, 'token.txt')]);
    },
    args: () => ['secrets', 'push', 'vcs-token'],
    says: ['token.txt is a named pipe (FIFO), not a regular file', 'secrets.vcs-token.fromFile'],
  },
  {
    name: '--from-file naming a device',
    args: () => ['secrets', 'push', 'vcs-token', '--from-file', '/dev/zero'],
    says: ['--from-file /dev/zero is a device, not a regular file'],
  },
  {
    name: 'fromFile holding more than Secret Manager takes',
    ...tokenFile('x'.repeat(100_000)),
    args: () => ['secrets', 'push', 'vcs-token'],
    says: ['holds more than 65536 bytes', '64 KiB'],
  },
  {
    name: 'a NUL byte in a token',
    ...tokenFile('ghp_abc\u0000def000000000000000000000000'),
    args: () => ['secrets', 'push', 'vcs-token'],
    says: ['contains a NUL'],
  },
  {
    name: 'binary data as a token',
    ...tokenFile(Buffer.from([0xff, 0xfe, 0x67, 0x00, 0x68])),
    args: () => ['secrets', 'push', 'vcs-token'],
    says: ['is binary data, not text'],
  },
  {
    name: 'spaces around a token',
    ...tokenFile('  ghp_abcdef000000000000000000000000000000 \n'),
    args: () => ['secrets', 'push', 'vcs-token'],
    says: ['has white space before or after it'],
  },
  {
    name: 'an EC key as a GitHub App key',
    config: `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["github.com/acme/*"]
  vcs: {provider: github-app, appId: 42}
secrets:
  github-app-key: {fromFile: app.pem}
`,
    files: { 'app.pem': generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    args: () => ['secrets', 'push', 'github-app-key'],
    says: ['is an EC private key; GitHub App keys are RSA'],
  },
  {
    name: 'repos.yaml keys are not echoed',
    config: `${MINIMAL_CONFIG.replace('atlantis:\n', 'atlantis:\n  repoConfig: repos.yaml\n')}`,
    files: { 'repos.yaml': 'repos: []\nsupersecretkeyname: 1\n' },
    args: () => ['secrets', 'push', 'repo-config'],
    says: ['a top-level key Atlantis does not know (not shown'],
    never: ['supersecretkeyname'],
  },
  {
    name: 'secrets show with a token as NAME',
    args: () => ['secrets', 'show', GITEA_TOKEN],
    says: ['unknown secret (not shown'],
    never: [GITEA_TOKEN],
  },
  {
    name: 'secrets push with a token as NAME',
    args: () => ['secrets', 'push', GITEA_TOKEN],
    says: ['unknown secret (not shown'],
    never: [GITEA_TOKEN],
  },
];

describe('bad inputs', () => {
  it.each(CASES.filter((c) => !c.skip).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = projectDir(
      c.config ?? MINIMAL_CONFIG,
      Object.fromEntries(Object.entries(c.files ?? {}).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
    );
    for (const [name, content] of Object.entries(c.files ?? {}))
      if (typeof content !== 'string') writeFileSync(path.join(dir, name), content);
    c.setup?.(dir);
    const started = Date.now();
    const result = await runCli(c.args(dir), { cwd: dir, env: { GITHUB_TOKEN: 'ghp_testtoken000000000000000000000000000000', ...c.env } });
    const out = `${result.stdout}\n${result.stderr}`;
    expect(result.code, out).toBe(c.code ?? 2);
    for (const s of c.says) expect(result.stderr).toMatch(typeof s === 'string' ? new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : s);
    expect(result.stderr).not.toMatch(/probably a bug|EISDIR|EACCES|ELOOP|ENOTDIR|\n\s+at /);
    for (const secret of c.never ?? []) {
      expect(out).not.toContain(secret);
      for (const log of debugLogs(dir)) expect(readFileSync(log, 'utf8'), log).not.toContain(secret);
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('an emulator host with nothing listening fails at once, saying the emulator is not running', async () => {
    const port = await closedPort();
    const started = Date.now();
    const result = await runCli(['plan'], { cwd: projectDir(), env: { ATLANTIS_RUN_EMULATOR_HOST: `127.0.0.1:${port}` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the emulator is not running: 127.0.0.1:${port} (ATLANTIS_RUN_EMULATOR_HOST) refuses connections`);
    expect(result.stderr).toContain(`atlantis-run emulator --port ${port}`);
    expect(result.stderr).not.toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a lockfile that cannot be written stops deploy before any change', async () => {
    const emu = await emulator();
    const dir = projectDir();
    mkdirSync(path.join(dir, 'atlantis-run.lock'));
    const calls = since(emu);
    const result = await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(emu, 'grpc') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('atlantis-run.lock is a folder, not a file');
    expect(calls()).toEqual([]);
    expect(mutatingCalls(calls())).toEqual([]);
  });

  it('the emulator refuses a release tag that does not exist (v9.9.9), as Google does', async () => {
    const emu = await emulator();
    const dir = projectDir(MINIMAL_CONFIG.replace('atlantis:\n', 'atlantis:\n  version: v9.9.9\n'));
    const env = emulatorEnv(emu, 'grpc');
    const refused = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /Error: image \S+\/atlantis-ghcr\/runatlantis\/atlantis:v9\.9\.9 not found: the registry has no tag v9\.9\.9/,
    );
    const good = projectDir();
    expect((await runCli(['deploy', '-y'], { cwd: good, env })).code).toBe(0);
  });

  it('debug logs and emulator state are 0600 and their folders 0700, whatever the umask', async () => {
    const dir = projectDir();
    // A child whose umask is 000 (a shared CI runner's, say).
    const code = await new Promise<number>((resolve) => {
      const child = spawn('sh', ['-c', `umask 000; exec "${process.execPath}" "${BIN}" plan --emulator`], {
        cwd: dir,
        env: cleanEnv({ GITHUB_TOKEN: 'ghp_testtoken000000000000000000000000000000' }),
        stdio: 'ignore',
      });
      child.on('close', (c) => resolve(c ?? 1));
    });
    expect(code).toBe(0);
    const mode = (p: string) => statSync(p).mode & 0o777;
    const state = path.join(dir, '.atlantis-run');
    expect(mode(state).toString(8)).toBe('700');
    expect(mode(path.join(state, 'logs')).toString(8)).toBe('700');
    for (const log of debugLogs(dir)) expect(mode(log).toString(8), log).toBe('600');
    expect(existsSync(path.join(state, 'emulator-state.json'))).toBe(true);
    expect(mode(path.join(state, 'emulator-state.json')).toString(8)).toBe('600');
  });
});

function debugLogs(dir: string): string[] {
  const logs = path.join(dir, '.atlantis-run', 'logs');
  return existsSync(logs) ? readdirSync(logs).map((f) => path.join(logs, f)) : [];
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

void tempDir;
