// A light check of the Common Expression Language (CEL) expressions workload identity providers carry
// (attribute mappings and conditions): well-formed tokens, balanced brackets, and only the variables
// the provider offers (`assertion` in mappings; `assertion`, `google`, `attribute` in conditions).
// It is not a CEL implementation: types and functions are not checked, nothing is evaluated.
import { ApiError } from '../core/errors.js';

interface Token {
  kind: 'ident' | 'string' | 'number' | 'punct';
  text: string;
  /** 0-based offset in the expression. */
  at: number;
}

const PUNCTUATION = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
  ':',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
];
const OPENING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
/** CEL's literals and keywords, and the global functions and macros a provider expression may call. */
const GLOBALS = new Set(['true', 'false', 'null', 'in', 'has', 'size', 'int', 'uint', 'double', 'string', 'bytes', 'bool', 'type', 'dyn']);
/** Macros whose first argument binds a variable for the rest of the call (`list.all(x, x in …)`). */
const BINDING_MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function celError(what: string, message: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', `${what} is not a valid CEL expression: ${message}`);
}

function readString(expression: string, start: number, what: string): number {
  const quote = expression[start];
  let index = start + 1;
  while (index < expression.length && expression[index] !== quote) index += expression[index] === '\\' ? 2 : 1;
  if (index >= expression.length) throw celError(what, `unterminated string starting at ${start + 1}`);
  return index + 1;
}

function tokenize(expression: string, what: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < expression.length) {
    const rest = expression.slice(index);
    const space = /^\s+/.exec(rest);
    if (space) {
      index += space[0].length;
      continue;
    }
    const raw = /^[rR](?=['"])/.exec(rest) ? 1 : 0;
    if (rest[raw] === "'" || rest[raw] === '"') {
      const end = readString(expression, index + raw, what);
      tokens.push({ kind: 'string', text: expression.slice(index, end), at: index });
      index = end;
      continue;
    }
    const number = /^\d+(\.\d+)?([eE][+-]?\d+)?u?/.exec(rest);
    const identifier = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    const punct = PUNCTUATION.find((candidate) => rest.startsWith(candidate));
    const token: Token | undefined = number
      ? { kind: 'number', text: number[0], at: index }
      : identifier
        ? { kind: 'ident', text: identifier[0], at: index }
        : punct
          ? { kind: 'punct', text: punct, at: index }
          : undefined;
    if (!token) throw celError(what, `unexpected character '${rest[0]}' at ${index + 1}`);
    tokens.push(token);
    index += token.text.length;
  }
  return tokens;
}

function checkBrackets(tokens: Token[], what: string): void {
  const open: Token[] = [];
  for (const token of tokens) {
    if (token.kind !== 'punct') continue;
    if (OPENING[token.text]) open.push(token);
    else if (Object.values(OPENING).includes(token.text)) {
      const last = open.pop();
      if (!last || OPENING[last.text] !== token.text) throw celError(what, `unexpected '${token.text}' at ${token.at + 1}`);
    }
  }
  if (open.length > 0) throw celError(what, `unclosed '${open[open.length - 1].text}' at ${open[open.length - 1].at + 1}`);
}

/** Variables bound by macros: the identifier right after `.all(`, `.exists(`, … */
function macroVariables(tokens: Token[]): Set<string> {
  const bound = new Set<string>();
  tokens.forEach((token, index) => {
    if (token.kind === 'ident' && BINDING_MACROS.has(token.text) && tokens[index - 1]?.text === '.' && tokens[index + 1]?.text === '(') {
      const variable = tokens[index + 2];
      if (variable?.kind === 'ident') bound.add(variable.text);
    }
  });
  return bound;
}

/**
 * Throws INVALID_ARGUMENT unless `expression` is a plausible CEL expression over `variables`.
 * Returns the variables it references at top level (e.g. `assertion`, `attribute`).
 */
export function checkCelExpression(expression: string, variables: readonly string[], what: string): Set<string> {
  const tokens = tokenize(expression, what);
  if (tokens.length === 0) throw celError(what, 'the expression is empty');
  checkBrackets(tokens, what);
  const bound = macroVariables(tokens);
  const referenced = new Set<string>();
  tokens.forEach((token, index) => {
    if (token.kind !== 'ident' || tokens[index - 1]?.text === '.') return;
    // Map keys such as `{"a": 1}` are strings; a bare identifier followed by ':' inside a ternary is still a reference.
    if (variables.includes(token.text)) referenced.add(token.text);
    else if (!GLOBALS.has(token.text) && !bound.has(token.text)) {
      throw celError(what, `undeclared reference to '${token.text}' at ${token.at + 1}`);
    }
  });
  return referenced;
}
