#!/usr/bin/env node
// Tiny launcher: everything lives in dist/ (built by `npm ci` through the `prepare` script).
import module from 'node:module';

// Built-ins through require(): an ES import of node:fs builds a facade that reads every export.
const require = module.createRequire(import.meta.url);
const fs = require('node:fs');

/** Whether fd is a terminal, without Node's tty module (it loads net and streams): the character
 * devices that are not /dev/null. */
function isTerminal(fd) {
  const stat = fs.fstatSync(fd);
  return stat.isCharacterDevice() && stat.rdev !== fs.statSync('/dev/null').rdev;
}

/**
 * `--version`, and `--help` when stdout is not a terminal (a pipe, a file: scripts, CI, `| less`),
 * answered without the parser: the help pages were rendered by it at build time at the 80 columns
 * it uses off a terminal (scripts/write-help.mjs). Returns false when the parser must answer.
 */
function answeredWithoutParser(argv) {
  let text;
  try {
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
      text = `${JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`;
    } else if ((argv.at(-1) === '--help' || argv.at(-1) === '-h') && argv.length <= 3 && !isTerminal(1)) {
      const { pages } = JSON.parse(fs.readFileSync(new URL('../dist/cli/help.json', import.meta.url), 'utf8'));
      text = Object.hasOwn(pages, argv.slice(0, -1).join(' ')) ? pages[argv.slice(0, -1).join(' ')] : undefined;
    }
  } catch {
    return false; // no help.json (a build in progress), fd 1 closed…: the parser answers
  }
  if (text === undefined) return false;
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length;) {
    try {
      at += fs.writeSync(1, bytes, at);
    } catch (err) {
      // A closed pipe (`--help | head`) is not an error; a full non-blocking pipe takes the rest
      // through Node's stream, which waits for it to drain.
      if (err.code === 'EAGAIN') process.stdout.write(bytes.subarray(at));
      else if (err.code !== 'EPIPE') throw err;
      break;
    }
  }
  return true;
}

if (!answeredWithoutParser(process.argv.slice(2))) {
  // V8 keeps what it compiled of the front on disk (Node's compile cache, in the system's temporary
  // folder unless NODE_COMPILE_CACHE says otherwise): later runs skip compiling it again. The runtime
  // a command loads keeps its own code cache in the same folder (scripts/bundle-cli.mjs).
  module.enableCompileCache?.();
  // Before anything is compiled: V8 refuses code cached under other flags, and these keep a short
  // run off V8's optimising tiers (~20 MiB and ~80 ms of CPU less; src/util/v8-tiering.ts).
  (await import('../dist/util/v8-tiering.js')).tierForShortRuns();
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
}
