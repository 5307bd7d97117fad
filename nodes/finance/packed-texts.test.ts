// PackedTexts gives back every text pushed, nulls and empty texts included, across chunk boundaries and while a
// chunk is still being filled.
import { describe, expect, it } from 'vitest';
import { PackedTexts } from './packed-texts.ts';

describe('PackedTexts', () => {
  it('gives back what was pushed, in any order of reads and pushes', () => {
    const texts: Array<string | null> = [];
    const p = new PackedTexts();
    for (let i = 0; i < 50_000; i++) {
      const t = i % 97 === 0 ? null : i % 89 === 0 ? '' : `INV-${i}${'x'.repeat(i % 7)}é`;
      texts.push(t);
      p.push(t);
      // A read of the text just pushed (its chunk not joined yet) and of an older one.
      if (i % 1_000 === 0) {
        expect(p.get(i)).toBe(t);
        expect(p.get(i >> 1)).toBe(texts[i >> 1]);
      }
    }
    expect(p.length).toBe(texts.length);
    for (let i = 0; i < texts.length; i++) expect(p.get(i)).toBe(texts[i]);
    expect(p.get(texts.length)).toBeNull();
    expect(p.get(-1)).toBeNull();
  });
});
