// The runtime side of ReconciliationRecords: reads go to the indexed tables (plus this step's staged writes), writes
// are staged and committed inside the step's success transaction, like StepState. Claims are staged in a TEMP table
// of the connection, not in memory: a backlog's step claims a million documents, and a temp table is never part of
// the database file, so a process that dies mid-step leaves no claim behind (a re-run matches those documents again).
import type { Statement } from 'better-sqlite3';
import type { PayoutStanding, ReconciliationRecords } from '../node-api.ts';
import type { Store } from '../store/db.ts';

/** Ids per IN query (json_each keeps it one bound parameter; the chunk bounds the JSON text). */
const CHUNK = 20_000;

interface Claim {
  docUid: string;
  item: string;
  matchedBy: string;
}

/** Each step's staged claims are keyed by a number unique in the process (steps share the connection). */
let stages = 0;

class ScopedRecords implements ReconciliationRecords {
  /** Whether this step staged any claim in the temp table (reads skip it otherwise). */
  staged = false;
  readonly payouts = new Map<string, { status: PayoutStanding; issuedAt: string; data: string | null; journal: string | null }>();
  /** Staged settlements to book: payout id -> JSON. */
  readonly settlements = new Map<string, string>();

  constructor(
    private q: Queries,
    private flowId: string,
    readonly scope: string,
    private now: () => number,
    private stage: number,
  ) {}

  claimedBy(docUids: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    // A flow's first reconciliation (the go-live backlog) has nothing claimed: not a million lookups to learn it.
    if (!this.staged && !this.q.anyClaim.get(this.flowId, this.scope)) return out;
    for (let i = 0; i < docUids.length; i += CHUNK) {
      const rows = this.q.claimedBy.all(this.flowId, this.scope, JSON.stringify(docUids.slice(i, i + CHUNK))) as Array<{ doc_uid: string; payout_id: string }>;
      for (const r of rows) out.set(r.doc_uid, r.payout_id);
      if (this.staged) {
        const staged = this.q.stagedBy.all(this.stage, this.scope, JSON.stringify(docUids.slice(i, i + CHUNK))) as Array<{
          doc_uid: string;
          payout_id: string;
        }>;
        // In claim order: the first staged claim of a document is the one the commit keeps.
        for (const r of staged) if (!out.has(r.doc_uid)) out.set(r.doc_uid, r.payout_id);
      }
    }
    return out;
  }

  claim(payoutId: string, claims: readonly Claim[]): void {
    if (!claims.length) return;
    this.staged = true;
    // One row per call (a payout's claims as one JSON text): a statement per claim was most of the staging's time.
    this.q.stageClaims.run(this.stage, this.scope, payoutId, JSON.stringify(claims.map((c) => [c.docUid, c.item, c.matchedBy])));
  }

  claimsOf(payoutId: string): Claim[] {
    const rows = (this.q.claimsOf.all(this.flowId, this.scope, payoutId) as Array<{ doc_uid: string; item: string; matched_by: string }>).map((r) => ({
      docUid: r.doc_uid,
      item: r.item,
      matchedBy: r.matched_by,
    }));
    if (!this.staged) return rows;
    const known = new Set(rows.map((r) => r.docUid));
    // A document staged twice belongs to its first claim, whichever payout that was.
    const first = new Map<string, string>();
    for (const r of this.q.staged.all(this.stage, this.scope) as Array<{ doc_uid: string; payout_id: string; item: string; matched_by: string }>) {
      if (first.has(r.doc_uid)) continue;
      first.set(r.doc_uid, r.payout_id);
      if (r.payout_id === payoutId && !known.has(r.doc_uid)) rows.push({ docUid: r.doc_uid, item: r.item, matchedBy: r.matched_by });
    }
    return rows;
  }

  standing(payoutIds: readonly string[]): Map<string, PayoutStanding> {
    const out = new Map<string, PayoutStanding>();
    for (let i = 0; i < payoutIds.length; i += CHUNK) {
      const rows = this.q.standing.all(this.flowId, this.scope, JSON.stringify(payoutIds.slice(i, i + CHUNK))) as Array<{
        payout_id: string;
        status: PayoutStanding;
      }>;
      for (const r of rows) out.set(r.payout_id, r.status);
    }
    for (const id of payoutIds) {
      const staged = this.payouts.get(id);
      if (staged) out.set(id, staged.status);
    }
    return out;
  }

  pending(): Array<{ payoutId: string; issuedAt: string; data: unknown }> {
    const rows = this.q.pending.all(this.flowId, this.scope) as Array<{ payout_id: string; issued_at: string; data: string | null }>;
    const out = new Map(
      rows
        .filter((r) => !this.payouts.has(r.payout_id))
        .map((r) => [r.payout_id, { payoutId: r.payout_id, issuedAt: r.issued_at, data: r.data === null ? null : (JSON.parse(r.data) as unknown) }]),
    );
    for (const [id, p] of this.payouts)
      if (p.status === 'pending') out.set(id, { payoutId: id, issuedAt: p.issuedAt, data: p.data === null ? null : (JSON.parse(p.data) as unknown) });
    return [...out.values()].sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.payoutId.localeCompare(b.payoutId));
  }

  setPending(payoutId: string, issuedAt: string, data: unknown): void {
    this.payouts.set(payoutId, { status: 'pending', issuedAt, data: JSON.stringify(data ?? null), journal: null });
  }

  setPosted(payoutId: string, issuedAt: string, journal: string): void {
    this.payouts.set(payoutId, { status: 'posted', issuedAt, data: null, journal });
  }

  setNotPaid(payoutId: string, issuedAt: string): void {
    this.payouts.set(payoutId, { status: 'not-paid', issuedAt, data: null, journal: null });
  }

  setSettlement(payoutId: string, data: unknown): void {
    this.settlements.set(payoutId, JSON.stringify(data ?? null));
  }

  settlement(payoutId: string): { status: 'pending' | 'settled'; data: unknown; result: unknown } | null {
    const row = this.q.settlement.get(this.flowId, this.scope, payoutId) as { status: 'pending' | 'settled'; data: string; result: string | null } | undefined;
    if (row?.status === 'settled')
      return { status: 'settled', data: JSON.parse(row.data) as unknown, result: row.result === null ? null : (JSON.parse(row.result) as unknown) };
    const staged = this.settlements.get(payoutId);
    if (staged !== undefined) return { status: 'pending', data: JSON.parse(staged) as unknown, result: null };
    return row ? { status: row.status, data: JSON.parse(row.data) as unknown, result: null } : null;
  }

  markSettled(payoutId: string, result: unknown): void {
    const data = this.settlements.get(payoutId) ?? null;
    this.settlements.delete(payoutId);
    this.q.markSettled.run(this.flowId, this.scope, payoutId, data ?? 'null', JSON.stringify(result ?? null), this.now());
  }
}

interface Queries {
  claimedBy: Statement;
  anyClaim: Statement;
  claimsOf: Statement;
  standing: Statement;
  pending: Statement;
  upsertPayout: Statement;
  settlement: Statement;
  upsertSettlement: Statement;
  markSettled: Statement;
  stageClaims: Statement;
  stagedBy: Statement;
  staged: Statement;
  commitClaims: Statement;
  dropStaged: Statement;
}

const prepared = new WeakMap<Store['sqlite'], Queries>();

function queries(store: Store): Queries {
  let q = prepared.get(store.sqlite);
  if (!q) {
    const s = store.sqlite;
    // One row per claim() call, its claims as JSON; rowid and the array index keep the claim order.
    s.exec(`CREATE TEMP TABLE IF NOT EXISTS recon_claims_staged (stage INTEGER NOT NULL, scope TEXT NOT NULL, payout_id TEXT NOT NULL, claims TEXT NOT NULL)`);
    s.exec(`CREATE INDEX IF NOT EXISTS temp.recon_claims_staged_stage ON recon_claims_staged (stage, scope)`);
    const staged = `SELECT json_extract(j.value, '$[0]') AS doc_uid, c.payout_id, json_extract(j.value, '$[1]') AS item, json_extract(j.value, '$[2]') AS matched_by,
        c.rowid AS r, CAST(j.key AS INTEGER) AS k FROM temp.recon_claims_staged c, json_each(c.claims) j WHERE c.stage = ? AND c.scope = ?`;
    // Raw statements kept: the reconcile step's hot path, measured by bench/reconcile.ts (bench/README.md, "Payout reconciliation at scale").
    q = {
      claimedBy: s.prepare(`SELECT doc_uid, payout_id FROM recon_claims WHERE flow_id = ? AND scope = ? AND doc_uid IN (SELECT value FROM json_each(?))`),
      anyClaim: s.prepare(`SELECT 1 AS one FROM recon_claims WHERE flow_id = ? AND scope = ? LIMIT 1`),
      claimsOf: s.prepare(`SELECT doc_uid, item, matched_by FROM recon_claims WHERE flow_id = ? AND scope = ? AND payout_id = ? ORDER BY rowid`),
      standing: s.prepare(`SELECT payout_id, status FROM recon_payouts WHERE flow_id = ? AND scope = ? AND payout_id IN (SELECT value FROM json_each(?))`),
      pending: s.prepare(
        `SELECT payout_id, issued_at, data FROM recon_payouts WHERE flow_id = ? AND scope = ? AND status = 'pending' ORDER BY issued_at, payout_id`,
      ),
      upsertPayout:
        s.prepare(`INSERT INTO recon_payouts (flow_id, scope, payout_id, status, issued_at, data, journal, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (flow_id, scope, payout_id) DO UPDATE SET status = excluded.status, issued_at = excluded.issued_at, data = excluded.data,
          journal = COALESCE(excluded.journal, recon_payouts.journal), updated_at = excluded.updated_at`),
      settlement: s.prepare(`SELECT status, data, result FROM recon_settlements WHERE flow_id = ? AND scope = ? AND payout_id = ?`),
      // A settlement the ERP already holds is never put back to pending (a replayed reconciliation must not book it twice).
      upsertSettlement:
        s.prepare(`INSERT INTO recon_settlements (flow_id, scope, payout_id, status, data, result, updated_at) VALUES (?, ?, ?, 'pending', ?, NULL, ?)
        ON CONFLICT (flow_id, scope, payout_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at WHERE recon_settlements.status <> 'settled'`),
      markSettled: s.prepare(`INSERT INTO recon_settlements (flow_id, scope, payout_id, status, data, result, updated_at) VALUES (?, ?, ?, 'settled', ?, ?, ?)
        ON CONFLICT (flow_id, scope, payout_id) DO UPDATE SET status = 'settled', result = excluded.result, updated_at = excluded.updated_at`),
      stageClaims: s.prepare(`INSERT INTO temp.recon_claims_staged (stage, scope, payout_id, claims) VALUES (?, ?, ?, ?)`),
      stagedBy: s.prepare(`SELECT doc_uid, payout_id FROM (${staged}) WHERE doc_uid IN (SELECT value FROM json_each(?)) ORDER BY r, k`),
      staged: s.prepare(`${staged} ORDER BY r, k`),
      // A document claimed before keeps its first claim: the step that claims it again lost a race it cannot win. In
      // claim order, so a document this step staged twice keeps its first claim too.
      commitClaims: s.prepare(`INSERT INTO recon_claims (flow_id, scope, doc_uid, payout_id, item, matched_by, claimed_at)
        SELECT ?, ?, doc_uid, payout_id, item, matched_by, ? FROM (${staged}) WHERE true ORDER BY r, k ON CONFLICT DO NOTHING`),
      dropStaged: s.prepare(`DELETE FROM temp.recon_claims_staged WHERE stage = ?`),
    };
    prepared.set(store.sqlite, q);
  }
  return q;
}

/** One step's reconciliation records (any number of scopes); `commit` runs inside the step's success transaction. */
export class StepReconciliation {
  private scopes = new Map<string, ScopedRecords>();
  private readonly stage = ++stages;

  constructor(
    private store: Store,
    private flowId: string,
    private now: () => number,
  ) {}

  scope(scope: string): ReconciliationRecords {
    let r = this.scopes.get(scope);
    if (!r) {
      r = new ScopedRecords(queries(this.store), this.flowId, scope, this.now, this.stage);
      this.scopes.set(scope, r);
    }
    return r;
  }

  /** The step opened reconciliation records (reads may have staged writes): it commits at once. */
  get staged(): boolean {
    return this.scopes.size > 0;
  }

  commit(): void {
    if (!this.scopes.size) return;
    const q = queries(this.store);
    const at = this.now();
    for (const r of this.scopes.values()) {
      if (r.staged) q.commitClaims.run(this.flowId, r.scope, at, this.stage, r.scope);
      for (const [payoutId, p] of r.payouts) q.upsertPayout.run(this.flowId, r.scope, payoutId, p.status, p.issuedAt, p.data, p.journal, at);
      for (const [payoutId, data] of r.settlements) q.upsertSettlement.run(this.flowId, r.scope, payoutId, data, at);
    }
    this.discard();
  }

  /**
   * Drops what the step staged in the temp table (its claims): after the commit moved them, or when the step failed.
   * Staged writes in memory go with the object; a process that dies takes its temp table with it.
   */
  discard(): void {
    if (![...this.scopes.values()].some((r) => r.staged)) return;
    queries(this.store).dropStaged.run(this.stage);
    for (const r of this.scopes.values()) r.staged = false;
  }
}
