// Writes schema/atlantis-run.schema.json from the zod schema (run after `npm run build`).
// Editors use it for completion through the `# yaml-language-server: $schema=…` header.
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from '../dist/config/schema.js';

export function jsonSchema() {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://atlantis-run.dev/schema/atlantis-run.schema.json',
    title: 'atlantis-run.yaml',
    description: 'Configuration of atlantis-run: Atlantis on Google Cloud Run.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../schema/atlantis-run.schema.json', import.meta.url), `${JSON.stringify(jsonSchema(), null, 2)}\n`);
  console.log('wrote schema/atlantis-run.schema.json');
}
