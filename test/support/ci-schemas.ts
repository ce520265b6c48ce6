// Validators for generated CI files, from npm packages (no network):
// - GitHub Actions: GitHub's own workflow parser and schema (@actions/workflow-parser, MIT, the
//   parser behind GitHub's Actions language service): structure, keys, values, expressions.
// - GitLab CI: GitLab's CI JSON schema (gitlab-org/gitlab app/assets/javascripts/editor/schema/ci.json,
//   the document SchemaStore's gitlab-ci entry points to), as bundled by gitlab-ci-local (MIT), which
//   embeds it as an object literal in dist/index.js; it is cut out of that file and evaluated as data.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { Ajv } from 'ajv';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';

const require = createRequire(import.meta.url);

/** Problems GitHub's parser finds in a workflow file (empty: valid). */
export async function githubWorkflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
  }
  return errors;
}

let gitlabValidate: ((data: unknown) => string[]) | undefined;

/** Problems GitLab's CI schema finds in a parsed .gitlab-ci.yml (empty: valid). */
export function gitlabCiErrors(pipeline: unknown): string[] {
  gitlabValidate ??= compileGitlabSchema();
  return gitlabValidate(pipeline);
}

export function gitlabCiSchema(): Record<string, unknown> {
  const bundle = readFileSync(require.resolve('gitlab-ci-local/dist/index.js'), 'utf8');
  const at = bundle.indexOf('$id:"https://gitlab.com/.gitlab-ci.yml"');
  const start = bundle.lastIndexOf('{$schema:', at);
  if (at < 0 || start < 0) throw new Error('GitLab CI schema not found in gitlab-ci-local');
  let depth = 0;
  let quote: string | undefined;
  let end = start;
  for (; end < bundle.length; end++) {
    const c = bundle[end];
    if (quote) {
      if (c === '\\') end++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) break;
  }
  // A literal of objects, arrays, strings, numbers and booleans: evaluated in an empty context.
  return vm.runInNewContext(`(${bundle.slice(start, end + 1)})`, Object.create(null), { timeout: 2000 }) as Record<string, unknown>;
}

function compileGitlabSchema(): (data: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(gitlabCiSchema());
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));
}
