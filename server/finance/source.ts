// Where the month-end report's data comes from: the outputs of every succeeded finance.reconcile-payouts step kept
// in the runtime store (runs are the audit trail; no second copy of the figures to drift from them).
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { flowVersions, runs, steps } from '../../runtime/store/schema.ts';
import type { PayoutReconciliation } from '../../nodes/finance/types.ts';

const TYPE = 'finance.reconcile-payouts';

export async function reconciliationsFromStore(from: Pick<AnyStore, 'sql'>, opts: { flowId?: string } = {}): Promise<PayoutReconciliation[]> {
  const store = from.sql({ flowVersions, runs, steps });
  const { flowVersions: fv, runs: r, steps: s } = store.tables;
  const versions = await store.db
    .select({ flowId: fv.flowId, definition: fv.definition })
    .from(fv)
    .where(opts.flowId ? eq(fv.flowId, opts.flowId) : undefined);
  const targets = new Set<string>();
  for (const v of versions) {
    // Test runs of drafts (server/flows/test-run.ts) are not the books.
    if (v.flowId.startsWith('__test.')) continue;
    const def = JSON.parse(v.definition) as { nodes?: Array<{ id: string; type: string }> };
    for (const n of def.nodes ?? []) if (n.type === TYPE) targets.add(`${v.flowId}\u0000${n.id}`);
  }
  if (!targets.size) return [];
  const rows = await store.db
    .select({ flowId: r.flowId, nodeId: s.nodeId, output: s.output })
    .from(s)
    .innerJoin(r, eq(r.id, s.runId))
    .where(and(eq(s.status, 'succeeded'), isNotNull(s.output), opts.flowId ? eq(r.flowId, opts.flowId) : undefined))
    // In the order they were made, the same on both stores (a later reconciliation of a payout supersedes an earlier one).
    .orderBy(sql`${s.finishedAt} NULLS FIRST`, s.runId, s.nodeId);
  const out: PayoutReconciliation[] = [];
  for (const row of rows) {
    if (row.output === null || !targets.has(`${row.flowId}\u0000${row.nodeId}`)) continue;
    const o = JSON.parse(row.output) as { reconciliations?: PayoutReconciliation[] };
    if (Array.isArray(o.reconciliations)) out.push(...o.reconciliations);
  }
  return out;
}
