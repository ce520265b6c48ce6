// CPU profile summary by package (`npm run bench -- --profile`): where a run's CPU time goes.
// Reads V8 .cpuprofile files (node --cpu-prof) and charges every sample to the package whose code
// was running, or — for Node's own code (module loading, compiling) — to the nearest package up
// the stack that asked for it. Code in the bundle is traced back to its source through the bundle's
// source maps (scripts/bundle-cli.mjs writes them next to its files).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes a source map's mappings into, per generated line, sorted [column, sourceIndex] pairs. */
function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segments = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = B64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length > 1) {
        source += values[1];
        segments.push([column, source]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

const maps = new Map();
/** The original source file of a position in a generated file, when the file has a source map. */
function originalSource(url, line, column) {
  if (!maps.has(url)) {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    const mapFile = `${file}.map`;
    if (existsSync(mapFile)) {
      const map = JSON.parse(readFileSync(mapFile, 'utf8'));
      maps.set(url, { sources: map.sources, lines: decodeMappings(map.mappings) });
    } else maps.set(url, undefined);
  }
  const map = maps.get(url);
  const segments = map?.lines[line];
  if (!segments?.length) return undefined;
  let found = segments[0];
  for (const segment of segments) {
    if (segment[0] > column) break;
    found = segment;
  }
  return map.sources[found[1]];
}

/** A package name, `atlantis-run/<folder>` for the tool's own code, or undefined for Node's. */
function packageOf(frame) {
  const { url, lineNumber, columnNumber } = frame;
  if (!url || url.startsWith('node:')) return undefined;
  const source = originalSource(url, lineNumber, columnNumber) ?? url;
  const inModules = source.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (inModules) return inModules[1];
  const own = source.match(/(?:^|\/)(?:dist|src)\/(.+)$/);
  if (own) return `atlantis-run/${own[1].split('/').slice(0, -1).join('/') || '.'}`;
  // Modules the bundle script writes itself (the runtime's loader, its index of commands).
  const generated = source.match(/^[\w-]+:atlantis-run:([\w-]+)$|^(atlantis-run-[\w-]+)\.js$/);
  if (generated) return `atlantis-run/bundle (${generated[1] ?? generated[2]})`;
  return source.replace(/^file:\/\//, '');
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)']);

/** Milliseconds of CPU per package (and per function within it), averaged over the profiles given. */
export function summarizeProfiles(files, { from, to } = {}) {
  const totals = new Map();
  const functions = new Map();
  let all = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'));
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
    const charged = new Map();
    // [package, function]: the first frame up the stack that belongs to a package.
    const chargeOf = (id) => {
      if (charged.has(id)) return charged.get(id);
      const frame = byId.get(id).callFrame;
      const owner = SPECIAL.has(frame.functionName) ? frame.functionName : packageOf(frame);
      let result;
      if (owner !== undefined) result = [owner, `${frame.functionName || '(top level)'}`];
      else result = parent.has(id) ? chargeOf(parent.get(id)) : ['(node)', ''];
      charged.set(id, result);
      return result;
    };
    const hasFrame = (id, name) => {
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) if (byId.get(cur).callFrame.functionName === name) return true;
      return false;
    };
    let inWindow = !from;
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      if (from && !inWindow && hasFrame(id, from)) inWindow = true;
      if (to && inWindow && hasFrame(id, to)) inWindow = false;
      if (!inWindow || byId.get(id).callFrame.functionName === '(idle)') return;
      const [owner, fn] = chargeOf(id);
      totals.set(owner, (totals.get(owner) ?? 0) + ms);
      const key = `${owner} ${fn}`;
      functions.set(key, (functions.get(key) ?? 0) + ms);
      all += ms;
    });
  }
  const runs = files.length;
  const rows = (map) => [...map].map(([name, ms]) => ({ name, ms: ms / runs, share: ms / all })).sort((a, b) => b.ms - a.ms);
  return { runs, totalMs: all / runs, rows: rows(totals), functions: rows(functions) };
}

export function printProfile(label, summary, top = 15) {
  console.log(`\n  CPU profile of ${label} (mean of ${summary.runs} runs, ${summary.totalMs.toFixed(0)} ms sampled, idle excluded)`);
  for (const row of summary.rows.slice(0, top)) {
    console.log(`    ${row.ms.toFixed(1).padStart(7)} ms  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  }
  const rest = summary.rows.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((sum, r) => sum + r.ms, 0);
    console.log(`    ${ms.toFixed(1).padStart(7)} ms  ${((ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%  ${rest.length} more`);
  }
  console.log('    busiest functions (with the loading and compiling they caused):');
  for (const row of summary.functions.slice(0, top)) {
    console.log(`    ${row.ms.toFixed(1).padStart(7)} ms  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  }
}
