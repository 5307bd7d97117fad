import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db.ts';
import { inTransaction } from './in-transaction.ts';
import { tempDir } from '../testing/fixtures.ts';

let tmp: { dir: string; cleanup(): void };
let store: Store;
afterEach(() => {
  store?.close();
  tmp?.cleanup();
});

describe('inTransaction', () => {
  it('commits what its work wrote, rolls all of it back when the work throws, and is a savepoint inside another', () => {
    tmp = tempDir('ledgerline-tx-');
    store = openStore(tmp.dir);
    const { sqlite } = store;
    sqlite.exec('CREATE TABLE t (x INTEGER)');
    const put = sqlite.prepare('INSERT INTO t VALUES (?)');
    const xs = () => (sqlite.prepare('SELECT x FROM t ORDER BY x').all() as { x: number }[]).map((r) => r.x);
    expect(inTransaction(sqlite, () => (put.run(1), sqlite.inTransaction))).toBe(true);
    expect(() =>
      inTransaction(sqlite, () => {
        put.run(2);
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(xs()).toEqual([1]);
    inTransaction(sqlite, () => {
      put.run(3);
      try {
        inTransaction(sqlite, () => {
          put.run(4);
          throw new Error('inner');
        });
      } catch {}
      put.run(5);
    });
    expect(xs()).toEqual([1, 3, 5]);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('begins IMMEDIATE on a store (the write lock at BEGIN): another connection cannot start writing meanwhile', async () => {
    tmp = tempDir('ledgerline-tx-');
    store = openStore(tmp.dir);
    const other = openStore(tmp.dir, { migrate: false });
    try {
      other.sqlite.pragma('busy_timeout = 0');
      inTransaction(store.sqlite, () => {
        expect(() => other.sqlite.prepare('BEGIN IMMEDIATE').run()).toThrow(/locked|busy/i);
      });
    } finally {
      other.close();
    }
  });
});
