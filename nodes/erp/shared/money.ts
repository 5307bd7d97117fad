// Decimal helpers: amounts travel as strings and are computed with decimal.js, never with floats.
import { Decimal } from 'decimal.js';
import { permanentError } from '../../../runtime/node-api.ts';

export { Decimal };

const DEC = /^-?\d+(\.\d+)?$/;

/** Parses a decimal string (or a safe integer) or throws a permanent error naming the field. */
export function dec(value: unknown, field: string): Decimal {
  if (typeof value === 'number' && Number.isInteger(value)) return new Decimal(value);
  if (typeof value === 'string' && DEC.test(value.trim())) return new Decimal(value.trim());
  throw permanentError(`${field} must be a decimal string like "19.99", got ${JSON.stringify(value)}`, {
    code: 'INVALID_INPUT',
    details: { field, value },
  });
}

/** Fixed 2-decimal money string. */
export const money = (d: Decimal.Value): string => new Decimal(d).toFixed(2);

/** A quantity without trailing zeros ("3", "1.5"). */
export const qty = (d: Decimal.Value): string => new Decimal(d).toString();

export const sum = (xs: Decimal.Value[]): Decimal => xs.reduce<Decimal>((a, b) => a.plus(b), new Decimal(0));
