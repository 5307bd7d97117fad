// The runtime side of PayoutRowStore: payout rows (balance transactions) written page by page as a reader gets them,
// so a step's output can carry a reference (count + digest) instead of a million transactions, and read back in
// slices by the step that reconciles them.
import { createHash, type Hash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { permanentError, type PayoutRowStore, type PayoutRowWriter, type StoredPayoutRef } from '../node-api.ts';
import type { Store } from '../store/db.ts';

interface Queries {
  nextGen: Statement;
  upsert: Statement;
  sweep: Statement;
  slice: Statement;
  drop: Statement;
  stored: Statement;
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
      stored: s.prepare(`SELECT data FROM recon_balance_transactions WHERE ${where} ORDER BY seq`).raw(true),
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
    private store: Store,
    private flowId: string,
    readonly scope: string,
  ) {}

  begin(payoutId: string): PayoutRowWriter {
    const q = queries(this.store);
    const key = [this.flowId, this.scope, payoutId] as const;
    const gen = (q.nextGen.get(...key) as { g: number }).g;
    const hash = createHash('sha256');
    const ids = new Set<string>();
    let seq = 0;
    let repeated = false;
    const page = this.store.sqlite.transaction((rows: ReadonlyArray<{ id: string; data: string }>) => {
      for (const r of rows) {
        // Shopify's pages may overlap when data changes under the cursor: the row read last wins, in its new position.
        if (ids.has(r.id)) repeated = true;
        else ids.add(r.id);
        q.upsert.run(...key, r.id, seq++, gen, r.data);
        if (!repeated) add(hash, r.data);
      }
    });
    let finished: StoredPayoutRef | null = null;
    return {
      write: (rows) => {
        if (finished) throw new Error(`payout ${payoutId}: rows written after the read finished`);
        if (rows.length) page(rows);
      },
      finish: () => {
        if (finished) return finished;
        q.sweep.run(...key, gen);
        if (!repeated) finished = { count: ids.size, digest: hash.digest('hex') };
        else {
          // A row came twice: the digest is that of the rows as stored, read back once.
          const h = createHash('sha256');
          let n = 0;
          for (const [data] of q.stored.iterate(...key) as Iterable<[string]>) {
            add(h, data);
            n++;
          }
          finished = { count: n, digest: h.digest('hex') };
        }
        return finished;
      },
    };
  }

  *read(payoutId: string, size: number, expect?: StoredPayoutRef): Generator<string[]> {
    const q = queries(this.store);
    const hash = expect ? createHash('sha256') : null;
    let after = -1;
    let n = 0;
    for (;;) {
      const rows = q.slice.all(this.flowId, this.scope, payoutId, after, size) as Array<[number, string]>;
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

  constructor(
    private store: Store,
    private flowId: string,
  ) {}

  scope(scope: string): PayoutRowStore {
    let r = this.scopes.get(scope);
    if (!r) {
      r = new ScopedRows(this.store, this.flowId, scope);
      this.scopes.set(scope, r);
    }
    return r;
  }

  /** Drops wait for the step's commit (rows themselves were written as they were read). */
  get staged(): boolean {
    for (const r of this.scopes.values()) if (r.dropped.size) return true;
    return false;
  }

  commit(): void {
    if (!this.scopes.size) return;
    const q = queries(this.store);
    for (const r of this.scopes.values()) for (const id of r.dropped) q.drop.run(this.flowId, r.scope, id);
  }
}
