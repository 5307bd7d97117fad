import { z } from 'zod';

/** An IANA timezone name (e.g. `Europe/Berlin`), checked against what this Node's Intl knows. */
export const timezoneSchema = z
  .string()
  .default('UTC')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA timezone');
