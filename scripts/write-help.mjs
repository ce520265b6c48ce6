// Renders every help page (`atlantis-run --help`, `secrets --help`, `secrets push --help`, …) into
// dist/cli/help.json, through the real parser writing to a stream that is not a terminal — exactly
// what a run prints when its output is a pipe or a file. The launcher (bin/atlantis-run.js) answers
// such a `--help` from this file without loading the parser: a cold start near bare `node -e 0`.
// On a terminal, help is laid out at the terminal's width, so the parser builds it as before.
// test/cli.test.ts compares every page with the parser's own output.
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const { main } = await import('../dist/cli/main.bundle.js');
const { commands } = await import('../dist/cli/command-table.js');

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  stream.isTTY = false;
  return { stream, text: () => text };
}

const paths = new Set(['']);
for (const { name } of commands) {
  const words = name.split(' ');
  if (words.length === 2) paths.add(words[0]);
  paths.add(name);
}

const pages = {};
for (const words of paths) {
  const out = sink();
  const err = sink();
  const argv = [...(words ? words.split(' ') : []), '--help'];
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, env: {}, cwd: process.cwd() });
  if (code !== 0 || err.text() !== '') throw new Error(`atlantis-run ${argv.join(' ')}: exit ${code}, ${err.text()}`);
  pages[words] = out.text();
}
const file = fileURLToPath(new URL('../dist/cli/help.json', import.meta.url));
writeFileSync(file, `${JSON.stringify({ pages })}\n`);
