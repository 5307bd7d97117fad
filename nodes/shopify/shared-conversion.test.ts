import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertDelivery } from './shared-conversion.ts';
import { convertWebhook } from './webhook-convert.ts';

const body = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.paid.json', import.meta.url), 'utf8');
// Each run loads the event from the store: equal text, not the same string.
const again = (s: string) => `${s} `.slice(0, -1);

describe('convertDelivery', () => {
  it('converts as convertWebhook does, and the runs of one delivery share the one conversion', () => {
    const first = convertDelivery('orders/paid', body, 'evt-shared-1');
    expect(JSON.stringify(first)).toBe(JSON.stringify(convertWebhook('orders/paid', body)));
    expect(convertDelivery('orders/paid', again(body), 'evt-shared-1')).toBe(first);
  });

  it('converts again for another topic, another event, or another body under the same event id', () => {
    const first = convertDelivery('orders/paid', body, 'evt-shared-2');
    expect(convertDelivery('orders/create', body, 'evt-shared-2')).not.toBe(first);
    expect(convertDelivery('orders/paid', body, 'evt-shared-3')).not.toBe(first);
    const edited = body.replace('"note": null', '"note": "gift"');
    expect(edited).not.toBe(body);
    const other = convertDelivery('orders/paid', edited, 'evt-shared-2');
    expect(other).not.toBe(first);
    expect(other.kind === 'order' && other.order.note).toBe('gift');
  });

  it('hands out a frozen object under test, so a node writing into its input fails the suite instead of changing another flow’s run', () => {
    for (const converted of [convertDelivery('orders/paid', body, 'evt-shared-4'), convertDelivery('orders/paid', body, null)]) {
      if (converted.kind !== 'order') throw new Error(converted.kind);
      expect(() => {
        (converted.order.lineItems[0] as { quantity: number }).quantity = 99;
      }).toThrow(TypeError);
      expect(() => {
        (converted.order.raw as Record<string, unknown>).note = 'x';
      }).toThrow(TypeError);
    }
  });

  it('keeps only the last few conversions', () => {
    const first = convertDelivery('orders/paid', body, 'evt-old');
    for (let i = 0; i < 40; i++) convertDelivery('orders/paid', body, `evt-fill-${i}`);
    expect(convertDelivery('orders/paid', body, 'evt-old')).not.toBe(first);
  });
});
