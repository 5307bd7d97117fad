import { describe, expect, it } from 'vitest';
import { order } from '../contract-suite.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { cursorKey, readFulfilmentsNode } from './read-fulfilments.ts';
import { run } from './test-context.ts';

describe('erp.read-fulfilments', () => {
  const erp = createSandboxErp();
  it('returns only fulfilments after the cursor kept in flow state', async () => {
    const state = new Map<string, unknown>();
    const cfg = { connection: 'erp-main', limit: 2 };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const o = order();
      ids.push(o.externalId);
      await erp.createSalesOrder(o);
      await erp.shipSalesOrder!(o.externalId, { trackingNumber: `TRK${i}`, carrier: 'UPS' });
    }
    const a = await run(readFulfilmentsNode, cfg, erp, {}, state);
    expect(a.fulfilments.map((f) => f.externalOrderId)).toEqual(ids.slice(0, 2));
    expect(a).toMatchObject({ since: null, hasMore: true });
    expect(a.fulfilments[0]!.tracking).toEqual({ number: 'TRK0', company: 'UPS', url: null });
    expect(state.get(cursorKey('n1'))).toBe(a.cursor);
    const b = await run(readFulfilmentsNode, cfg, erp, {}, state);
    expect(b.fulfilments.map((f) => f.externalOrderId)).toEqual(ids.slice(2));
    const c = await run(readFulfilmentsNode, cfg, erp, {}, state);
    expect(c.fulfilments).toEqual([]);
    expect(c.cursor).toBe(b.cursor);
  });
});
