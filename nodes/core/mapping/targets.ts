// The fields a mapping must produce, read from the next node's declared input schema (NodeType.input, as JSON
// Schema): each with its path (`lines[].sku`), type, description and whether it is required. And which required
// ones a mapping leaves unfilled: a field counts as filled when it is mapped itself, or a whole object/list above it
// is mapped from one source; an optional object or list that is not mapped at all asks nothing of its children.
// Pure functions over JSON data: the designer's mapper uses them too.
import type { FieldInput } from './config.ts';

export interface JsonSchemaLike {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchemaLike>;
  required?: string[];
  items?: JsonSchemaLike;
  anyOf?: JsonSchemaLike[];
  oneOf?: JsonSchemaLike[];
  enum?: unknown[];
  pattern?: string;
  [k: string]: unknown;
}

export interface TargetField {
  /** Dotted path with `[]` for list elements, e.g. `customer.externalId`, `lines[].sku`. */
  path: string;
  /** `string`, `string | integer`, `object`, `list of object`, ... */
  type: string;
  /** Required in its parent (a field inside a list or object is asked for only when that list/object is filled). */
  required: boolean;
  description?: string;
  enum?: unknown[];
  depth: number;
}

/** The non-null variants of a union (zod's `.nullish()` is anyOf [T, null]). */
function variants(s: JsonSchemaLike): JsonSchemaLike[] {
  const alts = s.anyOf ?? s.oneOf;
  if (!alts) return [s];
  return alts.flatMap(variants).filter((v) => v.type !== 'null');
}

function typeName(s: JsonSchemaLike): string {
  const vs = variants(s);
  const names = vs.map((v) =>
    v.type === 'array'
      ? `list of ${v.items ? typeName(v.items) : 'values'}`
      : v.enum
        ? 'choice'
        : Array.isArray(v.type)
          ? v.type.join(' | ')
          : (v.type ?? (v.properties ? 'object' : 'any')),
  );
  return [...new Set(names)].join(' | ');
}

const objectOf = (s: JsonSchemaLike) => variants(s).find((v) => v.properties);
const listOf = (s: JsonSchemaLike) => variants(s).find((v) => v.type === 'array' && v.items);

export function targetFields(schema: JsonSchemaLike, prefix = '', depth = 0): TargetField[] {
  const obj = objectOf(schema);
  if (!obj?.properties) return [];
  const out: TargetField[] = [];
  for (const [name, prop] of Object.entries(obj.properties)) {
    const path = prefix + name;
    const enumVals = variants(prop).find((v) => v.enum)?.enum;
    out.push({
      path,
      type: typeName(prop),
      required: (obj.required ?? []).includes(name),
      depth,
      ...(prop.description ? { description: prop.description } : {}),
      ...(enumVals ? { enum: enumVals } : {}),
    });
    const list = listOf(prop);
    if (list?.items) out.push(...targetFields(list.items, `${path}[].`, depth + 1));
    else out.push(...targetFields(prop, `${path}.`, depth + 1));
  }
  return out;
}

/** Required target paths (`date`, `lines[].sku`) the mapping leaves unfilled. */
export function unfilledRequired(fields: FieldInput[], schema: JsonSchemaLike, prefix = ''): string[] {
  const obj = objectOf(schema);
  if (!obj?.properties) return [];
  const missing: string[] = [];
  for (const [name, prop] of Object.entries(obj.properties)) {
    const exact = fields.find((f) => f.target === name);
    const below = fields.filter((f) => f.target.startsWith(`${name}.`)).map((f) => ({ ...f, target: f.target.slice(name.length + 1) }));
    const list = listOf(prop);
    if (exact) {
      // A list built element by element: its elements must fill what the list's items require.
      if (exact.source.kind === 'each' && list?.items) missing.push(...unfilledRequired(exact.source.fields, list.items, `${prefix}${name}[].`));
    } else if (below.length && objectOf(prop)) {
      missing.push(...unfilledRequired(below, prop, `${prefix}${name}.`));
    } else if ((obj.required ?? []).includes(name)) {
      missing.push(prefix + name);
    }
  }
  return missing;
}
