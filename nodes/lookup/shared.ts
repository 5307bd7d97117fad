// Helpers the lookup nodes share: reaching the service, reading paths, and the "add the row, then replay" error.
import { permanentError, type NodeContext, type LookupSnapshot, type LookupSource } from '../../runtime/node-api.ts';
import { formatPath, getAt, parsePath, type PathSyntaxError, type Segment } from '../core/mapping/paths.ts';
import { describeKey } from './describe-key.ts';

export function lookups(ctx: NodeContext): LookupSource {
  const s = ctx.lookups;
  if (!s) throw permanentError(`node "${ctx.nodeId}": this host provides no lookup tables (services.lookups)`, { code: 'LOOKUP_SERVICE_MISSING' });
  return s;
}

export async function openTable(ctx: NodeContext, src: LookupSource, name: string): Promise<LookupSnapshot> {
  try {
    return await src.snapshot(name, { flowId: ctx.flowId });
  } catch (e) {
    throw permanentError(`node "${ctx.nodeId}": ${(e as Error).message}`, { code: 'LOOKUP_TABLE_MISSING', details: { table: name } });
  }
}

export function valueColumn(ctx: NodeContext, snap: LookupSnapshot, column: string | undefined): string {
  const c = column ?? snap.valueColumns[0];
  if (c === undefined) throw permanentError(`node "${ctx.nodeId}": lookup table "${snap.name}" has no value columns`, { code: 'LOOKUP_COLUMN_MISSING' });
  if (!snap.valueColumns.includes(c)) {
    throw permanentError(`node "${ctx.nodeId}": lookup table "${snap.name}" has no value column "${c}" (it has ${snap.valueColumns.join(', ')})`, {
      code: 'LOOKUP_COLUMN_MISSING',
    });
  }
  return c;
}

/** The table's first key column: the one a single-path key (`key: "$.gateway"`) reads. */
export function firstKeyColumn(ctx: NodeContext, snap: LookupSnapshot): string {
  const k = snap.keyColumns[0];
  if (!k) throw permanentError(`node "${ctx.nodeId}": lookup table "${snap.name}" has no key column`, { code: 'LOOKUP_COLUMN_MISSING' });
  return k.name;
}

/** A fresh copy of the input to enrich, made from its JSON text when the runtime has it (cheaper than a deep clone). */
export function copyInput<T>(ctx: NodeContext, input: T): T {
  return ctx.rawInput ? (JSON.parse(ctx.rawInput.text) as T) : structuredClone(input);
}

/**
 * A copy of the input to enrich in which only the containers down to each of `paths` and everything under them are
 * new; the rest (a whole Shopify order's `raw`, the customer) is shared with the input, which stays as it was. A lookup
 * writes into a few lists of a large order: copying all of it for each lookup step was a cost of every order
 * (bench/README.md "Order to ERP": copyInput re-parsing the whole order).
 */
export function copyAlong<T>(input: T, paths: ReadonlyArray<readonly Segment[]>, under: (v: unknown) => unknown = cloneJson): T {
  if (input === null || typeof input !== 'object') return input;
  const root = (Array.isArray(input) ? [...input] : { ...input }) as Record<Segment, unknown>;
  for (const path of paths) {
    let parent = root;
    for (let i = 0; i < path.length; i++) {
      const k = path[i] as Segment;
      const v = parent[k];
      if (v === null || typeof v !== 'object') break;
      const copy = i === path.length - 1 ? under(v) : Array.isArray(v) ? [...v] : { ...v };
      parent[k] = copy;
      parent = copy as Record<Segment, unknown>;
    }
  }
  return root as T;
}

/** A deep copy of JSON data, as a JSON round trip would give it (several times faster than structuredClone here). */
export function cloneJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' ? null : cloneJson(x)));
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(v));
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== 'function') o[k] = cloneJson(x);
  }
  return o;
}

/** Reads `path` from an element; `$root.` reads the node's input. */
export function reader(ctx: NodeContext, path: string): { read(el: unknown, root: unknown): unknown; segments: Segment[]; text: string } {
  let p;
  try {
    p = parsePath(path);
  } catch (e) {
    throw permanentError(`node "${ctx.nodeId}": ${(e as PathSyntaxError).message}`, { code: 'INVALID_CONFIG' });
  }
  if (p.scope !== 'item' && p.scope !== 'root') throw permanentError(`node "${ctx.nodeId}": path "${path}" may only use $root`, { code: 'INVALID_CONFIG' });
  const parsed = p;
  return { read: (el, root) => getAt(parsed.scope === 'root' ? root : el, parsed.segments), segments: parsed.segments, text: parsed.text };
}

export interface Miss {
  key: Record<string, unknown>;
  at: string;
}

/** Collects every missing key of a step (deduplicated), so one replay after adding all rows is enough. */
export class Misses {
  private seen = new Map<string, Miss>();
  add(key: Record<string, unknown>, at: Segment[]) {
    const k = JSON.stringify(key);
    if (!this.seen.has(k)) this.seen.set(k, { key, at: formatPath(at) || '$' });
  }
  get size() {
    return this.seen.size;
  }
  throwIfAny(_ctx: NodeContext, snap: LookupSnapshot): void {
    const list = [...this.seen.values()];
    const first = list[0];
    if (!first) return;
    const more =
      list.length > 1
        ? `; and ${list.length - 1} more: ${list
            .slice(1, 6)
            .map((m) => `${describeKey(m.key)}`)
            .join('; ')}${list.length > 6 ? '; ...' : ''}`
        : '';
    throw permanentError(
      `lookup table "${snap.name}" (version ${snap.version}) has no row for ${describeKey(first.key)} (at ${first.at})${more}. Add the row, then replay the run.`,
      { code: 'LOOKUP_MISSING', details: { table: snap.name, scope: snap.scope, version: snap.version, missing: list.slice(0, 100) } },
    );
  }
}

export async function recordUse(ctx: NodeContext, src: LookupSource, snap: LookupSnapshot): Promise<void> {
  await src.recordUse?.({ runId: ctx.runId, nodeId: ctx.nodeId, tableId: snap.id, version: snap.version });
  ctx.readConfig?.({ kind: 'lookup', table: snap.name, scope: snap.scope, tableId: snap.id, version: snap.version });
}

export const listAt = (ctx: NodeContext, v: unknown, where: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw permanentError(`node "${ctx.nodeId}": "${where}" is not a list`, { code: 'INVALID_INPUT', details: { path: where } });
  return v;
};
