// Trading hours in a timezone: whether a moment falls inside them, and when today's trading started.
import { z } from 'zod';
import { timezoneSchema } from '../core/timezone.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');

export const tradingHoursSchema = z
  .object({
    timezone: timezoneSchema,
    /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
    from: hhmm.default('09:00'),
    to: hhmm.default('18:00'),
  })
  .refine((h) => h.from < h.to, { message: '`from` must be before `to` (overnight windows are not supported)', path: ['to'] });

export type TradingHours = z.infer<typeof tradingHoursSchema>;

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const minutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** The local weekday and minute of day of `at` in the hours' timezone. */
function local(at: Date, tz: string): { day: number; minute: number; second: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const day = WEEKDAY[parts.weekday ?? ''];
  if (day === undefined) throw new Error(`trading hours: no weekday for ${at.toISOString()} in timezone ${tz} (got "${parts.weekday}")`);
  return { day, minute: Number(parts.hour) * 60 + Number(parts.minute), second: Number(parts.second) };
}

/** When today's trading window opened (ms epoch), or null when `at` is outside trading hours. */
export function tradingSince(h: TradingHours, at: Date): number | null {
  const l = local(at, h.timezone);
  if (!h.days.includes(l.day)) return null;
  const from = minutes(h.from);
  if (l.minute < from || l.minute >= minutes(h.to)) return null;
  return at.getTime() - ((l.minute - from) * 60 + l.second) * 1000 - (at.getTime() % 1000);
}
