// parseTopLevelLazy must read, member by member and in the same order, as parseBodyExact reads the whole text, parse a
// nested member once and only when read, and refuse what JSON.parse refuses at the top level.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBodyExact } from './parse-exact.ts';
import { parseTopLevelLazy } from './parse-lazy.ts';
import { jsonTexts } from './testing-json.ts';

const fixture = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8');
const compact = fixture.replace(/\n\s*/g, '').replace(/": /g, '":');
type Obj = Record<string, unknown>;

describe('parseTopLevelLazy', () => {
  it("reads Shopify's example order as parseBodyExact does, its 18-digit ids exact, pretty-printed and compact", () => {
    for (const text of [fixture, compact]) {
      const ref = parseBodyExact(text) as Obj;
      const lazy = parseTopLevelLazy(text) as Obj;
      expect(Object.keys(lazy)).toEqual(Object.keys(ref));
      expect(lazy.id).toBe(/"id": (\d+)/.exec(fixture)?.[1]);
      expect(String(lazy.id).length).toBe(18);
      expect((lazy.line_items as Obj[])[0]!.id).toBe((ref.line_items as Obj[])[0]!.id);
      expect(JSON.stringify(lazy)).toBe(JSON.stringify(ref));
      expect({ ...lazy }).toEqual(ref);
      expect(lazy).toEqual(ref);
    }
  });

  it('agrees with parseBodyExact on 5,000 generated objects, read by property, by spread and as JSON', () => {
    const { rnd, ws, string, value } = jsonTexts(20);
    let nested = 0;
    let valid = 0;
    for (let i = 0; i < 5000; i++) {
      const members = Array.from({ length: rnd(6) }, () => `${ws()}${string()}${ws()}:${ws()}${value(1)}${ws()}`);
      const text = `${ws()}{${members.join(',')}}${ws()}`;
      let ref: Obj;
      try {
        ref = parseBodyExact(text) as Obj;
      } catch {
        // The generator's keys are not always valid JSON strings: such a text is refused by both.
        expect(() => JSON.stringify(parseTopLevelLazy(text)), text).toThrow(SyntaxError);
        continue;
      }
      valid++;
      const lazy = parseTopLevelLazy(text) as Obj;
      expect(Object.keys(lazy), text).toEqual(Object.keys(ref));
      expect(JSON.stringify(lazy), text).toBe(JSON.stringify(ref));
      expect(parseTopLevelLazy(text), text).toEqual(ref);
      expect({ ...(parseTopLevelLazy(text) as Obj) }, text).toEqual(ref);
      if (Object.values(ref).some((v) => v && typeof v === 'object')) nested++;
    }
    expect(valid).toBeGreaterThan(4000);
    expect(nested).toBeGreaterThan(1500); // the generator did exercise nested members
  });

  it('parses a nested member once, when first read, and keeps what is written to it', () => {
    const body = parseTopLevelLazy('{"a":[{"id":820982911946154508}],"b":{"c":1},"__proto__":{"x":1},"a":{"last":true}}') as Obj;
    expect(body.a).toEqual({ last: true }); // a repeated key: the last one, as JSON.parse
    expect(body.a).toBe(body.a);
    expect(Object.getOwnPropertyDescriptor(body, 'b')?.value).toEqual({ c: 1 });
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.hasOwn(body, '__proto__')).toBe(true);
    expect('b' in body && !('z' in body)).toBe(true);
    body.b = 5;
    expect(body.b).toBe(5);
    expect(parseTopLevelLazy('{"s":"\\ud800abc","n":[]}')).toEqual({ s: '\ud800abc', n: [] }); // a lone surrogate stays text
  });

  it('refuses at once what is wrong at the top level or in the brackets, and what is wrong inside a member when it is read', () => {
    for (const bad of [
      '',
      'not json',
      '{',
      '{"a":[1}',
      '{"a":{"b":[1,2}}',
      '{"a":"x}',
      '{"a":[1]}x',
      '{"a":[1] "b":2}',
      '{"a":[1],}',
      '{"a":12345678901234567,"b":[1]',
    ]) {
      expect(() => JSON.parse(bad), bad).toThrow();
      expect(() => parseTopLevelLazy(bad), bad).toThrow(SyntaxError);
    }
    const body = parseTopLevelLazy('{"id":1,"line_items":[1,,2]}') as Obj;
    expect(body.id).toBe(1);
    expect(() => body.line_items).toThrow(SyntaxError);
    expect(() => body.line_items).toThrow('(in the member "line_items", which starts at position 21)');
  });

  it('is parseBodyExact for a text that is not an object, or one with no nested member', () => {
    for (const text of ['[820982911946154508]', '820982911946154508', '"x"', ' 12 ', '{"a":1}', '{}', '{"a":1.5e300}']) {
      expect(parseTopLevelLazy(text), text).toEqual(parseBodyExact(text));
    }
  });
});
