import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport, type Transport, transportFetch } from './http-transport.ts';

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

/** The error a call rejected with (null if it answered). */
const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

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

  it('sends each call to its own URL, the same ones again and again and more of them than it keeps parsed', async () => {
    const seen: string[] = [];
    const a = await serve((req, _body, res) => (seen.push(`a${req.url}`), res.end()));
    const b = await serve((req, _body, res) => (seen.push(`b${req.url}`), res.end()));
    const t = transport();
    const want: string[] = [];
    for (let i = 0; i < 600; i++) {
      const [s, name] = i % 3 ? [a, 'a'] : [b, 'b'];
      const path = i % 2 ? `/rpc?op=${i % 5}` : `/records/${i}`;
      want.push(`${name}${path}`);
      await t.request(`${s.url}${path}`, { method: 'GET', timeoutMs: 5_000 });
    }
    expect(seen).toEqual(want);
    expect(((await failure(t.request('not a url', { method: 'GET', timeoutMs: 5_000 }))) as Error).name).toBe('TypeError');
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

  // The codes below are what the connectors classify (nodes/erp/shared/errors.ts networkError, tested there).
  it('an answer that does not come in time fails with a headers timeout', async () => {
    const s = await serve(() => {}); // never answers
    const started = Date.now();
    const e = await failure(transport().request(`${s.url}/x`, { method: 'POST', body: '{}', timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(e).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('a body that stops half way fails with a body timeout', async () => {
    const s = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"result":');
    });
    const e = await failure(transport().request(`${s.url}/x`, { method: 'POST', body: '{}', timeoutMs: 200 }));
    expect(e).toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('nothing listening fails with the refused connection', async () => {
    const s = await serve(() => {});
    const url = s.url;
    await s.close();
    const e = await failure(transport().request(`${url}/x`, { method: 'POST', body: '{}', timeoutMs: 1_000 }));
    expect(e).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a connection cut before the answer fails with a socket error', async () => {
    const s = await serve((req) => req.socket.destroy());
    const e = await failure(transport().request(`${s.url}/x`, { method: 'POST', body: '{}', timeoutMs: 1_000 }));
    expect(e).toMatchObject({ code: 'UND_ERR_SOCKET' });
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

  describe('transportFetch (the fetch given to @shopify/shopify-api)', () => {
    it('answers a JSON POST as fetch does: status, statusText, headers, json, over the transport', async () => {
      let calls = 0;
      const s = await serve((req, body, res) => {
        calls++;
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.writeHead(200, { 'content-type': 'application/json', 'x-shopify-api-version': '2026-10' });
        res.end(JSON.stringify({ data: { echo: JSON.parse(body), token: req.headers['x-shopify-access-token'] } }));
      });
      const f = transportFetch(transport());
      const init = {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_x' },
        body: '{"query":"{ shop { name } }"}',
      };
      const viaFetch = await fetch(`${s.url}/admin/api/2026-10/graphql.json`, init);
      const ours = await f(`${s.url}/admin/api/2026-10/graphql.json`, init);
      expect(calls).toBe(2);
      for (const r of [viaFetch, ours]) {
        expect(r.status).toBe(200);
        expect(r.ok).toBe(true);
        expect(r.statusText).toBe('OK');
        expect(r.headers.get('x-shopify-api-version')).toBe('2026-10');
      }
      expect(ours.headers.getSetCookie()).toEqual(viaFetch.headers.getSetCookie());
      expect(await ours.json()).toEqual(await viaFetch.json());
    });

    it('gives no body to a 204, and the error statuses as they came', async () => {
      const s = await serve((req, _body, res) => {
        res.writeHead(req.url === '/none' ? 204 : 429, { 'retry-after': '2' });
        res.end(req.url === '/none' ? undefined : 'Throttled');
      });
      const f = transportFetch(transport());
      const none = await f(`${s.url}/none`, { method: 'DELETE' });
      expect(none.status).toBe(204);
      expect(none.body).toBeNull();
      const throttled = await f(new URL(`${s.url}/busy`), { method: 'POST', body: '{}' });
      expect([throttled.status, throttled.statusText, throttled.headers.get('retry-after'), await throttled.text()]).toEqual([
        429,
        'Too Many Requests',
        '2',
        'Throttled',
      ]);
    });

    it('rejects a network failure as fetch does: a TypeError "fetch failed" with the cause', async () => {
      const s = await serve(() => {});
      const url = s.url;
      await s.close();
      const e = await failure(transportFetch(transport())(`${url}/x`, { method: 'POST', body: '{}' }));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toBe('fetch failed');
      expect(((e as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
    });

    it('leaves what it does not carry to fetch: a redirect to follow, a non-string body', async () => {
      const seen: string[] = [];
      const s = await serve((req, body, res) => {
        seen.push(`${req.method} ${req.url} ${body}`);
        if (req.url === '/old') {
          res.writeHead(307, { location: '/new' });
          return res.end();
        }
        res.end(`at ${req.url}`);
      });
      const f = transportFetch(transport());
      const moved = await f(`${s.url}/old`, { method: 'POST', body: 'x' });
      expect([moved.status, await moved.text()]).toEqual([200, 'at /new']);
      const form = await f(`${s.url}/form`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
      expect(await form.text()).toBe('at /form');
      expect(seen).toEqual(['POST /old x', 'POST /old x', 'POST /new x', 'POST /form a=1']);
    });
  });
});
