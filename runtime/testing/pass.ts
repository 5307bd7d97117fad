// Which store the shared test factories (testServer, testDeployment, testRuntime, openTestStore) build on: SQLite
// under the test's data dir by default; with LEDGERLINE_TEST_STORE=postgres (the suite's second pass, `npm run
// test:pg`) a throwaway PostgreSQL database per data dir. A data dir keeps its database for the whole test file, so
// a test that reopens a server or runtime on its data dir (a restart) finds what it wrote, as on SQLite; the file's
// databases are dropped after it. Tests of code written against `SqlStore` take both stores in one pass instead
// (./stores.ts).
import { afterAll, describe, inject, it } from 'vitest';
import { resolve } from 'node:path';
import type { Dialect } from '../store/sql-store.ts';
import { openStore } from '../store/db.ts';
import { openPgStore } from '../store/pg-store.ts';
import type { AnyStore } from '../store/any-store.ts';
import { BARE_WORKSPACE, throwawayDatabase, type ThrowawayDatabase } from './pg.ts';

function passStore(): Dialect {
  const v = process.env.LEDGERLINE_TEST_STORE;
  if (v === undefined || v === '' || v === 'sqlite') return 'sqlite';
  if (v === 'postgres') return 'postgres';
  throw new Error(`LEDGERLINE_TEST_STORE must be sqlite or postgres, not ${JSON.stringify(v)}`);
}

/** The store this pass runs the factories' servers and runtimes on. */
export const PASS_STORE: Dialect = passStore();
export const onPostgresPass = PASS_STORE === 'postgres';

/**
 * A describe block whose subject exists only on SQLite (its WAL and checkpoints, the file, PRAGMAs, a process
 * killed mid-commit on the file): skipped on the PostgreSQL pass, its title saying why.
 */
export function describeSqliteOnly(title: string, why: string, fn: () => void): void {
  if (onPostgresPass) describe.skip(`${title} [SQLite only: ${why}]`, fn);
  else describe(title, fn);
}

/** One test of that kind (see describeSqliteOnly). */
export function itSqliteOnly(title: string, why: string, fn: () => Promise<void>, timeout?: number): void {
  if (onPostgresPass) it.skip(`${title} [SQLite only: ${why}]`, fn, timeout);
  else it(title, fn, timeout);
}

const databases = new Map<string, Promise<ThrowawayDatabase>>();
// This module is evaluated once per test file (vitest isolates files), while the file is collected: the hook drops
// every database the file's tests made, whatever they closed.
if (onPostgresPass) {
  afterAll(async () => {
    const made = [...databases.values()];
    databases.clear();
    const results = await Promise.allSettled(made.map(async (db) => (await db).drop()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });
}

/**
 * On the PostgreSQL pass, the URL of the throwaway database of `dataDir` (made on first use, dropped after the test
 * file); on the SQLite pass, undefined (the store is the data dir's SQLite file). The database is a copy of the
 * run's migrated template (./pg-pass-setup.ts) unless `unmigrated`: a store opened on it then finds its schema
 * migrated already, as a store another process created would be (`PgStore.created` false), which a server tells
 * from a new one only in sandbox mode (a new store gets the sandbox connections and templates).
 */
export async function passDatabaseUrl(dataDir: string, o: { unmigrated?: boolean } = {}): Promise<string | undefined> {
  if (!onPostgresPass) return undefined;
  const key = resolve(dataDir);
  let db = databases.get(key);
  if (!db) {
    // Only the URL is handed on: each store opens its own pool (the throwaway's connects only if used).
    db = throwawayDatabase({ asyncCommit: true, ...(o.unmigrated ? {} : { template: inject('pgPassTemplate') }) });
    databases.set(key, db);
  }
  return (await db).url;
}

/**
 * This pass's store of `dataDir` for a test that builds on a bare store: its SQLite store, or the workspace
 * BARE_WORKSPACE of its throwaway PostgreSQL database.
 */
export async function openTestStore(dataDir: string): Promise<AnyStore> {
  const url = await passDatabaseUrl(dataDir);
  return url ? openPgStore({ url, workspace: BARE_WORKSPACE, max: 4 }) : openStore(dataDir);
}
