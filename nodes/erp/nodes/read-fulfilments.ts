// erp.read-fulfilments: fulfilments completed in the ERP since the flow's cursor (kept in flow state).
import { z } from 'zod';
import { defineNode } from '../../../runtime/node-api.ts';
import type { ErpFulfilment } from '../contract.ts';
import { sampleFulfilment } from './samples.ts';
import { connectionField, erpConnection, withNode } from './util.ts';

const config = z
  .object({
    connection: connectionField,
    /** Fulfilments per run; the rest come on the next run. */
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export interface ReadFulfilmentsOutput {
  fulfilments: ErpFulfilment[];
  /** The cursor before and after this read (after is stored when the step succeeds). */
  since: string | null;
  cursor: string | null;
  hasMore: boolean;
}

export const cursorKey = (nodeId: string) => `erp.read-fulfilments:${nodeId}:cursor`;

export const readFulfilmentsNode = defineNode<z.infer<typeof config>, unknown, ReadFulfilmentsOutput>({
  type: 'erp.read-fulfilments',
  version: 1,
  title: 'Read ERP fulfilments',
  category: 'erp',
  description:
    'Lists the shipments the ERP completed since the last run (cursor kept in flow state, advanced only when the step succeeds), ' +
    'with lines (SKU, quantity), warehouse, the Shopify order id and the tracking number and carrier.',
  config,
  inputs: [{ id: 'in', dataType: 'any' }],
  outputs: [{ id: 'out', dataType: 'ErpFulfilments' }],
  idempotent: true,
  sampleOutput: { fulfilments: [sampleFulfilment], since: '6', cursor: '7', hasMore: false },
  async execute(ctx) {
    const erp = await erpConnection(ctx, ['fulfilments']);
    const since = (await ctx.state.get<string>(cursorKey(ctx.nodeId))) ?? null;
    const page = await withNode(ctx, () => erp.listFulfilments({ since, limit: ctx.config.limit }));
    if (page.cursor !== since && page.cursor !== null) ctx.state.set(cursorKey(ctx.nodeId), page.cursor);
    return { fulfilments: page.fulfilments, since, cursor: page.cursor, hasMore: page.hasMore };
  },
});
