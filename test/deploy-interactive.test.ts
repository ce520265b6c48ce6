// deploy and destroy on a terminal: the plan is shown, then a question; "no" changes nothing.
import { describe, expect, it } from 'vitest';
import { emulator, mutatingCalls, since } from './support/emulator.js';
import { projectDir } from './support/fixtures.js';
import { assertBuilt, KEY, runCliPty } from './support/pty.js';

const env = (host: string) => ({
  ATLANTIS_RUN_EMULATOR_HOST: host,
  ATLANTIS_RUN_POLL_MS: '20',
  ATLANTIS_RUN_RETRY_BASE_MS: '10',
  GITHUB_TOKEN: 'ghp_typedOnATerminal00000000000000000000',
});

describe('deploy on a terminal', () => {
  it('shows the plan and asks; "no" changes nothing, "yes" deploys', async () => {
    assertBuilt(['src/cli/commands/deploy.ts', 'src/engine/runner.ts']);
    const emu = await emulator();
    const dir = projectDir();
    const declined = since(emu);
    const no = await runCliPty(['deploy'], {
      cwd: dir,
      env: env(emu.host),
      steps: [{ expect: /Apply \d+ changes\?/, send: ['n', KEY.enter] }],
    });
    // Declining is its own exit code (5); the plan reads as `atlantis-run plan` prints it.
    expect(no.code, no.screen).toBe(5);
    expect(no.screen).toContain('+ Cloud Run service atlantis');
    expect(no.screen).toMatch(/Plan: \d+ to create, \d+ to update, 0 to delete\./);
    expect(no.screen).toContain('Nothing was changed.');
    expect(mutatingCalls(declined())).toEqual([]);

    const yes = await runCliPty(['deploy'], {
      cwd: dir,
      env: env(emu.host),
      steps: [{ expect: /Apply \d+ changes\?/, send: ['y', KEY.enter] }],
    });
    expect(yes.code, yes.screen).toBe(0);
    expect(yes.screen).toContain('Rehearsal in the local emulator done');

    // Nothing to change: no question at all.
    const again = await runCliPty(['deploy'], { cwd: dir, env: env(emu.host), steps: [] });
    expect(again.code, again.screen).toBe(0);
    expect(again.screen).toContain('(no changes were needed)');
    expect(again.screen).not.toContain('Apply');

    const destroyNo = since(emu);
    const keep = await runCliPty(['destroy'], {
      cwd: dir,
      env: env(emu.host),
      steps: [{ expect: /Delete \d+ resources of atlantis in my-project\?/, send: ['n', KEY.enter] }],
    });
    expect(keep.code, keep.screen).toBe(5);
    expect(keep.screen).toContain('Nothing was deleted.');
    expect(mutatingCalls(destroyNo())).toEqual([]);
  });
});
