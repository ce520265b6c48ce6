// npm run bench: prints the figures behind the project's speed and memory targets.
// Not a test: these machines are shared and noisy, so numbers are reported, not asserted.
import { printStartup, startupBench } from './startup.js';
import { deployBench, printDeploy } from './deploy.js';

const only = process.argv[2];
if (!only || only === 'startup') printStartup(startupBench());
if (!only || only === 'deploy') printDeploy(await deployBench());
