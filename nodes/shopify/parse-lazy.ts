// A delivery's body parsed at its top level only. Ingest reads a few of an order's top-level fields (its ids, name,
// status dates) before it answers; parsing the whole 15 KB order for them was a quarter of a delivery's CPU. Here the
// top-level object's nested members (line items, addresses, price sets: most of the text) are only located, by
// their brackets, and each is parsed, exactly, the first time it is read.
import { randomBytes } from 'node:crypto';
import { parseBodyExact as exact } from './parse-exact.ts';

/** Everything up to the next bracket, whole strings (with their escapes) included. */
const TO_BRACKET = /[^"[\]{}]*(?:"[^"\\]*(?:\\[\s\S][^"\\]*)*"[^"[\]{}]*)*/y;
const OPEN_BRACE = /^[ \t\n\r]*\{/;
/**
 * What stands for a nested member in the top level's text until it is read: a string no delivery can hold, a lone
 * surrogate and this process's random nonce.
 */
const MARK = `\ud800${randomBytes(12).toString('hex')}:`;
const MARK_JSON = `"\\ud800${MARK.slice(1)}`;

const isMark = (v: unknown): v is string => typeof v === 'string' && v.charCodeAt(0) === 0xd800 && v.startsWith(MARK);

/** Reads through to the target, parsing a member that still holds its mark (and keeping what it parsed). */
function deferred(members: string[], starts: number[]): ProxyHandler<Record<string, unknown>> {
  const read = (target: Record<string, unknown>, key: string | symbol) => {
    const v = Reflect.get(target, key);
    if (!isMark(v)) return v;
    const i = Number(v.slice(MARK.length));
    let value: unknown;
    try {
      value = exact(members[i]!);
    } catch (e) {
      // JSON.parse's position is within the member: say which member, and where it starts in the whole text.
      throw new SyntaxError(`${(e as Error).message} (in the member "${String(key)}", which starts at position ${starts[i]})`);
    }
    Reflect.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  return {
    get: (target, key) => read(target, key),
    getOwnPropertyDescriptor(target, key) {
      const d = Reflect.getOwnPropertyDescriptor(target, key);
      if (d && isMark(d.value)) d.value = read(target, key);
      return d;
    },
  };
}

/**
 * Parses a JSON text as parseBodyExact does (integers of more than 15 digits become digit strings; throws on invalid
 * JSON), except that the object and array members of a top-level object are parsed when first read. Their brackets
 * and strings are checked now; what is between them only when they are read (JSON.parse's error then).
 */
export function parseTopLevelLazy(text: string): unknown {
  if (!OPEN_BRACE.test(text)) return exact(text);
  const members: string[] = [];
  const starts: number[] = [];
  const closers: number[] = [];
  let top = '';
  let last = 0;
  let start = 0;
  let p = text.indexOf('{');
  const n = text.length;
  while (p < n) {
    const c = text.charCodeAt(p);
    if (c === 0x7b || c === 0x5b) {
      if (closers.length === 1) start = p;
      closers.push(c + 2); // { → }, [ → ]
    } else if (c !== closers.pop()) {
      return exact(text); // unbalanced: JSON.parse says what is wrong, and where
    } else if (closers.length === 1) {
      top += `${text.slice(last, start)}${MARK_JSON}${members.length}"`;
      members.push(text.slice(start, p + 1));
      starts.push(start);
      last = p + 1;
    } else if (!closers.length) break;
    TO_BRACKET.lastIndex = p + 1;
    TO_BRACKET.test(text);
    p = TO_BRACKET.lastIndex;
  }
  if (!members.length) return exact(text);
  const object = exact(top + text.slice(last)) as Record<string, unknown>;
  return new Proxy(object, deferred(members, starts));
}
