// Free-text search over runs, as a person types it: an order name ("#5007" or "5007"), a Shopify id (numeric or
// gid://), any business key value, or an ERP document number found in a step's output (e.g. "SO0012").
import { and, eq, exists, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { RuntimeDb } from './store/db.ts';
import { runKeys, runs, steps } from './store/schema.ts';

/** LIKE pattern text with its wildcards escaped (used with ESCAPE '\'). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A condition on `runs` (correlated on runs.id), or null for blank text. */
export function runSearchSql(db: RuntimeDb, text: string): SQL | null {
  const q = text.trim();
  if (!q) return null;
  const exact = new Set<string>([q]);
  const digits = /^#?(\d+)$/.exec(q)?.[1];
  if (digits) exact.add(`#${digits}`);
  const keyOfRun = (cond: SQL) =>
    exists(
      db
        .select({ one: sql`1` })
        .from(runKeys)
        .where(and(eq(runKeys.runId, runs.id), cond)),
    );
  const parts = [keyOfRun(inArray(runKeys.value, [...exact]))];
  // A Shopify numeric id matches the gid of whatever resource it names (order, refund, fulfilment...).
  if (digits && digits.length >= 6) parts.push(keyOfRun(sql`${runKeys.value} LIKE ${`gid://shopify/%/${likeEscape(digits)}`} ESCAPE '\\'`));
  // ERP document numbers live in the outputs of the steps that posted or read them.
  if (q.length >= 3 && !q.startsWith('#')) {
    parts.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(steps)
          .where(and(eq(steps.runId, runs.id), sql`${steps.output} LIKE ${`%"number":${likeEscape(JSON.stringify(q))}%`} ESCAPE '\\'`)),
      ),
    );
  }
  return or(...parts) ?? null;
}
