// A Shopify body parsed with its long integers exact (at ingest for the business keys, in the trigger's conversion):
// every integer literal of more than 15 digits (Shopify's 18-digit ids, past 2^53) becomes a string holding its
// digits, as `parseJsonLossless` does, for a third of its cost.
// That scanner walks the text a character at a time in JavaScript (~40 µs on the bench's 15 KB order, more than the
// native JSON.parse after it); here the regular-expression engine skips everything that cannot need quoting (strings,
// numbers of ≤ 15 digits, floats, structure, whitespace) in one call per long integer, and the text with those
// integers quoted goes to the native JSON.parse. Node 21's `JSON.parse` reviver `context.source` would do without the
// rewrite; Node 20 has no such thing.

/**
 * Everything up to the next integer literal of 16 or more digits, from `lastIndex`: structure and literals, whole
 * strings (with their escapes, so no digits inside one are seen), integers of ≤ 15 digits, and numbers with a fraction
 * or an exponent (floats stay floats, whatever their length). A minus sign is consumed only when no digit follows.
 */
const SKIP =
  /(?:[^"0-9-]+|"[^"\\]*(?:\\[\s\S][^"\\]*)*"|-?[0-9]{1,15}(?![0-9])(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|-?[0-9]+(?=[.eE])(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|-(?![0-9]))*/y;
/**
 * A long integer where a value may stand: followed by `,`, `]`, `}` or the end. One followed by `:` is an (invalid)
 * object key: left unquoted, so that JSON.parse refuses the text as it would have refused the original.
 */
const LONG_VALUE = /-?[1-9][0-9]*(?=\s*(?:[,\]}]|$))/y;

/** An integer of 16 or more digits where a value may stand: without one, native JSON.parse gives the same result. */
const LONG_INTEGER = /(?:^|[:[,])\s*-?\d{16,}/;

/** Parses JSON text; integers with more than 15 digits become strings holding their exact digits. Throws on invalid JSON. */
export function parseBodyExact(text: string): unknown {
  // Today's Shopify ids are 13 digits: most bodies need no quoting, and one native search says so.
  if (!LONG_INTEGER.test(text)) return JSON.parse(text);
  const n = text.length;
  let out = '';
  let last = 0;
  let p = 0;
  for (;;) {
    SKIP.lastIndex = p;
    SKIP.test(text); // always matches (possibly nothing)
    p = SKIP.lastIndex;
    if (p >= n) break;
    LONG_VALUE.lastIndex = p;
    // Anything else stopping the skip (an unterminated string, a long integer as a key) is invalid JSON: the text goes
    // to JSON.parse with what was quoted so far, and it says what is wrong.
    if (!LONG_VALUE.test(text)) break;
    const end = LONG_VALUE.lastIndex;
    out += `${text.slice(last, p)}"${text.slice(p, end)}"`;
    last = p = end;
  }
  return JSON.parse(last ? out + text.slice(last) : text);
}
