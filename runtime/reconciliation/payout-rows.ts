// The runtime side of PayoutRowStore, on either store: payout rows (balance transactions) written page by page as a
// reader gets them, so a step's output can carry a reference (count + digest) instead of a million transactions, and
// read back in slices by the step that reconciles them. A page read is one stored row (its row texts joined by
// newlines): writing, reading and dropping a payout cost per page, not per transaction. On SQLite the raw prepared
// statements below are the bulk path (bench/reconcile.ts) and run through `store.exclusive`, never inside another
// caller's open transaction; on PostgreSQL a page is one upsert.
import { createHash, type Hash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { and, asc, eq, gt, ne, sql } from 'drizzle-orm';
import { permanentError, type PayoutRowStore, type PayoutRowWriter, type StoredPayoutRef } from '../node-api.ts';
import { type AnyStore, isSqlite } from '../store/any-store.ts';
import type { Store } from '../store/db.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { PageBook, type PlannedPage, pageRows, withoutRows } from './payout-pages.ts';
import { reconBalancePages } from './schema.ts';

type Tables = { reconBalancePages: typeof reconBalancePages };

interface Queries {
  nextGen: Statement;
  upsert: Statement;
  page: Statement;
  remove: Statement;
  sweep: Statement;
  pages: Statement;
  drop: Statement;
}

const prepared = new WeakMap<Store['sqlite'], Queries>();

function queries(store: Store): Queries {
  let q = prepared.get(store.sqlite);
  if (!q) {
    const s = store.sqlite;
    const where = `flow_id = ? AND scope = ? AND payout_id = ?`;
    q = {
      nextGen: s.prepare(`SELECT COALESCE(MAX(gen), 0) + 1 AS g FROM recon_balance_pages WHERE ${where}`),
      upsert: s.prepare(`INSERT INTO recon_balance_pages (flow_id, scope, payout_id, page, gen, count, data) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (flow_id, scope, payout_id, page) DO UPDATE SET gen = excluded.gen, count = excluded.count, data = excluded.data`),
      page: s.prepare(`SELECT data FROM recon_balance_pages WHERE ${where} AND page = ?`).pluck(),
      remove: s.prepare(`DELETE FROM recon_balance_pages WHERE ${where} AND page = ?`),
      sweep: s.prepare(`DELETE FROM recon_balance_pages WHERE ${where} AND gen <> ?`),
      pages: s.prepare(`SELECT page, data FROM recon_balance_pages WHERE ${where} AND page > ? ORDER BY page LIMIT ?`).raw(true),
      drop: s.prepare(`DELETE FROM recon_balance_pages WHERE ${where}`),
    };
    prepared.set(store.sqlite, q);
  }
  return q;
}

/** The digest of a payout's rows: sha-256 over each row's text and a newline, in read order (a page's text and a newline hash the same). */
const add = (h: Hash, text: string) => h.update(text).update('\n');

/** Pages fetched per query while reading: enough for a slice at the rows a page held so far, within bounds. */
const pagesFor = (size: number, perPage: number) => Math.min(1_000, Math.max(1, Math.ceil(size / Math.max(1, perPage))));

class ScopedRows implements PayoutRowStore {
  readonly dropped = new Set<string>();

  constructor(
    private store: AnyStore,
    private sql: SqlStore<Tables>,
    private flowId: string,
    readonly scope: string,
  ) {}

  private of(payoutId: string) {
    const b = this.sql.tables.reconBalancePages;
    return and(eq(b.flowId, this.flowId), eq(b.scope, this.scope), eq(b.payoutId, payoutId));
  }

  async begin(payoutId: string): Promise<PayoutRowWriter> {
    const { store } = this;
    const b = this.sql.tables.reconBalancePages;
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
    const book = new PageBook(`payout ${payoutId} (scope ${this.scope})`);
    const at = (page: number) => `payout ${payoutId} (scope ${this.scope}), page ${page}`;
    const persist = async (p: PlannedPage) => {
      if (isSqlite(store)) {
        const q = queries(store);
        await store.exclusive(() => {
          for (const r of p.rewrites) {
            if (!r.left) q.remove.run(...key, r.page);
            else q.upsert.run(...key, r.page, gen, r.left, withoutRows((q.page.get(...key, r.page) as string | undefined) ?? '', r.drop, r.held, at(r.page)));
          }
          q.upsert.run(...key, p.page, gen, p.count, p.data);
        });
        return;
      }
      const put = (tx: SqlStore<Tables>['db'], page: number, count: number, data: string) =>
        tx
          .insert(b)
          .values({ flowId: this.flowId, scope: this.scope, payoutId, page, gen, count, data })
          .onConflictDoUpdate({ target: [b.flowId, b.scope, b.payoutId, b.page], set: { gen, count, data } });
      if (!p.rewrites.length) {
        await put(this.sql.db, p.page, p.count, p.data);
        return;
      }
      await this.sql.tx(async (tx) => {
        for (const r of p.rewrites) {
          const here = and(this.of(payoutId), eq(b.page, r.page));
          if (!r.left) await tx.delete(b).where(here);
          else {
            const [old] = await tx.select({ data: b.data }).from(b).where(here);
            await put(tx, r.page, r.left, withoutRows(old?.data ?? '', r.drop, r.held, at(r.page)));
          }
        }
        await put(tx, p.page, p.count, p.data);
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
        if (!rows.length) return;
        const p = book.next(rows);
        if (!book.repeated) add(hash, p.data);
        await persist(p);
      },
      finish: async () => {
        if (finished) return finished;
        if (isSqlite(store)) await store.exclusive(() => queries(store).sweep.run(...key, gen));
        else await this.sql.db.delete(b).where(and(this.of(payoutId), ne(b.gen, gen)));
        finished = book.repeated ? await storedDigest() : { count: book.size, digest: hash.digest('hex') };
        return finished;
      },
    };
  }

  async *read(payoutId: string, size: number, expect?: StoredPayoutRef): AsyncGenerator<string[]> {
    const { store } = this;
    const b = this.sql.tables.reconBalancePages;
    const hash = expect ? createHash('sha256') : null;
    let after = -1;
    let n = 0;
    let perPage = 100;
    let slice: string[] = [];
    for (;;) {
      const from = after;
      const limit = pagesFor(size, perPage);
      const pages: Array<[number, string]> = isSqlite(store)
        ? await store.exclusive(() => queries(store).pages.all(this.flowId, this.scope, payoutId, from, limit) as Array<[number, string]>)
        : (
            await this.sql.db
              .select({ page: b.page, data: b.data })
              .from(b)
              .where(and(this.of(payoutId), gt(b.page, from)))
              .orderBy(asc(b.page))
              .limit(limit)
          ).map((r) => [r.page, r.data]);
      let got = 0;
      for (const [page, data] of pages) {
        after = page;
        if (hash) add(hash, data);
        const rows = pageRows(data);
        got += rows.length;
        // A page may straddle slices: every slice but the last holds exactly `size` rows. Each row is a slice of the
        // page's text (V8 shares it): a caller that keeps a row keeps its page alive, one that parses rows keeps none.
        for (const row of rows) {
          slice.push(row);
          if (slice.length === size) {
            yield slice;
            slice = [];
          }
        }
      }
      n += got;
      if (pages.length < limit) break;
      perPage = got / pages.length;
    }
    if (slice.length) yield slice;
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
    return (this.view ??= this.store.sql({ reconBalancePages }));
  }

  scope(scope: string): PayoutRowStore {
    let r = this.scopes.get(scope);
    if (!r) {
      r = new ScopedRows(this.store, this.sql, this.flowId, scope);
      this.scopes.set(scope, r);
    }
    return r;
  }

  /** Drops wait for the step's commit (pages themselves were written as they were read). */
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
    const b = this.sql.tables.reconBalancePages;
    for (const r of this.scopes.values())
      for (const id of r.dropped) await this.sql.db.delete(b).where(and(eq(b.flowId, this.flowId), eq(b.scope, r.scope), eq(b.payoutId, id)));
  }
}
