// Free-text search over runs, as a person types it: an order name ("#5007" or "5007"), a Shopify id (numeric or
// gid://), any business key value, or an ERP document number found in a step's output (e.g. "SO0012").
export interface SearchSql {
  sql: string;
  args: string[];
}

/** LIKE pattern text with its wildcards escaped (used with ESCAPE '\'). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function runSearchSql(text: string): SearchSql | null {
  const q = text.trim();
  if (!q) return null;
  const exact = new Set<string>([q]);
  const digits = /^#?(\d+)$/.exec(q)?.[1];
  if (digits) exact.add(`#${digits}`);
  const parts = [`EXISTS (SELECT 1 FROM run_keys k WHERE k.run_id = r.id AND k.value IN (${[...exact].map(() => '?').join(', ')}))`];
  const args: string[] = [...exact];
  // A Shopify numeric id matches the gid of whatever resource it names (order, refund, fulfilment...).
  if (digits && digits.length >= 6) {
    parts.push(`EXISTS (SELECT 1 FROM run_keys k WHERE k.run_id = r.id AND k.value LIKE ? ESCAPE '\\')`);
    args.push(`gid://shopify/%/${likeEscape(digits)}`);
  }
  // ERP document numbers live in the outputs of the steps that posted or read them.
  if (q.length >= 3 && !q.startsWith('#')) {
    parts.push(`EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.output LIKE ? ESCAPE '\\')`);
    args.push(`%"number":${likeEscape(JSON.stringify(q))}%`);
  }
  return { sql: `(${parts.join(' OR ')})`, args };
}
