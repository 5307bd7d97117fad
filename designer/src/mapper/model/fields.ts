// The right pane of the mapper: a core.map config's fields, addressed by index path ([i] at the top, [i, j] for the
// j-th field inside the `each` source of field i). Pure functions over the config data (nodes/core/mapping/README.md).
import type { FieldInput, SourceInput, TransformInput } from './config-types.ts';

export type { FieldInput, SourceInput, TransformInput };
export type Addr = number[];

export function getField(fields: readonly FieldInput[], addr: Addr): FieldInput | undefined {
  let list: readonly FieldInput[] = fields;
  let f: FieldInput | undefined;
  for (const [d, index] of addr.entries()) {
    f = list[index];
    if (!f) return undefined;
    if (d < addr.length - 1) {
      if (f.source.kind !== 'each') return undefined;
      list = f.source.fields;
    }
  }
  return f;
}

/** A copy of `fields` with the field at `addr` replaced by `fn(field)` (or removed when it returns null). */
export function updateField(fields: readonly FieldInput[], addr: Addr, fn: (f: FieldInput) => FieldInput | null): FieldInput[] {
  const [i, ...rest] = addr;
  if (i === undefined) throw new Error('no field address given (an empty index path)');
  const out = [...fields];
  const f = out[i];
  if (!f) throw new Error(`no field at [${addr.join(', ')}]`);
  if (!rest.length) {
    const next = fn(f);
    if (next) out[i] = next;
    else out.splice(i, 1);
    return out;
  }
  if (f.source.kind !== 'each') throw new Error(`field "${f.target}" has no nested fields`);
  out[i] = { ...f, source: { ...f.source, fields: updateField(f.source.fields, rest, fn) } };
  return out;
}

/** Adds a field at the end of the top level (parent null) or inside the `each` field at `parent`. */
export function insertField(fields: readonly FieldInput[], parent: Addr | null, field: FieldInput): { fields: FieldInput[]; addr: Addr } {
  if (!parent?.length) return { fields: [...fields, field], addr: [fields.length] };
  const p = getField(fields, parent);
  if (p?.source.kind !== 'each') throw new Error('fields can only be added inside a list ("each") field');
  const at = p.source.fields.length;
  return {
    fields: updateField(fields, parent, (f) => ({
      ...f,
      source: { ...(f.source as Extract<SourceInput, { kind: 'each' }>), fields: [...(f.source as Extract<SourceInput, { kind: 'each' }>).fields, field] },
    })),
    addr: [...parent, at],
  };
}

/** The `each` list paths enclosing the field at `addr`, outermost first. */
export function eachPathsOf(fields: readonly FieldInput[], addr: Addr): string[] {
  const out: string[] = [];
  for (let d = 1; d < addr.length; d++) {
    const f = getField(fields, addr.slice(0, d));
    if (f?.source.kind === 'each') out.push(f.source.path);
  }
  return out;
}

/** `lines[].sku` for a field inside a list: how it reads in the target pane and how preview traces are matched. */
export function targetLabel(fields: readonly FieldInput[], addr: Addr): string {
  const parts: string[] = [];
  for (let d = 1; d <= addr.length; d++) parts.push(getField(fields, addr.slice(0, d))?.target ?? '?');
  return parts.join('[].');
}

/** Drops concrete indexes so `lines[2].sku` matches the label `lines[].sku`. */
export const genericTarget = (t: string) => t.replace(/\[\d+\]/g, '[]');

/** Every field address, depth first (nested fields after their list). */
export function allAddrs(fields: readonly FieldInput[], base: Addr = []): Addr[] {
  const out: Addr[] = [];
  fields.forEach((f, i) => {
    out.push([...base, i]);
    if (f.source.kind === 'each') out.push(...allAddrs(f.source.fields, [...base, i]));
  });
  return out;
}

export function describeSource(s: SourceInput): string {
  switch (s.kind) {
    case 'path':
      return s.path;
    case 'const':
      return `constant ${JSON.stringify(s.value)}`;
    case 'lookup':
      return `lookup ${s.table}[${
        typeof s.key === 'string'
          ? s.key
          : Object.entries(s.key)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')
      }]${s.column ? `.${s.column}` : ''}`;
    case 'expr':
      return `expression ${s.expr}`;
    case 'each':
      return `each of ${s.path}`;
  }
}

/** True when the field (or one inside it) runs code: the client role may not change it. */
export function hasCode(f: FieldInput): boolean {
  if (f.source.kind === 'expr') return true;
  if (f.source.kind === 'each') return (f.source.filter ?? []).some((c) => 'expr' in c) || f.source.fields.some(hasCode);
  return false;
}

/** A target name not used yet at that level: `field`, `field2`, ... */
export function freshTarget(siblings: readonly FieldInput[], base = 'field'): string {
  const taken = new Set(siblings.map((f) => f.target));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** Where a new source kind starts from, keeping what can be kept of the old one. */
export function switchSourceKind(old: SourceInput, kind: 'path' | 'const' | 'lookup'): SourceInput {
  const path = old.kind === 'path' ? old.path : old.kind === 'lookup' && typeof old.key === 'string' ? old.key : '';
  if (kind === 'path') return { kind, path };
  if (kind === 'const') return { kind, value: old.kind === 'const' ? old.value : '' };
  return { kind, table: old.kind === 'lookup' ? old.table : '', key: path };
}
