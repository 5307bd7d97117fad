// The sandbox ERP: an embedded ERP on SQLite behind the ErpConnector contract, for demos, `npm start` and fast
// tests. Same catalogue as the Tryton test company; same error codes as the real connectors.
import { SANDBOX_ERP_CAPABILITIES } from './capabilities.ts';
import type { CustomerInput, ErpConnector, ErpCustomer, ErpItem, Posted } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { createLimiter } from '../shared/limiter.ts';
import { money, qty } from '../shared/money.ts';
import { creditMemoSchema, customerSchema, journalSchema, ledgerQuerySchema, parseInput, salesOrderSchema } from '../shared/schemas.ts';
import { settlementSchema } from '../shared/settlement.ts';
import { openDb, seed, type Db } from './db.ts';
import { stockChanges } from './stock-changes.ts';
import {
  cancelOrder,
  confirmOrder,
  createMemo,
  createOrder,
  creditable,
  findOrders,
  getStock,
  listFulfilments,
  readOrder,
  shipOrder,
  warehouseId,
} from './documents.ts';
import { listLedger, listLedgerRows, postJournal } from './ledger.ts';
import { settleReceivables } from './settle.ts';
import { checkCurrency } from '../shared/currency.ts';

export interface SandboxErpOptions {
  /** Directory for `sandbox-erp.sqlite`; in memory when neither this nor `file` is given. */
  dataDir?: string;
  file?: string;
  /** Load the default catalogue into an empty database (default true). */
  seed?: boolean;
  /** Post an invoice entry to the ledger for every sales order (default true). */
  postInvoices?: boolean;
  /** The currency the sandbox company keeps its books in (default USD, as the Tryton test company). */
  currency?: string;
}

export type Outage = 'down' | 'timeout' | null;

export interface SandboxAdmin {
  addItem(item: { sku: string; name: string; type?: 'goods' | 'service'; unitPrice?: string }): ErpItem;
  setStock(sku: string, warehouse: string, onHand: string): void;
  addWarehouse(code: string, name: string): void;
  addTaxCode(code: string, name: string, rate: string): void;
  addAccount(code: string, name: string): void;
  /** 'down': every call fails before doing anything (transient). 'timeout': writes happen, then the answer is lost (ambiguous). */
  simulateOutage(kind: Outage): void;
  /** Every document, for `ledgerline sandbox-erp dump` and tests. */
  dump(): SandboxDump;
}

/** The sandbox ERP's contents by kind, as `dump()` lists them. */
export type SandboxDump = Record<
  'items' | 'warehouses' | 'taxCodes' | 'stock' | 'customers' | 'salesOrders' | 'fulfilments' | 'creditMemos' | 'journalEntries' | 'ledgerLines',
  unknown[]
>;

export interface SandboxErp extends ErpConnector {
  readonly admin: SandboxAdmin;
  readonly db: Db;
}

export function createSandboxErp(opts: SandboxErpOptions = {}): SandboxErp {
  const db = openDb(opts);
  if (opts.seed !== false) seed(db);
  const limits = { concurrency: 8 };
  const limiter = createLimiter(limits);
  let outage: Outage = null;
  const postInvoices = opts.postInvoices !== false;
  const companyCurrency = opts.currency ?? 'USD';

  const call = <T>(what: string, write: boolean, fn: () => T): Promise<T> =>
    limiter.run(async () => {
      if (outage === 'down') throw erpError('sandbox', `${what}: unreachable (simulated outage)`, { errorClass: 'transient', code: 'ERP_UNAVAILABLE' });
      const r = fn();
      if (outage === 'timeout' && write)
        throw erpError('sandbox', `${what}: timed out (simulated; the write may have happened)`, { errorClass: 'ambiguous', code: 'ERP_TIMEOUT' });
      return r;
    });

  const upsertCustomerNow = (c: CustomerInput): Posted<ErpCustomer> => {
    const r = db.prepare('SELECT * FROM customers WHERE external_id = ?').get(c.externalId) as Record<string, string | number | null> | undefined;
    if (r) {
      db.prepare('UPDATE customers SET name = ?, email = COALESCE(?, email), phone = COALESCE(?, phone), address = COALESCE(?, address) WHERE id = ?').run(
        c.name,
        c.email ?? null,
        c.phone ?? null,
        c.address ? JSON.stringify(c.address) : null,
        r.id,
      );
    } else {
      db.prepare('INSERT INTO customers (external_id, name, email, phone, address) VALUES (?, ?, ?, ?, ?)').run(
        c.externalId,
        c.name,
        c.email ?? null,
        c.phone ?? null,
        c.address ? JSON.stringify(c.address) : null,
      );
    }
    const x = db.prepare('SELECT * FROM customers WHERE external_id = ?').get(c.externalId) as Record<string, string | number | null>;
    return {
      created: !r,
      document: {
        id: String(x.id),
        externalId: String(x.external_id),
        name: String(x.name),
        email: (x.email as string) ?? null,
        phone: (x.phone as string) ?? null,
      },
    };
  };
  // One immediate transaction (openDb): two worker processes upserting one customer at once (an order's created and
  // paid runs) both read "absent" and the second insert failed on the unique external id, losing that run.
  const upsertCustomer = db.transaction(upsertCustomerNow);

  const toItem = (r: Record<string, string | number | null>): ErpItem => ({
    id: String(r.id),
    sku: String(r.sku),
    name: String(r.name),
    type: r.type === 'service' ? 'service' : 'goods',
    unitPrice: r.unit_price == null ? null : money(String(r.unit_price)),
    active: r.active === 1,
  });

  const admin: SandboxAdmin = {
    addItem(item) {
      if (db.prepare('SELECT 1 FROM items WHERE sku = ? AND active = 1').get(item.sku)) {
        throw erpError('sandbox', `SKU ${JSON.stringify(item.sku)} already exists: an item's SKU must be unique`, {
          errorClass: 'permanent',
          code: 'DUPLICATE_SKU',
          details: { skus: [item.sku] },
        });
      }
      const id = db
        .prepare('INSERT INTO items (sku, name, type, unit_price) VALUES (?, ?, ?, ?)')
        .run(item.sku, item.name, item.type ?? 'goods', item.unitPrice ?? null).lastInsertRowid;
      return toItem(db.prepare('SELECT * FROM items WHERE id = ?').get(id) as Record<string, string | number | null>);
    },
    setStock(sku, warehouse, onHand) {
      const item = db.prepare('SELECT id FROM items WHERE sku = ? AND active = 1').get(sku) as { id: number } | undefined;
      if (!item)
        throw erpError('sandbox', `SKU not found in the sandbox ERP: ${sku}`, { errorClass: 'permanent', code: 'SKU_NOT_FOUND', details: { skus: [sku] } });
      db.prepare(
        'INSERT INTO stock (item_id, warehouse_id, on_hand) VALUES (?, ?, ?) ON CONFLICT(item_id, warehouse_id) DO UPDATE SET on_hand = excluded.on_hand',
      ).run(item.id, warehouseId(db, warehouse), qty(onHand));
    },
    addWarehouse: (code, name) => void db.prepare('INSERT INTO warehouses (code, name) VALUES (?, ?)').run(code, name),
    addTaxCode: (code, name, rate) => void db.prepare('INSERT INTO taxes (code, name, rate) VALUES (?, ?, ?)').run(code, name, rate),
    addAccount: (code, name) => void db.prepare('INSERT INTO accounts (code, name) VALUES (?, ?)').run(code, name),
    simulateOutage: (kind) => void (outage = kind),
    dump() {
      const all = (sql: string) => db.prepare(sql).all() as Array<Record<string, unknown>>;
      const orders = (all('SELECT external_id FROM sales_orders ORDER BY id') as Array<{ external_id: string }>).map((o) => readOrder(db, o.external_id)!);
      return {
        items: all('SELECT * FROM items ORDER BY sku').map((r) => toItem(r as Record<string, string | number | null>)),
        warehouses: all('SELECT code, name FROM warehouses ORDER BY code'),
        taxCodes: all('SELECT code, name, rate FROM taxes ORDER BY code'),
        stock: all(
          'SELECT i.sku, w.code AS warehouse, s.on_hand AS onHand, s.reserved FROM stock s JOIN items i ON i.id = s.item_id JOIN warehouses w ON w.id = s.warehouse_id ORDER BY i.sku, w.code',
        ),
        customers: all('SELECT id, external_id AS externalId, name, email, phone FROM customers ORDER BY id'),
        salesOrders: orders,
        fulfilments: listFulfilments(db, { since: null, limit: 500 }).fulfilments,
        creditMemos: all('SELECT external_id AS externalId, number, date, restock, net, tax, gross FROM credit_memos ORDER BY id'),
        journalEntries: all(
          'SELECT id, external_id AS externalId, number, date, description, source_type AS sourceType, source_external_id AS sourceExternalId FROM journal_entries ORDER BY id',
        ),
        ledgerLines: all('SELECT entry_id AS entryId, account, debit, credit, description FROM ledger_lines ORDER BY id'),
      };
    },
  };

  return {
    kind: 'sandbox',
    capabilities: SANDBOX_ERP_CAPABILITIES,
    limits,
    admin,
    db,
    findItems: (skus) =>
      call('findItems', false, () => {
        const q = db.prepare('SELECT * FROM items WHERE sku = ?');
        return [...new Set(skus)].flatMap((s) => (q.all(s) as Array<Record<string, string | number | null>>).map(toItem));
      }),
    searchItems: (text, limit) =>
      call('searchItems', false, () => {
        const like = `%${text
          .trim()
          .toLowerCase()
          .replace(/[\\%_]/g, '\\$&')}%`;
        const rows = db
          .prepare(`SELECT * FROM items WHERE active = 1 AND (lower(sku) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\') ORDER BY sku LIMIT ?`)
          .all(like, like, Math.max(0, Math.min(limit, 500)));
        return (rows as Array<Record<string, string | number | null>>).map(toItem);
      }),
    listWarehouses: () =>
      call('listWarehouses', false, () =>
        (db.prepare('SELECT id, code, name FROM warehouses ORDER BY code').all() as Array<{ id: number; code: string; name: string }>).map((w) => ({
          ...w,
          id: String(w.id),
        })),
      ),
    listTaxCodes: () =>
      call('listTaxCodes', false, () =>
        (db.prepare('SELECT id, code, name, rate FROM taxes ORDER BY code').all() as Array<{ id: number; code: string; name: string; rate: string }>).map(
          (t) => ({ ...t, id: String(t.id) }),
        ),
      ),
    listPaymentMethods: () =>
      call('listPaymentMethods', false, () =>
        (db.prepare('SELECT id, code, name FROM payment_methods ORDER BY code').all() as Array<{ id: number; code: string; name: string }>).map((p) => ({
          ...p,
          id: String(p.id),
        })),
      ),
    listPaymentTerms: () =>
      call('listPaymentTerms', false, () =>
        (db.prepare('SELECT id, name FROM payment_terms ORDER BY days, name').all() as Array<{ id: number; name: string }>).map((t) => ({
          id: String(t.id),
          name: t.name,
        })),
      ),
    upsertCustomer: async (input) => {
      const c = parseInput(customerSchema, input, 'customer');
      return call('upsertCustomer', true, () => upsertCustomer(c));
    },
    createSalesOrder: async (input, opts) => {
      const o = parseInput(salesOrderSchema, input, 'sales order');
      return call('createSalesOrder', true, () => createOrder(db, o, postInvoices, opts?.confirm !== false));
    },
    confirmSalesOrder: (externalId, opts) => call('confirmSalesOrder', true, () => confirmOrder(db, String(externalId), postInvoices, opts?.expected)),
    getSalesOrder: (externalId) => call('getSalesOrder', false, () => readOrder(db, String(externalId))),
    findSalesOrders: (externalIds) => call('findSalesOrders', false, () => findOrders(db, externalIds)),
    cancelSalesOrder: (externalId) => call('cancelSalesOrder', true, () => cancelOrder(db, String(externalId))),
    listFulfilments: (o) => call('listFulfilments', false, () => listFulfilments(db, o)),
    getStock: (o) => call('getStock', false, () => getStock(db, o)),
    stockChanges: (o) => call('stockChanges', false, () => stockChanges(db, o)),
    createCreditMemo: async (input) => {
      const m = parseInput(creditMemoSchema, input, 'credit memo');
      return call('createCreditMemo', true, () => createMemo(db, m));
    },
    creditable: (orderExternalId) => call('creditable', false, () => creditable(db, String(orderExternalId))),
    postJournal: async (input) => {
      const j = parseInput(journalSchema, input, 'journal');
      checkCurrency('sandbox', companyCurrency, j.currency, `journal ${j.externalId}`);
      return call('postJournal', true, () => postJournal(db, j));
    },
    companyCurrency: async () => companyCurrency,
    settleReceivables: async (input) => {
      const x = parseInput(settlementSchema, input, 'settlement');
      checkCurrency('sandbox', companyCurrency, x.currency, `settlement ${x.externalId}`);
      return call('settleReceivables', true, () => settleReceivables(db, x));
    },
    listLedger: async (q) => {
      const x = parseInput(ledgerQuerySchema, q, 'ledger query');
      return call('listLedger', false, () => listLedger(db, x));
    },
    listLedgerRows: async (q) => {
      const x = parseInput(ledgerQuerySchema, q, 'ledger query');
      return call('listLedgerRows', false, () => listLedgerRows(db, x));
    },
    shipSalesOrder: (externalId, o) => call('shipSalesOrder', true, () => shipOrder(db, String(externalId), o)),
    async close() {
      if (db.open) db.close();
    },
  };
}
