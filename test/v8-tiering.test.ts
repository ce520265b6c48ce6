// The launcher keeps a run off V8's optimising tiers (src/util/v8-tiering.ts): the HTTP parser
// behind fetch (WebAssembly) and JavaScript functions. V8's own traces show which tier compiled
// what (--trace-wasm-compilation-times: a line per wasm function and tier; --trace-opt: a line per
// function optimised): these tests read them, in a child process each, never timings or memory.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tierForShortRuns } from '../src/util/v8-tiering.js';
import { runCliProcess } from './support/cli.js';
import { emulator, emulatorEnv } from './support/emulator.js';
import { projectDir, tempDir } from './support/fixtures.js';

const MODULE = pathToFileURL(fileURLToPath(new URL('../dist/util/v8-tiering.js', import.meta.url))).href;
const WASM_TRACE = '--trace-wasm-compilation-times';
const OPT_TRACE = '--trace-opt';

/** A script that, after setting the short-run flags or not, runs `body`. */
function script(tiered: boolean, body: string): string {
  const file = path.join(tempDir(), 'run.mjs');
  writeFileSync(file, `${tiered ? `(await import(${JSON.stringify(MODULE)})).tierForShortRuns();\n` : ''}${body}`);
  return file;
}

/** 100 fetches from a local server. */
const FETCHES = `import http from 'node:http';
const server = http.createServer((req, res) => { res.setHeader('x-padding', 'p'.repeat(2000)); res.end('{"ok":true}'); });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
for (let i = 0; i < 100; i++) await (await fetch('http://127.0.0.1:' + server.address().port + '/')).text();
server.close();
`;

/** A function called 20,000 times (past V8's default counts, short of the raised ones). */
const HOT_FUNCTION = `function shortRunHotFunction(i) { return (i * 31) ^ (i >> 3); }
let sum = 0;
for (let i = 0; i < 20000; i++) sum += shortRunHotFunction(i);
if (sum === 0.5) console.log(sum);
`;

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

const lines = (trace: string, pattern: RegExp) => trace.split('\n').filter((l) => pattern.test(l));
const wasmTurboFan = (trace: string) => lines(trace, /using TurboFan/);
const wasmLiftoff = (trace: string) => lines(trace, /using Liftoff/);
const optimised = (trace: string, name = '') => lines(trace, new RegExp(`^\\[compiling method .*<JSFunction ${name}`));

describe('a run stays on V8 tiers that cost nothing to reach', () => {
  it('without the flags, V8 re-compiles the HTTP parser with TurboFan and optimises a hot function (what the tests below rely on seeing)', async () => {
    const fetches = await runNode([WASM_TRACE, script(false, FETCHES)]);
    expect(fetches.code).toBe(0);
    expect(wasmTurboFan(fetches.stdout).length).toBeGreaterThan(0);
    const hot = await runNode([OPT_TRACE, script(false, HOT_FUNCTION)]);
    expect(hot.code).toBe(0);
    expect(optimised(hot.stdout, 'shortRunHotFunction').length).toBeGreaterThan(0);
  });

  it('with them, the parser runs on baseline code only, the function is not optimised, and Node prints nothing', async () => {
    const fetches = await runNode([WASM_TRACE, script(true, FETCHES)]);
    expect(fetches.code).toBe(0);
    expect(wasmLiftoff(fetches.stdout).length).toBeGreaterThan(0);
    expect(wasmTurboFan(fetches.stdout)).toEqual([]);
    // An unknown flag would have V8 print "Error: unrecognized flag".
    expect(fetches.stderr).toBe('');
    const hot = await runNode([OPT_TRACE, script(true, HOT_FUNCTION)]);
    expect(hot.code).toBe(0);
    expect(optimised(hot.stdout, 'shortRunHotFunction')).toEqual([]);
    expect(hot.stderr).toBe('');
  });

  it('leaves V8 alone when it is not known to have the flags', () => {
    expect(tierForShortRuns('11.3.244.8')).toBe(false);
    expect(tierForShortRuns('99.0.0')).toBe(false);
  });

  it('the launcher sets them before a command runs: a deploy over REST compiles no TurboFan wasm and optimises next to nothing', async () => {
    const emu = await emulator();
    const dir = projectDir();
    const env = emulatorEnv(emu, 'rest');
    const wasm = await runCliProcess(['deploy', '-y'], { cwd: dir, env, nodeArgs: [WASM_TRACE] });
    expect(wasm.code, wasm.stderr).toBe(0);
    expect(wasmLiftoff(wasm.stdout).length).toBeGreaterThan(0);
    expect(wasmTurboFan(wasm.stdout)).toEqual([]);
    // A no-op deploy had ~100 functions optimised by Maglev without the flags; what is left are the
    // few Node itself optimises while starting, before the launcher runs.
    const noop = await runCliProcess(['deploy', '-y'], { cwd: dir, env, nodeArgs: [OPT_TRACE] });
    expect(noop.code, noop.stderr).toBe(0);
    expect(optimised(noop.stdout).length).toBeLessThan(20);
  });
});
