import { describe, expect, it } from 'vitest';
import { eventPayloadText, eventPayloadValue } from './event-payload.ts';

const body = '{\n  "id": 820982911946154508,\n  "note": "a \\"quoted\\" note\\nand a line",\n  "name": "#9999 ü 😀"\n}';
const headers = { 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': 'e-1' };

describe('event payload with its body apart', () => {
  it('reads as the text the whole delivery would have been stored as', () => {
    expect(eventPayloadText({ payload: JSON.stringify({ headers }), body })).toBe(JSON.stringify({ body, headers }));
    expect(eventPayloadText({ payload: '{}', body })).toBe(JSON.stringify({ body }));
  });

  it('reads as the delivery value, the body as the exact text that arrived', () => {
    const v = eventPayloadValue({ payload: JSON.stringify({ headers }), body }) as { body: string; headers: unknown };
    expect(v).toEqual({ body, headers });
    expect(Object.keys(v)).toEqual(['body', 'headers']);
    expect(v.body).toContain('820982911946154508');
  });

  it('leaves every other event as it was stored', () => {
    expect(eventPayloadText({ payload: '{"a":1}', body: null })).toBe('{"a":1}');
    expect(eventPayloadValue({ payload: '[1,2]' })).toEqual([1, 2]);
  });

  it('refuses a separate body beside a payload that is not an object', () => {
    expect(() => eventPayloadText({ payload: '[1]', body })).toThrow(/object payload/);
    expect(() => eventPayloadValue({ payload: '"x"', body })).toThrow(/object payload/);
  });
});
