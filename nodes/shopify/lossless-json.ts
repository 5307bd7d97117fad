// JSON.parse loses digits on Shopify's 18-digit ids (2^53 ≈ 9.0e15). We quote every integer literal that does not
// fit a double exactly before parsing, so ids arrive as the exact digit strings Shopify sent. `parseJsonLossless` is
// the reference scanner; the conversions parse with `parseBodyExact`, the same result for a third of the cost.
import { parseBodyExact } from './parse-exact.ts';

const SAFE_DIGITS = 15; // every integer of ≤ 15 digits is exact in a double

/** Parses JSON text; integers with more than 15 digits become strings holding their exact digits. */
export function parseJsonLossless(text: string): unknown {
  let out: string[] | undefined;
  let last = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      if (c === 45) i++;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      const digits = i - start - (c === 45 ? 1 : 0);
      const next = i < n ? text.charCodeAt(i) : 0;
      const isInteger = next !== 46 /* . */ && next !== 101 /* e */ && next !== 69; /* E */
      if (isInteger && digits > SAFE_DIGITS) {
        out ??= [];
        out.push(text.slice(last, start), '"', text.slice(start, i), '"');
        last = i;
      } else {
        while (i < n) {
          const d = text.charCodeAt(i);
          if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) i++;
          else break;
        }
      }
      continue;
    }
    i++;
  }
  if (!out) return JSON.parse(text);
  out.push(text.slice(last));
  return JSON.parse(out.join(''));
}

/** Accepts raw JSON text, a Buffer, or an already parsed value (ids in it may already have lost digits). */
export function toJsonValue(input: string | Uint8Array | unknown): unknown {
  if (typeof input === 'string') return parseBodyExact(input);
  if (input instanceof Uint8Array) return parseBodyExact(Buffer.from(input).toString('utf8'));
  return input;
}
