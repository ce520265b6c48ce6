// Preloaded with --import: records every module the process loads — ESM through a resolve hook,
// CommonJS through Module._load — into the file named by RECORD_IMPORTS_FILE, so tests can prove
// what `--help` does (not) load, and the scripts compiled through vm.Script (the commands' runtime).
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';

const file = process.env.RECORD_IMPORTS_FILE;
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => appendFileSync(file, `${url}\n`));
port1.unref();
register(
  'data:text/javascript,' +
    encodeURIComponent(`
      let port;
      export function initialize(data) { port = data.port; }
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        port.postMessage(result.url);
        return result;
      }`),
  { data: { port: port2 }, transferList: [port2] },
);

const Module = createRequire(import.meta.url)('node:module');
const originalLoad = Module._load;
Module._load = function recordedLoad(request, parent, isMain) {
  try {
    appendFileSync(file, `cjs:${Module._resolveFilename(request, parent, isMain)}\n`);
  } catch {
    appendFileSync(file, `cjs:${request}\n`);
  }
  return originalLoad.apply(this, arguments);
};

// The commands' runtime (dist/bundle/runtime.cjs) is compiled through vm.Script with a code cache,
// not loaded as a module: record the scripts compiled too, by file name.
const vm = createRequire(import.meta.url)('node:vm');
const OriginalScript = vm.Script;
vm.Script = class RecordedScript extends OriginalScript {
  constructor(code, options) {
    super(code, options);
    const name = typeof options === 'string' ? options : options?.filename;
    if (name) appendFileSync(file, `vm:${name}\n`);
  }
};
