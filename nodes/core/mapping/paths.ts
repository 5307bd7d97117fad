// Source and target paths of a mapping: `lineItems[0].sku`, `shippingAddress.countryCode`, `["odd key"]`.
// Scopes: a bare path reads the current element (the map's input at the top level); `$root.` reads the map's input,
// `$parent.` the enclosing element, `$trigger.` the event that started the run, and `$index` is the element's index.

export type Segment = string | number;

export type Scope = 'item' | 'root' | 'parent' | 'trigger' | 'index';

export interface ParsedPath {
  scope: Scope;
  segments: Segment[];
  text: string;
}

export class PathSyntaxError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`path "${path}": ${message}`);
    this.name = 'PathSyntaxError';
  }
}

const SCOPES: Record<string, Scope> = { $root: 'root', $parent: 'parent', $trigger: 'trigger', $index: 'index' };
const cache = new Map<string, ParsedPath>();

export function parsePath(text: string): ParsedPath {
  const hit = cache.get(text);
  if (hit) return hit;
  const segments = parseSegments(text);
  let scope: Scope = 'item';
  const first = segments[0];
  if (typeof first === 'string' && first.startsWith('$')) {
    const s = SCOPES[first];
    if (!s) throw new PathSyntaxError(text, `unknown scope "${first}" (use $root, $parent, $trigger or $index)`);
    scope = s;
    segments.shift();
    if (s === 'index' && segments.length) throw new PathSyntaxError(text, '$index has no fields');
  }
  const parsed = { scope, segments, text };
  if (cache.size > 10_000) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

function parseSegments(text: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) throw new PathSyntaxError(text, 'is empty');
  while (i < n) {
    const c = text[i];
    if (c === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) throw new PathSyntaxError(text, `unclosed "[" at ${i}`);
      const inner = text.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) out.push(JSON.parse(inner) as string);
      else throw new PathSyntaxError(text, `"[${inner}]" must be an index like [0] or a quoted key like ["a b"]`);
      i = close + 1;
      if (i < n && text[i] === '.') {
        i++;
        if (i === n) throw new PathSyntaxError(text, 'ends with "."');
      }
      continue;
    }
    let j = i;
    while (j < n && text[j] !== '.' && text[j] !== '[') j++;
    const key = text.slice(i, j);
    if (!key) throw new PathSyntaxError(text, `empty field name at ${i}`);
    out.push(key);
    i = j;
    if (i < n && text[i] === '.') {
      i++;
      if (i === n) throw new PathSyntaxError(text, 'ends with "."');
    }
  }
  return out;
}

export function formatPath(segments: readonly Segment[]): string {
  let s = '';
  for (const seg of segments) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

/** Reads a value; undefined when any step is missing (never throws on a missing step). */
export function getAt(value: unknown, segments: readonly Segment[]): unknown {
  let v = value;
  for (const seg of segments) {
    if (v === null || v === undefined) return undefined;
    if (typeof seg === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[seg];
    } else {
      if (typeof v !== 'object' || Array.isArray(v)) return undefined;
      if (!Object.hasOwn(v, seg)) return undefined;
      v = (v as Record<string, unknown>)[seg];
    }
  }
  return v;
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** Writes a value, creating objects/arrays on the way. Refuses keys that would reach an object's prototype. */
export function setAt(target: Record<string, unknown>, segments: readonly Segment[], value: unknown): void {
  if (segments.length === 0) throw new Error('cannot set the root');
  let o: Record<string | number, unknown> = target;
  const last = segments.length - 1;
  let i = 0;
  for (const seg of segments) {
    if (typeof seg === 'string' && FORBIDDEN.has(seg)) throw new Error(`"${seg}" is not allowed as a field name`);
    if (i === last) {
      o[seg] = value;
      return;
    }
    let next = o[seg];
    if (next === null || typeof next !== 'object') {
      next = typeof segments[i + 1] === 'number' ? [] : {};
      o[seg] = next;
    }
    o = next as Record<string | number, unknown>;
    i++;
  }
}

/** A JavaScript accessor for the sandbox, e.g. `item?.["lineItems"]?.[0]`. */
export function jsAccessor(base: string, segments: readonly Segment[]): string {
  return base + segments.map((s) => `?.[${JSON.stringify(s)}]`).join('');
}
