// The id table gives what a Map of lists gives, for plain numeric ids and any other text, through its growth.
import { describe, expect, it } from 'vitest';
import { IdPositions, numericId } from './id-map.ts';

describe('IdPositions', () => {
  it.each([0, 50_000])('keeps every position of every id in insertion order, numeric or not (made for %i ids)', (expected) => {
    const ids = new IdPositions(expected);
    const ref = new Map<string, number[]>();
    const odd = ['007', '0', '1234567890123456', '12.5', 'R-1', '', '999999999999999', '4294967296', '4294967297', '-3'];
    for (let pos = 0; pos < 50_000; pos++) {
      // Most ids once, some twice or three times (an invoice posted in parts), a few that are no plain number.
      const id = pos % 97 === 0 ? odd[pos % odd.length]! : String(((pos * 7919) % 40_000) * 1_000_003 + 5_000_000_000);
      ids.add(id, pos);
      ref.set(id, [...(ref.get(id) ?? []), pos]);
    }
    for (const [id, positions] of ref) {
      expect(ids.all(id), id).toEqual(positions);
      expect(ids.one(id)).toBe(positions.length === 1 ? positions[0] : -2);
      expect(ids.has(id)).toBe(true);
    }
    for (const id of ['1', '00', 'x', '5000000001']) {
      expect(ids.one(id)).toBe(-1);
      expect(ids.all(id)).toEqual([]);
    }
  });

  it('reads as a number only an id whose text is that number', () => {
    expect(numericId('123')).toBe(123);
    expect(numericId('0')).toBe(0);
    expect(numericId('999999999999999')).toBe(999999999999999);
    for (const id of ['', '007', '1e3', '12.5', '-1', '1234567890123456', ' 1']) expect(numericId(id), id).toBeNaN();
  });
});
