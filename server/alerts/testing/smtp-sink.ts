// A minimal SMTP receiver on loopback (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), for tests
// and `ledgerline` demos: it stores each message as received and delivers nothing.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The DATA section (headers and body), dot-unstuffed. */
  data: string;
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  /** Resolves when `n` messages have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.setEncoding('utf8');
    let buf = '';
    let inData = false;
    let cur: ReceivedMail = { from: '', to: [], data: '' };
    const reply = (s: string) => sock.write(s + '\r\n');
    reply('220 ledgerline-sink ESMTP');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0 && !buf.startsWith('.\r\n')) return;
          const body = buf.startsWith('.\r\n') ? '' : buf.slice(0, end);
          buf = buf.startsWith('.\r\n') ? buf.slice(3) : buf.slice(end + 5);
          inData = false;
          cur.data = body
            .split('\r\n')
            .map((l) => (l.startsWith('..') ? l.slice(1) : l))
            .join('\r\n');
          messages.push(cur);
          cur = { from: '', to: [], data: '' };
          reply('250 2.0.0 queued');
          for (const w of waiters.splice(0)) w();
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const lineText = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = lineText.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') sock.write('250-ledgerline-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
        else if (cmd === 'HELO') reply('250 ledgerline-sink');
        else if (cmd === 'MAIL') (cur.from = /<([^>]*)>/.exec(lineText)?.[1] ?? ''), reply('250 2.1.0 OK');
        else if (cmd === 'RCPT') cur.to.push(/<([^>]*)>/.exec(lineText)?.[1] ?? ''), reply('250 2.1.5 OK');
        else if (cmd === 'DATA') (inData = true), reply('354 end with <CRLF>.<CRLF>');
        else if (cmd === 'RSET') (cur = { from: '', to: [], data: '' }), reply('250 OK');
        else if (cmd === 'NOOP') reply('250 OK');
        else if (cmd === 'QUIT') reply('221 bye'), sock.end();
        else reply('502 5.5.2 command not implemented');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} mails, got ${messages.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return messages;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
