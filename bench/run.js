// npm run bench: prints every speed and memory target of issue 15 with its figure (median, min,
// max of interleaved runs), its ratio to bare `node -e 0` and met/MISSED. Not a test: these
// machines are shared and noisy, so numbers are reported, not asserted.
//   npm run bench                       everything (a few minutes)
//   npm run bench -- startup | deploy   one part
//   npm run bench -- --profile          also a CPU profile summary by package of a no-op deploy
// BENCH_RUNS (default 7), BENCH_FRESH_RUNS (3), BENCH_STARTUP_RUNS (15) set the number of runs.
// For digging: BENCH_CHILD_ENV='{"NAME":"value"}' adds to the CLI's environment, BENCH_STDERR=1 shows its stderr.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { haveGnuTime } from './measure.js';
import { printStartup, startupBench } from './startup.js';
import { deployBench, printDeploy, profileRuns } from './deploy.js';

const args = process.argv.slice(2);
const profile = args.includes('--profile');
const only = args.find((a) => !a.startsWith('--'));

if (!haveGnuTime) console.log('(no /usr/bin/time: CPU time and peak memory are not measured; install GNU time)');
if (!only || only === 'startup') printStartup(await startupBench());
if (!only || only === 'deploy') printDeploy(await deployBench());
if (profile) {
  const { printProfile, summarizeProfiles } = await import('./profile.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atlantis-run-profile-'));
  try {
    await profileRuns({ dir });
    const files = readdirSync(dir).map((f) => path.join(dir, f));
    printProfile('a no-op deploy, lockfile present', summarizeProfiles(files));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
