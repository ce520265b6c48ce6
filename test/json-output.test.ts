// The --json contract CI scripts rely on: every stdout line of every command is an event or, last,
// the command's result, and each matches the schemas shipped in schema/atlantis-run.output.schema.json
// (generated from src/cli/results.ts). Run against the emulator through a whole life cycle.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorResult, eventLine, itemLine, resultLine, RESULTS, type ResultCommand } from '../src/cli/results.js';
import { runCli } from './support/cli.js';
import { emulator, emulatorEnv } from './support/emulator.js';
import { projectDir, tempDir } from './support/fixtures.js';
import { description } from './support/vcs-descriptions.js';
import { startVcsServer } from './support/vcs-server.js';

const ADMIN = 'ghp_jsonAdminToken0000000000000000000000000';

/** Parses every line; checks the events and the result against the schemas; returns the result. */
function checkLines(stdout: string, command: ResultCommand | 'error'): Record<string, unknown> {
  const lines = stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines.pop()!;
  for (const line of lines) {
    const parsed = line.type === 'log-entry' ? itemLine.safeParse(line) : eventLine.safeParse(line);
    expect(parsed.success, `${command}: event line ${JSON.stringify(line)}: ${parsed.error?.message}`).toBe(true);
  }
  const schema = command === 'error' ? errorResult : resultLine(command);
  const parsed = schema.safeParse(last);
  expect(parsed.success, `${command}: result ${JSON.stringify(last)}: ${parsed.error?.message}`).toBe(true);
  return last;
}

describe('--json output', () => {
  it('matches the shipped schemas for every command, event and failure', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'grpc');
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '--json'], { cwd: dir, env: { ...env, ...extra } });
    const seen = new Set<ResultCommand>();
    const expectOk = async (command: ResultCommand, args: string[], extra?: NodeJS.ProcessEnv) => {
      const result = await run(args, extra);
      expect(result.code, `${command}: ${result.stderr}`).toBe(0);
      seen.add(command);
      return checkLines(result.stdout, command);
    };

    await expectOk('render', ['render']);
    expect(await expectOk('plan', ['plan'])).toMatchObject({ command: 'plan', ok: true });
    const deployed = await expectOk('deploy', ['deploy', '-y']);
    expect(deployed.revision).toEqual(expect.any(String));
    await expectOk('deploy', ['deploy', '-y']);
    expect(await expectOk('status', ['status'])).toMatchObject({ deployed: true, ready: true });
    await expectOk('secrets list', ['secrets', 'list']);
    writeFileSync(path.join(dir, 'token.txt'), 'ghp_othertoken00000000000000000000000000000');
    await expectOk('secrets push', ['secrets', 'push', 'vcs-token', '--from-file', 'token.txt']);
    await expectOk('secrets rotate', ['secrets', 'rotate', 'web-password', '-y', '--output', 'pw.txt']);
    await expectOk('secrets show', ['secrets', 'show', 'webhook-secret', '--output', 'hook.txt']);
    expect(await expectOk('logs', ['logs', '--severity', 'info'])).toMatchObject({ followed: false, count: expect.any(Number) });
    expect(await expectOk('upgrade', ['upgrade', '--list'])).toMatchObject({ action: 'listed', current: 'v0.47.1' });
    expect(await expectOk('rollback', ['rollback', '--list'])).toMatchObject({ action: 'listed' });
    expect(await expectOk('rollback', ['rollback', '-y'])).toMatchObject({ action: 'rolled-back' });

    const vcs = await startVcsServer({
      provider: 'github',
      description: description('github'),
      tokens: { [ADMIN]: 'admin' },
      targets: ['repo:acme/infra'],
    });
    try {
      const hooks = ['--repo', 'acme/infra', '--token-env', 'GH_ADMIN', '--api-url', vcs.apiUrl];
      await expectOk('webhook add', ['webhook', 'add', ...hooks], { GH_ADMIN: ADMIN });
      await expectOk('webhook list', ['webhook', 'list', ...hooks], { GH_ADMIN: ADMIN });
      await expectOk('webhook remove', ['webhook', 'remove', '-y', ...hooks], { GH_ADMIN: ADMIN });
    } finally {
      await vcs.close();
    }
    await expectOk('ci init', ['ci', 'init', 'github']);
    const ci = await expectOk('ci setup', ['ci', 'setup', 'github', '--repo', 'acme/infra', '-y']);
    expect(ci.variables).toEqual({
      ATLANTIS_RUN_WORKLOAD_IDENTITY_PROVIDER: ci.workloadIdentityProvider,
      ATLANTIS_RUN_SERVICE_ACCOUNT: ci.serviceAccount,
    });
    expect(((await expectOk('ci teardown', ['ci', 'teardown', '-y'])).deleted as unknown[]).length).toBeGreaterThan(0);
    expect(await expectOk('cost', ['cost', '--compare', '--live'])).toMatchObject({
      monthlyTotalUsd: expect.any(Number),
      items: expect.any(Array),
    });
    await expectOk('destroy', ['destroy', '-y', '--purge-secrets']);

    const initDir = tempDir();
    const init = await runCli(
      [
        'init',
        '--json',
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
      ],
      { cwd: initDir, env: {} },
    );
    expect(init.code, init.stderr).toBe(0);
    checkLines(init.stdout, 'init');
    seen.add('init');

    const failed = await run(['plan'], { GITHUB_TOKEN: '' });
    expect(failed.code).toBe(2);
    expect(checkLines(failed.stdout, 'error')).toMatchObject({ ok: false, command: 'plan' });

    expect([...seen].sort()).toEqual(Object.keys(RESULTS).sort());
  });
});
