// HTTP for the ERP connectors, over undici's own request API with keep-alive sockets per connector. Node's fetch (the
// same undici underneath, behind WHATWG streams, Request/Response objects and an AbortSignal per call) cost 350–440 µs
// of CPU per call on our 2-core machines where this costs 40–60, and node:http 90 (bench/erp-transport.ts); a
// connector makes three or four calls per order.
import { Agent } from 'undici';

export interface TransportAnswer {
  status: number;
  text: string;
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
      const u = typeof url === 'string' ? new URL(url) : url;
      const res = await agent.request({
        origin: u.origin,
        path: u.pathname + u.search,
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
        header(name) {
          const v = headers[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        },
      };
    },
    close: () => agent.close(),
  };
}
