// The Tryton 6.0 connector: the ErpConnector contract over JSON-RPC (see ../../../../shared/reference/tryton.md).
import type { CreditMemoInput, CustomerInput, ErpConnector, ErpItem, JournalInput, LedgerQuery, SalesOrderInput } from '../contract.ts';
import { money } from '../shared/money.ts';
import { creditMemoSchema, customerSchema, journalSchema, ledgerQuerySchema, parseInput, salesOrderSchema } from '../shared/schemas.ts';
import { createCreditMemo, creditable } from './credit.ts';
import { upsertParty } from './customers.ts';
import { getStock, listFulfilments, shipSale } from './fulfil.ts';
import { stockChanges } from './stock-changes.ts';
import { listLedger, postJournal } from './ledger.ts';
import { settleReceivables } from './settle.ts';
import { checkCurrency } from '../shared/currency.ts';
import { settlementSchema } from '../shared/settlement.ts';
import { cancelSale, confirmSale, createSale, findSale, findSaleHeads, toOrder } from './orders.ts';
import { TrytonRefs, type Product, type TrytonOptions } from './refs.ts';
import { TrytonRpc, type TrytonConfig } from './rpc.ts';

export type TrytonConnectionConfig = TrytonConfig & TrytonOptions;

export function createTrytonConnector(config: TrytonConnectionConfig): ErpConnector {
  const rpc = new TrytonRpc(config);
  const refs = new TrytonRefs(rpc, config);
  return {
    kind: 'tryton',
    capabilities: {
      items: true,
      warehouses: true,
      taxCodes: true,
      customers: true,
      salesOrders: true,
      cancelSalesOrder: true,
      fulfilments: true,
      fulfilmentTracking: true,
      stockPerWarehouse: true,
      creditMemos: true,
      restock: true,
      journals: true,
      ledger: true,
      ship: true,
      draftSalesOrders: true,
    },
    limits: { concurrency: 1 },

    async findItems(skus: string[]): Promise<ErpItem[]> {
      return (await refs.products(skus)).map(itemOf);
    },
    async searchItems(text: string, limit: number): Promise<ErpItem[]> {
      return (await refs.searchProducts(text, limit)).map(itemOf);
    },
    async listWarehouses() {
      return (await refs.warehouses()).map((w) => ({ id: String(w.id), code: w.code, name: w.name }));
    },
    async listPaymentMethods() {
      return (await refs.paymentJournals()).map((j) => ({ id: String(j.id), code: j.code, name: j.name }));
    },
    async listPaymentTerms() {
      return [...(await refs.paymentTerms()).values()].map((t) => ({ id: String(t.id), name: t.name }));
    },
    async listTaxCodes() {
      return (await refs.taxes()).map((t) => ({ id: String(t.id), code: t.code, name: t.name, rate: t.rate }));
    },
    async upsertCustomer(input: CustomerInput) {
      const r = await upsertParty(rpc, parseInput(customerSchema, input, 'customer'));
      return { created: r.created, document: r.document };
    },
    createSalesOrder: async (input: SalesOrderInput, opts?: { confirm?: boolean }) =>
      createSale(rpc, refs, parseInput(salesOrderSchema, input, 'sales order'), opts?.confirm !== false),
    confirmSalesOrder: async (externalId: string, opts?: { expected?: { net: string; tax: string; gross: string } }) =>
      confirmSale(rpc, refs, String(externalId), opts?.expected),
    async getSalesOrder(externalId: string) {
      const s = await findSale(rpc, String(externalId));
      return s ? toOrder(rpc, refs, s) : null;
    },
    findSalesOrders: async (externalIds: string[]) => findSaleHeads(rpc, refs, externalIds),
    cancelSalesOrder: async (externalId: string) => cancelSale(rpc, refs, String(externalId)),
    listFulfilments: async (opts) => listFulfilments(rpc, refs, opts),
    getStock: async (opts) => getStock(rpc, refs, opts),
    stockChanges: async (opts) => stockChanges(rpc, refs, opts),
    createCreditMemo: async (input: CreditMemoInput) => createCreditMemo(rpc, refs, parseInput(creditMemoSchema, input, 'credit memo')),
    creditable: async (orderExternalId: string) => creditable(rpc, String(orderExternalId)),
    postJournal: async (input: JournalInput) => {
      const j = parseInput(journalSchema, input, 'journal');
      checkCurrency('tryton', await refs.companyCurrency(), j.currency, `journal ${j.externalId}`);
      return postJournal(rpc, refs, j);
    },
    companyCurrency: () => refs.companyCurrency(),
    settleReceivables: async (input) => {
      const x = parseInput(settlementSchema, input, 'settlement');
      checkCurrency('tryton', await refs.companyCurrency(), x.currency, `settlement ${x.externalId}`);
      return settleReceivables(rpc, refs, x);
    },
    listLedger: async (q: LedgerQuery) => listLedger(rpc, refs, parseInput(ledgerQuerySchema, q, 'ledger query')),
    shipSalesOrder: async (externalId, opts) => shipSale(rpc, refs, String(externalId), opts),
    close: () => rpc.close(),
  };
}

const itemOf = (p: Product): ErpItem => ({
  id: String(p.id),
  sku: p.sku,
  name: p.name,
  type: p.type === 'goods' ? 'goods' : 'service',
  unitPrice: p.listPrice == null ? null : money(p.listPrice),
  active: p.active,
});
