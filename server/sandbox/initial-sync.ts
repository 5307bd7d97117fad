// A new sandbox's first stock push. The seeded shop's stock is not the sandbox ERP's, and the stock flow's schedule
// may be up to 15 minutes away while the hourly drift check is not: without it a new sandbox opens with every SKU
// raised as drifting. A real go-live starts with a stock sync too.
import type { Logger } from 'pino';
import type { Deps } from '../deps.ts';
import { runScheduledFlowNow } from '../routes/run-now.ts';

export const INITIAL_STOCK_SYNC = 'inventory-to-shopify';
const BY = 'sandbox setup';

/** Queues one run of the stock flow as "run now" would, audited; a failure to queue is logged, never thrown. */
export async function initialStockSync(d: Deps, log: Logger): Promise<string | undefined> {
  try {
    const r = await runScheduledFlowNow(d, INITIAL_STOCK_SYNC, BY);
    await d.audit.record(BY, 'flow.run-now', `flow:${INITIAL_STOCK_SYNC}`, { runId: r.runId, flowVersion: r.flowVersion });
    log.info({ flowId: INITIAL_STOCK_SYNC, runId: r.runId }, 'sandbox mode: first stock push queued');
    return r.runId;
  } catch (e) {
    log.warn({ flowId: INITIAL_STOCK_SYNC, err: (e as Error).message }, 'sandbox mode: the first stock push could not be queued');
    return undefined;
  }
}
