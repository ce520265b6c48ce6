// `atlantis-run emulator` as a user runs it: the export line first, a working emulator behind it
// (a deploy through it, the request log written), a clean exit 0 on SIGINT; bad options exit 2.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, runCliProcess } from './support/cli.js';
import { projectDir, tempDir } from './support/fixtures.js';

describe('atlantis-run emulator', () => {
  it('prints the export line first, serves a deploy, logs every call, and exits 0 on SIGINT', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'calls.jsonl');
    const state = path.join(dir, 'emu.json');
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--request-log', log, '--state', state, '--latency', '1'], {
      cwd: dir,
      env: cleanEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
      });
      child.on('exit', () => reject(new Error(`emulator exited early: ${stderr}`)));
    });
    expect(firstLine).toMatch(/^export ATLANTIS_RUN_EMULATOR_HOST=127\.0\.0\.1:\d+$/);
    const host = firstLine.split('=')[1];

    const project = projectDir();
    const deploy = await runCli(['deploy', '-y'], {
      cwd: project,
      env: { ATLANTIS_RUN_EMULATOR_HOST: host, ATLANTIS_RUN_POLL_MS: '20', GITHUB_TOKEN: 'ghp_viaTheEmulatorCommand000000000000000' },
    });
    expect(deploy.code, deploy.stderr).toBe(0);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1); // nothing but the export on stdout

    const entries = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(20);
    for (const e of entries) {
      expect(Object.keys(e)).toEqual(
        expect.arrayContaining(['start', 'end', 'transport', 'api', 'method', 'resource', 'status', 'mutating']),
      );
    }
    expect(entries.some((e) => e.method === 'google.cloud.run.v2.Services/CreateService' && e.mutating === true && e.status === 'OK')).toBe(
      true,
    );
    expect(existsSync(state)).toBe(true);
  });

  it('state kept in --state survives a restart', async () => {
    const dir = tempDir();
    const state = path.join(dir, 'emu.json');
    const project = projectDir();
    for (const round of [1, 2]) {
      const child = spawn(process.execPath, [BIN, 'emulator', '--state', state], { cwd: dir, env: cleanEnv() });
      const host = await new Promise<string>((resolve) =>
        child.stdout.once('data', (c: Buffer) => resolve(c.toString().split('\n')[0].split('=')[1])),
      );
      const result = await runCli(['deploy', '-y', '--json'], {
        cwd: project,
        env: { ATLANTIS_RUN_EMULATOR_HOST: host, ATLANTIS_RUN_POLL_MS: '20', GITHUB_TOKEN: 'ghp_viaTheEmulatorCommand000000000000000' },
      });
      expect(result.code, result.stderr).toBe(0);
      const changes = (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { changes: number }).changes;
      if (round === 1) expect(changes).toBeGreaterThan(0);
      else expect(changes).toBe(0);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('rejects bad options with exit 2, naming them', async () => {
    const dir = tempDir();
    const faults = await runCliProcess(['emulator', '--faults', 'run.CreateService=NOPE:2'], { cwd: dir });
    expect(faults.code).toBe(2);
    expect(faults.stderr).toMatch(/fault/i);
    const port = await runCliProcess(['emulator', '--port', 'eighty'], { cwd: dir });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port');
  });
});
