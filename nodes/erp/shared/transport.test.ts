import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { networkError } from './errors.ts';
import { createTransport, type Transport } from './transport.ts';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function serve(handler: Handler) {
  const sockets = new Set<import('node:net').Socket>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const served = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
  open.push(served);
  return served;
}

function transport(o?: { connections?: number }): Transport {
  const t = createTransport(o);
  open.push(t);
  return t;
}

describe('ERP transport', () => {
  it('sends the method, path, query, headers and body, and gives back the status, text and headers', async () => {
    const seen: Array<{ method?: string; url?: string; type?: string; auth?: string; body: string }> = [];
    const s = await serve((req, body, res) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], auth: req.headers.authorization, body });
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'Content-Type': 'application/json', Location: '/records/42' });
      res.end('{"id":42,"name":"Łódź ✓"}');
    });
    const r = await transport().request(`${s.url}/records?expand=lines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t0k' },
      body: '{"name":"Łódź ✓"}',
      timeoutMs: 5_000,
    });
    expect(seen).toEqual([{ method: 'POST', url: '/records?expand=lines', type: 'application/json', auth: 'Bearer t0k', body: '{"name":"Łódź ✓"}' }]);
    expect(r.status).toBe(201);
    expect(JSON.parse(r.text)).toEqual({ id: 42, name: 'Łódź ✓' });
    expect(r.header('location')).toBe('/records/42');
    expect(r.header('Content-Type')).toBe('application/json');
    expect(r.header('set-cookie')).toBe('a=1, b=2');
    expect(r.header('retry-after')).toBeNull();
  });

  it('keeps sockets alive across calls, and holds no more of them than `connections`', async () => {
    const s = await serve((_req, body, res) => setTimeout(() => res.end(body), 5));
    const t = transport({ connections: 3 });
    for (let i = 0; i < 10; i++) expect((await t.request(`${s.url}/x`, { method: 'POST', body: String(i), timeoutMs: 5_000 })).text).toBe(String(i));
    // undici may open a second socket while the first is being freed; not one per call.
    expect(s.connections()).toBeLessThanOrEqual(2);
    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => t.request(`${s.url}/x`, { method: 'POST', body: `p${i}`, timeoutMs: 5_000 })));
    expect(many.map((r) => r.text)).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`));
    expect(s.connections()).toBe(3);
  });

  it('an answer that does not come in time is a timeout, ambiguous for a write (it may have been done)', async () => {
    const s = await serve(() => {}); // never answers
    const started = Date.now();
    const e = await transport()
      .request(`${s.url}/x`, { method: 'POST', body: '{}', timeoutMs: 200 })
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(networkError('sandbox', e, 'createSalesOrder')).toMatchObject({ code: 'ERP_TIMEOUT', errorClass: 'ambiguous' });
  });

  it('a body that stops half way is a timeout too', async () => {
    const s = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"result":');
    });
    const e = await transport()
      .request(`${s.url}/x`, { method: 'POST', body: '{}', timeoutMs: 200 })
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(networkError('tryton', e, 'model.sale.sale.create')).toMatchObject({ code: 'ERP_TIMEOUT', errorClass: 'ambiguous' });
  });

  it('nothing listening is transient: the request was never sent', async () => {
    const s = await serve(() => {});
    const url = s.url;
    await s.close();
    const e = await transport()
      .request(`${url}/x`, { method: 'POST', body: '{}', timeoutMs: 1_000 })
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(networkError('sandbox', e, 'listWarehouses')).toMatchObject({ code: 'ERP_UNAVAILABLE', errorClass: 'transient' });
  });

  it('a connection cut before the answer is ambiguous', async () => {
    const s = await serve((req) => req.socket.destroy());
    const e = await transport()
      .request(`${s.url}/x`, { method: 'POST', body: '{}', timeoutMs: 1_000 })
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(networkError('sandbox', e, 'createSalesOrder')).toMatchObject({ code: 'ERP_UNAVAILABLE', errorClass: 'ambiguous' });
  });

  it('answers what fetch answers for the same requests', async () => {
    const s = await serve((req, body, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain', 'x-echo': String(body.length) });
      res.end(`${req.method} ${req.url} ${body}`);
    });
    const t = transport();
    for (const [method, path, body] of [
      ['POST', '/a?b=c', 'x'.repeat(70_000)],
      ['GET', '/missing', undefined],
      ['PATCH', '/p', '{"v":"é"}'],
    ] as const) {
      const viaFetch = await fetch(`${s.url}${path}`, { method, ...(body === undefined ? {} : { body }) });
      const fetched = { status: viaFetch.status, text: await viaFetch.text(), echo: viaFetch.headers.get('x-echo') };
      const r = await t.request(`${s.url}${path}`, { method, ...(body === undefined ? {} : { body }), timeoutMs: 5_000 });
      expect({ status: r.status, text: r.text, echo: r.header('x-echo') }).toEqual(fetched);
    }
  });

  it('after close, calls fail instead of opening sockets', async () => {
    const s = await serve((_req, _body, res) => res.end('ok'));
    const t = createTransport();
    expect((await t.request(`${s.url}/x`, { method: 'GET', timeoutMs: 1_000 })).text).toBe('ok');
    await t.close();
    await expect(t.request(`${s.url}/x`, { method: 'GET', timeoutMs: 1_000 })).rejects.toThrow();
  });
});
