// google.api.http path templates (`/v2/{parent=projects/*/locations/*}/services`,
// `/v1/{name=projects/*/secrets/*/versions/*}:access`, `/v3/{name=operations/**}`), compiled to
// matchers over the raw URL path. Grammar: google/api/http.proto.

export interface PathVariable {
  /** Request field the segment(s) bind to, in proto naming: `name`, `project.name`. */
  fieldPath: string;
}

export interface CompiledTemplate {
  template: string;
  variables: PathVariable[];
  /** Literal characters in the template: with several matching templates, the most specific wins. */
  specificity: number;
  match(path: string): Map<string, string> | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One segment pattern (`*`, `**`, or a literal) as a regular expression. */
function segmentPattern(segment: string): string {
  if (segment === '*') return '[^/]+';
  if (segment === '**') return '.+';
  return escapeRegExp(segment);
}

function segmentsPattern(segments: string): string {
  return segments.split('/').map(segmentPattern).join('/');
}

export function compileTemplate(template: string): CompiledTemplate {
  if (!template.startsWith('/')) throw new Error(`path template must start with "/": ${template}`);
  const variables: PathVariable[] = [];
  let pattern = '';
  let specificity = 0;
  let i = 0;
  while (i < template.length) {
    const char = template[i];
    if (char === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) throw new Error(`unclosed "{" in path template ${template}`);
      const body = template.slice(i + 1, end);
      const [fieldPath, segments = '*'] = body.split('=', 2) as [string, string?];
      variables.push({ fieldPath });
      pattern += `(${segmentsPattern(segments)})`;
      specificity += segments.replace(/\*/g, '').length;
      i = end + 1;
      continue;
    }
    // Literal text (or a bare `*` segment) up to the next variable.
    const next = template.indexOf('{', i);
    const literal = template.slice(i, next < 0 ? template.length : next);
    pattern += literal
      .split('/')
      .map((part) => part.split(':').map(segmentPattern).join(':'))
      .join('/');
    specificity += literal.replace(/\*/g, '').length;
    i = next < 0 ? template.length : next;
  }
  const regex = new RegExp(`^${pattern}$`);
  return {
    template,
    variables,
    specificity,
    match(path: string) {
      const found = regex.exec(path);
      if (!found) return undefined;
      const bindings = new Map<string, string>();
      variables.forEach((variable, index) => {
        bindings.set(variable.fieldPath, decodePathValue(found[index + 1]));
      });
      return bindings;
    },
  };
}

function decodePathValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
