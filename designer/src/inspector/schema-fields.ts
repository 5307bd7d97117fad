// Turns a node type's config JSON Schema into form fields, and checks a value against its field inline.
// Widget choice: explicit hints first (`format`, `x-widget`, `x-connection-kind`), then well-known property names.
import cronstrue from 'cronstrue';
import type { JsonSchema } from '../api/types.ts';

export type FieldKind = 'text' | 'textarea' | 'code' | 'number' | 'integer' | 'boolean' | 'enum' | 'connection' | 'cron' | 'json';

export interface Field {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: { value: unknown; label: string }[];
  /** For connection pickers: which kind of connection (shopify, erp), when the schema says. */
  connectionKind?: string;
  schema: JsonSchema;
}

const CODE_NAMES = /^(code|condition|expression|script)$|Expression$|Code$/;
const CONNECTION_NAMES = /^connection(Id)?$|ConnectionId$/;

/** `anyOf: [X, {type:'null'}]` (an optional value) is shown as X. */
function unwrap(s: JsonSchema): JsonSchema {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const nonNull = alts.filter((a) => a.type !== 'null');
    const [only] = nonNull;
    if (only && nonNull.length === 1) return { ...only, description: s.description ?? only.description, default: s.default ?? only.default };
  }
  return s;
}

function enumOptions(s: JsonSchema): { value: unknown; label: string }[] | undefined {
  if (Array.isArray(s.enum)) return s.enum.map((v) => ({ value: v, label: String(v) }));
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length && alts.every((a) => 'const' in a)) return alts.map((a) => ({ value: a.const, label: a.title ?? String(a.const) }));
  return undefined;
}

export const humanize = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .replace(/^./, (c) => c.toUpperCase())
    .replace(/\bId\b/, 'ID')
    .replace(/\bMs\b/, '(ms)')
    .replace(/\bMb\b/, '(MB)');

export function fieldsOf(schema: JsonSchema | undefined): Field[] {
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([key, raw]) => {
    const s = unwrap(raw);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    const widget = (s['x-widget'] as string | undefined) ?? s.format;
    const options = enumOptions(s);
    let kind: FieldKind;
    if (widget === 'connection' || s['x-connection-kind'] || (type === 'string' && CONNECTION_NAMES.test(key))) kind = 'connection';
    else if (widget === 'cron' || (type === 'string' && key === 'cron')) kind = 'cron';
    else if (widget === 'javascript' || widget === 'code' || widget === 'expression' || (type === 'string' && CODE_NAMES.test(key))) kind = 'code';
    else if (options) kind = 'enum';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'integer') kind = 'integer';
    else if (type === 'number') kind = 'number';
    else if (type === 'string') kind = widget === 'textarea' || (s.maxLength ?? 0) > 200 ? 'textarea' : 'text';
    else kind = 'json';
    return {
      key,
      label: s.title ?? humanize(key),
      kind,
      required: required.has(key),
      ...(s.description ? { description: s.description } : {}),
      ...(options ? { options } : {}),
      ...(s['x-connection-kind'] ? { connectionKind: String(s['x-connection-kind']) } : {}),
      schema: s,
    };
  });
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/** The first thing wrong with `value` for `field`, as a sentence, or null. */
export function checkField(field: Field, value: unknown): string | null {
  const s = field.schema;
  if (isEmpty(value)) return field.required ? `${field.label} is required` : null;
  switch (field.kind) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || Number.isNaN(value)) return `${field.label} must be a number`;
      if (field.kind === 'integer' && !Number.isInteger(value)) return `${field.label} must be a whole number`;
      if (s.minimum !== undefined && value < s.minimum) return `${field.label} must be at least ${s.minimum}`;
      if (s.maximum !== undefined && value > s.maximum) return `${field.label} must be at most ${s.maximum}`;
      if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return `${field.label} must be more than ${s.exclusiveMinimum}`;
      if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return `${field.label} must be less than ${s.exclusiveMaximum}`;
      return null;
    }
    case 'enum':
      return field.options!.some((o) => o.value === value) ? null : `${field.label} must be one of ${field.options!.map((o) => o.label).join(', ')}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${field.label} must be yes or no`;
    case 'json':
      return null;
    case 'cron':
      return cronProblem(String(value));
    default: {
      const str = String(value);
      if (s.minLength !== undefined && str.length < s.minLength)
        return `${field.label} must have at least ${s.minLength} character${s.minLength > 1 ? 's' : ''}`;
      if (s.maxLength !== undefined && str.length > s.maxLength) return `${field.label} must have at most ${s.maxLength} characters`;
      if (s.pattern && !new RegExp(s.pattern, 'u').test(str)) return `${field.label} does not match the expected format (${s.pattern})`;
      return null;
    }
  }
}

/** Plain-English reading of a cron expression, or null when it cannot be read. */
export function describeCron(expr: string): string | null {
  try {
    return cronstrue.toString(expr, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return null;
  }
}

function cronProblem(expr: string): string | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length < 5 || parts.length > 6) return `a cron expression has 5 or 6 fields, this one has ${parts.length}`;
  return describeCron(expr) ? null : `"${expr}" is not a valid cron expression`;
}
