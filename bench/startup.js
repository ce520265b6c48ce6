// Cold start of `atlantis-run --help` and `--version` as a ratio to bare `node -e 0`
// (target ≤ 1.3×). Runs are interleaved so machine noise hits every variant alike.
import { fileURLToPath } from 'node:url';
import { fmt, mark, measureOnce, stats } from './measure.js';

const BIN = fileURLToPath(new URL('../bin/atlantis-run.js', import.meta.url));
export const STARTUP_TARGET = 1.3;

export async function startupBench(runs = Number(process.env.BENCH_STARTUP_RUNS ?? 15)) {
  const variants = {
    'node -e 0': ['-e', '0'],
    'atlantis-run --help': [BIN, '--help'],
    'atlantis-run --version': [BIN, '--version'],
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const args of Object.values(variants)) await measureOnce(args); // warm the file and compile caches
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(variants)) samples[name].push((await measureOnce(args)).wallMs);
  }
  const base = samples['node -e 0'];
  const rows = Object.entries(samples).map(([name, xs]) => ({
    name,
    wall: stats(xs),
    // Each run against the baseline run of the same round: the ratio's own spread.
    ratio: stats(xs.map((x, i) => x / base[i])),
  }));
  return { runs, rows };
}

export function printStartup(result) {
  console.log(`\nCold start, wall time (${result.runs} interleaved runs: median (min–max); target ≤ ${STARTUP_TARGET}× node -e 0)`);
  for (const row of result.rows) {
    const verdict = row.name === 'node -e 0' ? '' : `  ${mark(row.ratio.median, STARTUP_TARGET)}`;
    console.log(`  ${row.name.padEnd(26)} ${fmt(row.wall, 'ms').padEnd(20)} ${fmt(row.ratio, '×').padEnd(20)}${verdict}`);
  }
}
