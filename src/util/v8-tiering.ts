// A run of this tool lasts about a second. V8 tunes its tiers for programs that run far longer:
// these flags keep a run's code on the tiers that cost nothing to reach, and are set by the
// launcher first thing (before it loads any code V8 may have cached: V8 refuses a code cache made
// under other flags, so the flags must be the same when a cache is made, at the end of a run, and
// when it is read, at the start of the next).
//
// - The HTTP parser behind Node's fetch. undici parses HTTP with llhttp compiled to WebAssembly;
//   the container registry client (the image phase of every deploy and plan) and the webhook calls
//   use it (gaxios, behind google-auth-library and the REST transport, uses node-fetch over
//   node:http, whose llhttp is C++). V8 first compiles the parser with its baseline compiler
//   (Liftoff); after a few responses it compiles its 33 kB state-machine function again with
//   TurboFan on a worker thread. V8's own trace (--trace-wasm-compilation-times) shows that compile
//   taking ~80 ms and 22.8 MB of compiler memory at its peak, which glibc keeps in the worker's
//   arena until exit: a sixth of a no-op deploy's peak memory (125 MiB with it, 104 without). A run
//   parses a few kilobytes of HTTP; the baseline code is fast enough.
// - JavaScript. V8 optimises a function with Maglev after 400 calls and with TurboFan after 3,000,
//   on worker threads. A no-op deploy had ~100 functions compiled by Maglev (--trace-opt) that the
//   run then barely used: ~45 ms of CPU and ~4 MiB. With the counts raised, a short run stays on
//   the interpreter and Sparkplug, while code that stays hot in a long one (`logs --follow`, the
//   emulator) is still optimised once it is called that often.
//
// These are V8 flags set at run time, which Node warns may be unpredictable; these ones are read
// when V8 decides to tier up (a wasm module's budget when it is instantiated, a function's counts
// when it is about to be optimised), and test/v8-tiering.test.ts reads V8's traces to show each
// takes effect.
import { setFlagsFromString } from 'node:v8';

/**
 * The V8 major versions known to have the flags: Node 22 (V8 12), 24 (13), 25 (14). On another,
 * setting an unknown flag would print "Error: unrecognized flag" on stderr, so they are left alone.
 */
const KNOWN_V8_MAJORS = new Set([12, 13, 14]);

/** A wasm tiering budget no run spends ("rough approximation of bytes executed"; V8's default is 13,000,000). */
const WASM_TIERING_BUDGET = 2_000_000_000;

/** Calls before V8 optimises a function (V8's defaults: 400 for Maglev, 3,000 for TurboFan). */
const CALLS_BEFORE_OPTIMISING = 100_000;

const SHORT_RUN_FLAGS = [
  `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`,
  `--invocation-count-for-maglev=${CALLS_BEFORE_OPTIMISING}`,
  `--invocation-count-for-turbofan=${CALLS_BEFORE_OPTIMISING}`,
];

/** Sets SHORT_RUN_FLAGS for code compiled from now on. Returns whether they were set. */
export function tierForShortRuns(v8Version: string = process.versions.v8): boolean {
  if (!KNOWN_V8_MAJORS.has(Number(v8Version.split('.')[0]))) return false;
  for (const flag of SHORT_RUN_FLAGS) setFlagsFromString(flag);
  return true;
}
