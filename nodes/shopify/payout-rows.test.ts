// A stored payout row's leading fields read without parsing the row whole must be exactly what JSON.parse gives, or
// nothing (the caller parses then): a reconciliation trusts them for a million rows.
import { describe, expect, it } from 'vitest';
import { decodeTransactionAmounts, decodeTransactionRow, encodeTransactionRow, leadingRowFields } from './payout-rows.ts';
import type { ShopifyBalanceTransaction } from './types.ts';

/** A small deterministic generator (mulberry32), so a failure names a seed that reproduces it. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD = ['"', '\\', '\n', 'é', '😀', ',', ']', '[', 'null', '\u2028', '{', '}', ' '];

function transaction(r: () => number): ShopifyBalanceTransaction {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const text = (plain: string) => (r() < 0.1 ? `${plain}${pick(ODD)}${plain}` : plain);
  const maybe = (v: string) => (r() < 0.2 ? null : text(v));
  const amount = () => `${r() < 0.3 ? '-' : ''}${Math.floor(r() * 10_000)}.${String(Math.floor(r() * 100)).padStart(2, '0')}`;
  const cur = r() < 0.1 ? ['EUR', 'USD', 'EUR'] : ['USD', 'USD', 'USD'];
  const n = Math.floor(r() * 1e12);
  const t: ShopifyBalanceTransaction = {
    id: text(`gid://shopify/ShopifyPaymentsBalanceTransaction/${n}`),
    type: text(pick(['CHARGE', 'REFUND', 'SHIPPING_LABEL', 'DISPUTE_WITHDRAWAL', 'ADJUSTMENT'])),
    test: r() < 0.5,
    payoutId: maybe(`${n % 1000}`),
    payoutStatus: maybe('PAID'),
    amount: { amount: text(amount()), currencyCode: cur[0]! },
    fee: { amount: amount(), currencyCode: cur[1]! },
    net: { amount: amount(), currencyCode: cur[2]! },
    sourceId: maybe(`${n + 1}`),
    sourceType: maybe(pick(['CHARGE', 'REFUND', 'DISPUTE', 'ADJUSTMENT'])),
    sourceOrderId: maybe(`${n + 2}`),
    sourceOrderTransactionId: maybe(`${n + 3}`),
    processedAt: text('2026-03-01T10:00:00Z'),
    adjustmentReason: maybe('reason'),
    adjustmentOrderTransactions: r() < 0.2 ? [{ amount: { amount: amount(), currencyCode: 'USD' }, orderTransactionId: '5', orderId: '501' }] : [],
    raw: r() < 0.2 ? { note: text('x'), id: n } : null,
  } as ShopifyBalanceTransaction;
  return t;
}

describe('leadingRowFields', () => {
  it('gives the fields JSON.parse gives, or null, for 20,000 generated rows', () => {
    const r = rng(19);
    let read = 0;
    for (let i = 0; i < 20_000; i++) {
      const row = encodeTransactionRow(transaction(r));
      const whole = JSON.parse(row) as unknown[];
      for (const n of [1, 8, 14]) {
        const lead = leadingRowFields(row, n);
        if (lead) {
          read++;
          expect(lead, `row ${i}, ${n} fields: ${row}`).toEqual(whole.slice(0, n));
        } else expect(row.includes('\\') || (n > 8 && Array.isArray(whole[8])), `row ${i} read by JSON.parse only: ${row}`).toBe(true);
      }
      expect(decodeTransactionAmounts(row)).toEqual({
        id: whole[0],
        amount: whole[5],
        fee: whole[6],
        net: whole[7],
        type: whole[1],
        sourceId: whole[9],
        sourceType: whole[10],
        sourceOrderId: whole[11],
        sourceOrderTransactionId: whole[12],
        processedAt: whole[13],
      });
    }
    // Most rows are plain: the fast read is the one taken.
    expect(read).toBeGreaterThan(40_000);
  });

  it('reads the numbers and nulls of a row as JSON.parse does', () => {
    for (const row of ['[-1.5e3,0,null,"a"]', '[12,"x",null]', '[0.25,-0,1E2,"]"]'])
      expect(leadingRowFields(row, 3)).toEqual((JSON.parse(row) as unknown[]).slice(0, 3));
  });

  it('leaves to JSON.parse what it does not read: escapes, arrays, objects, booleans, rows cut short', () => {
    for (const row of ['["a\\"b","c"]', '[["x"],"c"]', '[{"a":1},"c"]', '[true,"c"]', '["a"', '["a","b"', 'x["a","b"]', '[nul,"b"]', '[-,"b"]'])
      expect(leadingRowFields(row, 2), row).toBeNull();
  });

  it('reads what a whole decode reads', () => {
    const t = transaction(rng(7));
    const row = encodeTransactionRow({ ...t, id: 'gid://shopify/ShopifyPaymentsBalanceTransaction/1', type: 'CHARGE' });
    const whole = decodeTransactionRow(row);
    expect(decodeTransactionAmounts(row)).toEqual({
      id: whole.id,
      amount: whole.amount.amount,
      fee: whole.fee.amount,
      net: whole.net.amount,
      type: whole.type,
      sourceId: whole.sourceId,
      sourceType: whole.sourceType,
      sourceOrderId: whole.sourceOrderId,
      sourceOrderTransactionId: whole.sourceOrderTransactionId,
      processedAt: whole.processedAt,
    });
  });
});
