import { z } from 'zod';
import { Cron } from 'croner';
import { defineNode } from '../../runtime/node-api.ts';
import { timezoneSchema } from './timezone.ts';

export const scheduleConfig = z
  .object({
    cron: z
      .string()
      .min(1)
      .superRefine((expr, ctx) => {
        try {
          new Cron(expr, { paused: true });
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `invalid cron expression "${expr}": ${(e as Error).message}` });
        }
      }),
    timezone: timezoneSchema,
  })
  .strict();

export interface ScheduleFired {
  scheduledFor: string;
  firedAt: string;
  timezone: string;
}

/** The next fire time after `from`, in the schedule's timezone. Hosts use it to fire schedule triggers. */
export function nextFire(config: z.infer<typeof scheduleConfig>, from: Date): Date | null {
  return new Cron(config.cron, { timezone: config.timezone, paused: true }).nextRun(from);
}

export const scheduleTrigger = defineNode({
  type: 'trigger.schedule',
  version: 1,
  title: 'Schedule',
  category: 'trigger',
  description: 'Starts the flow on a cron schedule (5 or 6 fields) in a given IANA timezone, e.g. `0 2 * * *` in Europe/Berlin.',
  config: scheduleConfig,
  inputs: [],
  outputs: [{ id: 'out' }],
  idempotent: true,
  dryRun: 'pure',
  trigger: 'schedule',
  sampleOutput: { scheduledFor: '2026-11-27T02:00:00.000Z', firedAt: '2026-11-27T02:00:00.012Z', timezone: 'UTC' } as ScheduleFired,
  execute: (ctx, event: Partial<ScheduleFired> | undefined) => {
    const now = ctx.now().toISOString();
    return { scheduledFor: event?.scheduledFor ?? now, firedAt: event?.firedAt ?? now, timezone: ctx.config.timezone };
  },
});
