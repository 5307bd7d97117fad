// An ErpConnector that reaches a sandbox ERP served over HTTP by another process (http-server.ts): the same
// operations, results and NodeErrors as the in-process sandbox ERP, plus what a network adds (unreachable, reset).
import http from 'node:http';
import { NodeError, type ErrorClass } from '../../../runtime/node-api.ts';
import type { ErpConnector } from '../contract.ts';
import { SANDBOX_ERP_CAPABILITIES } from './capabilities.ts';
import { networkError } from '../shared/errors.ts';
import type { SandboxErpMethod } from './http-server.ts';

const WRITES = new Set<SandboxErpMethod>([
  'upsertCustomer',
  'createSalesOrder',
  'confirmSalesOrder',
  'cancelSalesOrder',
  'createCreditMemo',
  'postJournal',
  'settleReceivables',
  'shipSalesOrder',
]);

export function createSandboxErpClient(o: { url: string; concurrency?: number; timeoutMs?: number }): ErpConnector {
  const url = new URL(o.url);
  const limits = { concurrency: o.concurrency ?? 8 };
  // Keep-alive sockets up to the connection's concurrency, as a connector to a real ERP would hold.
  const agent = new http.Agent({ keepAlive: true, maxSockets: limits.concurrency });
  const timeoutMs = o.timeoutMs ?? 30_000;

  const call = <T>(method: SandboxErpMethod, ...args: unknown[]): Promise<T> => {
    while (args.length && args[args.length - 1] === undefined) args.pop();
    const body = JSON.stringify(args);
    return new Promise<T>((ok, fail) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: `${url.pathname.replace(/\/$/, '')}/${method}`,
          agent,
          timeout: timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => fail(networkError('sandbox', e, method)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: {
              result?: T;
              error?: { message: string; errorClass: ErrorClass; code?: string; details?: Record<string, unknown>; retryAfterMs?: number };
            };
            try {
              parsed = JSON.parse(text);
            } catch {
              return fail(
                new NodeError(`Sandbox ERP: ${method}: answered HTTP ${res.statusCode} with a body that is not JSON`, {
                  errorClass: WRITES.has(method) ? 'ambiguous' : 'transient',
                  code: 'ERP_BAD_RESPONSE',
                }),
              );
            }
            if (parsed.error) {
              const e = parsed.error;
              return fail(
                new NodeError(e.message, {
                  errorClass: e.errorClass,
                  ...(e.code ? { code: e.code } : {}),
                  ...(e.details ? { details: e.details } : {}),
                  ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
                }),
              );
            }
            ok(parsed.result as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TimeoutError' })));
      req.on('error', (e) => fail(networkError('sandbox', e, method)));
      req.end(body);
    });
  };

  return {
    kind: 'sandbox',
    capabilities: SANDBOX_ERP_CAPABILITIES,
    limits,
    findItems: (skus) => call('findItems', skus),
    listWarehouses: () => call('listWarehouses'),
    listTaxCodes: () => call('listTaxCodes'),
    listPaymentMethods: () => call('listPaymentMethods'),
    upsertCustomer: (input) => call('upsertCustomer', input),
    createSalesOrder: (input, opts) => call('createSalesOrder', input, opts),
    confirmSalesOrder: (externalId, opts) => call('confirmSalesOrder', externalId, opts),
    getSalesOrder: (externalId) => call('getSalesOrder', externalId),
    findSalesOrders: (externalIds) => call('findSalesOrders', externalIds),
    cancelSalesOrder: (externalId) => call('cancelSalesOrder', externalId),
    listFulfilments: (opts) => call('listFulfilments', opts),
    getStock: (opts) => call('getStock', opts),
    stockChanges: (opts) => call('stockChanges', opts),
    createCreditMemo: (input) => call('createCreditMemo', input),
    creditable: (orderExternalId) => call('creditable', orderExternalId),
    postJournal: (input) => call('postJournal', input),
    listLedger: (query) => call('listLedger', query),
    listLedgerRows: (query) => call('listLedgerRows', query),
    settleReceivables: (input) => call('settleReceivables', input),
    shipSalesOrder: (externalId, opts) => call('shipSalesOrder', externalId, opts),
    companyCurrency: () => call('companyCurrency'),
    async close() {
      agent.destroy();
    },
  };
}
