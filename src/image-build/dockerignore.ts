// .dockerignore as Docker reads it (moby's dockerignore.ReadAll and patternmatcher): one pattern a
// line, `#` comments, `!` re-includes, paths cleaned and relative to the context root, Go's
// filepath.Match syntax plus `**` for any number of directories; the last matching pattern wins,
// and a pattern that matches a directory matches everything under it.
import path from 'node:path';

export interface IgnorePattern {
  /** The pattern as cleaned (no leading `/`, no `!`). */
  text: string;
  exclusion: boolean;
  regex: RegExp;
}

/** The patterns of a .dockerignore file's text. Throws on a lone `!`, which Docker refuses too. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (raw.startsWith('#')) continue;
    let line = raw.trim();
    if (line === '') continue;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    if (line === '') throw new Error('illegal exclusion pattern: "!"');
    line = path.posix.normalize(line.replace(/\\(?=\/)/g, '/'));
    if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    if (line.length > 1 && line.endsWith('/')) line = line.slice(0, -1);
    patterns.push({ text: line, exclusion, regex: compile(line) });
  }
  return patterns;
}

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

/** moby patternmatcher's translation of one pattern to an anchored regular expression. */
function compile(pattern: string): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++; // "**/" is "**"
        out += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) out += '\\\\';
      else {
        out += escape(next);
        i++;
      }
    } else if (ch === '[') {
      // A character class as filepath.Match reads it: `[!…]` negates.
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\//g, '')}]`;
        i = close;
      }
    } else {
      out += escape(ch);
    }
  }
  return new RegExp(`${out}$`);
}

function escape(ch: string): string {
  return REGEX_SPECIAL.has(ch) || ch === '*' || ch === '?' || ch === '[' || ch === ']' || ch === '\\' ? `\\${ch}` : ch;
}

/**
 * Whether `file` (slash-separated, relative to the context root) is excluded: each pattern in
 * order, tried on the path and on each of its parent directories; the last that matches decides.
 */
export function isIgnored(patterns: readonly IgnorePattern[], file: string): boolean {
  const parent = path.posix.dirname(file);
  const parents = parent === '.' ? [] : parent.split('/').map((_, i, all) => all.slice(0, i + 1).join('/'));
  let matched = false;
  for (const pattern of patterns) {
    // An inclusion cannot change an already-matched path, nor an exclusion an unmatched one.
    if (pattern.exclusion !== matched) continue;
    const hit = pattern.regex.test(file) || parents.some((dir) => pattern.regex.test(dir));
    if (hit) matched = !pattern.exclusion;
  }
  return matched;
}

/** Whether any exclusion pattern could re-include something under `dir` (else an ignored directory is skipped whole). */
export function mayReinclude(patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((p) => p.exclusion);
}
