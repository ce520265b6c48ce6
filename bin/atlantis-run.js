#!/usr/bin/env node
// Tiny launcher: everything lives in dist/ (built by `npm ci` through the `prepare` script).
import module from 'node:module';

// V8 keeps what it compiled of the front on disk (Node's compile cache, in the system's temporary
// folder unless NODE_COMPILE_CACHE says otherwise): later runs skip compiling it again. The runtime
// a command loads keeps its own code cache in the same folder (scripts/bundle-cli.mjs).
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.bundle.js');

// Node prints its warnings (a Google library's MetadataLookupWarning off Google Cloud, deprecations)
// straight to stderr, where they read like the tool's own errors: the run records them in its debug
// log instead (src/cli/run.ts).
process.removeAllListeners('warning');

// `atlantis-run --help | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() maps every error itself; reaching here is a bug in the error handler.
    process.stderr.write(`atlantis-run: internal error: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 1;
  },
);
