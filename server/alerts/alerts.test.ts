// Alerts end to end on loopback: a real SMTP listener receives nodemailer's mail, a real HTTP server receives the
// Slack-style and the signed webhook posts. Immediate for high severity, digest per team otherwise, quiet hours,
// no repeat for an exception already alerted and still open.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { openTestStore } from '../../runtime/testing/pass.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { createExceptionService, type ExceptionService } from '../exceptions/store/index.ts';
import { emailChannel, signBody, slackChannel, webhookChannel, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './channels.ts';
import { AlertDispatcher, inQuietHours } from './dispatcher.ts';
import { startSmtpSink, type SmtpSink } from './testing/smtp-sink.ts';

interface Hit {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let tmp: ReturnType<typeof tempDir>;
let store: AnyStore;
let svc: ExceptionService;
let smtp: SmtpSink;
let http: Server;
let base: string;
let hits: Hit[];
let failSlack: boolean;
const clock = { now: Date.parse('2026-11-25T10:00:00Z') };
const SECRET = 'whsec_0123456789abcdef';

beforeEach(async () => {
  tmp = tempDir();
  store = await openTestStore(tmp.dir);
  svc = createExceptionService(store, null, { now: () => clock.now });
  smtp = await startSmtpSink();
  hits = [];
  failSlack = false;
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = req.url === '/slack' && failSlack ? 500 : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  clock.now = Date.parse('2026-11-25T10:00:00Z');
});
afterEach(async () => {
  await smtp.close();
  await new Promise<void>((r) => http.close(() => r()));
  await store.close();
  tmp.cleanup();
});

function dispatcher(workspace?: string) {
  return new AlertDispatcher(svc, {
    ...(workspace ? { workspace } : {}),
    teams: {
      finance: [emailChannel({ smtp: { host: '127.0.0.1', port: smtp.port }, from: 'ledgerline@shop.test', to: ['finance@shop.test'] })],
      operations: [slackChannel({ url: `${base}/slack` }), webhookChannel({ url: `${base}/hook`, secret: SECRET, now: () => clock.now })],
    },
    quietHours: { timezone: 'Europe/Berlin', from: '22:00', to: '07:00' },
    now: () => clock.now,
    baseUrl: 'https://ledgerline.shop.test',
  });
}

describe('alerts', () => {
  it('high severity goes out at once by e-mail to the owning team; a repeat of the open exception does not', async () => {
    const d = dispatcher();
    d.start();
    try {
      await svc.raise({ type: 'payout-variance', key: 'payout:7001', title: 'Payout 7001 is off by 0.10' }); // finance, high
      const [mail] = await smtp.waitFor(1);
      if (!mail) throw new Error('no alert mail arrived');
      expect(mail.from).toBe('ledgerline@shop.test');
      expect(mail.to).toEqual(['finance@shop.test']);
      expect(mail.data).toMatch(/^Subject: \[Ledgerline\] Payout 7001 is off by 0\.10$/m);
      expect(mail.data.replace(/=\r\n/g, '')).toContain('https://ledgerline.shop.test/exceptions/');
      await new Promise((r) => setTimeout(r, 50));
      expect((await svc.list()).items[0]?.alertedAt).toBe(clock.now);

      await svc.raise({ type: 'payout-variance', key: 'payout:7001', title: 'Payout 7001 is off by 0.10' });
      expect(await d.digest()).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(smtp.messages).toHaveLength(1);
    } finally {
      await d.stop();
    }
  });

  it('medium and low wait for the digest: one message per team on each channel, the webhook signed', async () => {
    const d = dispatcher();
    const a = await svc.raise({ type: 'inventory-drift', key: 'A@WH', title: 'A drifts by 3' });
    await svc.raise({ type: 'inventory-drift', key: 'B@WH', title: 'B drifts by 2', severity: 'low' });
    await svc.raise({ type: 'payment-mismatch', key: 'o1', title: '#1001 voided but live' });
    expect(await d.immediate(await svc.get(a.id))).toBe(false);
    expect(hits).toHaveLength(0);

    expect(await d.digest()).toBe(3);
    await smtp.waitFor(1);
    expect(smtp.messages[0]?.data).toMatch(/Subject: \[Ledgerline\] 1 open exception for finance/);
    const slack = hits.find((x) => x.path === '/slack')!;
    expect(JSON.parse(slack.body).text).toMatch(/2 open exceptions for operations[\s\S]*A drifts by 3[\s\S]*B drifts by 2/);
    const hook = hits.find((x) => x.path === '/hook')!;
    const ts = String(hook.headers[TIMESTAMP_HEADER]);
    expect(hook.headers[SIGNATURE_HEADER]).toBe(signBody(SECRET, ts, hook.body));
    expect(hook.headers[SIGNATURE_HEADER]).not.toBe(signBody('another-secret-value', ts, hook.body));
    expect(JSON.parse(hook.body)).toMatchObject({ team: 'operations', kind: 'digest', exceptions: [{ key: 'A@WH' }, { key: 'B@WH' }] });

    expect(await d.digest()).toBe(0); // already alerted and still open
    // Resolved, then raised again: a new occurrence, alerted again.
    await svc.clear('inventory-drift', 'A@WH');
    await svc.raise({ type: 'inventory-drift', key: 'A@WH', title: 'A drifts again' });
    expect(await d.digest()).toBe(1);
    expect(JSON.parse(hits.filter((x) => x.path === '/hook').at(-1)!.body).exceptions.map((e: { title: string }) => e.title)).toEqual(['A drifts again']);
  });

  it('quiet hours hold everything, high severity included, until the first digest after them', async () => {
    const d = dispatcher();
    clock.now = Date.parse('2026-11-25T22:30:00Z'); // 23:30 in Berlin
    expect(inQuietHours({ timezone: 'Europe/Berlin', from: '22:00', to: '07:00' }, new Date(clock.now))).toBe(true);
    const e = await svc.raise({ type: 'erp-unreachable', key: 'tryton', title: 'Tryton is down' });
    expect(await d.immediate(await svc.get(e.id))).toBe(false);
    expect(await d.digest()).toBe(0);
    expect(hits).toHaveLength(0);
    clock.now = Date.parse('2026-11-26T06:05:00Z'); // 07:05
    expect(await d.digest()).toBe(1);
    expect(hits.map((x) => x.path).sort()).toEqual(['/hook', '/slack']);
  });

  it("a further workspace's alerts name it in the subject, the link (which opens that workspace) and the webhook body", async () => {
    const d = dispatcher('acme-eu');
    d.start();
    try {
      const e = await svc.raise({ type: 'payout-variance', key: 'payout:7002', title: 'Payout 7002 is off by 1.00' });
      const [mail] = await smtp.waitFor(1);
      if (!mail) throw new Error('no alert mail arrived');
      // The subject is an RFC 2047 encoded word (it has a non-ASCII dot), the body quoted-printable.
      const qp = (t: string) =>
        Buffer.from(
          t.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8');
      const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(mail.data)?.[1] ?? '';
      const words = [...subject.matchAll(/=\?UTF-8\?Q\?([^?]*)\?=/g)].map((m) => qp((m[1] ?? '').replace(/_/g, ' ')));
      expect(words.join('')).toBe('[Ledgerline · acme-eu] Payout 7002 is off by 1.00');
      expect(qp(mail.data)).toContain(`https://ledgerline.shop.test/exceptions/${e.id}?workspace=acme-eu`);
    } finally {
      await d.stop();
    }
    await svc.raise({ type: 'inventory-drift', key: 'C@WH', title: 'C drifts by 1' });
    expect(await d.digest()).toBe(1);
    const hook = hits.find((x) => x.path === '/hook')!;
    expect(JSON.parse(hook.body)).toMatchObject({
      workspace: 'acme-eu',
      team: 'operations',
      subject: '[Ledgerline · acme-eu] 1 open exception for operations',
    });
    expect(JSON.parse(hits.find((x) => x.path === '/slack')!.body).text).toMatch(/^\*\[Ledgerline · acme-eu\] 1 open exception for operations\*/);
  });

  it('a failing channel does not stop the others; when every channel fails it is retried next digest', async () => {
    failSlack = true;
    const onlySlack = new AlertDispatcher(svc, { teams: { operations: [slackChannel({ url: `${base}/slack` })] }, now: () => clock.now });
    await svc.raise({ type: 'inventory-drift', key: 'A', title: 'A' });
    expect(await onlySlack.digest()).toBe(0);
    failSlack = false;
    expect(await onlySlack.digest()).toBe(1);
    expect(hits.filter((x) => x.path === '/slack')).toHaveLength(2);
    expect(() => webhookChannel({ url: base, secret: 'short' })).toThrow(/16 characters/);
  });
});

describe('alerts config', () => {
  it('names the bad field and never echoes a secret', async () => {
    const { startAlerts } = await import('./index.ts');
    expect(() => startAlerts(svc, { teams: { finance: [{ kind: 'webhook', url: 'http://127.0.0.1:1/x', secret: 'tiny-secret' }] } })).toThrow(
      /teams\.finance\.0\.secret/,
    );
    try {
      startAlerts(svc, { teams: { finance: [{ kind: 'webhook', url: 'http://127.0.0.1:1/x', secret: 'tiny-secret' }] } });
    } catch (e) {
      expect((e as Error).message).not.toContain('tiny-secret');
    }
    const d = startAlerts(svc, { teams: { operations: [{ kind: 'slack', url: `${base}/slack` }] }, digestEveryMinutes: 5 });
    await svc.raise({ type: 'stuck-run', key: 'run_x', title: 'run_x stuck' }); // high: immediate
    await new Promise((r) => setTimeout(r, 200));
    await d.stop();
    expect(hits.map((h) => h.path)).toEqual(['/slack']);
  });
});
