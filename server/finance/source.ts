// Where the month-end report's data comes from: the outputs of every succeeded finance.reconcile-payouts step kept
// in the runtime store (runs are the audit trail; no second copy of the figures to drift from them).
import type { Store } from '../../runtime/store/db.ts';
import type { PayoutReconciliation } from '../../nodes/finance/types.ts';

const TYPE = 'finance.reconcile-payouts';

export function reconciliationsFromStore(store: Store, opts: { flowId?: string } = {}): PayoutReconciliation[] {
  const versions = store.sqlite.prepare('SELECT flow_id, version, definition FROM flow_versions').all() as Array<{
    flow_id: string;
    version: number;
    definition: string;
  }>;
  const targets = new Set<string>();
  for (const v of versions) {
    if (opts.flowId && v.flow_id !== opts.flowId) continue;
    // Test runs of drafts (server/flows/test-run.ts) are not the books.
    if (v.flow_id.startsWith('__test.')) continue;
    const def = JSON.parse(v.definition) as { nodes?: Array<{ id: string; type: string }> };
    for (const n of def.nodes ?? []) if (n.type === TYPE) targets.add(`${v.flow_id}\u0000${n.id}`);
  }
  if (!targets.size) return [];
  const q = store.sqlite.prepare(`SELECT r.flow_id, s.node_id, s.output FROM steps s JOIN runs r ON r.id = s.run_id
    WHERE s.status = 'succeeded' AND s.output IS NOT NULL ${opts.flowId ? 'AND r.flow_id = ?' : ''} ORDER BY s.finished_at`);
  const out: PayoutReconciliation[] = [];
  for (const row of (opts.flowId ? q.all(opts.flowId) : q.all()) as Array<{ flow_id: string; node_id: string; output: string }>) {
    if (!targets.has(`${row.flow_id}\u0000${row.node_id}`)) continue;
    const o = JSON.parse(row.output) as { reconciliations?: PayoutReconciliation[] };
    if (Array.isArray(o.reconciliations)) out.push(...o.reconciliations);
  }
  return out;
}
