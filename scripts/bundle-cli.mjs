// Bundles the command line into two files: the front, dist/cli/main.bundle.js (the parser, the
// command table, commander: all `--help` and `--version` read), and the runtime,
// dist/bundle/runtime.cjs (every command handler and everything they import, client libraries
// included), which the front loads through vm.Script when a command runs, with a V8 code cache made
// at the end of an earlier run (see loaderSource). Module loading and compiling are what a cold run
// mostly costs: a deploy read ~500 files one by one, then ~60 chunks; now one file, most of its
// functions already compiled. Commands are found because the command table imports each handler
// with import(): a new command is picked up by itself. The emulator (dist/emulator/) stays outside:
// tests and `atlantis-run emulator` load it from there.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
// The runtime lives one folder below dist/, like main.bundle.js in dist/cli/: a path relative to
// either ('../emulator/index.js', '../../package.json') means the same file from both.
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
    // In the runtime, the built-in is also marked for its __toESM (see BUILTIN_IMPORTS below).
    b.onLoad({ filter: /.*/, namespace: 'builtin-through-require' }, (args) => ({
      contents:
        `module.exports = require(${JSON.stringify(args.path)});\n` +
        `if (typeof __builtinModules !== 'undefined') __builtinModules.add(module.exports);`,
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

// The front is an ES module; packages written for CommonJS call require() (Node's built-ins, each
// other) and some ask where they are, so it gets a real require and its own folder.
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
  target: 'node22',
  // No comments or indentation: less for V8 to read and keep. Names stay, for stack traces. Licence
  // comments go to a .LEGAL.txt beside each file; with them out the output is ASCII, which V8 keeps
  // at one byte per character (one non-ASCII character would double a file's size in memory).
  minifyWhitespace: true,
  legalComments: 'external',
  // For `npm run bench -- --profile`, which charges CPU time to the packages in the bundle.
  sourcemap: 'external',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
};

// The runtime: everything any command runs, in one CommonJS file that the front loads through
// vm.Script (the loader below), as a function of (exports, require, module, __filename, __dirname).
const RUNTIME = path.join(CHUNKS, 'runtime.cjs');
const RUNTIME_LOADER = 'atlantis-run:runtime-loader';

/**
 * esbuild turns each `import … from 'node:fs'` of an ES module into `__toESM(require('node:fs'))`,
 * which copies every export of the built-in onto a new object as a getter — once per importing
 * module: ~200 copies of fs, path, process, crypto… in a run (~1.4 MiB and ~12,000 closures).
 * A built-in is complete when first required, so its copy is made once and shared (per
 * isNodeMode); any other module (a package's exports may still be filling, in a require cycle)
 * goes through esbuild's own __toESM as before. Runs after the runtime's top level, before any
 * module is initialised (they are, on first use).
 */
const BUILTIN_IMPORTS = `
if (typeof __toESM === 'function') {
  const toESM = __toESM;
  const made = new WeakMap();
  __toESM = (mod, isNodeMode) => {
    if (!__builtinModules.has(mod)) return toESM(mod, isNodeMode);
    let copies = made.get(mod);
    if (!copies) made.set(mod, (copies = []));
    return (copies[isNodeMode ? 1 : 0] ??= toESM(mod, isNodeMode));
  };
}`;

/**
 * What the front runs when a command first needs the runtime (a CommonJS module inside the front,
 * so `--help` never evaluates it). Node's compile cache keeps only what V8 compiled when a module
 * was compiled — its top level —, while a run compiles thousands of functions as they first run: a
 * cache made at the end of a run (vm.Script#createCachedData) holds those too, and later runs skip
 * compiling them. It lives in Node's compile cache folder (none when Node's cache is off), named by
 * the runtime's content hash and the Node version; it is written again when a run of a command it
 * does not cover yet succeeded, or when V8 refused it.
 */
const loaderSource = (buildId) => `
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const nodeModule = require('node:module');
const FILE = path.join(__chunkDir, '..', 'bundle', 'runtime.cjs');
let runtime;

function cacheFiles() {
  // Node before 22.8 has no getCompileCacheDir; enableCompileCache() answers with the folder too.
  const dir = nodeModule.getCompileCacheDir?.() ?? nodeModule.enableCompileCache?.()?.directory;
  if (!dir) return undefined;
  // Compiled code is trusted as it is read: only from a folder this user owns and nobody else may
  // write (Node's default lives in the shared temporary folder, where another user could plant one).
  try {
    const info = fs.statSync(dir);
    if ((process.getuid && info.uid !== process.getuid()) || (info.mode & 0o022) !== 0) return undefined;
  } catch {
    return undefined;
  }
  const base = path.join(dir, 'atlantis-run-' + ${JSON.stringify(buildId)} + '-' + process.version);
  return { data: base + '.bin', covers: base + '.commands' };
}

// Written when there was no usable cache, and when a run that succeeded used a command the cache
// has not seen succeed: a run that stopped early (bad configuration, no credentials) compiled little.
function save(script, files, usable, covered, loaded, code) {
  const succeeded = code === 0 ? [...loaded] : [];
  const all = new Set([...covered, ...succeeded]);
  if (usable && all.size === covered.length) return;
  try {
    const data = script.createCachedData();
    for (const [file, contents] of [[files.data, data], [files.covers, [...all].join('\\n')]]) {
      const temp = file + '.' + process.pid + '.tmp';
      fs.writeFileSync(temp, contents);
      fs.renameSync(temp, file);
    }
    // The caches of earlier builds (another version of atlantis-run) are of no use any more.
    const dir = path.dirname(files.data);
    const own = path.basename(files.data, '.bin');
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('atlantis-run-') && !name.startsWith(own)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // A cache that cannot be written is only a slower next run.
  }
}

function load() {
  // ASCII (the build checks): read as Latin-1, which skips UTF-8 decoding of ~5 MB (~5 ms).
  const source = fs.readFileSync(FILE, 'latin1');
  const files = cacheFiles();
  let cachedData;
  let covered = [];
  if (files) {
    try {
      cachedData = fs.readFileSync(files.data);
      covered = fs.readFileSync(files.covers, 'utf8').split('\\n').filter(Boolean);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(source, {
    filename: FILE,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const usable = cachedData !== undefined && !script.cachedDataRejected;
  if (!usable) covered = [];
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, nodeModule.createRequire(FILE), mod, FILE, path.dirname(FILE));
  const loaded = new Set();
  if (files) process.once('exit', (code) => save(script, files, usable, covered, loaded, code));
  return (name) => {
    loaded.add(name);
    return mod.exports.load(name);
  };
}

exports.load = (name) => (runtime ??= load())(name);
`;

/** The front, given the runtime's build id; `entries` collects the modules it loads from the runtime. */
async function buildFront(buildId, entries) {
  return build({
    ...common,
    format: 'esm',
    banner: { js: BANNER },
    entryPoints: { 'cli/main.bundle': path.join(DIST, 'cli', 'main.js') },
    outdir: DIST,
    plugins: [
      {
        name: 'commands-run-from-the-runtime',
        setup(b) {
          // Each of our modules the front imports with import() (run.js, every command handler in
          // the command table) comes from the runtime instead.
          b.onResolve({ filter: /^\./ }, (args) => {
            if (args.kind !== 'dynamic-import') return undefined;
            const file = path.resolve(args.resolveDir, args.path);
            if (!file.startsWith(DIST + path.sep) || file.startsWith(path.join(DIST, 'emulator') + path.sep)) return undefined;
            const name = path.relative(path.join(DIST, 'cli'), file).replace(/\.js$/, '').split(path.sep).join('-');
            entries[name] = file;
            return { path: name, namespace: 'from-runtime' };
          });
          b.onLoad({ filter: /.*/, namespace: 'from-runtime' }, (args) => ({
            contents: `module.exports = require(${JSON.stringify(RUNTIME_LOADER)}).load(${JSON.stringify(args.path)});`,
            loader: 'js',
          }));
          b.onResolve({ filter: new RegExp(`^${RUNTIME_LOADER}$`) }, () => ({ path: RUNTIME_LOADER, namespace: 'runtime-loader' }));
          b.onLoad({ filter: /.*/, namespace: 'runtime-loader' }, () => ({
            contents: loaderSource(buildId),
            loader: 'js',
            resolveDir: ROOT,
          }));
        },
      },
      plugin,
    ],
  });
}

// 1. Which of our modules the front loads from the runtime (a first build of the front).
const entries = {};
await buildFront('', entries);

// 2. The runtime: a module that hands each of them out by name (required on first use, so a command
//    evaluates only what it imports), with everything they import, client libraries included.
rmSync(CHUNKS, { recursive: true, force: true });
const runtime = await build({
  ...common,
  format: 'cjs',
  stdin: {
    contents:
      'const modules = {\n' +
      Object.entries(entries)
        .map(([name, file]) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(file)}),\n`)
        .join('') +
      '};\nexports.load = (name) => modules[name]();\n',
    resolveDir: ROOT,
    sourcefile: 'atlantis-run-runtime.js',
  },
  outfile: RUNTIME,
  // Our files' import.meta.url was made relative to dist/bundle/ by the plugin: here it is this file.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: {
    js:
      '(function (exports, require, module, __filename, __dirname) {' +
      "var __importMetaUrl = require('node:url').pathToFileURL(__filename).href; var __chunkDir = __dirname;" +
      'var __builtinModules = new WeakSet();',
  },
  footer: { js: `${BUILTIN_IMPORTS}\n})` },
  plugins: [plugin],
});

// 3. The front, knowing the runtime's content hash (its cache's name). The loader reads the runtime
//    as Latin-1: it must be ASCII (esbuild escapes non-ASCII in code; comments are dropped).
const runtimeBytes = readFileSync(RUNTIME);
const nonAscii = runtimeBytes.findIndex((byte) => byte > 0x7f);
if (nonAscii >= 0) {
  console.error(`bundle-cli: ${RUNTIME} is not ASCII at byte ${nonAscii}: the loader reads it as Latin-1`);
  process.exit(1);
}
// BUILTIN_IMPORTS wraps esbuild's helper by name: a renamed helper would silently undo it.
if (!runtimeBytes.includes('var __toESM=')) {
  console.error(`bundle-cli: ${RUNTIME} has no esbuild __toESM helper for BUILTIN_IMPORTS to wrap`);
  process.exit(1);
}
const buildId = createHash('sha256').update(runtimeBytes).digest('hex').slice(0, 16);
const front = await buildFront(buildId, {});

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
