// Cold start of `atlantis-run --help` and `--version` as a ratio to bare `node -e 0`
// (target ≤ 1.3×). Runs are interleaved so machine noise hits every variant alike; medians.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/atlantis-run.js', import.meta.url));

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

export function startupBench(runs = Number(process.env.BENCH_RUNS ?? 21)) {
  const variants = {
    'node -e 0': ['-e', '0'],
    'atlantis-run --help': [BIN, '--help'],
    'atlantis-run --version': [BIN, '--version'],
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const args of Object.values(variants)) timeOnce(args); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(variants)) samples[name].push(timeOnce(args));
  }
  const base = median(samples['node -e 0']);
  const rows = Object.entries(samples).map(([name, xs]) => ({ name, medianMs: median(xs), ratio: median(xs) / base }));
  return { runs, baseMs: base, rows };
}

export function printStartup(result) {
  console.log(`\nCold start (median of ${result.runs} interleaved runs; target ≤ 1.30× node -e 0)`);
  for (const row of result.rows) {
    const verdict = row.name === 'node -e 0' ? '' : row.ratio <= 1.3 ? '  ok' : '  ABOVE TARGET';
    console.log(`  ${row.name.padEnd(26)} ${row.medianMs.toFixed(1).padStart(7)} ms  ${row.ratio.toFixed(2)}×${verdict}`);
  }
}
