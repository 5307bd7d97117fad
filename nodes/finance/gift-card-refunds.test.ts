// finance.gift-card-refund-journal on erp.await-refund's output: the part of a refund put back onto a gift card
// re-issues gift-card liability (Dr clearing / Cr liability), once per refund; nothing for a refund to the card alone.
import { describe, expect, it } from 'vitest';
import { isRouted } from '../../runtime/node-api.ts';
import type { AwaitRefundOutput } from '../erp/nodes/await-refund.ts';
import { awaitRefundNode } from '../erp/nodes/await-refund.ts';
import { nodeContext } from '../erp/nodes/test-context.ts';
import { giftCardRefundJournalNode } from './gift-card-refunds.ts';

const exec = async (input: unknown, config: Record<string, unknown> = {}) => {
  const out = await giftCardRefundJournalNode.execute(nodeContext(giftCardRefundJournalNode, config, null), input);
  if (!isRouted(out)) throw new Error('expected a routed output');
  return out;
};

// erp.await-refund's sample, refunded 5.00 onto a gift card and 10.00 onto the card (shop money).
const settled = (cashByGateway: Record<string, string>): AwaitRefundOutput => {
  const s = awaitRefundNode.sampleOutput as AwaitRefundOutput;
  return { ...s, refund: { ...s.refund, createdAt: '2026-03-02T23:30:00-02:00' }, shopify: { ...s.shopify, cash: '15.00', cashByGateway } };
};

describe('finance.gift-card-refund-journal', () => {
  it('books what went back onto the gift card as liability again, keyed by the refund, dated as its credit memo (UTC)', async () => {
    const out = await exec(settled({ gift_card: '5.00', shopify_payments: '10.00' }));
    expect(out.port).toBe('journal');
    expect(out.data).toMatchObject({
      refundId: '5501',
      orderId: '5001001',
      reissued: '5.00',
      externalId: 'giftcard-refund:5501',
      date: '2026-03-03',
      currency: 'GBP',
      lines: [
        { account: '1190', debit: '5.00' },
        { account: '2300', credit: '5.00' },
      ],
    });
  });

  it('counts every configured gift-card gateway and books to the configured accounts', async () => {
    const out = await exec(settled({ gift_card: '5.00', store_credit_card: '2.50', shopify_payments: '7.50' }), {
      giftCardGateways: ['gift_card', 'store_credit_card'],
      accounts: { liability: '2310', clearing: '1191' },
    });
    expect(out.data).toMatchObject({
      reissued: '7.50',
      lines: [
        { account: '1191', debit: '7.50' },
        { account: '2310', credit: '7.50' },
      ],
    });
  });

  it('goes out of `none` for a refund to the card alone', async () => {
    const out = await exec(settled({ shopify_payments: '15.00' }));
    expect([out.port, out.data]).toEqual(['none', { refundId: '5501', orderId: '5001001', reissued: '0.00' }]);
  });

  it('refuses input that is not a settled refund with its cash per gateway', async () => {
    const { cashByGateway: _, ...old } = settled({}).shopify;
    await expect(exec({ ...settled({}), shopify: old })).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'INVALID_INPUT',
      details: { field: 'input.shopify.cashByGateway' },
    });
    await expect(exec({ order: {} })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'input.refund' } });
    await expect(exec(settled({ gift_card: 'five' }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
