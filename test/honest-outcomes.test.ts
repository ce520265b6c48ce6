// What the tool says happened is what happened: init that wrote its file and then failed (or was
// interrupted) while storing secrets says so and is completed by a rerun; a domain that cannot be
// mapped stops the run before anything is created; status of a configuration never deployed says
// "not deployed"; plans show version numbers, never placeholders, and announce a regenerated value;
// destroy --purge-secrets leaves no lockfile when nothing is left.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { setDomainVerified } from '../src/emulator/apis/cloud-run-domains.js';
import { runCli, runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';

const TOKEN = 'ghp_honestoutcomes000000000000000000000000';
const INIT = [
  'init',
  '--non-interactive',
  '--project',
  'my-project',
  '--region',
  'europe-west1',
  '--vcs',
  'github',
  '--vcs-user',
  'atlantis-bot',
  '--repo-allowlist',
  'github.com/acme/*',
  '--push-secrets',
];

function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

describe('init: the file is written, then storing the secrets fails', () => {
  it('says what was written and what to run next (exit 1, not "nothing was changed"); the same answers again finish the job', async () => {
    const cwd = tempDir();
    const denied = await emulator({ deny: ['secretmanager.versions.add'] });
    const failed = await runCli(INIT, { cwd, env: { ...emulatorEnv(denied, 'grpc'), GITHUB_TOKEN: TOKEN } });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('Error: wrote atlantis-run.yaml, but storing the secret values in Secret Manager failed');
    expect(failed.stderr).toContain('atlantis-run secrets push --stage');
    expect(failed.stderr).toContain('or init again with the same answers');
    expect(failed.stderr).not.toMatch(/nothing (was|has been) changed/i);
    expect(existsSync(path.join(cwd, 'atlantis-run.yaml'))).toBe(true);
    const written = readFileSync(path.join(cwd, 'atlantis-run.yaml'), 'utf8');

    // Same answers, the permission fixed: the identical file is kept and the values are stored.
    const working = await emulator();
    const rerun = await runCli(INIT, { cwd, env: { ...emulatorEnv(working, 'grpc'), GITHUB_TOKEN: TOKEN } });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('Kept (unchanged) atlantis-run.yaml');
    expect(rerun.stdout).toMatch(/Stored vcs-token: stored as version 1 of atlantis-vcs-token/);
    expect(readFileSync(path.join(cwd, 'atlantis-run.yaml'), 'utf8')).toBe(written);

    // Other answers still need --force.
    const other = await runCli(
      INIT.map((a) => (a === 'atlantis-bot' ? 'other-bot' : a)),
      { cwd, env: { ...emulatorEnv(working, 'grpc'), GITHUB_TOKEN: TOKEN } },
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('atlantis-run.yaml already exists; it was left untouched');
  });

  it('a value that is not there stops init before any file is written (exit 2 is then true)', async () => {
    const cwd = tempDir();
    const emu = await emulator();
    const r = await runCli(INIT, { cwd, env: { ...emulatorEnv(emu, 'grpc'), GITHUB_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--push-secrets: vcs-token has no value to store');
    expect(existsSync(path.join(cwd, 'atlantis-run.yaml'))).toBe(false);
  });

  it('Ctrl-C while storing: exit 130 naming the written file and the next step', async () => {
    const cwd = tempDir();
    // Slow calls, so the interrupt lands while the push is under way.
    const emu = await emulator({ latencyMs: 400 });
    let interrupted = false;
    const r = await runCliProcess(INIT, {
      cwd,
      env: { ...emulatorEnv(emu, 'grpc'), GITHUB_TOKEN: TOKEN },
      onSpawn: (child) =>
        child.stderr!.on('data', (chunk: Buffer) => {
          if (!interrupted && chunk.toString().includes('enabling secretmanager.googleapis.com')) {
            interrupted = true;
            child.kill('SIGINT');
          }
        }),
    });
    expect(interrupted).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted after writing atlantis-run.yaml, while storing the secret values in Secret Manager');
    expect(r.stderr).toContain('or init again with the same answers');
    expect(existsSync(path.join(cwd, 'atlantis-run.yaml'))).toBe(true);
  });
});

describe('a domain that cannot be mapped', () => {
  const withDomain = (domain: string) => `${MINIMAL_CONFIG}domain: ${domain}\n`;

  it('is found by plan when the Cloud Run API is enabled: a blocker, before anything is created', async () => {
    const emu = await emulator();
    emu.setServiceEnabled('my-project', 'run.googleapis.com');
    const dir = projectDir(withDomain('atlantis.mycompany.dev'));
    const env = emulatorEnv(emu, 'grpc');
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('cannot map atlantis.mycompany.dev: Google does not know you as a verified owner of it');
    expect(plan.stderr).toContain('gcloud domains verify mycompany.dev');
    const calls = since(emu);
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code).toBe(1);
    expect(mutatingCalls(calls())).toEqual([]);
  });

  it('on a fresh project, deploy checks right after enabling the APIs: nothing but the APIs changes', async () => {
    const emu = await emulator();
    const dir = projectDir(withDomain('atlantis.mycompany.dev'));
    const env = emulatorEnv(emu, 'rest');
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toContain('whether you may map atlantis.mycompany.dev is checked once run.googleapis.com is enabled');
    const calls = since(emu);
    const deploy = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain('cannot map atlantis.mycompany.dev');
    const methods = mutatingCalls(calls()).map((e) => e.method.split('/').pop());
    expect(new Set(methods)).toEqual(new Set(['BatchEnableServices']));

    // Verified now: the same deploy goes through, mapping included.
    emu.mutate((services) => setDomainVerified(services, 'mycompany.dev', true));
    const again = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('"resource":"atlantis.mycompany.dev","action":"create"');
  });
});

describe('status of a configuration never deployed', () => {
  it('says "not deployed" and what deploy would need, instead of failing on the missing token', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc', { GITHUB_TOKEN: '' });
    const status = await runCli(['status'], { cwd: dir, env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^atlantis is not deployed in my-project\/europe-west1\. Run `atlantis-run deploy`\./);
    expect(status.stdout).toContain('Before deploy can run:');
    expect(status.stdout).toContain('secret vcs-token (GitHub access token) has no value yet');
    const json = lastJson((await runCli(['status', '--json'], { cwd: dir, env })).stdout);
    expect(json).toMatchObject({ ok: true, deployed: false });
    expect(json.blockers[0].message).toContain('has no value yet');
  });
});

describe('plans show version numbers, never placeholders', () => {
  it('first deploy, a value with no enabled version left, a regenerated web password — plan, deploy, status, --json', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    const outputs: string[] = [];
    const run = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const r = await runCli(args, { cwd: dir, env: { ...env, ...extra } });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    expect((await run(['plan'])).stdout).toContain('+ secret version atlantis-vcs-token/versions/1  (first value)');
    await run(['plan', '--json']);
    expect((await run(['deploy', '-y'])).code).toBe(0);

    // Out of band: every version of the token and of the web password disabled.
    const secrets = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    for (const id of ['atlantis-vcs-token', 'atlantis-web-password']) {
      await secrets.disableSecretVersion({ name: `projects/my-project/secrets/${id}/versions/1` });
    }
    // No token in the environment: status shows what a deploy would pin, with the number.
    const blocked = await run(['status', '--json'], { GITHUB_TOKEN: '' });
    const drift = JSON.stringify(lastJson(blocked.stdout).drift);
    expect(drift).toContain('"to":"2"');

    const plan = await run(['plan']);
    expect(plan.stdout).toContain(
      '+ secret version atlantis-web-password/versions/2  (regenerated: no enabled version is left, so the previous value stops working)',
    );
    expect(plan.stdout).toMatch(/valueSource\.secretKeyRef\.version: "1" → "2"/);
    const deploy = await run(['deploy', '-y']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain('web-password was regenerated (no enabled version was left): the previous value no longer works');
    await run(['status']);
    await run(['status', '--json']);
    for (const text of outputs) expect(text).not.toContain('<version-of:');
    await secrets.close();
  });
});

describe('destroy --purge-secrets', () => {
  it('removes the lockfile when nothing is left, secrets the configuration no longer uses included', async () => {
    const emu = await emulator();
    const dir = projectDir(`${MINIMAL_CONFIG.replace('  vcs: {', '  repoConfig: ./repos.yaml\n  vcs: {')}`, {
      'repos.yaml': 'repos:\n  - id: /.*/\n',
    });
    const env = emulatorEnv(emu, 'grpc');
    expect((await runCli(['deploy', '-y'], { cwd: dir, env })).code).toBe(0);
    // The repo config is dropped from the configuration; its secret stays recorded in the lockfile.
    const configFile = path.join(dir, 'atlantis-run.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(configFile, MINIMAL_CONFIG);
    const destroy = await runCli(['destroy', '-y', '--purge-secrets', '--json'], { cwd: dir, env });
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(lastJson(destroy.stdout).deleted.map((d: { resource: string }) => d.resource)).toContain('atlantis-repo-config');
    expect(existsSync(path.join(dir, 'atlantis-run.lock'))).toBe(false);
    const secrets = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const [left] = await secrets.listSecrets({ parent: 'projects/my-project' });
    expect(left.map((s) => s.name)).toEqual([]);
    await secrets.close();
  });
});
