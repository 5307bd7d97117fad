// The target fields of a JSON Schema (object with properties, descriptions, types, formats, nested arrays for lines):
// one entry per leaf, with its path (`lines[].unitPrice`), the words around it and the kind of value it wants.
import type { ValueKind } from './kinds.ts';
import { tokens } from './tokens.ts';

type Schema = Record<string, unknown>;

export interface TargetField {
  /** e.g. `lines[].unitPrice`, `customer.address.city`. */
  path: string;
  segments: string[];
  /** The nearest enclosing array, e.g. `lines` or `item.items`; null at the top level. */
  list: string | null;
  /** The enclosing arrays' own descriptions and names (to align `lines` with `lineItems`). */
  listWords: string;
  description: string;
  /** Descriptions of the enclosing objects, nearest first. */
  context: string[];
  type: string | null;
  format: string | null;
  pattern: string | null;
  enum: unknown[] | null;
  examples: unknown[];
  required: boolean;
  kind: ValueKind;
}

export class TargetSchemaError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`target schema ${where || '(root)'}: ${message}`);
    this.name = 'TargetSchemaError';
  }
}

function resolveRef(root: Schema, s: Schema, where: string, depth = 0): Schema {
  if (typeof s.$ref !== 'string') return s;
  if (depth > 20) throw new TargetSchemaError(where, `$ref cycle at ${s.$ref}`);
  const ref = s.$ref;
  if (!ref.startsWith('#/')) throw new TargetSchemaError(where, `only local $ref ("#/...") is supported, got ${ref}`);
  let v: unknown = root;
  for (const part of ref.slice(2).split('/')) v = (v as Schema | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (!v || typeof v !== 'object') throw new TargetSchemaError(where, `$ref ${ref} does not resolve`);
  const { $ref: _ignored, ...rest } = s;
  return resolveRef(root, { ...(v as Schema), ...rest }, where, depth + 1);
}

/** Folds `anyOf/oneOf` with null, `allOf`, and `type: [x, "null"]` into one plain schema. */
function normalise(root: Schema, s0: Schema, where: string): Schema {
  let s = resolveRef(root, s0, where);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = s[key];
    if (Array.isArray(alts)) {
      const nonNull = (alts as Schema[]).map((a) => resolveRef(root, a, where)).filter((a) => a.type !== 'null');
      if (nonNull.length >= 1) {
        const { [key]: _x, ...rest } = s;
        s = { ...nonNull[0], ...rest };
      }
    }
  }
  if (Array.isArray(s.allOf)) {
    const { allOf, ...rest } = s;
    const merged: Schema = { ...rest };
    for (const part of allOf as Schema[]) {
      const p = normalise(root, part, where);
      merged.properties = { ...(merged.properties as Schema | undefined), ...(p.properties as Schema | undefined) };
      for (const [k, v] of Object.entries(p)) if (k !== 'properties' && merged[k] === undefined) merged[k] = v;
    }
    s = merged;
  }
  if (Array.isArray(s.type)) {
    const types = (s.type as string[]).filter((t) => t !== 'null');
    s = { ...s, type: types[0] ?? 'null' };
  }
  return s;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function kindOf(s: Schema, name: string, description: string): ValueKind {
  const type = str(s.type);
  const format = str(s.format);
  const pattern = str(s.pattern);
  const words = new Set(tokens(`${name} ${description}`));
  const nameWords = new Set(tokens(name));
  if (format === 'email' || nameWords.has('email')) return 'email';
  if (format === 'date') return 'date';
  if (format === 'date-time') return 'datetime';
  if (format === 'uuid') return 'uuid';
  if (type === 'boolean') return 'boolean';
  if (type === 'array') {
    const items = (s.items ?? {}) as Schema;
    return items.type === 'object' ? 'object' : 'strings';
  }
  if (Array.isArray(s.enum)) return 'enum';
  if (/^\^?\[A-Z\]\{3\}\$?$/.test(pattern) || (words.has('currency') && (words.has('code') || words.has('4217') || nameWords.has('currency'))))
    return 'currency';
  // ERPs take countries as ISO codes; a bare `country` target is one too (the sample check catches an exception).
  if (/^\^?\[A-Z\]\{2\}\$?$/.test(pattern) || nameWords.has('country')) return 'country';
  const moneyish = ['price', 'amount', 'total', 'discount', 'charge', 'fee'].some((w) => nameWords.has(w));
  const numeric = type === 'number' || type === 'integer' || /\\d/.test(pattern);
  if (numeric) {
    if (words.has('percent') || /%/.test(description)) return 'decimal';
    if (moneyish || ['price', 'amount'].some((w) => words.has(w))) return 'money';
    return type === 'integer' ? 'integer' : type === 'number' ? 'number' : 'decimal';
  }
  if (nameWords.has('province')) return 'region';
  if (nameWords.has('code')) return 'code';
  if (['id', 'reference', 'number'].some((w) => nameWords.has(w))) return 'id';
  if (nameWords.has('date') || /\b(date)\b/i.test(description.split('.')[0] ?? '')) return words.has('time') ? 'datetime' : 'date';
  if (nameWords.has('phone')) return 'phone';
  return 'string';
}

/** Leaves that only say which handle of their parent they are (`code`, `id`, `name`, `refName`). */
export const GENERIC_LEAVES = new Set(['code', 'id', 'reference', 'name', 'value', 'number', 'key', 'text', 'external']);

/** The leaf's name, with its parent's when the leaf alone is generic: `currency.code` -> "currency code". */
export function effectiveName(segs: string[]): string {
  const clean = segs.map((x) => x.replace(/\[\]$/, ''));
  const last = clean[clean.length - 1] ?? '';
  const generic = tokens(last).every((w) => GENERIC_LEAVES.has(w));
  const parent = (clean[clean.length - 2] ?? '').replace(/_id$|Id$/, '');
  return generic && clean.length > 1 ? `${parent} ${last}` : last;
}

/** Every leaf of the schema; arrays of objects become `name[]` segments. */
export function targetFields(schema: unknown): TargetField[] {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new TargetSchemaError('', 'must be a JSON Schema object');
  const root = schema as Schema;
  const out: TargetField[] = [];
  const visit = (s0: Schema, segs: string[], list: string | null, listWords: string, context: string[], required: boolean, depth: number) => {
    const where = segs.join('.');
    if (depth > 12) throw new TargetSchemaError(where, 'nested deeper than 12 levels');
    const s = normalise(root, s0, where);
    const name = segs[segs.length - 1]?.replace(/\[\]$/, '') ?? '';
    const description = [str(s.title), str(s.description)].filter(Boolean).join('. ');
    if (s.type === 'object' || (s.properties && typeof s.properties === 'object')) {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const req = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const ctx = segs.length ? [description || name, ...context] : context;
      for (const [k, v] of Object.entries(props)) {
        if (!v || typeof v !== 'object') throw new TargetSchemaError([...segs, k].join('.'), 'property schema must be an object');
        visit(v, [...segs, k], list, listWords, ctx, required && req.has(k), depth + 1);
      }
      return;
    }
    if (s.type === 'array' && s.items && typeof s.items === 'object') {
      const items = normalise(root, s.items as Schema, where);
      if (items.type === 'object' || items.properties) {
        const arr = [...segs.slice(0, -1), `${name}[]`];
        const listPath = arr.join('.').replace(/\[\]$/, '');
        visit(
          items,
          arr,
          listPath,
          `${listWords} ${name} ${description} ${str(items.description)}`.trim(),
          [description || name, ...context],
          required,
          depth + 1,
        );
        return;
      }
    }
    if (!segs.length) throw new TargetSchemaError('', 'the root must be an object with properties');
    out.push({
      path: segs.join('.'),
      segments: segs,
      list,
      listWords,
      description,
      context,
      required,
      type: str(s.type) || null,
      format: str(s.format) || null,
      pattern: str(s.pattern) || null,
      enum: Array.isArray(s.enum) ? s.enum : null,
      examples: Array.isArray(s.examples) ? s.examples : s.example !== undefined ? [s.example] : [],
      kind: kindOf(s, effectiveName(segs), description),
    });
  };
  visit(root, [], null, '', [], true, 0);
  if (!out.length) throw new TargetSchemaError('', 'has no properties to map');
  return out;
}
