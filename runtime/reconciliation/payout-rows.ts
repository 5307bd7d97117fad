// The runtime side of PayoutRowStore, on either store: payout rows (balance transactions) written page by page as a
// reader gets them, so a step's output can carry a reference (count + digest) instead of a million transactions, and
// read back in slices by the step that reconciles them. On SQLite the raw prepared statements below are the bulk path
// (bench/reconcile.ts) and run through `store.exclusive`, never inside another caller's open transaction; on
// PostgreSQL a page is a few multi-row upserts in one transaction.
import { createHash, type Hash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { and, asc, eq, gt, ne, sql } from 'drizzle-orm';
import { permanentError, type PayoutRowStore, type PayoutRowWriter, type StoredPayoutRef } from '../node-api.ts';
import { type AnyStore, isSqlite } from '../store/any-store.ts';
import type { Store } from '../store/db.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { reconBalanceTransactions } from './schema.ts';

/** Rows per upsert statement on PostgreSQL (7 bound parameters a row; at most 65,535 per statement). */
const PG_ROWS = 2_000;

type Tables = { reconBalanceTransactions: typeof reconBalanceTransactions };

interface Queries {
  nextGen: Statement;
  upsert: Statement;
  sweep: Statement;
  slice: Statement;
  drop: Statement;
}

const prepared = new WeakMap<Store['sqlite'], Queries>();

function queries(store: Store): Queries {
  let q = prepared.get(store.sqlite);
  if (!q) {
    const s = store.sqlite;
    const where = `flow_id = ? AND scope = ? AND payout_id = ?`;
    q = {
      nextGen: s.prepare(`SELECT COALESCE(MAX(gen), 0) + 1 AS g FROM recon_balance_transactions WHERE ${where}`),
      upsert: s.prepare(`INSERT INTO recon_balance_transactions (flow_id, scope, payout_id, tx_id, seq, gen, data) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (flow_id, scope, payout_id, tx_id) DO UPDATE SET seq = excluded.seq, gen = excluded.gen, data = excluded.data`),
      sweep: s.prepare(`DELETE FROM recon_balance_transactions WHERE ${where} AND gen <> ?`),
      slice: s.prepare(`SELECT seq, data FROM recon_balance_transactions WHERE ${where} AND seq > ? ORDER BY seq LIMIT ?`).raw(true),
      drop: s.prepare(`DELETE FROM recon_balance_transactions WHERE ${where}`),
    };
    prepared.set(store.sqlite, q);
  }
  return q;
}

/** The digest of a payout's rows: sha-256 over each row's text and a newline, in read order. */
const add = (h: Hash, data: string) => h.update(data).update('\n');

class ScopedRows implements PayoutRowStore {
  readonly dropped = new Set<string>();

  constructor(
    private store: AnyStore,
    private sql: SqlStore<Tables>,
    private flowId: string,
    readonly scope: string,
  ) {}

  private of(payoutId: string) {
    const b = this.sql.tables.reconBalanceTransactions;
    return and(eq(b.flowId, this.flowId), eq(b.scope, this.scope), eq(b.payoutId, payoutId));
  }

  async begin(payoutId: string): Promise<PayoutRowWriter> {
    const { store } = this;
    const b = this.sql.tables.reconBalanceTransactions;
    const key = [this.flowId, this.scope, payoutId] as const;
    const gen = isSqlite(store)
      ? await store.exclusive(() => (queries(store).nextGen.get(...key) as { g: number }).g)
      : Number(
          (
            await this.sql.db
              .select({ g: sql<number>`COALESCE(MAX(${b.gen}), 0) + 1` })
              .from(b)
              .where(this.of(payoutId))
          )[0]?.g ?? 1,
        );
    const hash = createHash('sha256');
    const ids = new Set<string>();
    let seq = 0;
    let repeated = false;
    // Shopify's pages may overlap when data changes under the cursor: the row read last wins, in its new position.
    const number = (rows: ReadonlyArray<{ id: string; data: string }>) =>
      rows.map((r) => {
        if (ids.has(r.id)) repeated = true;
        else ids.add(r.id);
        if (!repeated) add(hash, r.data);
        return { txId: r.id, seq: seq++, data: r.data };
      });
    const page = async (rows: ReadonlyArray<{ id: string; data: string }>) => {
      if (isSqlite(store)) {
        const q = queries(store);
        await store.exclusive(() => {
          for (const r of number(rows)) q.upsert.run(...key, r.txId, r.seq, gen, r.data);
        });
        return;
      }
      const numbered = number(rows);
      // A row twice in one statement cannot be upserted twice (PostgreSQL refuses): the later one stands.
      const last = new Map(numbered.map((r) => [r.txId, r]));
      const unique = last.size === numbered.length ? numbered : [...last.values()];
      await this.sql.tx(async (tx) => {
        for (let i = 0; i < unique.length; i += PG_ROWS)
          await tx
            .insert(b)
            .values(
              unique.slice(i, i + PG_ROWS).map((r) => ({ flowId: this.flowId, scope: this.scope, payoutId, txId: r.txId, seq: r.seq, gen, data: r.data })),
            )
            .onConflictDoUpdate({
              target: [b.flowId, b.scope, b.payoutId, b.txId],
              set: { seq: sql`excluded.seq`, gen: sql`excluded.gen`, data: sql`excluded.data` },
            });
      });
    };
    let finished: StoredPayoutRef | null = null;
    const storedDigest = async (): Promise<StoredPayoutRef> => {
      // A row came twice: the digest is that of the rows as stored, read back once.
      const h = createHash('sha256');
      let n = 0;
      for await (const rows of this.read(payoutId, 5_000)) {
        for (const data of rows) add(h, data);
        n += rows.length;
      }
      return { count: n, digest: h.digest('hex') };
    };
    return {
      write: async (rows) => {
        if (finished) throw new Error(`payout ${payoutId}: rows written after the read finished`);
        if (rows.length) await page(rows);
      },
      finish: async () => {
        if (finished) return finished;
        if (isSqlite(store)) await store.exclusive(() => queries(store).sweep.run(...key, gen));
        else await this.sql.db.delete(b).where(and(this.of(payoutId), ne(b.gen, gen)));
        finished = repeated ? await storedDigest() : { count: ids.size, digest: hash.digest('hex') };
        return finished;
      },
    };
  }

  async *read(payoutId: string, size: number, expect?: StoredPayoutRef): AsyncGenerator<string[]> {
    const { store } = this;
    const b = this.sql.tables.reconBalanceTransactions;
    const hash = expect ? createHash('sha256') : null;
    let after = -1;
    let n = 0;
    for (;;) {
      const from = after;
      const rows: Array<[number, string]> = isSqlite(store)
        ? await store.exclusive(() => queries(store).slice.all(this.flowId, this.scope, payoutId, from, size) as Array<[number, string]>)
        : (
            await this.sql.db
              .select({ seq: b.seq, data: b.data })
              .from(b)
              .where(and(this.of(payoutId), gt(b.seq, from)))
              .orderBy(asc(b.seq))
              .limit(size)
          ).map((r) => [r.seq, r.data]);
      if (!rows.length) break;
      n += rows.length;
      const out: string[] = [];
      for (const [seq, data] of rows) {
        after = seq;
        out.push(data);
      }
      // The slice's rows hashed as one text (each row and a newline, as `add` does row by row): two native calls per
      // row were a fifth of reading a million rows.
      if (hash) hash.update(`${out.join('\n')}\n`);
      yield out;
      if (rows.length < size) break;
    }
    if (expect) {
      const digest = hash!.digest('hex');
      if (n !== expect.count || digest !== expect.digest) {
        throw permanentError(
          `payout ${payoutId}: its stored transactions (scope ${this.scope}) are not the ones the reference names ` +
            `(${n} rows, digest ${digest.slice(0, 12)}…; expected ${expect.count} rows, digest ${expect.digest.slice(0, 12)}…): read again since, or removed. Run the flow again to reconcile what is stored now.`,
          { code: 'PAYOUT_ROWS_CHANGED', details: { payoutId, scope: this.scope, count: n, expectedCount: expect.count } },
        );
      }
    }
  }

  drop(payoutIds: readonly string[]): void {
    for (const id of payoutIds) this.dropped.add(id);
  }
}

/** One step's payout rows (any number of scopes); `commit` runs inside the step's success transaction. */
export class StepPayoutRows {
  private scopes = new Map<string, ScopedRows>();
  private view?: SqlStore<Tables>;

  constructor(
    private store: AnyStore,
    private flowId: string,
  ) {}

  /** Made on first use: most steps never open reconciliation records, and a view per step was a cost of every step. */
  private get sql(): SqlStore<Tables> {
    return (this.view ??= this.store.sql({ reconBalanceTransactions }));
  }

  scope(scope: string): PayoutRowStore {
    let r = this.scopes.get(scope);
    if (!r) {
      r = new ScopedRows(this.store, this.sql, this.flowId, scope);
      this.scopes.set(scope, r);
    }
    return r;
  }

  /** Drops wait for the step's commit (rows themselves were written as they were read). */
  get staged(): boolean {
    for (const r of this.scopes.values()) if (r.dropped.size) return true;
    return false;
  }

  /** SQLite: the drops as synchronous statements, inside the step's success transaction (see StepReconciliation.commitSync). */
  commitSync(): void {
    if (!this.scopes.size) return;
    if (!isSqlite(this.store)) throw new Error('StepPayoutRows.commitSync is for the SQLite store; await commit() inside the transaction');
    const q = queries(this.store);
    for (const r of this.scopes.values()) for (const id of r.dropped) q.drop.run(this.flowId, r.scope, id);
  }

  /** The drops, awaited inside the step's success transaction (either dialect). */
  async commit(): Promise<void> {
    if (!this.scopes.size) return;
    if (isSqlite(this.store)) return this.commitSync();
    const b = this.sql.tables.reconBalanceTransactions;
    for (const r of this.scopes.values())
      for (const id of r.dropped) await this.sql.db.delete(b).where(and(eq(b.flowId, this.flowId), eq(b.scope, r.scope), eq(b.payoutId, id)));
  }
}
