// Bundles the command line (dist/cli/main.js, every command handler it can load and everything they
// import, client libraries included) into dist/cli/main.bundle.js plus chunks in dist/bundle/, one
// per command and per group of modules commands share. Module loading is what a cold run mostly
// costs: a deploy loaded ~500 files one by one; now it reads a few chunks, and `--help` still reads
// only the first (the parser, the command table and commander). Commands are split points because
// the command table imports each handler with import(): a new command is picked up by itself.
// The emulator (dist/emulator/) stays outside: tests and `atlantis-run emulator` load it from there.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
// Chunks live one folder below dist/, like main.bundle.js in dist/cli/: a path relative to either
// ('../emulator/index.js', '../../package.json') means the same file from both.
const CHUNKS = path.join(DIST, 'bundle');
const MODULE_FILE = 'atlantis-run:module-file';

/** Where an import of a bundled file's own location must point at run time: relative to any chunk. */
const fromChunk = (file) => path.relative(CHUNKS, file).split(path.sep).join('/');

/** The package a file in node_modules belongs to and its path inside it. */
function packageFile(file) {
  const rest = file.slice(file.lastIndexOf(`${path.sep}node_modules${path.sep}`) + 14).split(path.sep);
  const size = rest[0].startsWith('@') ? 2 : 1;
  return { name: rest.slice(0, size).join('/'), inside: rest.slice(size).join('/') };
}

/** Node's rule for a .js file: CommonJS unless the nearest package.json says "type": "module". */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (file.endsWith('.mjs')) return false;
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

const plugin = {
  name: 'atlantis-run-bundle',
  setup(b) {
    // `import { readFileSync } from 'node:fs'` in an ES module makes Node build an ES module facade of
    // the whole built-in, reading every export — fs.ReadStream alone loads Node's streams (~6 ms of a
    // 50 ms `--help`). Through require() the built-in is handed over as it is, its lazy parts lazy.
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin-through-require' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-through-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));

    // The emulator is loaded from dist/emulator/ as built by tsc.
    b.onResolve({ filter: /emulator\/index\.js$/ }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      return file.startsWith(path.join(DIST, 'emulator') + path.sep) ? { path: fromChunk(file), external: true } : undefined;
    });

    // `await import('cjs-package')` must give its named exports, as Node does. esbuild gives a split
    // CommonJS module only a default export, so the import goes through a module that re-exports
    // the names the module really has (read by loading it here, at build time).
    b.onResolve({ filter: /^[^./]|^\.\.?\/.*node_modules/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.path.startsWith('node:') || args.pluginData === 'as-is') return undefined;
      const resolved = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: 'as-is' });
      if (resolved.errors.length > 0 || resolved.external || !isCommonJs(resolved.path)) return undefined;
      return { path: resolved.path, namespace: 'cjs-named' };
    });
    b.onLoad({ filter: /.*/, namespace: 'cjs-named' }, (args) => {
      const names = Object.keys(createRequire(args.path)(args.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      const from = JSON.stringify(args.path);
      return {
        contents: `import * as all from ${from};\nexport default all.default;\nexport { ${names.join(', ')} } from ${from};\n`,
        resolveDir: path.dirname(args.path),
      };
    });

    // A file that asks where it is (import.meta.url in ours; __dirname, __filename in packages) gets
    // its own location, not the chunk's: ours relative to the chunk, a package's looked up at run time
    // where Node would find the package (it may be hoisted above this one).
    b.onLoad({ filter: /\.(c?js|mjs)$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!args.path.includes(`${path.sep}node_modules${path.sep}`)) {
        if (!source.includes('import.meta.url')) return undefined;
        const at = `new URL(${JSON.stringify(fromChunk(args.path))}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', at), loader: 'js' };
      }
      const usesDir = /\b__(dirname|filename)\b/.test(source);
      const usesMeta = /\bimport\.meta\.(url|dirname|filename)\b/.test(source);
      if (!usesDir && !usesMeta) return undefined;
      const { name, inside } = packageFile(args.path);
      const locate = `${JSON.stringify(name)}, ${JSON.stringify(inside)}`;
      if (usesMeta) {
        return {
          contents:
            `import __moduleFile from ${JSON.stringify(MODULE_FILE)};\n` +
            source
              .replace(/\bimport\.meta\.url\b/g, `__moduleFile.url(${locate})`)
              .replace(/\bimport\.meta\.filename\b/g, `__moduleFile.path(${locate})`)
              .replace(/\bimport\.meta\.dirname\b/g, `__moduleFile.dir(${locate})`),
          loader: 'js',
        };
      }
      return {
        contents: `var __filename = require(${JSON.stringify(MODULE_FILE)}).path(${locate}), __dirname = require("node:path").dirname(__filename);\n${source}`,
        loader: 'js',
      };
    });
    b.onResolve({ filter: new RegExp(`^${MODULE_FILE}$`) }, () => ({ path: MODULE_FILE, namespace: 'module-file' }));
    b.onLoad({ filter: /.*/, namespace: 'module-file' }, () => ({
      contents: `
        const path = require('node:path');
        const { existsSync } = require('node:fs');
        const { pathToFileURL } = require('node:url');
        const roots = new Map();
        function packageRoot(name) {
          if (!roots.has(name)) {
            const dir = (require.resolve.paths(name) ?? []).map((d) => path.join(d, name)).find((d) => existsSync(path.join(d, 'package.json')));
            roots.set(name, dir ?? path.join(__chunkDir, 'node_modules', name));
          }
          return roots.get(name);
        }
        const file = (name, inside) => path.join(packageRoot(name), inside);
        module.exports = { path: file, dir: (n, i) => path.dirname(file(n, i)), url: (n, i) => pathToFileURL(file(n, i)).href };
      `,
      loader: 'js',
      resolveDir: ROOT,
    }));

    // JSON (a client library's protos.json is hundreds of kB) as JSON.parse of a string: V8 reads
    // that far faster than the same data as an object literal in code.
    b.onLoad({ filter: /\.json$/ }, (args) => ({
      contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8'))))});`,
      loader: 'js',
    }));
  },
};

// Every chunk: packages written for CommonJS call require() (Node's built-ins, each other) and
// some ask where they are, so each output gets a real require and its own folder.
const BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { dirname as __pathDirname } from 'node:path';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __chunkDir = __pathDirname(__fileURLToPath(import.meta.url));',
].join(' ');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  banner: { js: BANNER },
  // For `npm run bench -- --profile`, which charges CPU time to the packages in the bundle.
  sourcemap: 'external',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
};

// 1. The front: what `--help` and `--version` run, in one file. Each of our modules it imports
//    with import() (run.js, every command handler in the command table) becomes an entry of the
//    second build instead, loaded from dist/bundle/ when a command runs.
const entries = {};
const front = await build({
  ...common,
  entryPoints: { 'cli/main.bundle': path.join(DIST, 'cli', 'main.js') },
  outdir: DIST,
  plugins: [
    {
      name: 'commands-run-from-chunks',
      setup(b) {
        b.onResolve({ filter: /^\./ }, (args) => {
          if (args.kind !== 'dynamic-import') return undefined;
          const file = path.resolve(args.resolveDir, args.path);
          if (!file.startsWith(DIST + path.sep) || file.startsWith(path.join(DIST, 'emulator') + path.sep)) return undefined;
          const name = path.relative(path.join(DIST, 'cli'), file).replace(/\.js$/, '').split(path.sep).join('-');
          entries[name] = file;
          return { path: `../bundle/${name}.js`, external: true };
        });
      },
    },
    plugin,
  ],
});

// 2. Everything a command runs: split into chunks shared between commands.
rmSync(CHUNKS, { recursive: true, force: true });
const runtime = await build({
  ...common,
  entryPoints: entries,
  outdir: CHUNKS,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  splitting: true,
  plugins: [plugin],
});
const result = {
  metafile: {
    inputs: { ...front.metafile.inputs, ...runtime.metafile.inputs },
    outputs: { ...front.metafile.outputs, ...runtime.metafile.outputs },
  },
};

if (process.env.BUNDLE_METAFILE) writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));

// A client library's index loads all its clients and its static protos.js (megabytes): the factory
// imports each client's own module instead (src/gcp/factory.ts, CLIENTS).
const indexes = Object.keys(result.metafile.inputs).filter((f) => /node_modules\/@google-cloud\/[^/]+\/build\/protos\/protos\.js$/.test(f));
if (indexes.length > 0) {
  console.error(
    `bundle-cli: a client library's index is imported (${indexes.join(', ')}): import the client's own module, ` +
      "e.g. '@google-cloud/run/build/src/v2/services_client.js' (see CLIENTS in src/gcp/factory.ts)",
  );
  process.exit(1);
}
