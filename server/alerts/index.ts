// Alerts: build channels per owning team from a JSON config (e.g. the LEDGERLINE_ALERTS env var or a settings
// file) and start the dispatcher on the exception service. Secrets (SMTP password, Slack URL, signing secret)
// belong in the config source the host keeps secret, never in logs.
import { z } from 'zod';
import type { ExceptionService } from '../exceptions/store/index.ts';
import { emailChannel, slackChannel, webhookChannel, type Channel } from './channels.ts';
import { AlertDispatcher, type AlertConfig } from './dispatcher.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const channel = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('email'),
      smtp: z
        .object({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535),
          secure: z.boolean().optional(),
          requireTLS: z.boolean().optional(),
          auth: z.object({ user: z.string(), pass: z.string() }).optional(),
        })
        .strict(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
    })
    .strict(),
  z.object({ kind: z.literal('slack'), url: z.string().url() }).strict(),
  z.object({ kind: z.literal('webhook'), url: z.string().url(), secret: z.string().min(16) }).strict(),
]);

export const alertsConfigSchema = z
  .object({
    teams: z.object({ finance: z.array(channel).default([]), operations: z.array(channel).default([]), ecommerce: z.array(channel).default([]) }).strict(),
    quietHours: z
      .object({ timezone: z.string().min(1), from: hhmm, to: hhmm })
      .strict()
      .optional(),
    digestEveryMinutes: z.number().int().min(1).default(60),
    immediate: z.array(z.enum(['low', 'medium', 'high'])).default(['high']),
    baseUrl: z.string().url().optional(),
  })
  .strict();

export type AlertsConfig = z.input<typeof alertsConfigSchema>;

export function buildChannel(c: z.infer<typeof channel>): Channel {
  if (c.kind === 'email') return emailChannel({ smtp: c.smtp, from: c.from, to: c.to });
  if (c.kind === 'slack') return slackChannel({ url: c.url });
  return webhookChannel({ url: c.url, secret: c.secret });
}

/** Validates the config (errors name the field, never echo values) and returns a started dispatcher. */
export function startAlerts(svc: ExceptionService, config: unknown, opts: Pick<AlertConfig, 'log' | 'now' | 'workspace'> = {}): AlertDispatcher {
  const r = alertsConfigSchema.safeParse(config);
  if (!r.success) throw new Error(`invalid alerts config: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const c = r.data;
  const d = new AlertDispatcher(svc, {
    teams: { finance: c.teams.finance.map(buildChannel), operations: c.teams.operations.map(buildChannel), ecommerce: c.teams.ecommerce.map(buildChannel) },
    quietHours: c.quietHours,
    digestEveryMs: c.digestEveryMinutes * 60_000,
    immediate: c.immediate,
    baseUrl: c.baseUrl,
    ...opts,
  });
  d.start();
  return d;
}

export { AlertDispatcher, inQuietHours, type AlertConfig, type QuietHours } from './dispatcher.ts';
export { emailChannel, slackChannel, webhookChannel, signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, type Channel, type AlertMessage } from './channels.ts';
