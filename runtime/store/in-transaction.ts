// A transaction (a savepoint when one is open) on a raw SQLite connection, for hot paths.
import type Database from 'better-sqlite3';

const runners = new WeakMap<Database.Database, (fn: () => unknown) => unknown>();

/**
 * `sqlite.transaction(fn)()` (a savepoint when one is open) without a new transaction function per call: better-sqlite3
 * builds four wrappers and defines twenty properties for each, ≈ 5 % of a webhook delivery's CPU where it was done
 * twice per delivery. One runner per connection, made after openStore's `immediateTransactions`.
 */
export function inTransaction<R>(sqlite: Database.Database, fn: () => R): R {
  let run = runners.get(sqlite);
  if (!run) runners.set(sqlite, (run = sqlite.transaction((work: () => unknown) => work())));
  return run(fn) as R;
}
