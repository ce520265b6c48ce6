// Node's fetch parses HTTP with WebAssembly that V8 would re-compile with TurboFan after a few
// responses, at ~20 MiB of compiler memory kept until exit (src/util/wasm-tiering.ts). V8's own
// trace (--trace-wasm-compilation-times, one line per compiled function and tier) shows which tier
// compiled it: these tests read it, in a child process each, never timings or memory.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keepWasmOnBaselineTier } from '../src/util/wasm-tiering.js';
import { runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv } from './support/emulator.js';
import { projectDir, tempDir } from './support/fixtures.js';

const MODULE = pathToFileURL(fileURLToPath(new URL('../dist/util/wasm-tiering.js', import.meta.url))).href;
const TRACE = '--trace-wasm-compilation-times';

/** A script that fetches from a local server 100 times, after keeping wasm on the baseline tier or not. */
function fetchScript(keepBaseline: boolean): string {
  const file = path.join(tempDir(), 'fetch.mjs');
  writeFileSync(
    file,
    `${keepBaseline ? `(await import(${JSON.stringify(MODULE)})).keepWasmOnBaselineTier();\n` : ''}` +
      `import http from 'node:http';
const server = http.createServer((req, res) => { res.setHeader('x-padding', 'p'.repeat(2000)); res.end('{"ok":true}'); });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
for (let i = 0; i < 100; i++) await (await fetch('http://127.0.0.1:' + server.address().port + '/')).text();
server.close();
`,
  );
  return file;
}

function runNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const compiledWith = (trace: string, tier: 'Liftoff' | 'TurboFan') => trace.split('\n').filter((l) => l.includes(`using ${tier}`));

describe('the HTTP parser behind fetch stays on V8 baseline tier', () => {
  it('without it, V8 re-compiles the parser with TurboFan (what the tests below rely on seeing)', async () => {
    const run = await runNode([TRACE, fetchScript(false)]);
    expect(run.code).toBe(0);
    expect(compiledWith(run.stdout, 'TurboFan').length).toBeGreaterThan(0);
  });

  it('with it, the same fetches are served by baseline code only, and Node prints nothing', async () => {
    const run = await runNode([TRACE, fetchScript(true)]);
    expect(run.code).toBe(0);
    expect(compiledWith(run.stdout, 'Liftoff').length).toBeGreaterThan(0);
    expect(compiledWith(run.stdout, 'TurboFan')).toEqual([]);
    // An unknown flag would have V8 print "Error: unrecognized flag".
    expect(run.stderr).toBe('');
  });

  it('is left alone on a V8 not known to have the flag', () => {
    expect(keepWasmOnBaselineTier('11.3.244.8')).toBe(false);
    expect(keepWasmOnBaselineTier('99.0.0')).toBe(false);
  });

  it('the launcher applies it before a command runs: a deploy over REST compiles no TurboFan wasm', async () => {
    const emu = await emulator();
    const run = await runCliProcess(['deploy', '-y'], {
      cwd: projectDir(),
      env: emulatorEnv(emu, 'rest'),
      nodeArgs: [TRACE],
    });
    expect(run.code, run.stderr).toBe(0);
    expect(compiledWith(run.stdout, 'Liftoff').length).toBeGreaterThan(0);
    expect(compiledWith(run.stdout, 'TurboFan')).toEqual([]);
  });
});
