// Node's fetch (undici) parses HTTP with llhttp compiled to WebAssembly. The container registry
// client (the image phase of every deploy and plan) and the webhook calls use it; gaxios, behind
// google-auth-library and the REST transport, uses node-fetch over node:http (llhttp in C++) on
// Node. V8 first compiles that parser with its baseline compiler (Liftoff); once a few responses
// have run through it, V8 compiles its 33 kB state-machine function again with TurboFan on a
// worker thread. V8's own trace (--trace-wasm-compilation-times) shows that one compile taking
// ~80 ms and 22.8 MB of compiler memory at its peak (39.6 MB in all), which glibc keeps in the
// worker's arena until the process exits: in a no-op deploy it was a sixth of the peak resident
// memory (125 MiB with it, 104 without) and ~40 ms of CPU. A run parses a few kilobytes of HTTP,
// for which the baseline code is fast enough, so the parser stays there.
import { setFlagsFromString } from 'node:v8';

/**
 * The V8 major versions known to have the flag: Node 22 (V8 12), 24 (13), 25 (14). On another,
 * setting an unknown flag would print "Error: unrecognized flag" on stderr, so it is left alone.
 */
const KNOWN_V8_MAJORS = new Set([12, 13, 14]);

/** A tiering budget no CLI run spends ("rough approximation of bytes executed"; V8's default is 13,000,000). */
export const WASM_TIERING_BUDGET = 2_000_000_000;

/**
 * Keeps WebAssembly compiled later in this process (undici's HTTP parser) on V8's baseline tier.
 * Takes effect for modules instantiated afterwards. The launcher calls it first thing, before it
 * loads any code V8 may have cached: V8 rejects a code cache made under different flags, so the
 * flag must be the same when a cache is made (at the end of a run) and when it is read (at the
 * start of the next). Returns whether it was applied.
 */
export function keepWasmOnBaselineTier(v8Version: string = process.versions.v8): boolean {
  if (!KNOWN_V8_MAJORS.has(Number(v8Version.split('.')[0]))) return false;
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  return true;
}
