// Where the month-end report's data comes from: the outputs of every succeeded finance.reconcile-payouts step kept
// in the runtime store (runs are the audit trail; no second copy of the figures to drift from them).
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Store } from '../../runtime/store/db.ts';
import { flowVersions, runs, steps } from '../../runtime/store/schema.ts';
import type { PayoutReconciliation } from '../../nodes/finance/types.ts';

const TYPE = 'finance.reconcile-payouts';

export function reconciliationsFromStore(store: Store, opts: { flowId?: string } = {}): PayoutReconciliation[] {
  const versions = store.db.select({ flowId: flowVersions.flowId, definition: flowVersions.definition }).from(flowVersions).all();
  const targets = new Set<string>();
  for (const v of versions) {
    if (opts.flowId && v.flowId !== opts.flowId) continue;
    // Test runs of drafts (server/flows/test-run.ts) are not the books.
    if (v.flowId.startsWith('__test.')) continue;
    const def = JSON.parse(v.definition) as { nodes?: Array<{ id: string; type: string }> };
    for (const n of def.nodes ?? []) if (n.type === TYPE) targets.add(`${v.flowId}\u0000${n.id}`);
  }
  if (!targets.size) return [];
  const rows = store.db
    .select({ flowId: runs.flowId, nodeId: steps.nodeId, output: steps.output })
    .from(steps)
    .innerJoin(runs, eq(runs.id, steps.runId))
    .where(and(eq(steps.status, 'succeeded'), isNotNull(steps.output), opts.flowId ? eq(runs.flowId, opts.flowId) : undefined))
    .orderBy(steps.finishedAt)
    .all();
  const out: PayoutReconciliation[] = [];
  for (const row of rows) {
    if (row.output === null || !targets.has(`${row.flowId}\u0000${row.nodeId}`)) continue;
    const o = JSON.parse(row.output) as { reconciliations?: PayoutReconciliation[] };
    if (Array.isArray(o.reconciliations)) out.push(...o.reconciliations);
  }
  return out;
}
