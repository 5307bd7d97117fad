// Free-text search over runs, as a person types it: an order name ("#5007" or "5007"), a Shopify id (numeric or
// gid://), any business key value, or an ERP document number found in a step's output (e.g. "SO0012").
// Plain SQL both dialects share: exact matches with `=`, patterns as lower() LIKE lower() (SQLite's LIKE ignores ASCII
// case, PostgreSQL's does not), so a search finds the same runs on either store.
import { and, eq, exists, inArray, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { runKeys, runs, steps } from './store/schema.ts';
import type { SqlStore } from './store/sql-store.ts';

export type RunSearchTables = { runs: typeof runs; runKeys: typeof runKeys; steps: typeof steps };

/** LIKE pattern text with its wildcards escaped (used with ESCAPE '\'). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const like = (column: AnyColumn, pattern: string) => sql`lower(${column}) LIKE lower(${pattern}) ESCAPE '\\'`;

/** A condition on `runs` (correlated on runs.id), or null for blank text. */
export function runSearchSql(store: SqlStore<RunSearchTables>, text: string): SQL | null {
  const q = text.trim();
  if (!q) return null;
  const { db } = store;
  const { runs: r, runKeys: k, steps: s } = store.tables;
  const exact = new Set<string>([q]);
  const digits = /^#?(\d+)$/.exec(q)?.[1];
  if (digits) exact.add(`#${digits}`);
  const keyOfRun = (cond: SQL) =>
    exists(
      db
        .select({ one: sql`1` })
        .from(k)
        .where(and(eq(k.runId, r.id), cond)),
    );
  const parts = [keyOfRun(inArray(k.value, [...exact]))];
  // Shopify names an order only in the order's own webhooks: a refund, a cancellation's follow-up or an edit carries the
  // order's id. The order's name finds them through the id its named runs carry.
  if (digits) {
    const names = sql.join(
      [...exact].map((v) => sql`${v}`),
      sql`, `,
    );
    const named = sql`SELECT o.value FROM ${k} o WHERE o.key = 'shopifyOrderId' AND o.run_id IN (SELECT n.run_id FROM ${k} n WHERE n.value IN (${names}))`;
    parts.push(keyOfRun(and(eq(k.key, 'shopifyOrderId'), sql`${k.value} IN (${named})`)!));
  }
  // A Shopify numeric id matches the gid of whatever resource it names (order, refund, fulfilment...).
  if (digits && digits.length >= 6) parts.push(keyOfRun(like(k.value, `gid://shopify/%/${likeEscape(digits)}`)));
  // ERP document numbers live in the outputs of the steps that posted or read them.
  if (q.length >= 3 && !q.startsWith('#')) {
    parts.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(s)
          .where(and(eq(s.runId, r.id), like(s.output, `%"number":${likeEscape(JSON.stringify(q))}%`))),
      ),
    );
  }
  return or(...parts) ?? null;
}
