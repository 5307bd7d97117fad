// The SQLite side of `SqlStore`: drizzle's asynchronous SQLite driver (sqlite-proxy) over the process's one
// better-sqlite3 connection, behind a `TxGate` so that callers interleaving at their awaits never share a transaction.
// Statements are prepared once per SQL text (drizzle builds the same text for the same query shape).
import type Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import type { SqlDb, SqlStore } from './sql-store.ts';
import { TxGate } from './tx-gate.ts';
import { inTransaction } from './in-transaction.ts';

const MAX_STATEMENTS = 500;

type Method = 'run' | 'all' | 'values' | 'get';

interface Connection {
  statements: Map<string, Database.Statement>;
  /** Prepared once per connection: views are made per step on the hot path (a reconciliation scope's, a step's state). */
  begin: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
}
// Every view of one connection (each room asks for its own tables) shares its statements.
const connections = new WeakMap<Database.Database, Connection>();
const connectionOf = (sqlite: Database.Database): Connection => {
  let c = connections.get(sqlite);
  if (!c)
    connections.set(
      sqlite,
      (c = { statements: new Map(), begin: sqlite.prepare('BEGIN IMMEDIATE'), commit: sqlite.prepare('COMMIT'), rollback: sqlite.prepare('ROLLBACK') }),
    );
  return c;
};
// And every connection to one file in this process shares one gate: a second connection's BEGIN IMMEDIATE would
// otherwise wait (synchronously, in SQLite's busy handler) for a transaction that cannot end until it returns.
const gates = new Map<string, { gate: TxGate; savepoints: number }>();
const gateOf = (sqlite: Database.Database) => {
  let g = gates.get(sqlite.name);
  if (!g) gates.set(sqlite.name, (g = { gate: new TxGate(), savepoints: 0 }));
  return g;
};

/** Runs `work` as the connection's one open transaction would: statements and transactions through the gate wait for it. */
export const holdWrites = (sqlite: Database.Database, work: () => Promise<void>): Promise<void> => gateOf(sqlite).gate.hold(work);

export function sqliteSqlStore<T extends Record<string, unknown>>(sqlite: Database.Database, tables: T): SqlStore<T> {
  const { statements, begin, commit, rollback } = connectionOf(sqlite);
  const shared = gateOf(sqlite);
  const { gate } = shared;
  const prepared = (text: string): Database.Statement => {
    let st = statements.get(text);
    if (st) return st;
    if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value as string);
    st = sqlite.prepare(text);
    statements.set(text, st);
    return st;
  };

  const execute = (text: string, params: unknown[], method: Method) => {
    const st = prepared(text);
    if (method === 'run' || !st.reader) {
      st.run(...params);
      return { rows: [] };
    }
    // sqlite-proxy maps positional rows onto the query's fields.
    if (method === 'get') return { rows: st.raw(true).get(...params) as unknown[] };
    return { rows: st.raw(true).all(...params) as unknown[] };
  };

  const db = drizzle(async (text, params, method) => {
    const wait = gate.outside();
    if (wait !== undefined) await wait;
    return execute(text, params, method) as { rows: unknown[] };
  }) as unknown as SqlDb;

  const dialect = new SQLiteAsyncDialect();

  const tx = async <R>(fn: (tx: SqlDb) => Promise<R>): Promise<R> => {
    if (gate.inside()) {
      const name = `ll_sp${++shared.savepoints}`;
      sqlite.exec(`SAVEPOINT ${name}`);
      try {
        const r = await fn(db);
        sqlite.exec(`RELEASE ${name}`);
        return r;
      } catch (e) {
        sqlite.exec(`ROLLBACK TO ${name}`);
        sqlite.exec(`RELEASE ${name}`);
        throw e;
      }
    }
    return gate.hold(async () => {
      begin.run();
      try {
        const r = await fn(db);
        commit.run();
        return r;
      } catch (e) {
        if (sqlite.inTransaction) rollback.run();
        throw e;
      }
    });
  };

  const rows = async <R>(q: SQL): Promise<R[]> => {
    const wait = gate.outside();
    if (wait !== undefined) await wait;
    const { sql: text, params } = dialect.sqlToQuery(q);
    const st = prepared(text);
    if (!st.reader) {
      st.run(...params);
      return [];
    }
    return st.raw(false).all(...params) as R[];
  };

  const exec = async (q: SQL): Promise<number> => {
    const wait = gate.outside();
    if (wait !== undefined) await wait;
    const { sql: text, params } = dialect.sqlToQuery(q);
    return prepared(text).run(...params).changes;
  };

  return {
    dialect: 'sqlite',
    tables,
    db,
    tx,
    forUpdate: (q) => q,
    rows,
    exec,
  };
}

/**
 * Synchronous work on the connection as one transaction, kept out of any open `SqlStore` transaction of the same file
 * (see Store.exclusive). Free gate: runs at once, no await before the work.
 */
export function sqliteExclusive<R>(sqlite: Database.Database, fn: () => R): Promise<R> {
  const { gate } = gateOf(sqlite);
  // openStore makes sqlite.transaction begin IMMEDIATE (db.ts immediateTransactions); nested, it is a savepoint.
  const run = () => inTransaction(sqlite, fn);
  const wait = gate.outside();
  if (wait === undefined) {
    try {
      return Promise.resolve(run());
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return wait.then(run);
}
