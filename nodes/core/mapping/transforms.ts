// Built-in transforms: data, not code, so they run in the host. Decimal work uses decimal.js, never floats.
import { Decimal } from 'decimal.js';
import type { Rounding, Transform } from './config.ts';

export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformError';
  }
}

const ROUND: Record<Rounding, Decimal.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
  'half-down': Decimal.ROUND_HALF_DOWN,
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
  ceiling: Decimal.ROUND_CEIL,
  floor: Decimal.ROUND_FLOOR,
};

export const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

const DEC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal from a decimal string or a finite number (numbers go through their shortest text form). */
export function toDecimal(v: unknown): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return new Decimal(String(v));
  if (typeof v === 'string' && DEC.test(v.trim())) return new Decimal(v.trim());
  throw new TransformError(`${describe(v)} is not a number`);
}

function text(v: unknown, op: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TransformError(`${op} needs text, got ${describe(v)}`);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** Reads an operand or concat part; `path` resolves in the field's scope. */
export type Resolve = (path: string) => unknown;

export function applyTransforms(ts: readonly Transform[], value: unknown, resolve: Resolve): unknown {
  let v = value;
  let n = 0;
  for (const t of ts) {
    n++;
    try {
      v = applyTransform(t, v, resolve);
    } catch (e) {
      if (e instanceof TransformError) throw new TransformError(`transform #${n} (${t.op}): ${e.message}`);
      throw e;
    }
  }
  return v;
}

export function applyTransform(t: Transform, v: unknown, resolve: Resolve): unknown {
  if (t.op === 'default') return isEmpty(v) || (Array.isArray(v) && v.length === 0) ? t.value : v;
  if (t.op === 'concat') {
    const parts = [v, ...t.parts.map((p) => ('path' in p ? resolve(p.path) : p.const))].filter((p) => !isEmpty(p));
    return parts.map((p) => text(p, 'concat')).join(t.separator);
  }
  // Everything else passes an empty value through, so `default` (or `required`) decides what empty means.
  if (v === undefined || v === null) return v;
  switch (t.op) {
    case 'trim': {
      const s = text(v, 'trim');
      return t.side === 'start' ? s.trimStart() : t.side === 'end' ? s.trimEnd() : s.trim();
    }
    case 'case': {
      const s = text(v, 'case');
      if (t.to === 'upper') return s.toUpperCase();
      if (t.to === 'lower') return s.toLowerCase();
      return s.toLowerCase().replace(/(^|[\s\-_/])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());
    }
    case 'pad': {
      const s = text(v, 'pad');
      return t.side === 'start' ? s.padStart(t.length, t.char) : s.padEnd(t.length, t.char);
    }
    case 'truncate':
      return [...text(v, 'truncate')].slice(0, t.length).join('');
    case 'replace':
      return text(v, 'replace').split(t.find).join(t.with);
    case 'split': {
      const parts = text(v, 'split').split(t.separator);
      if (t.index === undefined) return parts;
      return parts.at(t.index);
    }
    case 'join':
      if (!Array.isArray(v)) throw new TransformError(`join needs a list, got ${describe(v)}`);
      return v
        .filter((p) => !isEmpty(p))
        .map((p) => text(p, 'join'))
        .join(t.separator);
    case 'date':
      return formatDate(v, t.format, t.timeZone);
    case 'decimal':
      return toDecimal(v).toDecimalPlaces(t.places, ROUND[t.rounding]).toFixed(t.places);
    case 'math': {
      const a = toDecimal(v);
      const raw = 'path' in t.operand ? resolve(t.operand.path) : t.operand.const;
      if (isEmpty(raw)) throw new TransformError(`operand ${'path' in t.operand ? `at ${t.operand.path} ` : ''}is empty`);
      const b = toDecimal(raw);
      if (t.operator === 'divide' && b.isZero()) throw new TransformError('division by zero');
      // Plain decimal text, no float and no exponent: a later `decimal` transform sets the places and rounding.
      const r = t.operator === 'add' ? a.plus(b) : t.operator === 'subtract' ? a.minus(b) : t.operator === 'multiply' ? a.times(b) : a.dividedBy(b);
      return r.toFixed();
    }
    case 'negate':
      return toDecimal(v).negated().toFixed();
    case 'type':
      return convert(v, t.to);
  }
}

function convert(v: unknown, to: 'string' | 'integer' | 'number' | 'boolean' | 'decimal'): unknown {
  switch (to) {
    case 'string':
      if (typeof v === 'object') throw new TransformError(`cannot make text of ${describe(v)}`);
      return String(v);
    case 'decimal':
      return toDecimal(v).toFixed();
    case 'integer': {
      const d = toDecimal(v);
      if (!d.isInteger()) throw new TransformError(`${describe(v)} is not a whole number`);
      const n = d.toNumber();
      if (!Number.isSafeInteger(n)) throw new TransformError(`${describe(v)} is too large for an integer`);
      return n;
    }
    case 'number': {
      const d = toDecimal(v);
      const n = d.toNumber();
      // Only numbers that survive the trip exactly: money must stay text.
      if (!new Decimal(n).equals(d)) throw new TransformError(`${describe(v)} cannot be a number without losing precision; keep it as a decimal`);
      return n;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 1 || v === '1' || v === 'yes') return true;
      if (v === 'false' || v === 0 || v === '0' || v === 'no') return false;
      throw new TransformError(`${describe(v)} is not a yes/no value`);
  }
}

// ---- dates -------------------------------------------------------------------------------------------------

const fmtCache = new Map<string, Intl.DateTimeFormat>();

interface DateParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = fmtCache.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new TransformError(`unknown time zone "${timeZone}"`);
    }
    fmtCache.set(timeZone, f);
  }
  return f;
}

/** Milliseconds `timeZone` is ahead of UTC at `ms` (a whole second), from ICU (whole seconds: local mean times had them). */
function offsetFromIcu(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) p[part.type] = +part.value;
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - ms;
}

// ICU's formatToParts costs ≈ 10 µs a call, once per order and date field. Time zones have changed offset on quarter
// hours of UTC since the 1970s (historical local mean times aside), so an offset is cached per zone and UTC quarter
// hour, and checked against ICU outside that era.
const QUARTER_HOUR = 900_000;
const SINCE = Date.UTC(1980, 0, 1);
const offsetCache = new Map<string, number>();

function offsetMs(ms: number, timeZone: string): number {
  const second = Math.floor(ms / 1000) * 1000;
  if (second < SINCE) return offsetFromIcu(second, timeZone);
  const key = `${timeZone} ${Math.floor(second / QUARTER_HOUR)}`;
  let m = offsetCache.get(key);
  if (m === undefined) {
    m = offsetFromIcu(second, timeZone);
    if (offsetCache.size >= 4096) offsetCache.clear();
    offsetCache.set(key, m);
  }
  return m;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The wall-clock fields of `date` in `timeZone`, and that zone's offset from UTC then (minutes). */
function partsIn(date: Date, timeZone: string): DateParts & { offsetMin: number } {
  const offset = offsetMs(date.getTime(), timeZone);
  const wall = new Date(date.getTime() + offset);
  return {
    year: String(wall.getUTCFullYear()),
    month: two(wall.getUTCMonth() + 1),
    day: two(wall.getUTCDate()),
    hour: two(wall.getUTCHours()),
    minute: two(wall.getUTCMinutes()),
    second: two(wall.getUTCSeconds()),
    offsetMin: Math.round(offset / 60_000),
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function formatDate(v: unknown, format: string, timeZone: string): string {
  const s = text(v, 'date').trim();
  let date: Date;
  let dateOnly = false;
  if (ISO_DATE.test(s)) {
    // A calendar date has no instant: keep it as the same day whatever the zone.
    date = new Date(`${s}T00:00:00Z`);
    dateOnly = true;
  } else if (ISO_DATETIME.test(s)) date = new Date(s);
  else throw new TransformError(`${describe(v)} is not an ISO date or date-time with an offset`);
  if (Number.isNaN(date.getTime())) throw new TransformError(`${describe(v)} is not a valid date`);
  const p = partsIn(date, dateOnly ? 'UTC' : timeZone);
  const offsetMin = dateOnly ? 0 : p.offsetMin;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const tokens: Record<string, string> = {
    yyyy: p.year,
    yy: p.year.slice(-2),
    MM: p.month,
    M: String(+p.month),
    dd: p.day,
    d: String(+p.day),
    HH: p.hour,
    H: String(+p.hour),
    mm: p.minute,
    ss: p.second,
    SSS: String(date.getUTCMilliseconds()).padStart(3, '0'),
    XXX: offsetMin === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`,
  };
  let out = '';
  const re = /'([^']*)'|yyyy|yy|MM|M|dd|d|HH|H|mm|ss|SSS|XXX|[A-Za-z]/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    if (m[1] !== undefined) out += m[1];
    else {
      const token = tokens[m[0]];
      if (token === undefined) throw new TransformError(`unknown date token "${m[0]}" in "${format}" (quote literal letters with '...')`);
      out += token;
    }
    last = re.lastIndex;
  }
  return out + format.slice(last);
}
