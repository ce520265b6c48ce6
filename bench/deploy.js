// Deploy against the bundled emulator with 100 ms added to every call, as over a real network:
// calls made, mutating calls, sequential round trips on the critical path (from the emulator's
// request log), wall time and peak memory of the CLI process.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/atlantis-run.js', import.meta.url));
// The README's quick-start configuration (with a repos.yaml and a token file), copied without the
// state of any earlier run of the example.
const EXAMPLE = new URL('../examples/quickstart/', import.meta.url);

/** Longest chain of calls where each starts after the previous one ended: the sequential round trips. */
export function criticalPath(entries) {
  const calls = [...entries].sort((a, b) => a.end - b.end);
  const depth = [];
  let best = 0;
  for (let i = 0; i < calls.length; i++) {
    let d = 1;
    for (let j = 0; j < i; j++) if (calls[j].end <= calls[i].start && depth[j] + 1 > d) d = depth[j] + 1;
    depth.push(d);
    best = Math.max(best, d);
  }
  return best;
}

// Asynchronous on purpose: the emulator serves from this very process.
function runCli(args, cwd, env) {
  return new Promise((resolve, reject) => {
    // GNU time reports the peak resident set size of the CLI process (KiB).
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const rssKiB = Number(stderr.trim().split('\n').at(-1));
      if (status !== 0) reject(new Error(`atlantis-run ${args.join(' ')} exited ${status}:\n${stderr}`));
      else resolve({ wallMs, rssMiB: rssKiB / 1024 });
    });
  });
}

export async function deployBench({ latencyMs = 100 } = {}) {
  const { startEmulator } = await import('../dist/emulator/index.js');
  const emu = await startEmulator({ port: 0, latencyMs });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlantis-run-bench-'));
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/\.atlantis-run|atlantis-run\.lock$/.test(src) });
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ATLANTIS_RUN_EMULATOR_HOST: emu.host,
    ATLANTIS_RUN_POLL_MS: '50',
    NO_COLOR: '1',
  };
  const measure = async (label, args) => {
    const before = emu.requestLog().length;
    const proc = await runCli(args, dir, env);
    const log = emu.requestLog().slice(before);
    return {
      label,
      calls: log.length,
      mutating: log.filter((e) => e.mutating).length,
      criticalPath: criticalPath(log),
      ...proc,
    };
  };
  try {
    const fresh = await measure('fresh deploy', ['deploy', '-y']);
    const noop = await measure('no-op deploy', ['deploy', '-y']);
    rmSync(path.join(dir, 'atlantis-run.lock'));
    const lockless = await measure('no-op deploy, no lockfile', ['deploy', '-y']);
    return { latencyMs, runs: [fresh, noop, lockless] };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printDeploy(result) {
  console.log(`\nDeploy against the emulator with --latency ${result.latencyMs} ms per call`);
  console.log('  run                          calls  mutating  critical path  ratio  wall      peak RSS');
  for (const r of result.runs) {
    const ratio = r.calls ? r.criticalPath / r.calls : 0;
    console.log(
      `  ${r.label.padEnd(28)} ${String(r.calls).padStart(5)}  ${String(r.mutating).padStart(8)}  ${String(r.criticalPath).padStart(13)}  ${ratio.toFixed(2).padStart(5)}  ${(r.wallMs / 1000).toFixed(2).padStart(6)} s  ${r.rssMiB.toFixed(0).padStart(5)} MiB`,
    );
  }
  const [fresh, noop, lockless] = result.runs;
  console.log(
    '  targets: no-op mutating = 0 ' +
      (noop.mutating === 0 && lockless.mutating === 0 ? 'ok' : 'MISSED') +
      ' · no-op critical path ≤ 2 ' +
      (noop.criticalPath <= 2 ? 'ok' : `MISSED (${noop.criticalPath})`) +
      ' · fresh critical path ≤ 0.35 of calls ' +
      (fresh.criticalPath / fresh.calls <= 0.35 ? 'ok' : `MISSED (${(fresh.criticalPath / fresh.calls).toFixed(2)})`),
  );
}
