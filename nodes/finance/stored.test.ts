// The amount pass's light decode of a stored payout row reads the same keys and amounts as a whole decode, whatever
// the row holds (one currency or three, a dispute with its raw payload, adjustments).
import { describe, expect, it } from 'vitest';
import { decodeTransactionAmounts, decodeTransactionRow, encodeTransactionRow } from '../shopify/payout-rows.ts';
import type { ShopifyBalanceTransaction } from '../shopify/types.ts';
import { amountsOf } from './reconcile.ts';
import { balanceTx } from './testing/bulk.ts';

describe('decodeTransactionAmounts', () => {
  it('gives what a whole decode gives of keys and amounts', () => {
    const charge = balanceTx({ id: '11', type: 'CHARGE', amount: '12.50', fee: '0.66', order: '501', date: '2026-03-01T10:00:00Z' }, '7');
    const refund = balanceTx({ id: '12', type: 'REFUND', amount: '-4.00', order: '501', orderTx: '9001', date: '2026-03-02T10:00:00Z' }, '7');
    const fx: ShopifyBalanceTransaction = {
      ...charge,
      id: 'gid://shopify/ShopifyPaymentsBalanceTransaction/13',
      amount: { amount: '10.00', currencyCode: 'EUR' },
      fee: { amount: '0.30', currencyCode: 'USD' },
      net: { amount: '9.70', currencyCode: 'EUR' },
    };
    const dispute: ShopifyBalanceTransaction = {
      ...charge,
      id: 'gid://shopify/ShopifyPaymentsBalanceTransaction/14',
      type: 'DISPUTE_WITHDRAWAL',
      sourceType: 'DISPUTE',
      sourceId: '77',
      amount: { amount: '-12.50', currencyCode: 'USD' },
      fee: { amount: '15.00', currencyCode: 'USD' },
      net: { amount: '-27.50', currencyCode: 'USD' },
      raw: { id: 14, source_id: 77 },
      adjustmentOrderTransactions: [{ amount: { amount: '1.00', currencyCode: 'USD' }, orderTransactionId: '5', orderId: '501' }] as never,
    };
    for (const t of [charge, refund, fx, dispute]) {
      const row = encodeTransactionRow(t);
      expect(decodeTransactionAmounts(row)).toEqual(amountsOf(decodeTransactionRow(row)));
    }
  });
});
