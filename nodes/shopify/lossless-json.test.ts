import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from './lossless-json.ts';

describe('parseJsonLossless', () => {
  it('keeps 18-digit ids exact as strings and leaves small numbers and strings alone', () => {
    const v = parseJsonLossless(
      '{"id":820982911946154508,"n":-123456789012345678,"q":3,"p":1.5e3,"s":"x\\"987654321987654321","r":0.06,"a":[487817672276298554]}',
    ) as any;
    expect(v.id).toBe('820982911946154508');
    expect(v.n).toBe('-123456789012345678');
    expect(v.q).toBe(3);
    expect(v.p).toBe(1500);
    expect(v.s).toBe('x"987654321987654321');
    expect(v.r).toBe(0.06);
    expect(v.a).toEqual(['487817672276298554']);
    expect(JSON.parse('{"id":820982911946154508}').id).not.toBe(820982911946154508n.toString());
  });
  it('still rejects invalid JSON', () => {
    expect(() => parseJsonLossless('{"a":}')).toThrow();
  });
});
