import { describe, expect, it } from 'vitest';
import { compareLikeLocale } from '../../src/util/collate.js';

/** A small deterministic generator (the same pairs on every run). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('compareLikeLocale', () => {
  it("orders names of letters, digits and _ exactly as localeCompare (ICU's root collation) does", () => {
    const next = generator(15);
    const alphabets = [
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_',
      'AaBb01_', // case and underscore decide most pairs
      'Aa_',
      'A_1',
    ];
    let mismatches: string[] = [];
    for (const alphabet of alphabets) {
      for (let i = 0; i < 50_000; i++) {
        const word = () =>
          Array.from({ length: 1 + Math.floor(next() * 7) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
        const a = word();
        const b = word();
        if (compareLikeLocale(a, b) !== Math.sign(a.localeCompare(b))) mismatches.push(`${a} ${b}`);
      }
    }
    mismatches = mismatches.slice(0, 5);
    expect(mismatches).toEqual([]);
  });

  it('agrees on the cases a plain sort gets wrong', () => {
    const names = [
      'ATLANTIS_REPO_ALLOWLIST',
      'ATLANTISX',
      'ATLANTIS_1',
      'atlantis_a',
      'ATLANTIS_A',
      'Atlantis_a',
      'ATLANTIS',
      'A',
      '_A',
      '9A',
      '',
    ];
    expect([...names].sort(compareLikeLocale)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    // A plain code-unit sort puts `_` after the capitals, and every capital before any lowercase letter.
    expect([...names].sort()).not.toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('leaves any other name to localeCompare', () => {
    for (const [a, b] of [
      ['atlantis-vcs-token', 'atlantis_vcs_token'],
      ['a.b', 'a_b'],
      ['é', 'f'],
      ['a-b', 'a-b'],
    ]) {
      expect(compareLikeLocale(a, b)).toBe(Math.sign(a.localeCompare(b)));
    }
  });
});
