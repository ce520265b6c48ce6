// Risky settings deserve a word: plan warns about each (with its id and how to accept it), a deploy
// on a terminal asks, a deploy elsewhere needs --accept-risk ID or `acceptRisks:` (not just -y).
// Secret-looking plain values are refused; Bitbucket Cloud gets a webhook secret like the others;
// and an interrupted `secrets rotate` leaves its value in the --output file, which deploy calls out.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { ServicesClient } from '@google-cloud/run';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv, mutatingCalls, since } from './support/emulator.js';
import { MINIMAL_CONFIG, projectDir, tempDir } from './support/fixtures.js';
import { assertBuilt, KEY, runCliPty } from './support/pty.js';
import { clientOptions } from './emulator/clients.js';

const RISKY = `project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["*"]
  vcs: {provider: github, user: atlantis-bot}
secrets:
  vcs-token: {fromEnv: GITHUB_TOKEN}
access: {uiAuth: false}
serviceAccount: {roles: [roles/owner, roles/viewer]}
`;

describe('risky settings', () => {
  it('plan warns about each, with its id and how to accept it', async () => {
    const emu = await emulator();
    const result = await runCli(['plan', '--json'], { cwd: projectDir(RISKY), env: emulatorEnv(emu, 'grpc') });
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; risk?: string; message: string; hint?: string })
      .filter((e) => e.type === 'warning' && e.risk);
    expect(warnings.map((w) => w.risk).sort()).toEqual(['any-repo', 'broad-role', 'open-ui']);
    expect(warnings.find((w) => w.risk === 'open-ui')!.message).toContain('open to the whole internet');
    expect(warnings.find((w) => w.risk === 'broad-role')!.message).toContain('roles/owner');
    expect(warnings.find((w) => w.risk === 'broad-role')!.message).not.toContain('roles/viewer');
    expect(warnings.find((w) => w.risk === 'any-repo')!.hint).toBe(
      'accept it with --accept-risk any-repo, or acceptRisks: [any-repo] in atlantis-run.yaml',
    );
  });

  it('without a terminal, deploy needs each accepted explicitly (-y is not enough); then it deploys', async () => {
    const emu = await emulator();
    const dir = projectDir(RISKY);
    const env = emulatorEnv(emu, 'grpc');
    const calls = since(emu);
    const refused = await runCli(['deploy', '-y'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('deploy would put 3 risky settings live');
    for (const id of ['open-ui', 'any-repo', 'broad-role']) expect(refused.stderr).toContain(`--accept-risk ${id}`);
    expect(mutatingCalls(calls())).toEqual([]);

    const partly = await runCli(['deploy', '-y', '--accept-risk', 'open-ui'], { cwd: dir, env });
    expect(partly.code).toBe(2);
    expect((await runCli(['deploy', '-y', '--accept-risk', 'everything'], { cwd: dir, env })).stderr).toContain(
      '--accept-risk: "everything" is not a risk this tool warns about',
    );

    const accepted = await runCli(
      ['deploy', '-y', '--accept-risk', 'open-ui', '--accept-risk', 'any-repo', '--accept-risk', 'broad-role'],
      {
        cwd: dir,
        env,
      },
    );
    expect(accepted.code, accepted.stderr).toBe(0);

    // Or in the file, for good: then not even a warning.
    writeFileSync(path.join(dir, 'atlantis-run.yaml'), `${RISKY}acceptRisks: [open-ui, any-repo, broad-role]\n`);
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.code).toBe(0);
    expect(plan.stderr).not.toContain('accept-risk');
  });

  it('on a terminal, deploy asks', async () => {
    assertBuilt(['src/cli/commands/deploy.ts', 'src/config/risks.ts']);
    const emu = await emulator();
    const dir = projectDir(`${MINIMAL_CONFIG}access: {uiAuth: false}\n`);
    const env = {
      ATLANTIS_RUN_EMULATOR_HOST: emu.host,
      ATLANTIS_RUN_POLL_MS: '20',
      GITHUB_TOKEN: 'ghp_typedOnATerminal00000000000000000000',
    };
    const no = await runCliPty(['deploy', '-y'], { cwd: dir, env, steps: [{ expect: /Deploy with open-ui/, send: ['n', KEY.enter] }] });
    expect(no.code, no.screen).toBe(5); // declined: nothing changed
    expect(no.screen).toContain('Nothing was changed.');
  });

  it('refuses secret-looking plain values in atlantis.env, without echoing them, pointing at secrets:', async () => {
    for (const [name, value] of [
      ['TF_VAR_DB_PASS', 'hunter2'],
      ['GREETING', 'ghp_aVeryRealLookingToken000000000000000'],
      ['ATLANTIS_EXTRA', 'AKIAIOSFODNN7EXAMPLE'],
    ]) {
      const dir = projectDir(`${MINIMAL_CONFIG.replace('atlantis:\n', `atlantis:\n  env: {${name}: "${value}"}\n`)}`);
      const result = await runCli(['render'], { cwd: dir });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`atlantis.env.${name}`);
      expect(result.stderr).toContain('secrets:');
      if (value !== 'hunter2') expect(result.stderr).not.toContain(value);
    }
  });

  it('gives Bitbucket Cloud a generated webhook secret, wired to ATLANTIS_BITBUCKET_WEBHOOK_SECRET', async () => {
    const dir = projectDir(`project: my-project
region: europe-west1
atlantis:
  repoAllowlist: ["bitbucket.org/acme/*"]
  vcs: {provider: bitbucket, user: atlantis-acme}
secrets:
  vcs-token: {fromEnv: BITBUCKET_TOKEN}
`);
    const result = await runCli(['render', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const env = (
      JSON.parse(result.stdout) as {
        service: { template: { containers: { env: { name: string; valueSource?: { secretKeyRef: { secret: string } } }[] }[] } };
      }
    ).service.template.containers[0].env;
    expect(env.find((e) => e.name === 'ATLANTIS_BITBUCKET_WEBHOOK_SECRET')?.valueSource?.secretKeyRef.secret).toBe(
      'atlantis-webhook-secret',
    );
    // Deployed: the secret is generated once (version 1) and the service pins it.
    const emu = await emulator();
    const deployed = await runCli(['deploy', '-y', '--json'], {
      cwd: dir,
      env: emulatorEnv(emu, 'grpc', { BITBUCKET_TOKEN: 'ATBBbitbucketapptoken000000000000000000' }),
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    const versions = emu.requestLog().filter((e) => e.method.endsWith('/AddSecretVersion') && e.status === 'OK');
    expect(versions.map((e) => e.resource)).toContain('projects/my-project/secrets/atlantis-webhook-secret');
    const live = (JSON.parse(deployed.stdout.trim().split('\n').at(-1)!) as { webhookSecret?: { version: string } }).webhookSecret;
    expect(live?.version).toBe('1');
  });
});

describe('an interrupted rotation', () => {
  it('leaves the value in the --output file, and deploy calls out the version nobody rolled out', async () => {
    const state = path.join(tempDir(), 'emulator.json');
    const first = await emulator({ stateFile: state });
    const dir = projectDir();
    expect((await runCli(['deploy', '-y'], { cwd: dir, env: emulatorEnv(first, 'grpc') })).code).toBe(0);
    await first.close();

    // The version is added, its reply lost, and whether it went in cannot be checked: the rotation stops.
    const flaky = await emulator({
      stateFile: state,
      faults: 'secretmanager.AddSecretVersion=after:DEADLINE_EXCEEDED:1',
      deny: ['secretmanager.versions.access'],
    });
    const out = path.join(dir, 'new-webhook-secret.txt');
    const rotate = await runCli(['secrets', 'rotate', 'webhook-secret', '-y', '--output', out], {
      cwd: dir,
      env: emulatorEnv(flaky, 'grpc'),
    });
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('the value it generated is in the --output file');
    await flaky.close();

    const emu = await emulator({ stateFile: state });
    const secrets = new SecretManagerServiceClient(clientOptions(emu, 'grpc'));
    const [version] = await secrets.accessSecretVersion({ name: 'projects/my-project/secrets/atlantis-webhook-secret/versions/2' });
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(Buffer.from(version.payload!.data as Uint8Array).toString('utf8'));
    await secrets.close();

    const env = emulatorEnv(emu, 'grpc');
    const calls = since(emu);
    // Something else changes (so there is a deploy to make): the rotated value would go live with it.
    const refused = await runCli(['deploy', '-y'], { cwd: dir, env: { ...env, GITHUB_TOKEN: 'ghp_anothertoken000000000000000000000000' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('atlantis-webhook-secret version 2 is newer than version 1 the service uses');
    expect(refused.stderr).toContain('--accept-risk secret-switch');
    expect(mutatingCalls(calls())).toEqual([]);
    const plan = await runCli(['plan'], { cwd: dir, env });
    expect(plan.stderr).toContain('atlantis-run secrets show webhook-secret');

    const accepted = await runCli(['deploy', '-y', '--accept-risk', 'secret-switch'], {
      cwd: dir,
      env: { ...env, GITHUB_TOKEN: 'ghp_anothertoken000000000000000000000000' },
    });
    expect(accepted.code, accepted.stderr).toBe(0);
    const run = new ServicesClient(clientOptions(emu, 'grpc'));
    const [service] = await run.getService({ name: 'projects/my-project/locations/europe-west1/services/atlantis' });
    const pin = service.template!.containers![0].env!.find((e) => e.name === 'ATLANTIS_GH_WEBHOOK_SECRET')!.valueSource!.secretKeyRef!;
    expect(pin.version).toBe('2');
    await run.close();
  });
});
