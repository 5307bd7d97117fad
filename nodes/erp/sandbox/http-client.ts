// An ErpConnector that reaches a sandbox ERP served over HTTP by another process (http-server.ts): the same
// operations, results and NodeErrors as the in-process sandbox ERP, plus what a network adds (unreachable, reset).
import { NodeError, type ErrorClass } from '../../../runtime/node-api.ts';
import type { ErpConnector } from '../contract.ts';
import { SANDBOX_ERP_CAPABILITIES } from './capabilities.ts';
import { networkError } from '../shared/errors.ts';
import { createTransport } from '../../core/http-transport.ts';
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
  const base = new URL(o.url).href.replace(/\/$/, '');
  const limits = { concurrency: o.concurrency ?? 8 };
  // Keep-alive sockets up to the connection's concurrency, as a connector to a real ERP would hold.
  const transport = createTransport({ connections: limits.concurrency });
  const timeoutMs = o.timeoutMs ?? 30_000;

  const call = async <T>(method: SandboxErpMethod, ...args: unknown[]): Promise<T> => {
    while (args.length && args[args.length - 1] === undefined) args.pop();
    let res: { status: number; text: string };
    try {
      res = await transport.request(`${base}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args),
        timeoutMs,
      });
    } catch (e) {
      throw networkError('sandbox', e, method);
    }
    let parsed: {
      result?: T;
      error?: { message: string; errorClass: ErrorClass; code?: string; details?: Record<string, unknown>; retryAfterMs?: number };
    };
    try {
      parsed = JSON.parse(res.text);
    } catch {
      throw new NodeError(`Sandbox ERP: ${method}: answered HTTP ${res.status} with a body that is not JSON`, {
        errorClass: WRITES.has(method) ? 'ambiguous' : 'transient',
        code: 'ERP_BAD_RESPONSE',
      });
    }
    if (parsed.error) {
      const e = parsed.error;
      throw new NodeError(e.message, {
        errorClass: e.errorClass,
        ...(e.code ? { code: e.code } : {}),
        ...(e.details ? { details: e.details } : {}),
        ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
      });
    }
    return parsed.result as T;
  };

  return {
    kind: 'sandbox',
    capabilities: SANDBOX_ERP_CAPABILITIES,
    limits,
    findItems: (skus) => call('findItems', skus),
    searchItems: (text, limit) => call('searchItems', text, limit),
    listWarehouses: () => call('listWarehouses'),
    listTaxCodes: () => call('listTaxCodes'),
    listPaymentMethods: () => call('listPaymentMethods'),
    listPaymentTerms: () => call('listPaymentTerms'),
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
    close: () => transport.close(),
  };
}
