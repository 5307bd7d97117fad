// What kind of value a field holds (money amount, ISO currency, ISO date, country code, email, GID...), for sources
// (declared in the catalogue) and targets (read from the JSON Schema's type, format, pattern and words), and how
// well a source kind can fill a target kind.

export type ValueKind =
  | 'gid'
  | 'id'
  | 'code'
  | 'name'
  | 'text'
  | 'string'
  | 'email'
  | 'phone'
  | 'datetime'
  | 'date'
  | 'money'
  | 'decimal'
  | 'integer'
  | 'number'
  | 'currency'
  | 'country'
  | 'region'
  | 'boolean'
  | 'strings'
  | 'uuid'
  | 'enum'
  | 'object';

export const KIND_LABEL: Record<ValueKind, string> = {
  gid: 'a Shopify GID',
  id: 'an identifier',
  code: 'a code',
  name: 'a name',
  text: 'free text',
  string: 'text',
  email: 'an email address',
  phone: 'a phone number',
  datetime: 'an ISO 8601 timestamp',
  date: 'an ISO date',
  money: 'a money amount',
  decimal: 'a decimal number',
  integer: 'a whole number',
  number: 'a number',
  currency: 'an ISO 4217 currency code',
  country: 'an ISO 3166 country code',
  region: 'a region code',
  boolean: 'a yes/no flag',
  strings: 'a list of texts',
  uuid: 'an ERP-internal UUID',
  enum: 'one of fixed values',
  object: 'an object',
};

const TEXTY = new Set<ValueKind>(['id', 'gid', 'code', 'name', 'text', 'string', 'region', 'phone']);

/** -1 (cannot fill) .. 1 (same kind). */
export function compatibility(target: ValueKind, source: ValueKind): number {
  if (target === source) return 1;
  const pair = `${target}<${source}`;
  switch (pair) {
    case 'date<datetime':
      return 0.8;
    case 'datetime<date':
      return 0.5;
    case 'money<decimal':
    case 'decimal<money':
      return 0.5;
    case 'number<money':
      return 0.6;
    case 'number<integer':
    case 'decimal<integer':
    case 'integer<number':
      return 0.9;
    case 'number<decimal':
    case 'integer<decimal':
      return 0.6;
    case 'money<integer':
    case 'money<number':
      return -0.2;
    case 'id<gid':
    case 'gid<id':
      return 0.8;
    case 'code<currency':
    case 'code<country':
      return 0.2;
    case 'string<strings':
      return 0.4;
    case 'code<strings':
      return 0.3;
    case 'strings<string':
    case 'strings<code':
      return 0.1;
    case 'region<string':
      return 0.1;
    case 'id<code':
      return 0.8;
    case 'id<strings':
      return 0.3;
    case 'id<name':
      return -0.1;
    case 'id<string':
    case 'id<text':
      return -0.3;
    case 'id<currency':
    case 'id<country':
      return 0;
    case 'id<region':
      return 0.1;
    case 'code<gid':
      return -0.3;
    case 'code<id':
      return 0.2;
    case 'code<name':
    case 'code<string':
      return 0;
    case 'code<region':
      return 0.5;
  }
  if (source === 'boolean' || target === 'boolean') return -1;
  if (['currency', 'country', 'email'].includes(target)) return -1;
  if (target === 'uuid') return -0.6;
  if (target === 'strings') return -0.6;
  if (['money', 'decimal', 'number', 'integer'].includes(target)) return TEXTY.has(source) ? -0.8 : -0.5;
  if (target === 'date' || target === 'datetime') return -1;
  if (target === 'enum') return TEXTY.has(source) ? 0 : -0.5;
  if (TEXTY.has(target)) {
    if (TEXTY.has(source) || source === 'email') return target === 'phone' || source === 'phone' ? -0.3 : 0.3;
    if (source === 'currency' || source === 'country') return -0.2;
    if (source === 'strings') return 0;
    return -0.6;
  }
  return 0;
}

/** Does a sample value look like this kind? null when the value says nothing (missing). */
export function valueFits(kind: ValueKind, v: unknown): boolean | null {
  if (v === null || v === undefined || v === '') return null;
  const s = typeof v === 'string' ? v : undefined;
  switch (kind) {
    case 'currency':
      return !!s && /^[A-Z]{3}$/.test(s);
    case 'country':
      return !!s && /^[A-Z]{2}$/.test(s);
    case 'email':
      return !!s && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s);
    case 'date':
    case 'datetime':
      return !!s && /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s));
    case 'money':
    case 'decimal':
      return (!!s && /^-?\d+(\.\d+)?$/.test(s)) || typeof v === 'number';
    case 'integer':
      return Number.isInteger(v) || (!!s && /^-?\d+$/.test(s));
    case 'number':
      return typeof v === 'number' || (!!s && /^-?\d+(\.\d+)?$/.test(s));
    case 'boolean':
      return typeof v === 'boolean';
    case 'gid':
      return !!s && s.startsWith('gid://');
    case 'uuid':
      return !!s && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
    case 'strings':
      return Array.isArray(v);
    default:
      return null;
  }
}
