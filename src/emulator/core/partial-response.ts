// The `fields` system parameter (partial responses, a standard Google API parameter): the answer
// keeps only the selected fields. Syntax as Google documents it: comma-separated selections, `/`
// for a field inside a field, `a(b,c)` for several fields inside `a`, `*` for every field at that
// level; a selection inside a list applies to each element. Names match the JSON (camelCase) name
// or the proto (snake_case) one.
import { ApiError } from './errors.js';
import { camelCase, isJsonObject, type JsonObject, type JsonValue } from './json.js';

/** `true`: keep the whole field; a selector: keep only these fields inside it. */
export type FieldSelector = Map<string, FieldSelector | true>;

function invalid(text: string): ApiError {
  // Wording ours: Google answers a malformed selector with INVALID_ARGUMENT.
  return new ApiError('INVALID_ARGUMENT', `Invalid field selector in the "fields" parameter: "${text}".`);
}

function merge(into: FieldSelector, name: string, selection: FieldSelector | true): void {
  const existing = into.get(name);
  if (existing === true || selection === true) into.set(name, true);
  else if (existing) for (const [key, value] of selection) merge(existing, key, value);
  else into.set(name, selection);
}

/** Parses a `fields` value (`nextPageToken,services(name,config/title)`). */
export function parseFieldSelector(text: string): FieldSelector {
  let at = 0;
  const name = (): string => {
    const match = /^[^,/()\s]+/.exec(text.slice(at));
    if (!match) throw invalid(text);
    at += match[0].length;
    return camelCase(match[0]);
  };
  const list = (): FieldSelector => {
    const selector: FieldSelector = new Map();
    for (;;) {
      const path = [name()];
      while (text[at] === '/') {
        at += 1;
        path.push(name());
      }
      let leaf: FieldSelector | true = true;
      if (text[at] === '(') {
        at += 1;
        leaf = list();
        if (text[at] !== ')') throw invalid(text);
        at += 1;
      }
      const selection = path.slice(1).reduceRight<FieldSelector | true>((inner, segment) => new Map([[segment, inner]]), leaf);
      merge(selector, path[0], selection);
      if (text[at] !== ',') return selector;
      at += 1;
    }
  };
  const selector = list();
  if (at !== text.length) throw invalid(text);
  return selector;
}

/** The answer with only the selected fields. */
export function selectFields(value: JsonValue, selector: FieldSelector): JsonValue {
  if (Array.isArray(value)) return value.map((item) => selectFields(item, selector));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const selection = selector.get(key) ?? selector.get('*');
    if (selection === undefined) continue;
    out[key] = selection === true ? item : selectFields(item, selection);
  }
  return out;
}
