// The stores a test of store code runs on: every dialect a deployment can choose. A test of code written against
// `SqlStore` takes its store from here (`describe.each(testStores())`), so adding a dialect runs every such test on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect, SqlStore } from '../store/sql-store.ts';
import { openStore, type Store } from '../store/db.ts';
import { openPgStore, type PgStore } from '../store/pg-store.ts';
import type { AnyStore } from '../store/any-store.ts';
import { afterAll } from 'vitest';
import { throwawayDatabase } from './pg.ts';

export interface TestStore {
  dialect: Dialect;
  /** The store itself, as a runtime room takes it. */
  store: AnyStore;
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
        store,
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

const postgres: TestStoreKind = {
  name: 'postgres',
  async open() {
    const database = await throwawayDatabase();
    const workspace = 'test';
    const stores: PgStore[] = [];
    const connect = async (): Promise<TestStore> => {
      const store = await openPgStore({ url: database.url, workspace, max: 4 });
      stores.push(store);
      return {
        dialect: 'postgres',
        store,
        sql: (tables) => store.sql(tables),
        twin: connect,
        async close() {
          for (const s of stores.splice(0)) await s.close();
          await database.drop();
        },
      };
    };
    return connect();
  },
};

/** SQLite always; PostgreSQL too unless LEDGERLINE_TEST_STORES names only sqlite (a machine without PostgreSQL). */
export function testStores(): TestStoreKind[] {
  const only = process.env.LEDGERLINE_TEST_STORES?.split(',').map((s) => s.trim());
  return [sqlite, postgres].filter((k) => !only || only.includes(k.name));
}

/** In a describe block: opens fresh stores of this kind, each closed when the block is done. */
export function freshStores(kind: TestStoreKind): () => Promise<TestStore> {
  const opened: TestStore[] = [];
  afterAll(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  return async () => {
    const s = await kind.open();
    opened.push(s);
    return s;
  };
}
