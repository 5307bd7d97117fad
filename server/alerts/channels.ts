// Alert channels: e-mail over SMTP (nodemailer), a Slack-compatible incoming webhook, and a generic webhook signed
// with HMAC-SHA256. Each sends one AlertMessage; failures throw (the dispatcher retries at the next digest).
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { ExceptionRecord } from '../exceptions/store/index.ts';

export interface AlertMessage {
  /** The workspace the exceptions belong to (absent: the default workspace). */
  workspace?: string;
  team: string;
  kind: 'immediate' | 'digest';
  subject: string;
  text: string;
  exceptions: ExceptionRecord[];
}

export interface Channel {
  readonly name: string;
  send(m: AlertMessage): Promise<void>;
}

export interface SmtpOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** Refuse to send without TLS (production default true unless on loopback). */
  requireTLS?: boolean;
}

export function emailChannel(o: { smtp: SmtpOptions; from: string; to: string[]; name?: string }): Channel {
  if (!o.to.length) throw new Error('email channel: at least one recipient (to) is required');
  const transport = nodemailer.createTransport({
    host: o.smtp.host,
    port: o.smtp.port,
    secure: o.smtp.secure ?? false,
    requireTLS: o.smtp.requireTLS ?? false,
    ...(o.smtp.auth ? { auth: o.smtp.auth } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name: o.name ?? `email:${o.to.join(',')}`,
    async send(m) {
      await transport.sendMail({ from: o.from, to: o.to, subject: m.subject, text: m.text });
    },
  };
}

async function post(url: string, body: string, headers: Record<string, string>, what: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status}`);
  await res.arrayBuffer();
}

/** Slack (and Mattermost, Teams workflows...) incoming webhook: `{ text }` with mrkdwn. The URL is a secret. */
export function slackChannel(o: { url: string; name?: string }): Channel {
  return {
    name: o.name ?? 'slack',
    send: (m) => post(o.url, JSON.stringify({ text: `*${m.subject}*\n${m.text}` }), {}, 'slack webhook'),
  };
}

export const SIGNATURE_HEADER = 'x-ledgerline-signature';
export const TIMESTAMP_HEADER = 'x-ledgerline-timestamp';

/** `sha256=<hex>` over `<timestamp>.<body>`: the receiver recomputes it with the shared secret and checks freshness. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function webhookChannel(o: { url: string; secret: string; name?: string; now?: () => number }): Channel {
  if (o.secret.length < 16) throw new Error('webhook channel: the signing secret must be at least 16 characters');
  return {
    name: o.name ?? 'webhook',
    async send(m) {
      const body = JSON.stringify({
        ...(m.workspace ? { workspace: m.workspace } : {}),
        team: m.team,
        kind: m.kind,
        subject: m.subject,
        exceptions: m.exceptions.map((e) => ({
          id: e.id,
          type: e.type,
          key: e.key,
          title: e.title,
          severity: e.severity,
          owner: e.owner,
          state: e.state,
          count: e.count,
          firstSeen: e.firstSeen,
          lastSeen: e.lastSeen,
          links: e.links,
        })),
      });
      const ts = String(Math.floor((o.now ?? Date.now)() / 1000));
      await post(o.url, body, { [SIGNATURE_HEADER]: signBody(o.secret, ts, body), [TIMESTAMP_HEADER]: ts }, 'alert webhook');
    },
  };
}
