// Template rendering for the CI files: `@@NAME@@` placeholders (nothing that GitHub's `${{ }}` or
// GitLab's `$VAR` use), every placeholder must have a value, and a
// value that could break the YAML or the shell line it lands in is refused before it is written.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

const PLACEHOLDER = /@@([A-Z_]+)@@/g;

export function renderTemplate(name: string, template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${name}: no value for @@${key}@@`);
    return value;
  });
}

/** The template files shipped in templates/ci (beside dist/ and src/ in the package). */
export const CI_TEMPLATES = ['github-deploy.yml', 'github-drift.yml', 'gitlab-ci.yml'] as const;
export type CiTemplateName = (typeof CI_TEMPLATES)[number];

export async function loadCiTemplates(): Promise<Record<CiTemplateName, string>> {
  const dir = new URL('../../templates/ci/', import.meta.url);
  const entries = await Promise.all(CI_TEMPLATES.map(async (name) => [name, await readFile(new URL(name, dir), 'utf8')] as const));
  return Object.fromEntries(entries) as Record<CiTemplateName, string>;
}

/** A value placed inside single quotes in YAML and in a shell word: no quotes, no whitespace, no expansions. */
export function safeWord(flag: string, value: string, example: string): string {
  if (!/^[A-Za-z0-9@%+=:,./~_#-]+$/.test(value)) {
    throw new UsageError(`${flag}: "${value}" has characters that cannot go into a workflow file unquoted (quotes, spaces, $, …)`, {
      hint: `use something like ${example}`,
    });
  }
  return value;
}

/** Indents a multi-line block for a YAML block scalar. */
export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}
