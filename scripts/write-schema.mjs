// Writes the JSON Schemas the package ships (run after `npm run build`):
// - schema/atlantis-run.schema.json: atlantis-run.yaml, from the zod configuration schema; editors
//   use it for completion through the `# yaml-language-server: $schema=…` header.
// - schema/atlantis-run.output.schema.json: one line of `--json` output (an event, or the last line:
//   a command's result or a failure), from the zod schemas of src/cli/results.ts; CI scripts use it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from '../dist/config/schema.js';
import { RESULTS, errorResult, eventLine, itemLine, resultLine } from '../dist/cli/results.js';

const toJson = (schema, io) => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-7' });
  return Object.fromEntries(Object.entries(json).filter(([k]) => k !== '$schema'));
};

export function jsonSchema() {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://atlantis-run.dev/schema/atlantis-run.schema.json',
    title: 'atlantis-run.yaml',
    description: 'Configuration of atlantis-run: Atlantis on Google Cloud Run.',
    ...toJson(configSchema, 'input'),
  };
}

export function outputSchema() {
  const results = Object.keys(RESULTS).map((command) => resultLine(command).describe(`the result of \`atlantis-run ${command} --json\``));
  const line = z.union([eventLine, itemLine, ...results, errorResult]);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://atlantis-run.dev/schema/atlantis-run.output.schema.json',
    title: 'atlantis-run --json output line',
    description:
      'Each line atlantis-run writes to stdout with --json: progress events (type phase-start, phase-end, resource-changed, operation-progress, info, warning), the items of a streamed result (type log-entry: `logs --follow`) and, last, the result (type "result": ok true with the command\'s fields, or ok false with the error).',
    ...toJson(line, 'output'),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
  for (const [file, schema] of [
    ['atlantis-run.schema.json', jsonSchema()],
    ['atlantis-run.output.schema.json', outputSchema()],
  ]) {
    writeFileSync(new URL(`../schema/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote schema/${file}`);
  }
}
