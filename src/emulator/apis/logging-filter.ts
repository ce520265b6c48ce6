// A parser and evaluator for the part of the Logging query language that `entries.list` filters
// use (https://cloud.google.com/logging/docs/view/logging-query-language): comparisons
// `FIELD OP VALUE` with = != > >= < <= : =~ !~, values quoted or bare (and `(A OR B)` value
// lists), AND / OR / NOT / `-`, parentheses and implicit AND by juxtaposition (newlines too).
// Google's precedence is kept: NOT binds tightest, then OR, then AND — `a AND b OR c` means
// `a AND (b OR c)`. `severity` compares by LogSeverity order, `timestamp`/`receiveTimestamp` as
// times (a value that is no RFC 3339 time fails with Google's "is of incorrect type"). Global
// restrictions (a bare word), functions (SEARCH, sample, ip_in_net…) and other scopes are refused.
import { ApiError } from '../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';

export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | ':' | '=~' | '!~';

export type FilterNode =
  | { kind: 'and' | 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  | { kind: 'compare'; field: string[]; op: Operator; values: ValueList };

/** A value, or a parenthesised `(A OR B …)` / `(A AND B …)` list of values. */
export interface ValueList {
  join: 'or' | 'and';
  items: string[];
}

/** LogSeverity numbers (google/logging/type/log_severity.proto). */
export const SEVERITIES: Readonly<Record<string, number>> = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
};

// ---------------------------------------------------------------------------------------------
// Lexer

type TokenKind = 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'minus' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  /** For words: the field path segments (quoted segments kept whole). */
  segments?: string[];
  line: number;
  column: number;
}

const OPERATORS: Operator[] = ['=~', '!~', '!=', '>=', '<=', '=', '>', '<', ':'];
const WORD_STOP = /[\s()"=!<>:]/;

export function syntaxError(token: Pick<Token, 'line' | 'column' | 'text'>): ApiError {
  const shown = token.text === '' ? '<EOF>' : token.text;
  return new ApiError(
    'INVALID_ARGUMENT',
    `Unparseable filter: syntax error at line ${token.line}, column ${token.column}, token '${shown}'`,
  );
}

class Lexer {
  private index = 0;
  private line = 1;
  private column = 1;

  constructor(private readonly text: string) {}

  private advance(count: number): void {
    for (let i = 0; i < count; i++) {
      if (this.text[this.index] === '\n') {
        this.line += 1;
        this.column = 1;
      } else {
        this.column += 1;
      }
      this.index += 1;
    }
  }

  private readQuoted(): string {
    const start = { line: this.line, column: this.column, text: '"' };
    let value = '';
    this.advance(1);
    while (this.index < this.text.length) {
      const char = this.text[this.index];
      if (char === '\\' && this.index + 1 < this.text.length) {
        const next = this.text[this.index + 1];
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        this.advance(2);
        continue;
      }
      if (char === '"') {
        this.advance(1);
        return value;
      }
      value += char;
      this.advance(1);
    }
    throw syntaxError(start);
  }

  tokens(): Token[] {
    const tokens: Token[] = [];
    while (this.index < this.text.length) {
      const char = this.text[this.index];
      if (/\s/.test(char)) {
        this.advance(1);
        continue;
      }
      const at = { line: this.line, column: this.column };
      if (char === '(' || char === ')') {
        tokens.push({ kind: char === '(' ? 'lparen' : 'rparen', text: char, ...at });
        this.advance(1);
        continue;
      }
      if (char === '"') {
        const value = this.readQuoted();
        tokens.push({ kind: 'string', text: value, ...at });
        continue;
      }
      const op = OPERATORS.find((candidate) => this.text.startsWith(candidate, this.index));
      if (op) {
        tokens.push({ kind: 'op', text: op, ...at });
        this.advance(op.length);
        continue;
      }
      if (char === '-' && !/[\s)]/.test(this.text[this.index + 1] ?? ' ')) {
        const previous = tokens[tokens.length - 1];
        // A leading `-` is NOT, unless it starts a bare value right after an operator (`x=-1`).
        if (!previous || previous.kind !== 'op') {
          tokens.push({ kind: 'minus', text: '-', ...at });
          this.advance(1);
          continue;
        }
      }
      tokens.push(this.readWord(at));
    }
    tokens.push({ kind: 'eof', text: '', line: this.line, column: this.column });
    return tokens;
  }

  /** A bare word, which may be a field path with quoted segments: `labels."run.googleapis.com/x"`. */
  private readWord(at: { line: number; column: number }): Token {
    const segments: string[] = [];
    let raw = '';
    let current = '';
    while (this.index < this.text.length) {
      const char = this.text[this.index];
      if (char === '"' && raw.endsWith('.')) {
        const quoted = this.readQuoted();
        segments.push(quoted);
        raw += `"${quoted}"`;
        current = '';
        continue;
      }
      if (WORD_STOP.test(char)) break;
      raw += char;
      this.advance(1);
      if (char === '.') {
        if (current !== '') segments.push(current);
        current = '';
      } else {
        current += char;
      }
    }
    if (current !== '') segments.push(current);
    // A character no token starts with (a lone `!`): Google's parser stops there too.
    if (raw === '') throw syntaxError({ ...at, text: this.text[this.index] });
    return { kind: 'word', text: raw, segments, ...at };
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

const KEYWORDS = new Set(['AND', 'OR', 'NOT']);

function unsupported(what: string): ApiError {
  return new ApiError(
    'INVALID_ARGUMENT',
    `Unsupported filter: ${what}. The emulator's Cloud Logging supports comparisons FIELD OP VALUE (OP one of = != > >= < <= : =~ !~) joined by AND, OR, NOT and parentheses.`,
  );
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    return this.tokens[this.position++];
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text === keyword;
  }

  parse(): FilterNode | undefined {
    if (this.peek().kind === 'eof') return undefined;
    const node = this.conjunction();
    const rest = this.peek();
    if (rest.kind !== 'eof') throw syntaxError(rest);
    return node;
  }

  /** AND (explicit or by juxtaposition) binds loosest. */
  private conjunction(): FilterNode {
    const children = [this.disjunction()];
    for (;;) {
      const token = this.peek();
      if (this.isKeyword(token, 'AND')) {
        this.next();
        children.push(this.disjunction());
      } else if (token.kind === 'eof' || token.kind === 'rparen') {
        break;
      } else if (this.isKeyword(token, 'OR')) {
        throw syntaxError(token);
      } else {
        children.push(this.disjunction());
      }
    }
    return children.length === 1 ? children[0] : { kind: 'and', children };
  }

  private disjunction(): FilterNode {
    const children = [this.unary()];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.next();
      children.push(this.unary());
    }
    return children.length === 1 ? children[0] : { kind: 'or', children };
  }

  private unary(): FilterNode {
    const token = this.peek();
    if (this.isKeyword(token, 'NOT') || token.kind === 'minus') {
      this.next();
      return { kind: 'not', child: this.unary() };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const token = this.next();
    if (token.kind === 'lparen') {
      const inner = this.conjunction();
      const close = this.next();
      if (close.kind !== 'rparen') throw syntaxError(close);
      return inner;
    }
    if (token.kind === 'string') throw unsupported(`the global restriction "${token.text}" (a value without a field)`);
    if (token.kind !== 'word' || KEYWORDS.has(token.text)) throw syntaxError(token);
    const after = this.peek();
    if (after.kind === 'lparen') throw unsupported(`the function ${token.text}()`);
    if (after.kind !== 'op') throw unsupported(`the global restriction ${token.text} (a value without a field)`);
    this.next();
    return { kind: 'compare', field: token.segments ?? [token.text], op: after.text as Operator, values: this.valueList() };
  }

  private value(): string {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'word' && !KEYWORDS.has(token.text)) return token.text;
    if (token.kind === 'minus') {
      const rest = this.next();
      if (rest.kind === 'word') return `-${rest.text}`;
      throw syntaxError(rest);
    }
    throw syntaxError(token);
  }

  private valueList(): ValueList {
    if (this.peek().kind !== 'lparen') return { join: 'or', items: [this.value()] };
    this.next();
    const items = [this.value()];
    let join: ValueList['join'] | undefined;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'rparen') {
        this.next();
        return { join: join ?? 'or', items };
      }
      const word = this.isKeyword(token, 'OR') ? 'or' : this.isKeyword(token, 'AND') ? 'and' : undefined;
      if (!word || (join && join !== word)) throw syntaxError(token);
      join = word;
      this.next();
      items.push(this.value());
    }
  }
}

/** Parses a filter; undefined for an empty one (everything matches). Throws INVALID_ARGUMENT. */
export function parseFilter(text: string): FilterNode | undefined {
  const node = new Parser(new Lexer(text).tokens()).parse();
  if (node) checkValues(node);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** LogEntry fields also accepted in snake_case, as Google's filters accept them. */
const FIELD_ALIASES: Record<string, string> = {
  log_name: 'logName',
  insert_id: 'insertId',
  text_payload: 'textPayload',
  json_payload: 'jsonPayload',
  proto_payload: 'protoPayload',
  receive_timestamp: 'receiveTimestamp',
  http_request: 'httpRequest',
  source_location: 'sourceLocation',
  span_id: 'spanId',
  trace_sampled: 'traceSampled',
};

const TIME_FIELDS = new Set(['timestamp', 'receiveTimestamp']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function incorrectType(value: string): ApiError {
  // Google's wording; it shows the value lower-cased.
  return new ApiError('INVALID_ARGUMENT', `The value '${value.toLowerCase()}' is of incorrect type.`);
}

/** Milliseconds of an RFC 3339 time, or undefined. */
export function parseTime(value: string): number | undefined {
  if (!RFC3339.test(value)) return undefined;
  const ms = Date.parse(value.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

function severityNumber(value: string): number | undefined {
  const upper = value.toUpperCase();
  if (upper in SEVERITIES) return SEVERITIES[upper];
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

function fieldName(field: string[]): string {
  const [head, ...rest] = field;
  return [FIELD_ALIASES[head] ?? head, ...rest].join('.');
}

/** Values of typed fields are checked once, at parse time, so a bad one fails even on no entries. */
function checkValues(node: FilterNode): void {
  if (node.kind === 'and' || node.kind === 'or') node.children.forEach(checkValues);
  else if (node.kind === 'not') checkValues(node.child);
  else if (node.kind === 'compare') {
    const name = fieldName(node.field);
    for (const value of node.values.items) {
      if (TIME_FIELDS.has(name) && parseTime(value) === undefined) throw incorrectType(value);
      if (name === 'severity' && severityNumber(value) === undefined) throw incorrectType(value);
      if (node.op === '=~' || node.op === '!~') {
        try {
          new RegExp(value);
        } catch {
          throw new ApiError('INVALID_ARGUMENT', `Invalid regular expression in filter: ${value}`);
        }
      }
    }
  }
}

function lookup(entry: JsonObject, field: string[]): JsonValue | undefined {
  const [head, ...rest] = field;
  let node: JsonValue | undefined = entry[FIELD_ALIASES[head] ?? head];
  if (head === 'severity' && node === undefined) node = 'DEFAULT';
  for (const segment of rest) {
    if (!isJsonObject(node)) return undefined;
    node = node[segment];
  }
  return node;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function ordered(actual: string, expected: string, op: Operator): boolean {
  const numeric = NUMBER.test(actual) && NUMBER.test(expected);
  const a = numeric ? Number(actual) : actual;
  const b = numeric ? Number(expected) : expected;
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return false;
  }
}

function compareScalar(name: string, actual: JsonValue, op: Operator, expected: string): boolean {
  if (op === ':' && expected === '*') return true;
  if (isJsonObject(actual) || Array.isArray(actual)) return false;
  let left = typeof actual === 'string' ? actual : JSON.stringify(actual);
  let right = expected;
  if (name === 'severity') {
    left = String(severityNumber(left) ?? 0);
    right = String(severityNumber(right));
  } else if (TIME_FIELDS.has(name)) {
    left = String(parseTime(left) ?? Number.NaN);
    right = String(parseTime(right));
  }
  switch (op) {
    case '=':
      return NUMBER.test(left) && NUMBER.test(right) ? Number(left) === Number(right) : left === right;
    case '!=':
      return !compareScalar(name, actual, '=', expected);
    case ':':
      return left.toLowerCase().includes(right.toLowerCase());
    case '=~':
      return new RegExp(right).test(left);
    case '!~':
      return !new RegExp(right).test(left);
    default:
      return ordered(left, right, op);
  }
}

function compare(entry: JsonObject, node: Extract<FilterNode, { kind: 'compare' }>): boolean {
  const name = fieldName(node.field);
  const actual = lookup(entry, node.field);
  const test = (expected: string): boolean => {
    if (actual === undefined || actual === null) return node.op === '!=' || node.op === '!~';
    if (Array.isArray(actual)) return actual.some((item) => compareScalar(name, item, node.op, expected));
    return compareScalar(name, actual, node.op, expected);
  };
  return node.values.join === 'or' ? node.values.items.some(test) : node.values.items.every(test);
}

export function matches(entry: JsonObject, node: FilterNode | undefined): boolean {
  if (!node) return true;
  switch (node.kind) {
    case 'and':
      return node.children.every((child) => matches(entry, child));
    case 'or':
      return node.children.some((child) => matches(entry, child));
    case 'not':
      return !matches(entry, node.child);
    default:
      return compare(entry, node);
  }
}
