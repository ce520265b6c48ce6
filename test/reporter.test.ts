import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { IoHost } from '../src/ui/host.js';
import { DebugLog } from '../src/util/debug-log.js';

function streams(tty: boolean) {
  const make = () => {
    const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; text: () => string };
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.isTTY = tty;
    s.columns = 100;
    s.text = () => Buffer.concat(chunks).toString();
    // What a real TTY stream offers and ora uses.
    Object.assign(s, {
      cursorTo: (_x: number, cb?: () => void) => (cb?.(), true),
      moveCursor: (_x: number, _y: number, cb?: () => void) => (cb?.(), true),
      clearLine: (_d: number, cb?: () => void) => (cb?.(), true),
    });
    return s;
  };
  return { stdout: make(), stderr: make(), stdin: Object.assign(new PassThrough(), { isTTY: tty }) };
}

function drive(host: IoHost) {
  host.emit({ type: 'phase-start', phase: 'secrets', title: 'Secrets' });
  host.emit({ type: 'resource-changed', phase: 'secrets', kind: 'secret', resource: 'atlantis-vcs-token', action: 'create' });
  host.emit({
    type: 'resource-changed',
    phase: 'service',
    kind: 'service',
    resource: 'atlantis',
    action: 'update',
    planned: true,
    fields: [{ path: 'template.containers[0].image', from: 'a:1', to: 'a:2' }],
  });
  host.emit({ type: 'warning', message: 'something odd', hint: 'do this' });
  host.emit({ type: 'phase-end', phase: 'secrets', status: 'ok', changed: 1, elapsedMs: 1234 });
  host.print('data line');
  host.result({ ok: true, command: 'test', url: 'https://x' });
  host.close();
}

describe('reporters', () => {
  it('--json: stdout is only JSON lines, the result last', () => {
    const s = streams(true);
    const host = new IoHost({ json: true, env: {}, streams: s, debugLog: DebugLog.disabled() });
    expect(host.mode).toBe('json');
    expect(host.canPrompt).toBe(false);
    drive(host);
    const lines = s.stdout
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual(['phase-start', 'resource-changed', 'resource-changed', 'warning', 'phase-end', 'result']);
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, url: 'https://x' });
    expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(s.stdout.text()).not.toContain('data line');
    expect(s.stderr.text()).toBe('');
  });

  it('plain (no TTY, or CI set): timestamped lines on stderr, data on stdout', () => {
    for (const [tty, env] of [
      [false, {}],
      [true, { CI: 'true' }],
    ] as const) {
      const s = streams(tty);
      const host = new IoHost({ json: false, env, streams: s, debugLog: DebugLog.disabled() });
      expect(host.mode).toBe('plain');
      expect(host.canPrompt).toBe(false);
      drive(host);
      const err = s.stderr.text();
      expect(err).toMatch(/^\d\d:\d\d:\d\d \[secrets\] Secrets…$/m);
      expect(err).toMatch(/\[secrets\] created secret atlantis-vcs-token/);
      expect(err).toMatch(/\[service\] will update service atlantis/);
      expect(err).toContain('template.containers[0].image: "a:1" → "a:2"');
      expect(err).toContain('warning: something odd');
      expect(err).not.toMatch(/\u001b\[/); // no escape sequences in CI logs
      expect(s.stdout.text()).toBe('data line\n');
    }
  });

  it('a run whose stderr is not a terminal never reads stdin (Node builds process.stdin on first read)', () => {
    for (const json of [false, true]) {
      const { stdout, stderr } = streams(false);
      let stdinRead = 0;
      const s = {
        stdout,
        stderr,
        get stdin() {
          stdinRead += 1;
          return Object.assign(new PassThrough(), { isTTY: true });
        },
      };
      const host = new IoHost({ json, env: {}, streams: s, debugLog: DebugLog.disabled() });
      expect(host.canPrompt).toBe(false);
      drive(host);
      expect(stdinRead).toBe(0);
    }
  });

  it('interactive on a terminal: changes persist as lines, data on stdout', async () => {
    const s = streams(true);
    const host = new IoHost({ json: false, env: {}, streams: s, debugLog: DebugLog.disabled() });
    expect(host.mode).toBe('interactive');
    expect(host.canPrompt).toBe(true);
    drive(host);
    await new Promise((r) => setTimeout(r, 50));
    const err = s.stderr.text();
    expect(err).toContain('created secret atlantis-vcs-token');
    expect(err).toContain('secrets');
    expect(s.stdout.text()).toContain('data line');
  });

  it('in non-interactive mode a question without a default fails with exit 2 naming the flag', async () => {
    const s = streams(false);
    const host = new IoHost({ json: false, env: {}, streams: s, debugLog: DebugLog.disabled() });
    await expect(host.input({ message: 'Google Cloud project', flag: '--project or CLOUDSDK_CORE_PROJECT' })).rejects.toThrow(UsageError);
    await expect(host.confirm({ message: 'Deploy these changes?', flag: '--yes' })).rejects.toMatchObject({
      exitCode: 2,
      hint: 'pass --yes',
    });
    // With a default the default is the answer.
    await expect(host.input({ message: 'service', flag: '--service', default: 'atlantis' })).resolves.toBe('atlantis');
  });

  it('records every event in the debug log', async () => {
    const { tempDir } = await import('./support/fixtures.js');
    const log = DebugLog.create(tempDir(), 'test');
    const s = streams(false);
    const host = new IoHost({ json: false, env: {}, streams: s, debugLog: log });
    drive(host);
    const { readFileSync } = await import('node:fs');
    const kinds = readFileSync(log.path!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { entry: string }).entry);
    expect(kinds.filter((k) => k === 'event')).toHaveLength(5);
    expect(kinds).toContain('result');
  });
});
