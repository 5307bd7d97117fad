// Business-key claims (the `ctx.claims` of the node API) in the runtime store: a claim is taken in one IMMEDIATE
// transaction, so of two runs claiming one key at once exactly one gets it, across workers and processes.
import type { Statement } from 'better-sqlite3';
import { and, eq, inArray } from 'drizzle-orm';
import type { Store } from './store/db.ts';
import { businessClaims, businessClaimUses } from './store/schema.ts';
import type { BusinessClaims, ClaimResult } from './node-api.ts';

interface Row {
  key: string;
  run_id: string;
  state: string;
  document: string | null;
}

export class ClaimStore {
  private q: Record<'get' | 'insert' | 'takeOver' | 'live' | 'complete' | 'release' | 'use', Statement>;

  constructor(
    private store: Store,
    private now: () => number = Date.now,
  ) {
    const s = store.sqlite;
    // Raw prepared statements: a claim runs in every posting step of each order, inside its IMMEDIATE transaction: bench/order-to-erp.ts (bench/README.md "Order to ERP").
    this.q = {
      get: s.prepare(`SELECT key, run_id, state, document FROM business_claims WHERE key = ?`),
      insert: s.prepare(`INSERT INTO business_claims (key, run_id, flow_id, state, claimed_at, node_id) VALUES (?, ?, ?, 'claimed', ?, ?)`),
      takeOver: s.prepare(`UPDATE business_claims SET run_id = ?, flow_id = ?, claimed_at = ?, node_id = ? WHERE key = ? AND run_id = ?`),
      // A holder that is not queued or running any more (failed, cancelled, finished, pruned) left the key behind.
      live: s.prepare(`SELECT 1 FROM runs WHERE id = ? AND status IN ('queued', 'running')`),
      complete: s.prepare(`UPDATE business_claims SET state = 'done', document = ?, completed_at = ? WHERE key = ?`),
      release: s.prepare(`DELETE FROM business_claims WHERE key = ? AND run_id = ? AND state = 'claimed'`),
      use: s.prepare(`INSERT OR IGNORE INTO business_claim_uses (run_id, node_id, key) VALUES (?, ?, ?)`),
    };
  }

  /** `nodeId` names the step claiming, so a replay can tell which step posted which document. */
  forRun(runId: string, flowId: string, nodeId: string | null = null): BusinessClaims {
    const { q } = this;
    return {
      claim: (key: string): ClaimResult =>
        this.store.sqlite
          .transaction((): ClaimResult => {
            if (nodeId) q.use.run(runId, nodeId, key);
            const row = q.get.get(key) as Row | undefined;
            if (!row) {
              q.insert.run(key, runId, flowId, this.now(), nodeId);
              return { mine: true, state: 'claimed', document: null, takenOver: false };
            }
            if (row.state === 'done') return { mine: true, state: 'done', document: row.document, takenOver: false };
            if (row.run_id === runId) return { mine: true, state: 'claimed', document: null, takenOver: false };
            if (q.live.get(row.run_id)) return { mine: false, state: 'claimed', holder: row.run_id };
            q.takeOver.run(runId, flowId, this.now(), nodeId, key, row.run_id);
            return { mine: true, state: 'claimed', document: null, takenOver: true };
          })
          .immediate(),
      complete: (key, document) => void q.complete.run(document, this.now(), key),
      release: (key) => void q.release.run(key, runId),
    };
  }

  /**
   * Documents that exist under the keys `nodeId` claimed in any of `runIds` (the runs that executed that step),
   * whichever run created them.
   */
  documentsOf(runIds: readonly string[], nodeId: string): Array<{ key: string; document: string | null; runId: string }> {
    if (!runIds.length) return [];
    return this.store.db
      .selectDistinct({ key: businessClaims.key, document: businessClaims.document, runId: businessClaims.runId })
      .from(businessClaimUses)
      .innerJoin(businessClaims, eq(businessClaims.key, businessClaimUses.key))
      .where(and(eq(businessClaims.state, 'done'), eq(businessClaimUses.nodeId, nodeId), inArray(businessClaimUses.runId, [...runIds])))
      .orderBy(businessClaims.completedAt)
      .all();
  }
}
