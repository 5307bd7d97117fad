import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../api/types.ts';
import { belongsToRow, outcomeOf } from './activity.ts';

const ORDER = 'gid://shopify/Order/74000000001';
const REFUND = 'gid://shopify/Refund/75000000002';

function run(flowId: string, keys: Record<string, string>, steps: RunRecord['steps'] = []): RunRecord {
  return {
    runId: `run_${flowId}`,
    flowId,
    flowVersion: 1,
    eventId: 'evt',
    status: 'succeeded',
    replayOf: null,
    createdAt: 1,
    startedAt: 1,
    finishedAt: 2,
    keys,
    steps,
  } as RunRecord;
}

describe('sandbox activity', () => {
  // Every run of an order is found by the order's key, the credit memo of its later refund too: the order's row once
  // listed that refund's run as its own.
  const sale = run('order-to-erp', { shopifyOrderId: ORDER });
  const memo = run('refund-to-credit-memo', { shopifyOrderId: ORDER, shopifyRefundId: REFUND });
  const otherMemo = run('refund-to-credit-memo', { shopifyOrderId: ORDER, shopifyRefundId: 'gid://shopify/Refund/9' });

  it("puts a refund's runs on the refund's row, not the order's", () => {
    const orderRow = { kind: 'order', orderGid: ORDER };
    expect([sale, memo, otherMemo].filter((r) => belongsToRow(orderRow, r))).toEqual([sale]);
    const refundRow = { kind: 'refund', orderGid: ORDER, refundGid: REFUND };
    expect([sale, memo, otherMemo].filter((r) => belongsToRow(refundRow, r))).toEqual([memo]);
  });

  it('names the ERP document a run produced', () => {
    const posted = run('order-to-erp', { shopifyOrderId: ORDER }, [
      { nodeId: 'post', type: 'erp.post-sales-order', status: 'succeeded', output: { number: 'SO00001', created: false } },
    ] as RunRecord['steps']);
    expect(outcomeOf(posted).detail).toBe('ERP sales order SO00001 (already there)');
    const receipt = run('manual-payments-to-erp', { shopifyOrderId: ORDER }, [
      {
        nodeId: 'receipt',
        type: 'finance.manual-payment-receipt',
        status: 'succeeded',
        output: { created: true, settlement: { entryNumber: 'JE00007', items: [{ invoiceStatus: 'paid' }] } },
      },
    ] as RunRecord['steps']);
    expect(outcomeOf(receipt).detail).toBe('receipt JE00007; invoice paid');
    // A skip is not a failure: its reason, kept apart from errors, is what the row says (it once said "nothing to do").
    const gated = {
      ...sale,
      status: 'skipped',
      error: null,
      skipped: { code: 'PAYMENT_NOT_CAPTURED', message: 'order #6001 has financial status pending', nodeId: 'gate' },
    } as RunRecord;
    expect(outcomeOf(gated).detail).toBe('order #6001 has financial status pending');
    const branch = run('gift-card-liability', { shopifyOrderId: ORDER }, [
      {
        nodeId: 'cards',
        type: 'finance.gift-card-liability',
        status: 'skipped',
        output: { skipped: true, code: 'NO_GIFT_CARDS', message: 'order #6001 sold no gift cards' },
      },
    ] as RunRecord['steps']);
    expect(outcomeOf(branch).detail).toBe('order #6001 sold no gift cards');
    expect(outcomeOf({ ...memo, status: 'failed', error: { message: 'node post: no such account' } } as RunRecord).detail).toBe('node post: no such account');
  });
});
