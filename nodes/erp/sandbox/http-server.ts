// The sandbox ERP's HTTP face: the ErpConnector's methods as `POST /<method>` with the JSON array of arguments, so the
// sandbox ERP can run in its own process and be reached over the network like a real ERP (bench/order-to-erp.ts).
// Answers 200 `{ "result": ... }`, or `{ "error": { message, errorClass, code, details, retryAfterMs } }` with 4xx
// (permanent) or 5xx (transient, ambiguous) — the NodeError the in-process connector would have thrown.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeError } from '../../../runtime/node-api.ts';
import type { ErpConnector } from '../contract.ts';

/** The connector methods reachable over HTTP (every ErpConnector operation; `close` is the process's own business). */
export const SANDBOX_ERP_METHODS = [
  'findItems',
  'searchItems',
  'listWarehouses',
  'listTaxCodes',
  'listPaymentMethods',
  'listPaymentTerms',
  'upsertCustomer',
  'createSalesOrder',
  'confirmSalesOrder',
  'getSalesOrder',
  'findSalesOrders',
  'cancelSalesOrder',
  'listFulfilments',
  'getStock',
  'stockChanges',
  'createCreditMemo',
  'creditable',
  'postJournal',
  'listLedger',
  'listLedgerRows',
  'settleReceivables',
  'shipSalesOrder',
  'companyCurrency',
] as const;
export type SandboxErpMethod = (typeof SANDBOX_ERP_METHODS)[number];

const METHODS = new Set<string>(SANDBOX_ERP_METHODS);

export interface SandboxErpServer {
  url: string;
  close(): Promise<void>;
}

export async function serveSandboxErp(erp: ErpConnector, o: { port?: number; host?: string } = {}): Promise<SandboxErpServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answer(erp, req, Buffer.concat(chunks).toString('utf8')).then(([status, body]) => send(res, status, body)));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((ok) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', ok));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () => new Promise<void>((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  };
}

function send(res: http.ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function answer(erp: ErpConnector, req: http.IncomingMessage, text: string): Promise<[number, string]> {
  const method = (req.url ?? '').slice(1);
  if (req.method !== 'POST' || !METHODS.has(method)) return fault(404, `no sandbox ERP operation ${req.method} ${req.url}`, 'NOT_FOUND');
  const fn = (erp as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[method];
  if (!fn) return fault(404, `the sandbox ERP has no operation ${method}`, 'NOT_FOUND');
  let args: unknown;
  try {
    args = text ? JSON.parse(text) : [];
  } catch {
    return fault(400, `${method}: the body is not JSON`, 'BAD_REQUEST');
  }
  if (!Array.isArray(args)) return fault(400, `${method}: the body must be the JSON array of arguments`, 'BAD_REQUEST');
  try {
    const result = await fn.apply(erp, args);
    return [200, `{"result":${JSON.stringify(result ?? null)}}`];
  } catch (e) {
    const err = e instanceof NodeError ? e : new NodeError(`Sandbox ERP: ${(e as Error).message}`, { errorClass: 'permanent', code: 'ERP_ERROR' });
    const status = err.errorClass === 'permanent' ? 422 : 503;
    const { message, errorClass, code, details, retryAfterMs } = err;
    return [status, JSON.stringify({ error: { message, errorClass, code, details, retryAfterMs } })];
  }
}

const fault = (status: number, message: string, code: string): [number, string] => [
  status,
  JSON.stringify({ error: { message: `Sandbox ERP: ${message}`, errorClass: 'permanent', code } }),
];
