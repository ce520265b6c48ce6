// Bundles the command-line front (dist/cli/main.js: the parser, the command table, commander) into
// one file, dist/cli/main.bundle.js, which the launcher runs. Module loading is most of what a cold
// `atlantis-run --help` costs; one file instead of several, and no CommonJS loader for commander,
// keeps it close to bare `node` (npm run bench). Handlers stay separate modules, imported when a
// command runs, so nothing heavy is bundled.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../dist/cli/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/cli/main.bundle.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Everything a command runs is loaded from dist/cli/ at run time, as in the unbundled build.
  external: ['./commands/*', './run.js'],
  // commander is CommonJS: its require() of Node's built-ins needs a real require in an ES module.
  banner: {
    js: "import { createRequire as __atlantisRunRequire } from 'node:module'; const require = __atlantisRunRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
