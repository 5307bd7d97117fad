// The runtime side of ReconciliationRecords, on either store: reads go to the indexed tables (plus this step's staged
// writes), writes are staged and committed inside the step's success transaction, like StepState. Claiming a document
// twice is impossible on both: recon_claims' primary key (flow, scope, document) and ON CONFLICT DO NOTHING keep the
// first claim, whichever connection or process made it.
//
// Staged claims: on SQLite in a TEMP table of the connection, not in memory (a backlog's step claims a million
// documents, and a temp table is never part of the database file, so a process that dies mid-step leaves no claim
// behind); its raw statements are the reconcile step's hot path (bench/reconcile.ts, bench/README.md "Payout
// reconciliation at scale") and run through `store.exclusive`, never inside another caller's open transaction. On
// PostgreSQL a temp table is one pooled connection's, so a step stages its claims in memory, one JSON text per
// `claim` call (what the temp table row holds), and the commit inserts each call's claims in one statement.
import type { Statement } from 'better-sqlite3';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { PayoutStanding, ReconciliationRecords } from '../node-api.ts';
import { type AnyStore, isSqlite } from '../store/any-store.ts';
import type { Store } from '../store/db.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { reconClaims, reconPayouts, reconSettlements } from './schema.ts';

/** Ids per IN query (SQLite: json_each keeps it one bound parameter; the chunk bounds the JSON text). */
const CHUNK = 20_000;
/** Ids per IN list on PostgreSQL (bound parameters: at most 65,535 per statement). */
const PG_CHUNK = 10_000;

interface Claim {
  docUid: string;
  item: string;
  matchedBy: string;
}

type Tables = { reconClaims: typeof reconClaims; reconPayouts: typeof reconPayouts; reconSettlements: typeof reconSettlements };

/** Each step's staged claims are keyed by a number unique in the process (steps share the connection). */
let stages = 0;

class ScopedRecords implements ReconciliationRecords {
  /** Whether this step staged any claim (reads skip the staged ones otherwise). */
  staged = false;
  /** PostgreSQL: the staged claim() calls, in order: payout id and its claims as JSON [[docUid, item, matchedBy], …]. */
  readonly stagedCalls: Array<{ payoutId: string; claims: string }> = [];
  readonly payouts = new Map<string, { status: PayoutStanding; issuedAt: string; data: string | null; journal: string | null }>();
  /** Staged settlements to book: payout id -> JSON. */
  readonly settlements = new Map<string, string>();

  constructor(
    private readonly store: AnyStore,
    private readonly sql: SqlStore<Tables>,
    private readonly flowId: string,
    readonly scope: string,
    private readonly now: () => number,
    private readonly stage: number,
  ) {}

  private get t() {
    return this.sql.tables;
  }

  /** This flow's records under this scope, in any of the three tables. */
  private where(tbl: { flowId: SQLiteColumn; scope: SQLiteColumn }) {
    return and(eq(tbl.flowId, this.flowId), eq(tbl.scope, this.scope));
  }

  /** PostgreSQL: every staged claim in claim order, first claim of each document first. */
  private stagedInMemory(): Array<{ docUid: string; payoutId: string; item: string; matchedBy: string }> {
    const out: Array<{ docUid: string; payoutId: string; item: string; matchedBy: string }> = [];
    for (const c of this.stagedCalls)
      for (const [docUid, item, matchedBy] of JSON.parse(c.claims) as Array<[string, string, string]>)
        out.push({ docUid, payoutId: c.payoutId, item, matchedBy });
    return out;
  }

  async claimedBy(docUids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const { store } = this;
    if (isSqlite(store)) {
      return store.exclusive(() => {
        const q = queries(store);
        // A flow's first reconciliation (the go-live backlog) has nothing claimed: not a million lookups to learn it.
        if (!this.staged && !q.anyClaim.get(this.flowId, this.scope)) return out;
        for (let i = 0; i < docUids.length; i += CHUNK) {
          const ids = JSON.stringify(docUids.slice(i, i + CHUNK));
          for (const r of q.claimedBy.all(this.flowId, this.scope, ids) as Array<{ doc_uid: string; payout_id: string }>) out.set(r.doc_uid, r.payout_id);
          // In claim order: the first staged claim of a document is the one the commit keeps.
          if (this.staged)
            for (const r of q.stagedBy.all(this.stage, this.scope, ids) as Array<{ doc_uid: string; payout_id: string }>)
              if (!out.has(r.doc_uid)) out.set(r.doc_uid, r.payout_id);
        }
        return out;
      });
    }
    const c = this.t.reconClaims;
    const [any] = await this.sql.db.select({ one: sql<number>`1` }).from(c).where(this.where(c)).limit(1);
    if (!any && !this.staged) return out;
    for (let i = 0; i < docUids.length; i += PG_CHUNK) {
      const rows = await this.sql.db
        .select({ docUid: c.docUid, payoutId: c.payoutId })
        .from(c)
        .where(and(this.where(c), inArray(c.docUid, docUids.slice(i, i + PG_CHUNK) as string[])));
      for (const r of rows) out.set(r.docUid, r.payoutId);
    }
    if (this.staged) {
      const wanted = new Set(docUids);
      for (const s of this.stagedInMemory()) if (wanted.has(s.docUid) && !out.has(s.docUid)) out.set(s.docUid, s.payoutId);
    }
    return out;
  }

  async claim(payoutId: string, claims: readonly Claim[]): Promise<void> {
    if (!claims.length) return;
    this.staged = true;
    // One row per call (a payout's claims as one JSON text): a statement per claim was most of the staging's time.
    const text = JSON.stringify(claims.map((c) => [c.docUid, c.item, c.matchedBy]));
    const { store } = this;
    if (isSqlite(store)) {
      await store.exclusive(() => queries(store).stageClaims.run(this.stage, this.scope, payoutId, text));
    } else this.stagedCalls.push({ payoutId, claims: text });
  }

  async claimsOf(payoutId: string): Promise<Claim[]> {
    const { store } = this;
    let rows: Claim[];
    let staged: Array<{ docUid: string; payoutId: string; item: string; matchedBy: string }> = [];
    if (isSqlite(store)) {
      [rows, staged] = await store.exclusive((): [Claim[], typeof staged] => {
        const q = queries(store);
        return [
          (q.claimsOf.all(this.flowId, this.scope, payoutId) as Array<{ doc_uid: string; item: string; matched_by: string }>).map((r) => ({
            docUid: r.doc_uid,
            item: r.item,
            matchedBy: r.matched_by,
          })),
          this.staged
            ? (q.staged.all(this.stage, this.scope) as Array<{ doc_uid: string; payout_id: string; item: string; matched_by: string }>).map((r) => ({
                docUid: r.doc_uid,
                payoutId: r.payout_id,
                item: r.item,
                matchedBy: r.matched_by,
              }))
            : [],
        ];
      });
    } else {
      const c = this.t.reconClaims;
      // Claim order: the commit's time, then the claim's place in that commit.
      rows = await this.sql.db
        .select({ docUid: c.docUid, item: c.item, matchedBy: c.matchedBy })
        .from(c)
        .where(and(this.where(c), eq(c.payoutId, payoutId)))
        .orderBy(asc(c.claimedAt), asc(c.seq));
      if (this.staged) staged = this.stagedInMemory();
    }
    if (!this.staged) return rows;
    const known = new Set(rows.map((r) => r.docUid));
    // A document staged twice belongs to its first claim, whichever payout that was.
    const first = new Set<string>();
    for (const r of staged) {
      if (first.has(r.docUid)) continue;
      first.add(r.docUid);
      if (r.payoutId === payoutId && !known.has(r.docUid)) rows.push({ docUid: r.docUid, item: r.item, matchedBy: r.matchedBy });
    }
    return rows;
  }

  async standing(payoutIds: readonly string[]): Promise<Map<string, PayoutStanding>> {
    const out = new Map<string, PayoutStanding>();
    const { store } = this;
    if (isSqlite(store)) {
      const q = queries(store);
      await store.exclusive(() => {
        for (let i = 0; i < payoutIds.length; i += CHUNK)
          for (const r of q.standing.all(this.flowId, this.scope, JSON.stringify(payoutIds.slice(i, i + CHUNK))) as Array<{
            payout_id: string;
            status: PayoutStanding;
          }>)
            out.set(r.payout_id, r.status);
      });
    } else {
      const p = this.t.reconPayouts;
      for (let i = 0; i < payoutIds.length; i += PG_CHUNK) {
        const rows = await this.sql.db
          .select({ payoutId: p.payoutId, status: p.status })
          .from(p)
          .where(and(this.where(p), inArray(p.payoutId, payoutIds.slice(i, i + PG_CHUNK) as string[])));
        for (const r of rows) out.set(r.payoutId, r.status as PayoutStanding);
      }
    }
    for (const id of payoutIds) {
      const staged = this.payouts.get(id);
      if (staged) out.set(id, staged.status);
    }
    return out;
  }

  async pending(): Promise<Array<{ payoutId: string; issuedAt: string; data: unknown }>> {
    const p = this.t.reconPayouts;
    const rows = await this.sql.db
      .select({ payoutId: p.payoutId, issuedAt: p.issuedAt, data: p.data })
      .from(p)
      .where(and(this.where(p), eq(p.status, 'pending')))
      .orderBy(asc(p.issuedAt), asc(p.payoutId));
    const out = new Map(
      rows
        .filter((r) => !this.payouts.has(r.payoutId))
        .map((r) => [r.payoutId, { payoutId: r.payoutId, issuedAt: r.issuedAt, data: r.data === null ? null : (JSON.parse(r.data) as unknown) }]),
    );
    for (const [id, s] of this.payouts)
      if (s.status === 'pending') out.set(id, { payoutId: id, issuedAt: s.issuedAt, data: s.data === null ? null : (JSON.parse(s.data) as unknown) });
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

  async settlement(payoutId: string): Promise<{ status: 'pending' | 'settled'; data: unknown; result: unknown } | null> {
    const s = this.t.reconSettlements;
    const [row] = await this.sql.db
      .select({ status: s.status, data: s.data, result: s.result })
      .from(s)
      .where(and(this.where(s), eq(s.payoutId, payoutId)));
    if (row?.status === 'settled')
      return { status: 'settled', data: JSON.parse(row.data) as unknown, result: row.result === null ? null : (JSON.parse(row.result) as unknown) };
    const staged = this.settlements.get(payoutId);
    if (staged !== undefined) return { status: 'pending', data: JSON.parse(staged) as unknown, result: null };
    return row ? { status: row.status as 'pending' | 'settled', data: JSON.parse(row.data) as unknown, result: null } : null;
  }

  async markSettled(payoutId: string, result: unknown): Promise<void> {
    const data = this.settlements.get(payoutId) ?? null;
    this.settlements.delete(payoutId);
    const s = this.t.reconSettlements;
    await this.sql.db
      .insert(s)
      .values({
        flowId: this.flowId,
        scope: this.scope,
        payoutId,
        status: 'settled',
        data: data ?? 'null',
        result: JSON.stringify(result ?? null),
        updatedAt: this.now(),
      })
      .onConflictDoUpdate({
        target: [s.flowId, s.scope, s.payoutId],
        set: { status: 'settled', result: sql`excluded.result`, updatedAt: sql`excluded.updated_at` },
      });
  }
}

interface Queries {
  claimedBy: Statement;
  anyClaim: Statement;
  claimsOf: Statement;
  standing: Statement;
  upsertPayout: Statement;
  upsertSettlement: Statement;
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
    const staged = `SELECT j.value ->> 0 AS doc_uid, c.payout_id, j.value ->> 1 AS item, j.value ->> 2 AS matched_by,
        c.rowid AS r, CAST(j.key AS INTEGER) AS k FROM temp.recon_claims_staged c, json_each(c.claims) j WHERE c.stage = ? AND c.scope = ?`;
    q = {
      claimedBy: s.prepare(`SELECT doc_uid, payout_id FROM recon_claims WHERE flow_id = ? AND scope = ? AND doc_uid IN (SELECT value FROM json_each(?))`),
      anyClaim: s.prepare(`SELECT 1 AS one FROM recon_claims WHERE flow_id = ? AND scope = ? LIMIT 1`),
      claimsOf: s.prepare(`SELECT doc_uid, item, matched_by FROM recon_claims WHERE flow_id = ? AND scope = ? AND payout_id = ? ORDER BY claimed_at, seq`),
      standing: s.prepare(`SELECT payout_id, status FROM recon_payouts WHERE flow_id = ? AND scope = ? AND payout_id IN (SELECT value FROM json_each(?))`),
      upsertPayout:
        s.prepare(`INSERT INTO recon_payouts (flow_id, scope, payout_id, status, issued_at, data, journal, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (flow_id, scope, payout_id) DO UPDATE SET status = excluded.status, issued_at = excluded.issued_at, data = excluded.data,
          journal = COALESCE(excluded.journal, recon_payouts.journal), updated_at = excluded.updated_at`),
      // A settlement the ERP already holds is never put back to pending (a replayed reconciliation must not book it twice).
      upsertSettlement:
        s.prepare(`INSERT INTO recon_settlements (flow_id, scope, payout_id, status, data, result, updated_at) VALUES (?, ?, ?, 'pending', ?, NULL, ?)
        ON CONFLICT (flow_id, scope, payout_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at WHERE recon_settlements.status <> 'settled'`),
      stageClaims: s.prepare(`INSERT INTO temp.recon_claims_staged (stage, scope, payout_id, claims) VALUES (?, ?, ?, ?)`),
      stagedBy: s.prepare(`SELECT doc_uid, payout_id FROM (${staged}) WHERE doc_uid IN (SELECT value FROM json_each(?)) ORDER BY r, k`),
      staged: s.prepare(`${staged} ORDER BY r, k`),
      // A document claimed before keeps its first claim: the step that claims it again lost a race it cannot win. By
      // document, so the rows go into the primary key's B-tree in its order (claim order put them anywhere in it: 1.6
      // instead of 2.7 s for a million), and within a document in claim order, so one this step staged twice keeps
      // its first claim too; `seq` keeps the claim order for `claimsOf`.
      commitClaims: s.prepare(`INSERT INTO recon_claims (flow_id, scope, doc_uid, payout_id, item, matched_by, claimed_at, seq)
        SELECT ?, ?, doc_uid, payout_id, item, matched_by, ?, (r << 24) + k FROM (${staged}) WHERE true ORDER BY doc_uid, r, k ON CONFLICT DO NOTHING`),
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
  private view?: SqlStore<Tables>;

  constructor(
    private store: AnyStore,
    private flowId: string,
    private now: () => number,
  ) {}

  /** Made on first use: most steps never open reconciliation records, and a view per step was a cost of every step. */
  private get sql(): SqlStore<Tables> {
    return (this.view ??= this.store.sql({ reconClaims, reconPayouts, reconSettlements }));
  }

  scope(scope: string): ReconciliationRecords {
    let r = this.scopes.get(scope);
    if (!r) {
      r = new ScopedRecords(this.store, this.sql, this.flowId, scope, this.now, this.stage);
      this.scopes.set(scope, r);
    }
    return r;
  }

  /** The step opened reconciliation records (reads may have staged writes): it commits at once. */
  get staged(): boolean {
    return this.scopes.size > 0;
  }

  /**
   * SQLite: the commit as synchronous statements, for the step's success transaction when it is one synchronous
   * function (`store.exclusive`, or a transaction of the connection); throws there, so the transaction rolls back.
   */
  commitSync(): void {
    if (!this.scopes.size) return;
    if (!isSqlite(this.store)) throw new Error('StepReconciliation.commitSync is for the SQLite store; await commit() inside the transaction');
    const q = queries(this.store);
    const at = this.now();
    for (const r of this.scopes.values()) {
      if (r.staged) q.commitClaims.run(this.flowId, r.scope, at, this.stage, r.scope);
      for (const [payoutId, p] of r.payouts) q.upsertPayout.run(this.flowId, r.scope, payoutId, p.status, p.issuedAt, p.data, p.journal, at);
      for (const [payoutId, data] of r.settlements) q.upsertSettlement.run(this.flowId, r.scope, payoutId, data, at);
    }
  }

  /**
   * The commit, inside the step's success transaction: awaited in `sql().tx` (on PostgreSQL its statements find that
   * transaction by async context; on SQLite they run on the connection the transaction holds). Then `discard()`.
   */
  async commit(): Promise<void> {
    if (!this.scopes.size) return;
    if (isSqlite(this.store)) return this.commitSync();
    const at = this.now();
    const { reconPayouts: p, reconSettlements: s } = this.sql.tables;
    for (const r of this.scopes.values()) {
      // Two steps claiming overlapping documents in different orders would deadlock on the primary key: commits of one
      // flow's claims under one scope take turns (until the transaction ends), and the later one keeps nothing it lost.
      if (r.stagedCalls.length) await this.sql.exec(sql`SELECT pg_advisory_xact_lock(hashtext(${this.flowId}::text), hashtext(${r.scope}::text))`);
      // Each claim() call's claims in one statement, in claim order: the first claim of a document wins, also within
      // a statement (DO NOTHING skips a row that conflicts with one the statement inserted before it).
      for (const [i, call] of r.stagedCalls.entries()) {
        await this.sql.exec(sql`INSERT INTO recon_claims (flow_id, scope, doc_uid, payout_id, item, matched_by, claimed_at, seq)
          SELECT ${this.flowId}::text, ${r.scope}::text, e.value->>0, ${call.payoutId}::text, e.value->>1, e.value->>2, ${at}::bigint, ${i * 2 ** 24}::bigint + e.n
          FROM jsonb_array_elements(${call.claims}::jsonb) WITH ORDINALITY AS e(value, n) ORDER BY e.n
          ON CONFLICT DO NOTHING`);
      }
      if (r.payouts.size) {
        await this.sql.db
          .insert(p)
          .values(
            [...r.payouts].map(([payoutId, x]) => ({
              flowId: this.flowId,
              scope: r.scope,
              payoutId,
              status: x.status,
              issuedAt: x.issuedAt,
              data: x.data,
              journal: x.journal,
              updatedAt: at,
            })),
          )
          .onConflictDoUpdate({
            target: [p.flowId, p.scope, p.payoutId],
            set: {
              status: sql`excluded.status`,
              issuedAt: sql`excluded.issued_at`,
              data: sql`excluded.data`,
              journal: sql`COALESCE(excluded.journal, ${p.journal})`,
              updatedAt: sql`excluded.updated_at`,
            },
          });
      }
      if (r.settlements.size) {
        await this.sql.db
          .insert(s)
          .values(
            [...r.settlements].map(([payoutId, data]) => ({
              flowId: this.flowId,
              scope: r.scope,
              payoutId,
              status: 'pending',
              data,
              result: null,
              updatedAt: at,
            })),
          )
          .onConflictDoUpdate({
            target: [s.flowId, s.scope, s.payoutId],
            set: { data: sql`excluded.data`, updatedAt: sql`excluded.updated_at` },
            setWhere: sql`${s.status} <> 'settled'`,
          });
      }
    }
  }

  /**
   * Drops what the step staged (its claims): after the commit moved them, or when the step failed. Staged writes in
   * memory go with the object; a process that dies takes its temp table with it.
   */
  async discard(): Promise<void> {
    const any = [...this.scopes.values()].some((r) => r.staged);
    for (const r of this.scopes.values()) {
      r.staged = false;
      r.stagedCalls.length = 0;
    }
    if (!any || !isSqlite(this.store)) return;
    const q = queries(this.store);
    await this.store.exclusive(() => q.dropStaged.run(this.stage));
  }
}
