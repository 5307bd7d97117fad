// A realistic output of finance.reconcile-payouts (Shopify's example payout 623721858 shape), for designing mappings.
import type { ReconcileOutput } from './reconcile-payouts.ts';

export const samplePayoutOutput: ReconcileOutput = {
  journals: [
    {
      externalId: '623721858',
      date: '2026-11-12',
      description: 'Shopify payout 623721858 of 2026-11-12',
      currency: 'USD',
      lines: [
        { account: '1000', debit: '41.90', description: 'Shopify payout 623721858 deposit' },
        { account: '6100', debit: '2.10', description: 'Shopify Payments fees' },
        { account: '1190', credit: '44.00', description: 'Shopify clearing: charges less refunds' },
      ],
    },
  ],
  payoutIds: ['623721858'],
  reconciliations: [
    {
      payoutId: '623721858',
      payoutGid: 'gid://shopify/ShopifyPaymentsPayout/623721858',
      date: '2026-11-12',
      shopifyStatus: 'PAID',
      currency: 'USD',
      status: 'balanced',
      payoutNet: '41.90',
      totals: {
        charges: '44.00',
        refunds: '0.00',
        fees: '2.10',
        adjustments: '0.00',
        disputes: '0.00',
        reserves: '0.00',
        retriedPayouts: '0.00',
        net: '41.90',
      },
      shopifyVariance: '0.00',
      erpVariance: '0.00',
      withinTolerance: '0.00',
      inconsistentTransactions: [],
      counts: { matched: 1, 'missing-in-erp': 0, 'amount-mismatch': 0, 'erp-only': 0, 'unmatched-fee': 0, 'unmatched-adjustment': 0 },
      items: [
        {
          status: 'matched',
          bucket: 'charge',
          transactions: ['746296004'],
          types: ['CHARGE'],
          orderId: '625362839',
          refundId: null,
          shopifyAmount: '44.00',
          erpAmount: '44.00',
          delta: null,
          matchedBy: 'id',
          erp: { kind: 'invoice', externalId: '625362839', number: 'INV00012', date: '2026-11-10' },
          date: '2026-11-10',
        },
      ],
      journalExternalId: '623721858',
      reconciledAt: '2026-11-13T06:00:02.114Z',
    },
  ],
  pending: [],
  exceptions: [],
  items: 'all',
};
