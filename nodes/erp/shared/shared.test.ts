import { describe, expect, it } from 'vitest';
import { networkError, redact } from './errors.ts';
import { createLimiter } from './limiter.ts';
import { netUnitPrice, unitPriceCannotMiss, unitPriceMiss } from './pricing.ts';
import { creditMemoSchema, parseInput, salesOrderSchema } from './schemas.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('limiter', () => {
  it('never runs more than `concurrency` at once', async () => {
    const l = createLimiter({ concurrency: 2 });
    let active = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        l.run(async () => {
          active++;
          max = Math.max(max, active);
          await sleep(5);
          active--;
        }),
      ),
    );
    expect(max).toBe(2);
    expect(l.stats()).toMatchObject({ active: 0, queued: 0, maxActive: 2, started: 8 });
  });

  it('holds requests beyond the rate window until it slides', async () => {
    const l = createLimiter({ concurrency: 10, rate: { requests: 3, windowMs: 120 } });
    const t0 = Date.now();
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => l.run(async () => void starts.push(Date.now() - t0))));
    expect(starts.slice(0, 3).every((s) => s < 60)).toBe(true);
    expect(starts.slice(3).every((s) => s >= 110)).toBe(true);
  });

  it('pauses every new request after a Retry-After', async () => {
    const l = createLimiter({ concurrency: 5 });
    l.pause(80);
    const t0 = Date.now();
    await l.run(async () => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(70);
  });
});

describe('errors and input', () => {
  it('redacts credentials in messages', () => {
    const out = redact('failed: Authorization: Bearer abcdefghijklmnop client_secret=xyz123 password="hunter22" token for s3cr3t-value', ['s3cr3t-value']);
    expect(out).not.toMatch(/abcdefghijklmnop|xyz123|hunter22|s3cr3t-value/);
  });

  it('names every bad field with its path', () => {
    let msg = '';
    try {
      parseInput(
        salesOrderSchema,
        {
          externalId: '1',
          reference: '#1',
          customer: { externalId: 'c', name: 'A' },
          currency: 'usd',
          date: '2026-1-1',
          warehouse: 'WH',
          lines: [{ sku: '', quantity: '0', unitPrice: '1.5.0' }],
        },
        'sales order',
      );
    } catch (e) {
      msg = (e as Error).message;
    }
    for (const p of ['currency', 'date', 'lines[0].sku', 'lines[0].quantity', 'lines[0].unitPrice']) expect(msg).toContain(p);
  });

  it('takes a credit memo of adjustments only (an amount-only refund), never an empty one', () => {
    const memo = { externalId: 'r1', orderExternalId: 'o1', date: '2026-03-05', restock: false, lines: [] };
    const adjusted = { ...memo, adjustments: [{ description: 'Amount-only refund: cash 10.00', amount: '10.00', account: '6200' }] };
    expect(parseInput(creditMemoSchema, adjusted, 'credit memo').adjustments).toEqual(adjusted.adjustments);
    expect(() => parseInput(creditMemoSchema, memo, 'credit memo')).toThrow(/a credit memo needs a line, a shipping refund or an adjustment/);
  });

  it('derives net unit prices that give back the paid amount to the cent', () => {
    expect(netUnitPrice({ unitPrice: '20.00', quantity: '3', discount: '1.00', rates: [] })).toBe('19.6667');
    // 3 × 24.00 − 6.00 = 66.00 gross incl. 20 % VAT -> 55.00 net -> 18.3333 per unit
    expect(netUnitPrice({ unitPrice: '24.00', quantity: '3', discount: '6.00', rates: ['0.20'], pricesIncludeTax: true })).toBe('18.3333');
  });

  it("measures what quantity × the 4-decimal unit price misses of the line's net: nothing below 100 units", () => {
    // 300 × 1.00 − 10.00 = 290.00; 300 × 0.9667 = 290.01.
    expect(unitPriceMiss({ unitPrice: '1.00', quantity: '300', discount: '10.00', rates: [] }).toFixed(2)).toBe('-0.01');
    expect(unitPriceMiss({ unitPrice: '1.00', quantity: '300', discount: '20.00', rates: [] }).toFixed(2)).toBe('0.01');
    expect(unitPriceMiss({ unitPrice: '1.00', quantity: '99', discount: '10.00', rates: [] }).isZero()).toBe(true);
    expect(unitPriceMiss({ unitPrice: '20.00', quantity: '3', discount: '1.00', rates: [] }).isZero()).toBe(true);
    // Tax-inclusive with Shopify's tax: 2990.00 − 498.33 = 2491.67; 3000 × 0.8306 = 2491.80.
    expect(unitPriceMiss({ unitPrice: '1.00', quantity: '3000', discount: '10.00', rates: [], pricesIncludeTax: true, taxAmount: '498.33' }).toFixed(2)).toBe(
      '-0.13',
    );
  });

  it('says a line cannot miss only where it cannot: fewer than 100 whole units of amounts in cents', () => {
    // A seeded generator, so a failure names a case that comes back.
    let seed = 20261207;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const cents = (max: number) => `${rnd(max)}.${String(rnd(100)).padStart(2, '0')}`;
    let exact = 0;
    for (let i = 0; i < 20_000; i++) {
      const quantity = String(1 + rnd(i % 2 ? 99 : 400));
      const unitPrice = i % 7 ? cents(500) : `${rnd(50)}.${rnd(1000)}`;
      const inclusive = i % 3 === 0;
      const line = {
        unitPrice,
        quantity,
        discount: i % 5 ? cents(40) : undefined,
        rates: inclusive ? [['0.20', '0.05', '0.175', '0.0825'][rnd(4)]!] : [],
        pricesIncludeTax: inclusive,
        ...(inclusive && i % 2 ? { taxAmount: cents(30) } : {}),
      };
      if (!unitPriceCannotMiss(line)) continue;
      exact++;
      expect(unitPriceMiss(line).isZero(), JSON.stringify(line)).toBe(true);
    }
    expect(exact).toBeGreaterThan(10_000);
    // Where it can miss, the check does not claim otherwise.
    expect(unitPriceCannotMiss({ unitPrice: '1.00', quantity: '300', discount: '10.00' })).toBe(false);
    expect(unitPriceCannotMiss({ unitPrice: '1.00', quantity: '100', discount: '10.00' })).toBe(false);
    expect(unitPriceCannotMiss({ unitPrice: '0.125', quantity: '3' })).toBe(false);
    expect(unitPriceCannotMiss({ unitPrice: '1.00', quantity: '2.5' })).toBe(false);
    expect(unitPriceCannotMiss({ unitPrice: '1.00', quantity: '0' })).toBe(false);
  });
});

describe('networkError', () => {
  // The transport's codes (nodes/core/http-transport.test.ts): nothing sent is safe to retry; a write that may have
  // reached the ERP is ambiguous.
  it.each([
    ['UND_ERR_HEADERS_TIMEOUT', 'ERP_TIMEOUT', 'ambiguous'],
    ['UND_ERR_BODY_TIMEOUT', 'ERP_TIMEOUT', 'ambiguous'],
    ['ECONNREFUSED', 'ERP_UNAVAILABLE', 'transient'],
    ['UND_ERR_CONNECT_TIMEOUT', 'ERP_UNAVAILABLE', 'transient'],
    ['UND_ERR_SOCKET', 'ERP_UNAVAILABLE', 'ambiguous'],
  ])('%s is %s, %s', (code, erpCode, errorClass) => {
    const e = networkError('sandbox', Object.assign(new Error('x'), { code }), 'createSalesOrder');
    expect(e).toMatchObject({ code: erpCode, errorClass, details: { erpCode: code } });
  });
});
