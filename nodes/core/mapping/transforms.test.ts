import { describe, expect, it } from 'vitest';
import { transformSchema, type TransformInput } from './config.ts';
import { applyTransforms } from './transforms.ts';
import { parsePath, formatPath, getAt, setAt } from './paths.ts';

const scope: Record<string, unknown> = { code: 'SALE10', city: 'Leeds', qty: 3, price: '19.99' };
const run = (ts: TransformInput[], v: unknown) =>
  applyTransforms(
    ts.map((t) => transformSchema.parse(t)),
    v,
    (p) => getAt(scope, parsePath(p).segments),
  );

describe('built-in transforms', () => {
  it('shape text', () => {
    expect(run([{ op: 'trim' }, { op: 'case', to: 'upper' }], '  abc ')).toBe('ABC');
    expect(run([{ op: 'case', to: 'title' }], "mary-jane o'neil")).toBe("Mary-Jane O'neil");
    expect(run([{ op: 'pad', length: 6, char: '0' }], '42')).toBe('000042');
    expect(run([{ op: 'pad', length: 4, side: 'end' }], 'ab')).toBe('ab  ');
    expect(run([{ op: 'truncate', length: 3 }], 'abcdef')).toBe('abc');
    expect(run([{ op: 'replace', find: '#', with: 'SO-' }], '#1001')).toBe('SO-1001');
    expect(run([{ op: 'split', separator: ',' }], 'a,b,c')).toEqual(['a', 'b', 'c']);
    expect(run([{ op: 'split', separator: ' ', index: -1 }], 'John Ronald Tolkien')).toBe('Tolkien');
    expect(run([{ op: 'join', separator: ', ' }], ['a', null, 'b', ''])).toBe('a, b');
    expect(run([{ op: 'concat', parts: [{ const: '-' }, { path: 'code' }] }], 'ORD')).toBe('ORD-SALE10');
    expect(run([{ op: 'concat', parts: [{ path: 'missing' }, { path: 'city' }], separator: ', ' }], '1 High St')).toBe('1 High St, Leeds');
  });

  it('default only replaces empty values', () => {
    expect(run([{ op: 'default', value: 'N/A' }], '')).toBe('N/A');
    expect(run([{ op: 'default', value: 'N/A' }], null)).toBe('N/A');
    expect(run([{ op: 'default', value: 'N/A' }], 0)).toBe(0);
    expect(run([{ op: 'trim' }, { op: 'default', value: 'x' }], undefined)).toBe('x');
  });

  it('rounds decimals by the rule the field names, never through floats', () => {
    expect(run([{ op: 'decimal', places: 2, rounding: 'half-up' }], '2.345')).toBe('2.35');
    expect(run([{ op: 'decimal', places: 2, rounding: 'half-even' }], '2.345')).toBe('2.34');
    expect(run([{ op: 'decimal', places: 2, rounding: 'half-even' }], '2.355')).toBe('2.36');
    expect(run([{ op: 'decimal', places: 2, rounding: 'half-up' }], '-2.345')).toBe('-2.35');
    expect(run([{ op: 'decimal', places: 2, rounding: 'floor' }], '-2.341')).toBe('-2.35');
    expect(run([{ op: 'decimal', places: 0, rounding: 'down' }], '7.99')).toBe('7');
    expect(run([{ op: 'decimal', places: 2, rounding: 'half-up' }], '5')).toBe('5.00');
    // 0.1 + 0.2 in floats is 0.30000000000000004; in decimals it is 0.3.
    expect(run([{ op: 'math', operator: 'add', operand: { const: '0.2' } }], '0.1')).toBe('0.3');
    expect(run([{ op: 'math', operator: 'multiply', operand: { path: 'qty' } }], '19.99')).toBe('59.97');
    expect(
      run(
        [
          { op: 'math', operator: 'divide', operand: { const: 3 } },
          { op: 'decimal', places: 2, rounding: 'half-even' },
        ],
        '10',
      ),
    ).toBe('3.33');
    expect(run([{ op: 'negate' }], '12.50')).toBe('-12.5');
    expect(() => transformSchema.parse({ op: 'decimal', places: 2 })).toThrow();
  });

  it('formats dates in a time zone', () => {
    expect(run([{ op: 'date', timeZone: 'Europe/London' }], '2022-01-01T23:30:00-05:00')).toBe('2022-01-02');
    expect(run([{ op: 'date', format: "yyyy-MM-dd'T'HH:mm:ssXXX", timeZone: 'Europe/London' }], '2024-07-01T10:00:00Z')).toBe('2024-07-01T11:00:00+01:00');
    expect(run([{ op: 'date', format: 'dd/MM/yyyy HH:mm', timeZone: 'America/New_York' }], '2024-03-10T07:30:00Z')).toBe('10/03/2024 03:30');
    expect(run([{ op: 'date', format: 'd.M.yy', timeZone: 'Asia/Tokyo' }], '2024-12-31')).toBe('31.12.24');
  });

  it("gives ICU's wall clock and offset for every instant, across daylight-saving changes and odd offsets", () => {
    // What ICU itself says, field by field: the transform caches offsets, this does not.
    const icu = (ms: number, timeZone: string) => {
      const f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
      const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      const off = Math.round((Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - Math.floor(ms / 1000) * 1000) / 60_000);
      const abs = Math.abs(off);
      const xxx = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${xxx}`;
    };
    const zones = [
      'UTC',
      'Europe/London',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'America/St_Johns',
      'Pacific/Chatham',
      'Europe/Amsterdam',
    ];
    // Every 7 minutes and 13 seconds through the days around 2024's changes, then instants from 1930 to 2040.
    const instants: number[] = [];
    for (const day of ['2024-03-09', '2024-03-30', '2024-04-06', '2024-09-28', '2024-10-26', '2024-11-02']) {
      const from = Date.parse(`${day}T00:00:00Z`);
      for (let t = from; t < from + 3 * 86_400_000; t += 433_000) instants.push(t);
    }
    for (let i = 0; i < 2000; i++) instants.push(Date.UTC(1930, 0, 1) + Math.floor((((i * 2654435761) % 2 ** 32) / 2 ** 32) * 110 * 365.25 * 86_400_000));
    for (const timeZone of zones) {
      for (const ms of instants) {
        const iso = new Date(ms).toISOString();
        expect(run([{ op: 'date', format: "yyyy-MM-dd'T'HH:mm:ssXXX", timeZone }], iso), `${iso} in ${timeZone}`).toBe(icu(ms, timeZone));
      }
    }
  });

  it('fails with the transform and the reason', () => {
    expect(() => run([{ op: 'trim' }, { op: 'decimal', places: 2, rounding: 'half-up' }], 'abc')).toThrow('transform #2 (decimal): "abc" is not a number');
    expect(() => run([{ op: 'date', timeZone: 'Mars/Base' }], '2024-01-01T00:00:00Z')).toThrow('transform #1 (date): unknown time zone "Mars/Base"');
    expect(() => run([{ op: 'date' }], '01/02/2024')).toThrow(/is not an ISO date/);
    expect(() => run([{ op: 'date', format: 'yyyy Q' }], '2024-01-01')).toThrow('transform #1 (date): unknown date token "Q" in "yyyy Q"');
    expect(run([{ op: 'date', format: "yyyy 'Q'" }], '2024-01-01')).toBe('2024 Q');
    expect(() => run([{ op: 'math', operator: 'divide', operand: { const: 0 } }], '1')).toThrow(/division by zero/);
    expect(() => run([{ op: 'type', to: 'number' }], '0.1000000000000000055511151231257827')).toThrow(/losing precision/);
    expect(run([{ op: 'type', to: 'integer' }], '3')).toBe(3);
    expect(() => run([{ op: 'type', to: 'integer' }], '3.5')).toThrow(/not a whole number/);
  });
});

describe('paths', () => {
  it('parse, format, read and write', () => {
    expect(parsePath('lineItems[2].taxLines[0]["rate %"]')).toMatchObject({ scope: 'item', segments: ['lineItems', 2, 'taxLines', 0, 'rate %'] });
    expect(parsePath('$root.name')).toMatchObject({ scope: 'root', segments: ['name'] });
    expect(() => parsePath('$nope.x')).toThrow(/unknown scope/);
    expect(() => parsePath('a..b')).toThrow(/empty field name/);
    expect(() => parsePath('a[x]')).toThrow(/must be an index/);
    expect(formatPath(['lines', 0, 'odd key'])).toBe('lines[0]["odd key"]');
    expect(getAt({ a: [{ b: 1 }] }, ['a', 0, 'b'])).toBe(1);
    expect(getAt({ a: 1 }, ['toString'])).toBeUndefined();
    const o: Record<string, unknown> = {};
    setAt(o, ['customer', 'address', 'city'], 'Leeds');
    setAt(o, ['tags', 0], 'x');
    expect(o).toEqual({ customer: { address: { city: 'Leeds' } }, tags: ['x'] });
    expect(() => setAt(o, ['__proto__', 'polluted'], 1)).toThrow(/not allowed/);
  });
});
