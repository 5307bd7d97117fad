// Plain SQL on either store, for tests that look at (or plant) rows: `?` placeholders, which become $1, $2… on
// PostgreSQL, where the workspace's schema is the connection's search_path. Counts and bigints come back as text from
// PostgreSQL: compare them through Number().
import type { AnyStore } from '../store/any-store.ts';

export async function rawRows<T = Record<string, unknown>>(store: AnyStore, text: string, ...params: unknown[]): Promise<T[]> {
  if (store.dialect === 'sqlite') {
    const statement = store.sqlite.prepare(text);
    // A statement returning no rows (INSERT, UPDATE) is run; better-sqlite3 refuses all() on it.
    if (!statement.reader) {
      statement.run(...params);
      return [];
    }
    return statement.all(...params) as T[];
  }
  let n = 0;
  const { rows } = await store.pool.query(
    text.replace(/\?/g, () => `$${++n}`),
    params,
  );
  return rows as T[];
}

/** The first row, or undefined. */
export async function rawRow<T = Record<string, unknown>>(store: AnyStore, text: string, ...params: unknown[]): Promise<T | undefined> {
  return (await rawRows<T>(store, text, ...params))[0];
}

/** `SELECT COUNT(*) …` (or any query whose first row's first column is a number) as a number. */
export async function rawCount(store: AnyStore, text: string, ...params: unknown[]): Promise<number> {
  const row = await rawRow(store, text, ...params);
  return Number(row ? Object.values(row)[0] : Number.NaN);
}
