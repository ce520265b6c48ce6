import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('shipped JSON Schema', () => {
  it('is up to date with the configuration schema (npm run schema regenerates it)', async () => {
    // @ts-expect-error plain JavaScript module
    const { jsonSchema } = (await import('../scripts/write-schema.mjs')) as { jsonSchema: () => unknown };
    const shipped = JSON.parse(readFileSync(new URL('../schema/atlantis-run.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(shipped).toEqual(jsonSchema());
  });

  it('of --json output lines is up to date with src/cli/results.ts', async () => {
    // @ts-expect-error plain JavaScript module
    const { outputSchema } = (await import('../scripts/write-schema.mjs')) as { outputSchema: () => unknown };
    const shipped = JSON.parse(readFileSync(new URL('../schema/atlantis-run.output.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(shipped).toEqual(outputSchema());
  });

  it('describes the providers an editor should offer', () => {
    const text = readFileSync(new URL('../schema/atlantis-run.schema.json', import.meta.url), 'utf8');
    for (const provider of ['github', 'github-app', 'gitlab', 'bitbucket', 'azuredevops', 'gitea'])
      expect(text).toContain(`"const": "${provider}"`);
  });
});
