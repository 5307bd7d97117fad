// parseBodyExact must give exactly what the reference scanner (parseJsonLossless) gives on every valid JSON text, keep
// every long id's digits, and refuse every text JSON.parse refuses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from './lossless-json.ts';
import { parseBodyExact } from './parse-exact.ts';
import { jsonTexts } from './testing-json.ts';

const fixture = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8');

const { rnd, ws, value } = jsonTexts(15);

describe('parseBodyExact', () => {
  it('keeps 18-digit ids exact as strings and leaves small numbers, floats and strings alone', () => {
    const v = parseBodyExact(
      '{"id":820982911946154508,"n":-123456789012345678,"q":3,"p":1.5e3,"s":"x\\"987654321987654321","r":0.06,"a":[487817672276298554],"f":12345678901234567.5,"e":1234567890123456789e2, "w" : 1234567890123456 }',
    ) as Record<string, unknown>;
    expect(v).toEqual({
      id: '820982911946154508',
      n: '-123456789012345678',
      q: 3,
      p: 1500,
      s: 'x"987654321987654321',
      r: 0.06,
      a: ['487817672276298554'],
      f: Number('12345678901234567.5'), // floats stay floats, whatever their length
      e: Number('1234567890123456789e2'),
      w: '1234567890123456',
    });
    expect(parseBodyExact('820982911946154508')).toBe('820982911946154508');
    expect(parseBodyExact(' [ -820982911946154508 ] ')).toEqual(['-820982911946154508']);
  });

  it("gives what parseJsonLossless gives on Shopify's example order, compact and pretty-printed", () => {
    const ref = parseJsonLossless(fixture);
    expect(parseBodyExact(fixture)).toEqual(ref);
    expect((ref as { id: unknown }).id).toBe(/"id": (\d+)/.exec(fixture)?.[1]);
    expect(String((ref as { id: unknown }).id).length).toBe(18);
    const compact = fixture.replace(/\n\s*/g, '').replace(/": /g, '":');
    expect(parseBodyExact(compact)).toEqual(parseJsonLossless(compact));
  });

  it('agrees with parseJsonLossless on 5,000 generated documents (long, signed, fractional and exponent numbers; digits, quotes and escapes in strings)', () => {
    let long = 0;
    for (let i = 0; i < 5000; i++) {
      const text = rnd(5) ? `{${ws()}"a":${value(1)},${ws()}"b":${value(1)},"c":${ws()}${value(1)}}` : value(0);
      const ref = parseJsonLossless(text);
      expect(parseBodyExact(text), text).toEqual(ref);
      if (/\d{16}/.test(text)) long++;
    }
    expect(long).toBeGreaterThan(500); // the generator did exercise long integers
  });

  it('refuses what JSON.parse refuses, including a long integer as an object key', () => {
    for (const bad of [
      '{"a":}',
      '{"a":12345678901234567',
      '{12345678901234567:1}',
      '{"a":1,12345678901234567890:2}',
      '["abc 12345678901234567890]',
      '[12345678901234567890 12]',
      '[-12345678901234567890-]',
      '[0123456789012345678]',
      '[1.12345678901234567.5]',
      '"\\x12345678901234567"',
      '',
    ]) {
      expect(() => JSON.parse(bad), bad).toThrow();
      expect(() => parseBodyExact(bad), bad).toThrow(SyntaxError);
    }
  });
});
