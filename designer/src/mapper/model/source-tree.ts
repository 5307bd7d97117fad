// The left pane of the mapper: a sample event as a tree of paths the mapping engine understands
// (`order.lineItems[0].sku`, `["odd key"]`). Lists show their first element, which stands for all of them.

export type ValueKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface SourceNode {
  /** The label shown: a key, or `[0]` for the element standing for a list. */
  key: string;
  /** A path `parsePath` accepts. */
  path: string;
  kind: ValueKind;
  /** Leaves: the sample value as text, shortened. */
  preview?: string;
  /** Lists: how many elements the sample has. */
  length?: number;
  children?: SourceNode[];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends a key to a path, quoting keys that are not plain identifiers. */
export function joinKey(base: string, key: string): string {
  if (IDENT.test(key) && !key.startsWith('$')) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

export function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'object' ? 'object' : t === 'number' || t === 'bigint' ? 'number' : t === 'boolean' ? 'boolean' : 'string';
}

export function previewOf(v: unknown, max = 40): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Builds the tree; `maxDepth` stops runaway nesting (a sample is data, not a schema). */
export function buildSourceTree(sample: unknown, maxDepth = 12): SourceNode[] {
  return childrenOf(sample, '', 0, maxDepth);
}

function childrenOf(v: unknown, path: string, depth: number, maxDepth: number): SourceNode[] {
  if (depth >= maxDepth) return [];
  if (Array.isArray(v)) {
    if (!v.length) return [];
    return [nodeFor('[0]', `${path}[0]`, v[0], depth, maxDepth)];
  }
  if (v && typeof v === 'object') return Object.entries(v).map(([k, c]) => nodeFor(k, joinKey(path, k), c, depth, maxDepth));
  return [];
}

function nodeFor(key: string, path: string, v: unknown, depth: number, maxDepth: number): SourceNode {
  const kind = kindOf(v);
  if (kind === 'object') return { key, path, kind, children: childrenOf(v, path, depth + 1, maxDepth) };
  if (kind === 'array') return { key, path, kind, length: (v as unknown[]).length, children: childrenOf(v, path, depth + 1, maxDepth) };
  return { key, path, kind, preview: previewOf(v) };
}

/** Every path of the tree, depth first (the "pick a source" list). */
export function flattenPaths(nodes: SourceNode[]): SourceNode[] {
  const out: SourceNode[] = [];
  const walk = (ns: SourceNode[]) => {
    for (const n of ns) {
      out.push(n);
      if (n.children) walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

/** Keeps the nodes whose path contains `q` (case-insensitive) and the branches leading to them. */
export function filterTree(nodes: SourceNode[], q: string): SourceNode[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return nodes;
  const out: SourceNode[] = [];
  for (const n of nodes) {
    const kids = n.children ? filterTree(n.children, q) : [];
    if (n.path.toLowerCase().includes(needle) || kids.length) out.push({ ...n, ...(n.children ? { children: kids.length ? kids : n.children } : {}) });
  }
  return out;
}

/**
 * The path to write into a field, given where the field sits. Inside an `each` over `order.lineItems`, dropping
 * `order.lineItems[0].sku` means the element's `sku`; anything else is read from the map's input with `$root.`.
 */
export function relativeSourcePath(path: string, eachPaths: string[]): string {
  const inner = eachPaths.at(-1);
  if (inner === undefined) return path;
  const prefix = `${absoluteOf(inner, eachPaths.slice(0, -1))}[0]`;
  if (path.startsWith(`${prefix}.`)) return path.slice(prefix.length + 1);
  if (path.startsWith(`${prefix}[`)) return path.slice(prefix.length);
  return path.startsWith('$') ? path : `$root.${path}`;
}

/** The absolute sample path of a list mapped by nested `each` sources (their paths are relative to each other). */
export function absoluteOf(path: string, outer: string[]): string {
  if (path.startsWith('$root.')) return path.slice(6);
  const innermost = outer.at(-1);
  if (innermost === undefined) return path;
  const parent = `${absoluteOf(innermost, outer.slice(0, -1))}[0]`;
  return path.startsWith('[') ? `${parent}${path}` : `${parent}.${path}`;
}
