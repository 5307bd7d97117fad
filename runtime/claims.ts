// Business-key claims (the `ctx.claims` of the node API) in the runtime store: a claim is taken in one transaction, so
// of two runs claiming one key at once exactly one gets it, across workers and processes. On SQLite the transaction
// is IMMEDIATE (raw statements, through Store.exclusive); on PostgreSQL the claimed row is locked (FOR UPDATE), and a
// new key is inserted with ON CONFLICT DO NOTHING, which waits for a concurrent insert of the same key to end.
import type { Statement } from 'better-sqlite3';
import { and, eq, inArray } from 'drizzle-orm';
import { type AnyStore, isSqlite } from './store/any-store.ts';
import type { Store } from './store/db.ts';
import type { SqlStore } from './store/sql-store.ts';
import { businessClaims, businessClaimUses, runs } from './store/schema.ts';
import { transientError, type BusinessClaims, type ClaimResult } from './node-api.ts';

interface Row {
  key: string;
  run_id: string;
  state: string;
  document: string | null;
}

const CLAIMED = { mine: true, state: 'claimed', document: null, takenOver: false } as const satisfies ClaimResult;
/** A holder that is not queued or running any more (failed, cancelled, finished, pruned) left the key behind. */
const LIVE = ['queued', 'running'];

export class ClaimStore {
  private readonly sql: SqlStore<ClaimTables>;

  constructor(
    private store: AnyStore,
    private now: () => number = Date.now,
  ) {
    this.sql = store.sql({ businessClaims, businessClaimUses, runs });
  }

  /** `nodeId` names the step claiming, so a replay can tell which step posted which document. */
  forRun(runId: string, flowId: string, nodeId: string | null = null): BusinessClaims {
    const store = this.store;
    return isSqlite(store) ? sqliteClaims(store, this.now, runId, flowId, nodeId) : pgClaims(this.sql, this.now, runId, flowId, nodeId);
  }

  /**
   * Documents that exist under the keys `nodeId` claimed in any of `runIds` (the runs that executed that step),
   * whichever run created them.
   */
  async documentsOf(runIds: readonly string[], nodeId: string): Promise<Array<{ key: string; document: string | null; runId: string }>> {
    if (!runIds.length) return [];
    const { businessClaims: c, businessClaimUses: u } = this.sql.tables;
    // completedAt is selected because PostgreSQL orders a DISTINCT only by what it selects (one per key: no new rows).
    const rows = await this.sql.db
      .selectDistinct({ key: c.key, document: c.document, runId: c.runId, completedAt: c.completedAt })
      .from(u)
      .innerJoin(c, eq(c.key, u.key))
      .where(and(eq(c.state, 'done'), eq(u.nodeId, nodeId), inArray(u.runId, [...runIds])))
      .orderBy(c.completedAt, c.key);
    return rows.map(({ key, document, runId }) => ({ key, document, runId }));
  }
}

type ClaimTables = { businessClaims: typeof businessClaims; businessClaimUses: typeof businessClaimUses; runs: typeof runs };

type Queries = Record<'get' | 'insert' | 'takeOver' | 'live' | 'complete' | 'release' | 'use', Statement>;
const prepared = new WeakMap<Store['sqlite'], Queries>();

function queries(store: Store): Queries {
  let q = prepared.get(store.sqlite);
  if (q) return q;
  const s = store.sqlite;
  // Raw prepared statements: a claim runs in every posting step of each order: bench/order-to-erp.ts (bench/README.md "Order to ERP").
  q = {
    get: s.prepare(`SELECT key, run_id, state, document FROM business_claims WHERE key = ?`),
    insert: s.prepare(`INSERT INTO business_claims (key, run_id, flow_id, state, claimed_at, node_id) VALUES (?, ?, ?, 'claimed', ?, ?)`),
    takeOver: s.prepare(`UPDATE business_claims SET run_id = ?, flow_id = ?, claimed_at = ?, node_id = ? WHERE key = ? AND run_id = ?`),
    live: s.prepare(`SELECT 1 FROM runs WHERE id = ? AND status IN (${LIVE.map((x) => `'${x}'`).join(', ')})`),
    complete: s.prepare(`UPDATE business_claims SET state = 'done', document = ?, completed_at = ? WHERE key = ?`),
    release: s.prepare(`DELETE FROM business_claims WHERE key = ? AND run_id = ? AND state = 'claimed'`),
    use: s.prepare(`INSERT OR IGNORE INTO business_claim_uses (run_id, node_id, key) VALUES (?, ?, ?)`),
  };
  prepared.set(s, q);
  return q;
}

/** On SQLite: each call one IMMEDIATE transaction of raw statements, kept out of any open SqlStore transaction. */
function sqliteClaims(store: Store, now: () => number, runId: string, flowId: string, nodeId: string | null): BusinessClaims {
  const q = queries(store);
  return {
    claim: (key) =>
      store.exclusive((): ClaimResult => {
        if (nodeId) q.use.run(runId, nodeId, key);
        const row = q.get.get(key) as Row | undefined;
        if (!row) {
          q.insert.run(key, runId, flowId, now(), nodeId);
          return CLAIMED;
        }
        if (row.state === 'done') return { mine: true, state: 'done', document: row.document, takenOver: false };
        if (row.run_id === runId) return CLAIMED;
        if (q.live.get(row.run_id)) return { mine: false, state: 'claimed', holder: row.run_id };
        q.takeOver.run(runId, flowId, now(), nodeId, key, row.run_id);
        return { ...CLAIMED, takenOver: true };
      }),
    complete: (key, document) => store.exclusive(() => void q.complete.run(document, now(), key)),
    release: (key) => store.exclusive(() => void q.release.run(key, runId)),
  };
}

/** On PostgreSQL: the same decisions in one READ COMMITTED transaction, the key's row locked while they are made. */
function pgClaims(s: SqlStore<ClaimTables>, now: () => number, runId: string, flowId: string, nodeId: string | null): BusinessClaims {
  const { businessClaims: c, businessClaimUses: u, runs: r } = s.tables;
  const claimOnce = async (key: string): Promise<ClaimResult | undefined> => {
    const created = await s.db
      .insert(c)
      .values({ key, runId, flowId, state: 'claimed', claimedAt: now(), nodeId })
      .onConflictDoNothing()
      .returning({ key: c.key });
    if (created.length) return CLAIMED;
    const [row] = await s.forUpdate(s.db.select({ runId: c.runId, state: c.state, document: c.document }).from(c).where(eq(c.key, key)));
    // Released (deleted) between the insert that met it and this read: the key is free again.
    if (!row) return undefined;
    if (row.state === 'done') return { mine: true, state: 'done', document: row.document, takenOver: false };
    if (row.runId === runId) return CLAIMED;
    const [live] = await s.db
      .select({ id: r.id })
      .from(r)
      .where(and(eq(r.id, row.runId), inArray(r.status, LIVE)));
    if (live) return { mine: false, state: 'claimed', holder: row.runId };
    await s.db
      .update(c)
      .set({ runId, flowId, claimedAt: now(), nodeId })
      .where(and(eq(c.key, key), eq(c.runId, row.runId)));
    return { ...CLAIMED, takenOver: true };
  };
  return {
    claim: (key) =>
      s.tx(async () => {
        if (nodeId) await s.db.insert(u).values({ runId, nodeId, key }).onConflictDoNothing();
        // A key released at every try is being claimed and given up in a loop by others: this run waits and retries.
        for (let i = 0; i < 5; i++) {
          const got = await claimOnce(key);
          if (got) return got;
        }
        throw transientError(`claim of ${key}: the key was released under this run five times; try again`);
      }),
    complete: async (key, document) => {
      await s.db.update(c).set({ state: 'done', document, completedAt: now() }).where(eq(c.key, key));
    },
    release: async (key) => {
      await s.db.delete(c).where(and(eq(c.key, key), eq(c.runId, runId), eq(c.state, 'claimed')));
    },
  };
}
