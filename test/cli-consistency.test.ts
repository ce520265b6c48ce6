// The command line behaves the same way everywhere: `help X` is `X --help`, each command's help
// lists the global flags it honours, --json usage errors are JSON, stdout never opens with a blank
// line, suggested commands repeat the flags given, and the exit codes are one documented table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/cli/command-table.js';
import { ExitCode } from '../src/errors.js';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv } from './support/emulator.js';
import { projectDir, tempDir } from './support/fixtures.js';

const GLOBALS = [
  '--config',
  '--lockfile',
  '--project',
  '--region',
  '--json',
  '--yes',
  '--verbose',
  '--emulator',
  '--impersonate-service-account',
];

describe('help', () => {
  for (const definition of commands) {
    const words = definition.name.split(' ');
    it(`help ${definition.name} shows what ${definition.name} --help shows, and exits 0`, async () => {
      const cwd = tempDir();
      const viaFlag = await runCli([...words, '--help'], { cwd });
      const viaHelp = await runCli(['help', ...words], { cwd });
      expect(viaFlag.code).toBe(0);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
      if (definition.options?.some((o) => !o.hidden)) expect(viaHelp.stdout).toContain(definition.options.find((o) => !o.hidden)!.flags);
      if (words.length === 2) expect((await runCli([words[0], 'help', words[1]], { cwd })).stdout).toBe(viaFlag.stdout);
    });

    it(`${definition.name} --help lists exactly the global flags it honours`, async () => {
      const help = (await runCli([...words, '--help'], { cwd: tempDir() })).stdout;
      const global = help.split('Global Options:')[1] ?? '';
      for (const flag of GLOBALS) {
        const listed = new RegExp(`^\\s+(-y, )?${flag}\\b`, 'm').test(global);
        expect(listed, `${definition.name}: ${flag}`).toBe((definition.globals ?? []).includes(flag as never));
      }
    });
  }

  it('the commands that change things honour --yes; render and emulator honour no Google flag', () => {
    const honours = (name: string) => commands.find((c) => c.name === name)?.globals ?? [];
    for (const name of ['deploy', 'destroy', 'secrets rotate', 'webhook remove']) expect(honours(name)).toContain('--yes');
    expect(honours('render')).not.toContain('--emulator');
    expect(honours('render')).not.toContain('--yes');
    expect(honours('plan')).toEqual(expect.arrayContaining(['--config', '--emulator', '--impersonate-service-account']));
  });

  it('help after global flags (and their values) is still help', async () => {
    const cwd = tempDir();
    const direct = await runCli(['deploy', '--help'], { cwd });
    const after = await runCli(['--config', 'other.yaml', '--json', 'help', 'deploy'], { cwd });
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(direct.stdout);
  });

  it('a group without its subcommand still shows help and exits 2 (a usage error)', async () => {
    const r = await runCli(['secrets'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('Usage: atlantis-run secrets');
  });
});

describe('--json usage errors', () => {
  const cases: [string, string[], string, RegExp][] = [
    ['an unknown option', ['deploy', '--json', '--bogus'], 'deploy', /unknown option '--bogus'/],
    ['an unknown command', ['--json', 'deplyo'], 'deplyo', /unknown command 'deplyo'/],
    ['a missing argument', ['secrets', 'show', '--json'], 'secrets show', /missing required argument 'name'/],
    ['an option without its value', ['plan', '--json', '--config'], 'plan', /option '--config <file>' argument missing/],
  ];
  for (const [what, args, command, message] of cases) {
    it(`${what}: stdout is one JSON result line, exit 2`, async () => {
      const r = await runCli(args, { cwd: tempDir() });
      expect(r.code).toBe(2);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const result = JSON.parse(lines[0]) as { type: string; ok: boolean; command: string; error: { message: string; exitCode: number } };
      expect(result).toMatchObject({ type: 'result', ok: false, command, error: { exitCode: 2 } });
      expect(result.error.message).toMatch(message);
    });
  }

  it('without --json, stdout stays empty', async () => {
    const r = await runCli(['deploy', '--bogus'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('output', () => {
  it('no command opens stdout with a blank line; plan and deploy repeat --config and --emulator in their hints', async () => {
    const dir = projectDir();
    const cwd = tempDir();
    const env = { GITHUB_TOKEN: 'ghp_consistency0000000000000000000000000' };
    const config = ['--config', `${dir}/atlantis-run.yaml`, '--emulator'];
    const outputs: Record<string, string> = {};
    for (const args of [['render'], ['plan'], ['status'], ['deploy', '-y'], ['status'], ['secrets', 'list'], ['destroy', '-y']]) {
      const r = await runCli([...args, ...config], { cwd, env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(/^\s*\n/);
      outputs[args[0]] ??= r.stdout;
    }
    expect(outputs.plan).toContain(`Run \`atlantis-run deploy --config ${dir}/atlantis-run.yaml --emulator\` to apply.`);
    expect(outputs.status).toContain(`Run \`atlantis-run deploy --config ${dir}/atlantis-run.yaml --emulator\`.`);
    expect(outputs.deploy).toContain(`atlantis-run secrets show webhook-secret --config ${dir}/atlantis-run.yaml --emulator`);
  });

  it("deploy's plan reads like plan's: phase headers, + ~ -, the summary line", async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    const plan = await runCli(['plan'], { cwd: dir, env });
    // Without a terminal and without -y, deploy shows the plan it would apply, then refuses.
    const refused = await runCli(['deploy'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    const planned = plan.stdout.replace(/ Run `atlantis-run deploy` to apply\.\n$/, '\n');
    expect(refused.stdout).toBe(`${planned}\n`);
    expect(refused.stdout).toMatch(/^# apis\n~ API /);
    expect(refused.stdout).toMatch(/\n\+ Cloud Run service atlantis  \(Atlantis v[\d.]+\)\n/);
    expect(refused.stdout).toMatch(/\nPlan: \d+ to create, 4 to update, 0 to delete\.\n/);
    // The progress lines do not repeat the plan.
    expect(refused.stderr).not.toContain('will create');
    expect(refused.stderr).toContain('hint: review `atlantis-run plan`, then pass --yes (-y)');
  });
});

describe('exit codes', () => {
  it('README, ARCHITECTURE.md, --help and src/errors.ts list the same codes, declining a confirmation included', async () => {
    const codes = Object.values(ExitCode).sort((a, b) => a - b);
    expect(codes).toContain(5);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Exit codes'));
    const readmeCodes = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(readmeCodes).toEqual(codes);
    expect(table).toMatch(/^\| 5 \| a confirmation was declined/m);
    const architecture = readFileSync(new URL('../ARCHITECTURE.md', import.meta.url), 'utf8');
    const line = architecture.slice(architecture.indexOf('## Exit codes')).split('\n\n')[1];
    expect([...line.matchAll(/`(\d+)`/g)].map((m) => Number(m[1]))).toEqual(codes);
    const help = (await runCli(['--help'], { cwd: tempDir() })).stdout;
    for (const code of codes) expect(help).toMatch(new RegExp(`[: ·] ${code} `));
  });
});
