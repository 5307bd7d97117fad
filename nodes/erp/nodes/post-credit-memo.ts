// erp.post-credit-memo: a Shopify refund as an ERP credit memo, idempotent by refund id.
import { z } from 'zod';
import { defineNode } from '../../../runtime/node-api.ts';
import { creditMemoSchema } from '../shared/schemas.ts';
import type { CreditMemoInput, ErpCreditMemo } from '../contract.ts';
import { sampleCreditMemo } from './samples.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z.object({ connection: connectionField }).strict();

export const postCreditMemoNode = defineNode<z.infer<typeof config>, CreditMemoInput, ErpCreditMemo & { created: boolean }>({
  type: 'erp.post-credit-memo',
  version: 1,
  title: 'Post ERP credit memo',
  category: 'erp',
  description: 'Creates the ERP credit memo for a Shopify refund: refunded lines (SKU, quantity, unit price, tax codes), refunded shipping, and restock or not '
    + '(a restock puts the goods back into the warehouse). Idempotent by the Shopify refund id. The original order must be in the ERP.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpCreditMemoInput' }],
  outputs: [{ id: 'out', dataType: 'ErpCreditMemo' }],
  // Declared so the mapping before this node lists these fields as its targets (and validation checks them).
  input: creditMemoSchema,
  idempotent: true,
  sampleOutput: sampleCreditMemo,
  async execute(ctx, input) {
    requireObject(ctx, input, 'a credit memo');
    const erp = await erpConnection(ctx, input.restock ? ['creditMemos', 'restock'] : ['creditMemos']);
    const r = await withNode(ctx, () => erp.createCreditMemo(input));
    return { ...r.document, created: r.created };
  },
});
