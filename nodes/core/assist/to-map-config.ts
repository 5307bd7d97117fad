// Accepted suggestions -> core.map fields: a target inside a list (`lines[].sku`) becomes one `each` field over the
// source list its suggestions come from (`order.lineItems`), with element paths inside; an order-level value on a line
// (the warehouse) reads `$root.`. `sourceRoot` re-roots `order.` for map nodes whose input nests the order
// (`shopify.order` in the order-to-ERP template).
import type { FieldInput } from '../mapping/config.ts';
import type { MapTransform } from './suggest.ts';

export interface AcceptedSuggestion {
  target: string;
  /** Canonical source path, e.g. `order.lineItems[].sku`. */
  path: string;
  transforms?: MapTransform[];
  required?: boolean;
}

export interface BuiltFields {
  fields: FieldInput[];
  /** Targets that could not be expressed (a source in a different list than its siblings'), with why. */
  skipped: Array<{ target: string; reason: string }>;
}

const reroot = (path: string, root: string) => (root === 'order' ? path : root === '' ? path.replace(/^order\.?/, '') : path.replace(/^order(?=\.|$)/, root));

export function mapFieldsFromSuggestions(accepted: AcceptedSuggestion[], opts: { sourceRoot?: string } = {}): BuiltFields {
  const root = opts.sourceRoot ?? 'order';
  const fields: FieldInput[] = [];
  const skipped: BuiltFields['skipped'] = [];
  const lists = new Map<string, AcceptedSuggestion[]>();
  const field = (a: AcceptedSuggestion, target: string, path: string): FieldInput => ({
    target,
    source: { kind: 'path', path },
    ...(a.transforms?.length ? { transforms: a.transforms as FieldInput['transforms'] } : {}),
    ...(a.required === false ? { required: false } : {}),
  });
  for (const a of accepted) {
    const i = a.target.indexOf('[]');
    if (i < 0) {
      if (a.path.includes('[]')) skipped.push({ target: a.target, reason: `${a.path} is a list; ${a.target} takes one value` });
      else fields.push(field(a, a.target, reroot(a.path, root)));
      continue;
    }
    const list = a.target.slice(0, i);
    lists.set(list, [...(lists.get(list) ?? []), a]);
  }
  for (const [list, members] of lists) {
    // The source list most of the list's fields come from drives the `each`.
    const counts = new Map<string, number>();
    for (const m of members) {
      const j = m.path.indexOf('[]');
      if (j >= 0) counts.set(m.path.slice(0, j), (counts.get(m.path.slice(0, j)) ?? 0) + 1);
    }
    const sourceList = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    if (!sourceList) {
      for (const m of members) skipped.push({ target: m.target, reason: `no source list to repeat ${list}[] over` });
      continue;
    }
    const inner: FieldInput[] = [];
    for (const m of members) {
      const rest = m.target.slice(list.length + 3);
      if (!rest || rest.includes('[]')) {
        skipped.push({ target: m.target, reason: 'lists nested in lists are not filled by suggestions' });
        continue;
      }
      if (m.path.startsWith(`${sourceList}[].`) && !m.path.slice(sourceList.length + 3).includes('[]'))
        inner.push(field(m, rest, m.path.slice(sourceList.length + 3)));
      else if (!m.path.includes('[]')) inner.push(field(m, rest, `$root.${reroot(m.path, root)}`));
      else skipped.push({ target: m.target, reason: `${m.path} is not in ${sourceList}[], which ${list}[] repeats over` });
    }
    // An optional list (its fields all optional) may be missing from an order.
    const optional = members.every((m) => m.required === false);
    if (inner.length)
      fields.push({
        target: list,
        ...(optional ? { required: false } : {}),
        source: { kind: 'each', path: reroot(sourceList, root), fields: inner },
      } as FieldInput);
  }
  return { fields, skipped };
}
