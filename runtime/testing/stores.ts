// The stores a test of store code runs on: every dialect a deployment can choose. A test of code written against
// `SqlStore` takes its store from here (`describe.each(testStores())`), so adding a dialect runs every such test on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect, SqlStore } from '../store/sql-store.ts';
import { openStore, type Store } from '../store/db.ts';

export interface TestStore {
  dialect: Dialect;
  /** A view over these tables (the SQLite declarations) of a fresh, migrated store of this dialect. */
  sql<T extends Record<string, unknown>>(tables: T): SqlStore<T>;
  /** Another connection to the same store, as another process would have (closed with this one). */
  twin(): Promise<TestStore>;
  close(): Promise<void>;
}

export interface TestStoreKind {
  name: Dialect;
  open(): Promise<TestStore>;
}

const sqlite: TestStoreKind = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'll-teststore-'));
    const twins: Store[] = [];
    const connect = (): TestStore => {
      const store = openStore(dir);
      twins.push(store);
      return {
        dialect: 'sqlite',
        sql: (tables) => store.sql(tables),
        twin: async () => connect(),
        async close() {
          for (const s of twins.splice(0)) s.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    };
    return connect();
  },
};

export function testStores(): TestStoreKind[] {
  return [sqlite];
}
