// `atlantis-run logs` through the CLI against the project's emulator: Atlantis's JSON lines (made to
// "print" with the emulator's appendContainerLogs hook) and Cloud Run's own events, rendered and
// raw; --severity against Atlantis's zap level; a failed revision's reason found with --revision;
// --follow in a real child process stopped with Ctrl-C; bad flags exit 2 before any call.
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ServicesClient } from '@google-cloud/run';
import { appendContainerLogs } from '../src/emulator/apis/logging.js';
import { itemLine, resultLine } from '../src/cli/results.js';
import { runCli, runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv, since } from './support/emulator.js';
import { projectDir } from './support/fixtures.js';
import { clientOptions } from './emulator/clients.js';
import type { RunningEmulator } from '../src/emulator/index.js';

const SERVICE = 'projects/my-project/locations/europe-west1/services/atlantis';

/** Atlantis's zap production JSON, as server/logging/simple_logger.go configures it. */
const zap = (level: string, msg: string, json: Record<string, string> = {}, caller = 'server/server.go:1013') =>
  JSON.stringify({ level, ts: new Date().toISOString(), caller, msg, json });

function lastJson(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

function say(
  emu: RunningEmulator,
  lines: string[],
  extra: { stream?: 'stdout' | 'stderr'; revision?: string; timestamp?: string } = {},
): void {
  emu.mutate((services) => void appendContainerLogs(services, { service: SERVICE, lines, ...extra }));
}

async function deployed() {
  const emu = await emulator();
  const dir = projectDir();
  const env = emulatorEnv(emu, 'grpc');
  const first = await runCli(['deploy', '-y', '--json'], { cwd: dir, env });
  expect(first.code, first.stderr).toBe(0);
  return { emu, dir, env, revision: lastJson(first.stdout).revision as string };
}

const listCalls = (entries: { method: string }[]) => entries.filter((e) => e.method.endsWith('/ListLogEntries')).length;

describe('atlantis-run logs', () => {
  it("shows Atlantis's lines and Cloud Run's events, readable or raw, filtered by severity and revision", async () => {
    const { emu, dir, env, revision } = await deployed();
    say(emu, [
      zap('info', 'Atlantis started - listening on port 4141'),
      zap('warn', 'unable to get pull request status', { repo: 'acme/infra', pull: '12' }, 'events/command_runner.go:212'),
      zap('error', 'running git clone: exit status 128', { repo: 'acme/infra' }, 'events/working_dir.go:301'),
    ]);
    // Later than the three lines above (which are 1 ms apart from now on).
    say(emu, ['plain text on stderr'], { stream: 'stderr', timestamp: new Date(Date.now() + 50).toISOString() });

    const text = await runCli(['logs'], { cwd: dir, env });
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`INFO {5}${revision} {2}Ready condition status changed to True for Revision ${revision}`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/INFO {5}service {2}Ready condition status changed to True for Service atlantis\.$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`INFO {5}${revision} {2}Atlantis started - listening on port 4141 {2}\\(server/server\\.go:1013\\)$`),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /WARNING {2}\S+ {2}unable to get pull request status {2}repo=acme\/infra pull=12 {2}\(events\/command_runner\.go:212\)$/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/DEFAULT {2}\S+ {2}plain text on stderr$/));
    // Oldest first, as a terminal reads them.
    expect(lines.findIndex((l) => l.includes('Atlantis started'))).toBeLessThan(lines.findIndex((l) => l.includes('git clone')));

    // --severity: Cloud Run left Atlantis's level in the payload; both are matched.
    const warnings = await runCli(['logs', '--severity', 'warning'], { cwd: dir, env });
    expect(warnings.code, warnings.stderr).toBe(0);
    expect(
      warnings.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[2]),
    ).toEqual(['WARNING', 'ERROR']);

    // --json: the entries as Cloud Logging returns them, Atlantis's payload untouched.
    const raw = await runCli(['logs', '--json', '--limit', '3'], { cwd: dir, env });
    expect(raw.code, raw.stderr).toBe(0);
    const result = lastJson(raw.stdout);
    expect(resultLine('logs').safeParse(result).success).toBe(true);
    expect(result).toMatchObject({ command: 'logs', followed: false, count: 3, service: 'atlantis' });
    expect(result.filter).toContain('resource.labels.service_name="atlantis"');
    expect(result.entries.map((e: any) => e.jsonPayload?.msg ?? e.textPayload)).toEqual([
      'unable to get pull request status',
      'running git clone: exit status 128',
      'plain text on stderr',
    ]);
    expect(result.entries[1]).toMatchObject({ jsonPayload: { level: 'error', json: { repo: 'acme/infra' } } });
    expect(result.entries[1].severity).toBeUndefined(); // DEFAULT: Cloud Run lifts no `level`
  });

  it("finds a failed revision's reason with --revision, as the failed deploy says", async () => {
    const { emu, dir, env, revision } = await deployed();
    const services = new ServicesClient(clientOptions(emu, 'grpc'));
    const [live] = await services.getService({ name: SERVICE });
    live.template!.containers![0].image = `europe-west1-docker.pkg.dev/my-project/missing/atlantis@sha256:${'b'.repeat(64)}`;
    const [op] = await services.updateService({ service: live });
    await op.promise().catch(() => undefined);
    const [after] = await services.getService({ name: SERVICE });
    await services.close();
    const failed = after.latestCreatedRevision!.split('/').pop()!;
    expect(failed).not.toBe(revision);

    const r = await runCli(['logs', '--revision', failed, '--severity', 'error'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `ERROR {4}${failed} {2}Ready condition status changed to False for Revision ${failed} with message: Image '.*' not found\\.$`,
        ),
      ),
    ]);
    // The service's own failure event names no revision: --revision leaves it out, the service view has it.
    const service = await runCli(['logs', '--severity', 'error'], { cwd: dir, env });
    expect(service.stdout).toMatch(/ERROR {4}service {2}Ready condition status changed to False for Service atlantis with message: Image/);
  });

  it('refuses a --since that does not parse, an unknown severity or a revision of another service: exit 2, no call', async () => {
    const { emu, dir, env } = await deployed();
    const calls = since(emu);
    const cases: [string[], RegExp, RegExp][] = [
      [['--since', 'yesterday'], /--since: "yesterday" is neither a duration nor a date/, /30m, 1h, 2d or 1w.*2026-08-20T10:00:00Z/],
      [['--severity', 'loud'], /--severity: "loud" is not a log severity/, /WARNING, ERROR/],
      [['--revision', 'other-00001-abc'], /--revision: "other-00001-abc" is not a revision of service atlantis/, /rollback --list/],
      [['--limit', '0'], /--limit: expected a whole number of entries from 1 to 10000/, /./],
      [['--follow', '--interval', '1ms'], /--interval: expected a duration of at least 100ms/, /60 entries\.list reads a minute/],
    ];
    for (const [args, message, hint] of cases) {
      const r = await runCli(['logs', ...args], { cwd: dir, env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(hint);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(listCalls(calls())).toBe(0);
  });

  it('--follow streams new entries (each once) until Ctrl-C, then ends with its result, exit 0', async () => {
    const { emu, dir, env } = await deployed();
    say(emu, [zap('info', 'before following')]);
    let child: ChildProcess | undefined;
    const lines: string[] = [];
    let partial = '';
    const waitFor = async (predicate: () => boolean, what: string) => {
      for (let i = 0; i < 400 && !predicate(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(predicate(), what).toBe(true);
    };
    const run = runCliProcess(['logs', '--follow', '--json', '--interval', '150ms'], {
      cwd: dir,
      env,
      onSpawn: (c) => {
        child = c;
        c.stdout!.on('data', (chunk: Buffer) => {
          partial += chunk.toString();
          const parts = partial.split('\n');
          partial = parts.pop()!;
          lines.push(...parts);
        });
      },
    });
    const messages = () =>
      lines.map((l) => JSON.parse(l) as Record<string, any>).flatMap((l) => (l.type === 'log-entry' ? [l.entry.jsonPayload?.msg] : []));
    await waitFor(() => messages().includes('before following'), 'the entries before --follow started');
    say(emu, [zap('warn', 'while following')]);
    await waitFor(() => messages().includes('while following'), 'a new entry while following');
    // Several polls overlap the new entry's time: it still arrives once.
    await new Promise((r) => setTimeout(r, 600));
    child!.kill('SIGINT');
    const outcome = await run;
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(messages().filter((m) => m === 'while following')).toHaveLength(1);
    const all = outcome.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const result = all.pop()!;
    for (const line of all.filter((l) => l.type === 'log-entry')) expect(itemLine.safeParse(line).success).toBe(true);
    expect(resultLine('logs').safeParse(result).success).toBe(true);
    expect(result).toMatchObject({ followed: true, entries: [] });
    expect(result.count).toBe(all.filter((l) => l.type === 'log-entry').length);
  });
});
