// The README's first run, as written: the example configuration deployed to the bundled emulator
// (--emulator keeps its state under .atlantis-run/, so a second run converges without changes).
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { QUICKSTART_PROJECT } from '../src/deployment/report.js';
import { runCli, runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv } from './support/emulator.js';
import { projectDir, tempDir } from './support/fixtures.js';

const EXAMPLE = new URL('../examples/quickstart/', import.meta.url);

describe('README quick start', () => {
  it('deploy --emulator takes the example to a running (emulated) Atlantis, and again changes nothing', async () => {
    const dir = tempDir();
    // Only what is in git: not the state of someone's earlier run of the example.
    cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/\.atlantis-run|atlantis-run\.lock$/.test(src) });
    const config = path.join(dir, 'atlantis-run.yaml');
    const first = await runCliProcess(['deploy', '--emulator', '-y', '--config', config], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    // A rehearsal, said as such; the next step is the real deployment, not a webhook nobody answers.
    expect(first.stdout).toContain('Rehearsal in the local emulator done: nothing runs there, and no URL below answers.');
    expect(first.stdout).toMatch(/Webhook URL: +https:\/\/atlantis-\d+\.europe-west1\.run\.app\/events {3}\(emulated\)/);
    expect(first.stdout).toContain('atlantis-run secrets show webhook-secret');
    expect(first.stdout).toContain('run `atlantis-run init`');
    expect(first.stdout).not.toContain('Add the webhook');
    expect(first.stdout).not.toContain('Comment `atlantis plan`');
    expect(first.stdout).not.toMatch(/^\s*\n/);
    // The example's files give the tool nothing to warn about.
    expect(first.stderr).not.toContain('warning');
    const lock = JSON.parse(readFileSync(path.join(dir, 'atlantis-run.lock'), 'utf8')) as {
      resources: { service: { readyRevision: string } };
    };
    expect(lock.resources.service.readyRevision).toMatch(/^atlantis-00001-/);

    const second = await runCliProcess(['deploy', '--emulator', '-y', '--config', config, '--json'], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, changes: 0 });

    const status = await runCliProcess(['status', '--emulator', '--config', config], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('— ready');
    expect(status.stdout).toContain('Drift against the configuration: none');
  });

  it('a rehearsal of a configuration of one’s own points at the same deploy against its project, not at init', async () => {
    expect((parse(readFileSync(new URL('atlantis-run.yaml', EXAMPLE), 'utf8')) as { project: string }).project).toBe(QUICKSTART_PROJECT);
    const dir = projectDir();
    const flagged = await runCli(['deploy', '--emulator', '-y', '--config', 'atlantis-run.yaml', '--json'], {
      cwd: dir,
      env: { GITHUB_TOKEN: 'ghp_rehearsal0123456789abcdefghijklmnop' },
    });
    expect(flagged.code, flagged.stderr).toBe(0);
    const steps = (stdout: string) => (JSON.parse(stdout.trim().split('\n').at(-1)!) as { nextSteps: string[] }).nextSteps;
    expect(steps(flagged.stdout)).toEqual([
      'Deploy for real: sign in (`gcloud auth application-default login`), then `atlantis-run deploy --config atlantis-run.yaml` — the same plan against project my-project, ending with the webhook URL to register on your VCS.',
    ]);
    const emu = await emulator();
    const byEnv = await runCli(['deploy', '-y', '--json'], { cwd: projectDir(), env: emulatorEnv(emu, 'grpc') });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(steps(byEnv.stdout)).toEqual([
      'Deploy for real: sign in (`gcloud auth application-default login`), then `atlantis-run deploy` with ATLANTIS_RUN_EMULATOR_HOST unset — the same plan against project my-project, ending with the webhook URL to register on your VCS.',
    ]);
  });
});
