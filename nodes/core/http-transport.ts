// HTTP for the ERP connectors and the Shopify client, over undici's own request API with keep-alive sockets per
// client. Node's fetch (the same undici underneath, behind WHATWG streams, Request/Response objects and an AbortSignal
// per call) took 310–350 µs of CPU per call where this takes 50–61 and node:http 60–73 (bench/erp-transport.ts,
// bench/README.md); a connector makes several calls per order.
import { STATUS_CODES } from 'node:http';
import { Agent } from 'undici';

export interface TransportAnswer {
  status: number;
  text: string;
  /** The response headers as received (lower-case names; repeated ones as arrays). */
  headers: Record<string, string | string[] | undefined>;
  /** A response header (names are case-insensitive), repeated values joined with ", " as fetch's Headers does. */
  header(name: string): string | null;
}

export interface TransportRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** No answer (headers, or the next part of the body) within this long fails the call with UND_ERR_*_TIMEOUT. */
  timeoutMs: number;
}

export interface Transport {
  request(url: string | URL, r: TransportRequest): Promise<TransportAnswer>;
  /** Closes the sockets; calls made after it fail. */
  close(): Promise<void>;
}

/** `connections`: sockets per origin at most (calls beyond it wait for one); unbounded when the caller limits itself. */
export function createTransport(o: { connections?: number } = {}): Transport {
  const agent = new Agent(o.connections ? { connections: o.connections } : {});
  return {
    async request(url, r) {
      const { origin, path } = target(url);
      const res = await agent.request({
        origin,
        path,
        method: r.method as 'POST',
        headers: r.headers ?? {},
        body: r.body ?? null,
        headersTimeout: r.timeoutMs,
        bodyTimeout: r.timeoutMs,
      });
      const text = await res.body.text();
      const headers = res.headers;
      return {
        status: res.statusCode,
        text,
        headers,
        header(name) {
          const v = headers[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        },
      };
    },
    close: () => agent.close(),
  };
}

/**
 * The origin and path of the URLs asked for lately. A connector calls a few URLs over and over (an RPC endpoint, one
 * per operation), and parsing the same string again was ≈ 0.5 % of an order's CPU (bench/README.md "Order to ERP").
 * Bounded: URLs naming records one by one only cycle through it.
 */
const targets = new Map<string, { origin: string; path: string }>();
function target(url: string | URL): { origin: string; path: string } {
  if (typeof url !== 'string') return { origin: url.origin, path: url.pathname + url.search };
  let t = targets.get(url);
  if (!t) {
    const u = new URL(url);
    t = { origin: u.origin, path: u.pathname + u.search };
    if (targets.size >= 256) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/** Statuses whose Response may not have a body (the fetch standard's null body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for libraries that take one (@shopify/shopify-api's abstract fetch): requests with a string body or none
 * go over `transport` and are answered with a Response built from the text, ≈ 3× less CPU than fetch itself
 * (bench/erp-transport.ts). Anything else (a Request object, a stream or form body, an AbortSignal, a redirect to
 * follow) is handed to the global fetch. Network failures reject as fetch's do: a TypeError "fetch failed" whose
 * cause is the transport's error, so callers that tell network errors apart keep doing so.
 */
export function transportFetch(transport: Transport, timeoutMs = 300_000): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const body = init?.body;
    if (typeof input !== 'string' && !(input instanceof URL)) return fetch(input, init);
    if (init?.signal || (body !== undefined && body !== null && typeof body !== 'string') || (init?.redirect && init.redirect !== 'follow'))
      return fetch(input, init);
    let answer: TransportAnswer;
    try {
      answer = await transport.request(input, {
        method: init?.method ?? 'GET',
        headers: headerRecord(init?.headers),
        ...(typeof body === 'string' ? { body } : {}),
        timeoutMs,
      });
    } catch (e) {
      throw new TypeError('fetch failed', { cause: e });
    }
    if (answer.status >= 300 && answer.status < 400 && answer.header('location') !== null) return fetch(input, init);
    const headers: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(answer.headers)) {
      if (Array.isArray(v)) for (const x of v) headers.push([k, x]);
      else if (v !== undefined) headers.push([k, v]);
    }
    return new Response(NULL_BODY.has(answer.status) ? null : answer.text, { status: answer.status, statusText: STATUS_CODES[answer.status] ?? '', headers });
  }) as typeof fetch;
}

function headerRecord(h: HeadersInit | undefined): Record<string, string> {
  if (!h) return {};
  if (h instanceof Headers || Array.isArray(h)) return Object.fromEntries(new Headers(h).entries());
  return h as Record<string, string>;
}
