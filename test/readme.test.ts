// README.md says what the tool does: the quick start's commands are the installed command (no npx)
// and its sample output is what the example prints; every troubleshooting message is one the tool
// prints, produced here by the situation it describes; the recipe pointing gcloud at the emulator runs.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, runCliProcess, type CliResult } from './support/cli.js';
import { emulator, emulatorEnv } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from './support/fixtures.js';
import { gcloudAvailable } from './emulator/gcloud.js';

const README = (await import('node:fs')).readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const EXAMPLE = fileURLToPath(new URL('../examples/quickstart/', import.meta.url));
const OFFLINE = fileURLToPath(new URL('./support/offline.mjs', import.meta.url));

function section(title: string): string {
  const start = README.indexOf(`\n${title}\n`);
  expect(start, title).toBeGreaterThan(0);
  const rest = README.slice(start + title.length + 2);
  const next = rest.search(/\n#{2,4} /);
  return next < 0 ? rest : rest.slice(0, next);
}

function codeBlocks(text: string): string[] {
  return [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** The example as it is in git, in a folder laid out like the clone (the README's --config path works). */
function exampleClone(): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'examples'));
  cpSync(EXAMPLE, path.join(dir, 'examples', 'quickstart'), {
    recursive: true,
    filter: (src) => !/\.atlantis-run|atlantis-run\.lock$/.test(src),
  });
  return dir;
}

describe('README quick start', () => {
  const quickStart = section('## Quick start');
  const [install, rehearse, sample, ownProject] = codeBlocks(quickStart);

  it('installs the command from the packed tarball and then uses it — never npx', () => {
    expect(install).toContain('npm pack');
    expect(install).toMatch(/npm install -g \.\/atlantis-run-\*\.tgz/);
    for (const block of [rehearse, ownProject]) {
      for (const line of block.split('\n').filter((l) => l.trim() && !l.startsWith('export') && !l.startsWith('gcloud'))) {
        expect(line, line).toMatch(/^atlantis-run /);
      }
    }
    expect(ownProject).toContain('atlantis-run init');
    expect(ownProject).toContain('gcloud auth application-default login');
  });

  it('prints what the README shows, warns about nothing, and a second run changes nothing', async () => {
    const dir = exampleClone();
    const args = rehearse
      .trim()
      .replace(/^atlantis-run /, '')
      .split(/\s+/);
    const first = await runCliProcess([...args, '-y'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const printed = first.stdout.split('\n');
    const shown = sample.split('\n').filter((l) => l !== '' && l !== '…');
    let at = 0;
    for (const line of shown) {
      // In order, each sample line is a line of the real output.
      const found = printed.indexOf(line, at);
      expect(found, `README line not printed (in order): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    expect(first.stderr).not.toContain('warning');
    const second = await runCliProcess([...args, '-y'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('(no changes were needed)');
    expect(second.stderr).not.toContain('warning');
  });
});

describe('README troubleshooting', () => {
  /** Every message the section quotes, as a pattern: … is any text, the placeholders any word. */
  const entries = [...section('## Troubleshooting').matchAll(/^- \*\*`(.+?)`\*\*/gm)].map((m) => m[1]);
  const pattern = (text: string) =>
    new RegExp(
      text
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/…/g, '.*')
        .replace(/\b(FILE|HOST|CODE|EMAIL|N|PROJECT|DOMAIN|NAME|IMAGE)\b/g, '\\S+'),
    );

  it('quotes messages; each one is printed by the situation it describes', async () => {
    expect(entries.length).toBeGreaterThanOrEqual(14);
    const outputs: CliResult[] = [];
    const keep = (r: CliResult) => (outputs.push(r), r);
    const offline = (extra: NodeJS.ProcessEnv = {}) => ({
      HOME: tempDir('home-'),
      METADATA_SERVER_DETECTION: 'ping-only',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${OFFLINE}`,
      ...extra,
    });

    // Credentials: none; a file that is not there; no network; refused is in test/credentials.test.ts's
    // shape — here a credential configuration whose token service answers invalid_grant.
    const dir = projectDir();
    keep(await runCliProcess(['plan'], { cwd: dir, env: offline() }));
    keep(await runCliProcess(['plan'], { cwd: dir, env: offline({ GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'nope.json') }) }));
    const http = await import('node:http');
    const sts = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'The token has been revoked.' }));
      });
    });
    await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
    writeFileSync(path.join(dir, 'subject'), 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
    const wif = {
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/providers/gh',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `http://127.0.0.1:${(sts.address() as { port: number }).port}/v1/token`,
      credential_source: { file: path.join(dir, 'subject') },
    };
    writeFileSync(path.join(dir, 'wif.json'), JSON.stringify(wif));
    keep(await runCliProcess(['plan'], { cwd: dir, env: offline({ GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'wif.json') }) }));
    sts.close();
    writeFileSync(
      path.join(dir, 'user.json'),
      JSON.stringify({ type: 'authorized_user', client_id: 'a', client_secret: 'b', refresh_token: 'c' }),
    );
    keep(await runCliProcess(['plan'], { cwd: dir, env: offline({ GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'user.json') }) }));

    // Against the emulator.
    const denied = await emulator({ deny: ['run.services.create', 'secretmanager.versions.add', 'iam.serviceAccounts.actAs'] });
    keep(await runCli(['deploy', '-y'], { cwd: projectDir(), env: emulatorEnv(denied, 'grpc') }));
    const emu = await emulator();
    keep(await runCli(['deploy', '-y'], { cwd: projectDir(), env: emulatorEnv(emu, 'grpc', { GITHUB_TOKEN: '' }) }));
    emu.setServiceEnabled('my-project', 'run.googleapis.com');
    keep(await runCli(['plan'], { cwd: projectDir(`${MINIMAL_CONFIG}domain: atlantis.mycompany.dev\n`), env: emulatorEnv(emu, 'grpc') }));
    keep(
      await runCli(['secrets', 'show', 'webhook-secret', '--output', 'x'], {
        cwd: projectDir(),
        env: emulatorEnv(await emulator(), 'grpc'),
      }),
    );
    const reference = `${MINIMAL_CONFIG}image: {strategy: reference, reference: "europe-west1-docker.pkg.dev/my-project/images/atlantis:v1"}\n`;
    keep(await runCli(['plan'], { cwd: projectDir(reference), env: emulatorEnv(await emulator(), 'grpc') }));
    const slow = await emulator({ operationDelayMs: 60_000 });
    keep(await runCli(['deploy', '-y', '--wait-timeout', '1s'], { cwd: projectDir(), env: emulatorEnv(slow, 'grpc') }));
    const init = [
      'init',
      '--non-interactive',
      '--project',
      'my-project',
      '--region',
      'europe-west1',
      '--vcs',
      'github',
      '--vcs-user',
      'bot',
      '--repo-allowlist',
      'github.com/acme/*',
      '--push-secrets',
    ];
    const noAdd = await emulator({ deny: ['secretmanager.versions.add'] });
    keep(await runCli(init, { cwd: tempDir(), env: emulatorEnv(noAdd, 'grpc') }));

    // A revision that cannot start: the secret accessor binding removed between bindings and service.
    const failing = await emulator();
    const resource = `projects/${failing.projectNumber('my-project')}/secrets/atlantis-vcs-token`;
    let revoked = false;
    keep(
      await runCli(['deploy', '-y', '--json'], {
        cwd: projectDir(),
        env: emulatorEnv(failing, 'grpc'),
        onStdoutLine: (line) => {
          const event = JSON.parse(line) as { type: string; phase?: string; status?: string };
          if (!revoked && event.type === 'phase-end' && event.phase === 'bindings' && event.status === 'ok') {
            revoked = true;
            failing.mutate((services) => {
              const policy = services.iamPolicies.get(resource);
              services.iamPolicies.set(resource, { ...policy, bindings: [] }, undefined, Date.now());
            });
          }
        },
      }),
    );

    // Configuration and the lock.
    keep(await runCli(['render'], { cwd: projectDir(MINIMAL_CONFIG.replace('europe-west1', 'europe-wst1')) }));
    keep(await runCli(['render'], { cwd: projectDir(MINIMAL_CONFIG.replace('github.com/acme/*', 'acme/*')) }));
    // Another live process (this test's parent) holds the run lock of this folder.
    const locked = projectDir();
    mkdirSync(path.join(locked, '.atlantis-run'), { recursive: true });
    const holder = {
      pid: process.ppid,
      hostname: hostname(),
      token: 'held-by-a-test',
      command: 'deploy',
      startedAt: new Date().toISOString(),
    };
    writeFileSync(path.join(locked, '.atlantis-run', 'atlantis-run.lock.pid'), JSON.stringify(holder));
    keep(await runCli(['deploy', '-y'], { cwd: locked, env: emulatorEnv(emu, 'grpc') }));

    // Risky settings in CI (no terminal): any repository of anyone, and an open web UI.
    const risky = MINIMAL_CONFIG.replace('github.com/acme/*', 'github.com/*') + 'access: {uiAuth: false}\n';
    keep(await runCli(['deploy', '-y'], { cwd: projectDir(risky), env: emulatorEnv(await emulator(), 'grpc') }));
    // An emulator that is not running, and a lockfile that is a folder.
    const closed = await import('node:net').then(
      (net) =>
        new Promise<number>((resolve) => {
          const server = net.createServer().listen(0, '127.0.0.1', () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
          });
        }),
    );
    keep(await runCli(['plan'], { cwd: projectDir(), env: { ATLANTIS_RUN_EMULATOR_HOST: `127.0.0.1:${closed}` } }));
    const folder = projectDir();
    mkdirSync(path.join(folder, 'state.lock'));
    keep(await runCli(['deploy', '-y', '--lockfile', 'state.lock'], { cwd: folder, env: emulatorEnv(emu, 'grpc') }));

    // Image builds: Cloud Build cannot push (the build account's push access taken away between its
    // grants and the build); no local builder on PATH; a local build step that fails (a stand-in buildah).
    const recipe = `${MINIMAL_CONFIG}image: {strategy: build, tools: {tflint: 0.64.0}}\n`;
    const building = await emulator();
    const buildRepo = 'projects/my-project/locations/europe-west1/repositories/atlantis-images';
    keep(
      await runCli(['deploy', '-y', '--json'], {
        cwd: projectDir(recipe),
        env: emulatorEnv(building, 'grpc'),
        onStdoutLine: (line) => {
          const event = JSON.parse(line) as { type: string; phase?: string };
          if (event.type !== 'phase-end' || event.phase !== 'build-access') return;
          building.mutate((services) => {
            const policy = services.iamPolicies.get(buildRepo) as { bindings?: { role: string }[] };
            const bindings = (policy.bindings ?? []).filter((b) => b.role !== 'roles/artifactregistry.writer');
            services.iamPolicies.set(buildRepo, { bindings }, undefined, Date.now());
          });
        },
      }),
    );
    const noTools = tempDir('no-tools-');
    keep(
      await runCli(['deploy', '-y', '--builder', 'local'], { cwd: projectDir(recipe), env: emulatorEnv(emu, 'grpc', { PATH: noTools }) }),
    );
    const standIn = tempDir('stand-in-');
    writeFileSync(
      path.join(standIn, 'buildah'),
      '#!/bin/sh\ncase "$1" in\n  version) echo "Version:         1.28.2";;\n  build) echo "Error: building at STEP \\"RUN false\\": exit status 1" >&2; exit 1;;\nesac\n',
      { mode: 0o755 },
    );
    keep(
      await runCli(['deploy', '-y', '--builder', 'buildah'], { cwd: projectDir(recipe), env: emulatorEnv(emu, 'grpc', { PATH: standIn }) }),
    );

    const printed = outputs.map((o) => o.stderr).join('\n');
    const quoted = entries.filter((e) => !e.startsWith('Exit') && !e.startsWith('A command'));
    for (const entry of quoted) expect(printed, entry).toMatch(pattern(entry));
    expect(printed).not.toContain('probably a bug');
  });
});

describe('README: gcloud against the emulator', () => {
  it.skipIf(!gcloudAvailable())('the recipe, as written, points gcloud at the emulator', async () => {
    const emu = await emulator();
    const [recipe] = codeBlocks(section('#### `gcloud` against the emulator'));
    const lines = recipe.split('\n');
    expect(lines[0]).toMatch(/^atlantis-run emulator /);
    // The emulator line is the test's own emulator; the rest runs as written.
    const script = lines.slice(1).join('\n');
    const dir = tempDir();
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['-euo', 'pipefail', '-c', script],
        {
          cwd: dir,
          timeout: 300_000,
          env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', ATLANTIS_RUN_EMULATOR_HOST: emu.host },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).toBe(0);
    expect(emu.isServiceEnabled('atlantis-quickstart', 'secretmanager.googleapis.com')).toBe(true);
  });
});
