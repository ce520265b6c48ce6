// Runs against the bundled emulator with 100 ms added to every call, as over a real network: a
// fresh deploy (calls, the critical path of sequential round trips, peak memory), then, on the
// converged service, a no-op deploy with and without the lockfile, `plan` and `status` — each
// several times, interleaved with bare `node -e 0` — for wall time, CPU time, peak memory, mutating
// calls and sequential round trips (all from the emulator's request log and GNU time).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, mark, measureOnce, stats } from './measure.js';

const BIN = fileURLToPath(new URL('../bin/atlantis-run.js', import.meta.url));
// The README's quick-start configuration (with a repos.yaml and a token file), copied without the
// state of any earlier run of the example.
const EXAMPLE = new URL('../examples/quickstart/', import.meta.url);

// The targets (issue 15).
export const TARGETS = {
  wallMs: 1000,
  cpuMs: 600,
  rssMiB: 120,
  roundTrips: 2,
  freshRatio: 0.3,
  freshRssMiB: 150,
};

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

/** A fresh emulator and a copy of the quick-start example pointed at it. */
export async function setUp(latencyMs) {
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
    ...JSON.parse(process.env.BENCH_CHILD_ENV ?? '{}'),
  };
  const tearDown = async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  };
  /** One CLI run, with the calls it made (from the emulator's request log). */
  const run = async (args, { nodeArgs = [] } = {}) => {
    const before = emu.requestLog().length;
    const proc = await measureOnce([BIN, ...args], { cwd: dir, env, nodeArgs });
    const log = emu.requestLog().slice(before);
    lastLog = log;
    return { ...proc, calls: log.length, mutating: log.filter((e) => e.mutating).length, roundTrips: criticalPath(log) };
  };
  let lastLog = [];
  return { dir, env, run, tearDown, lastLog: () => lastLog };
}

/** The converged-service scenarios: what each does before its run, and its command. */
const SCENARIOS = [
  { label: 'no-op deploy, lockfile present', args: ['deploy', '-y'] },
  { label: 'no-op deploy, lockfile absent', args: ['deploy', '-y'], before: (dir) => rmSync(path.join(dir, 'atlantis-run.lock')) },
  { label: 'plan, converged', args: ['plan'] },
  { label: 'status, converged', args: ['status'] },
];

export async function deployBench({
  latencyMs = 100,
  runs = Number(process.env.BENCH_RUNS ?? 7),
  freshRuns = Number(process.env.BENCH_FRESH_RUNS ?? 3),
} = {}) {
  // Fresh deploys: each on a new emulator; the last one's service is the converged one below.
  const fresh = [];
  let env;
  for (let i = 0; i < freshRuns; i++) {
    if (env) await env.tearDown();
    env = await setUp(latencyMs);
    const r = await env.run(['deploy', '-y']);
    fresh.push({ ...r, ratio: r.roundTrips / r.calls });
  }
  try {
    await env.run(['deploy', '-y']); // warm: the first run after a fresh deploy fills the compile cache
    const samples = Object.fromEntries(SCENARIOS.map((s) => [s.label, []]));
    const baseline = [];
    for (let i = 0; i < runs; i++) {
      for (const s of SCENARIOS) {
        baseline.push(await measureOnce(['-e', '0']));
        s.before?.(env.dir);
        samples[s.label].push({ ...(await env.run(s.args)), base: baseline.at(-1) });
      }
      if (!existsSync(path.join(env.dir, 'atlantis-run.lock'))) throw new Error('a no-op deploy did not write the lockfile back');
    }
    return { latencyMs, runs, fresh, baseline, samples };
  } finally {
    await env.tearDown();
  }
}

/** One CLI run with a CPU profile per run (`--profile`): the .cpuprofile files written. */
export async function profileRuns({ latencyMs = 100, runs = 3, dir: profDir }) {
  const env = await setUp(latencyMs);
  try {
    await env.run(['deploy', '-y']);
    await env.run(['deploy', '-y']);
    for (let i = 0; i < runs; i++) await env.run(['deploy', '-y'], { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
  } finally {
    await env.tearDown();
  }
}

const row = (name, figure, target, verdict) => console.log(`  ${name.padEnd(44)} ${figure.padEnd(26)} ${target.padEnd(12)} ${verdict}`);

export function printDeploy(result) {
  const { fresh, samples, baseline, latencyMs, runs } = result;
  const base = {
    wall: stats(baseline.map((b) => b.wallMs)),
    cpu: stats(baseline.map((b) => b.cpuMs)),
    rss: stats(baseline.map((b) => b.rssMiB)),
  };
  console.log(`\nAgainst the emulator with ${latencyMs} ms per call: median (min–max)`);
  console.log(
    `  baseline node -e 0 (${baseline.length} runs, one before each run below): wall ${fmt(base.wall, 'ms')}, CPU ${fmt(base.cpu, 'ms')}, RSS ${fmt(base.rss, 'MiB')}`,
  );

  const f = {
    calls: stats(fresh.map((r) => r.calls)),
    trips: stats(fresh.map((r) => r.roundTrips)),
    ratio: stats(fresh.map((r) => r.ratio)),
    rss: stats(fresh.map((r) => r.rssMiB)),
    wall: stats(fresh.map((r) => r.wallMs)),
    cpu: stats(fresh.map((r) => r.cpuMs)),
  };
  console.log(`\n  Fresh deploy (${fresh.length} runs, each on a new emulator)`);
  row('calls / sequential round trips', `${fmt(f.calls, '')} / ${fmt(f.trips, '')}`, '', '');
  row('critical path ÷ calls', fmt(f.ratio, ''), `≤ ${TARGETS.freshRatio}`, mark(f.ratio.median, TARGETS.freshRatio));
  row('peak RSS', fmt(f.rss, 'MiB'), `≤ ${TARGETS.freshRssMiB} MiB`, mark(f.rss?.median, TARGETS.freshRssMiB));
  row('wall / CPU (no target)', `${fmt(f.wall, 's')} / ${fmt(f.cpu, 's')}`, '', '');

  for (const [label, rs] of Object.entries(samples)) {
    const s = {
      wall: stats(rs.map((r) => r.wallMs)),
      cpu: stats(rs.map((r) => r.cpuMs)),
      rss: stats(rs.map((r) => r.rssMiB)),
      mutating: stats(rs.map((r) => r.mutating)),
      trips: stats(rs.map((r) => r.roundTrips)),
      calls: stats(rs.map((r) => r.calls)),
    };
    // Ratios of medians: GNU time counts CPU in 10 ms steps, too coarse for a per-run ratio to node -e 0.
    const ratio = (a, b) => (a !== undefined && b ? `${(a / b).toFixed(1)}× node -e 0` : '');
    const maxMutating = Math.max(...rs.map((r) => r.mutating));
    const maxTrips = Math.max(...rs.map((r) => r.roundTrips));
    console.log(`\n  ${label} (${runs} runs, ${fmt(s.calls, '')} calls)`);
    row(
      'wall',
      `${fmt(s.wall, 's')}`,
      `≤ ${TARGETS.wallMs / 1000} s`,
      `${mark(s.wall.median, TARGETS.wallMs)}   ${ratio(s.wall.median, base.wall.median)}`,
    );
    row(
      'CPU (user + system)',
      `${fmt(s.cpu, 's')}`,
      `≤ ${TARGETS.cpuMs / 1000} s`,
      `${mark(s.cpu?.median, TARGETS.cpuMs)}   ${ratio(s.cpu?.median, base.cpu?.median)}`,
    );
    row('peak RSS', fmt(s.rss, 'MiB'), `≤ ${TARGETS.rssMiB} MiB`, mark(s.rss?.median, TARGETS.rssMiB));
    row('mutating calls (every run)', fmt(s.mutating, ''), '= 0', maxMutating === 0 ? 'met' : 'MISSED');
    row(
      'sequential round trips (every run)',
      fmt(s.trips, ''),
      `≤ ${TARGETS.roundTrips}`,
      maxTrips <= TARGETS.roundTrips ? 'met' : 'MISSED',
    );
  }
}
