// Reference data of a Tryton database (warehouses, taxes, currencies, accounts...), looked up by the codes the
// contract uses and cached per connection. Nothing here depends on record ids of one particular database.
import { erpError } from '../shared/errors.ts';
import type { TrytonRpc } from './rpc.ts';
import { OnceCache } from '../shared/once.ts';

export interface Warehouse {
  id: number;
  code: string;
  name: string;
  storage: number;
  input: number;
}
export interface Tax {
  id: number;
  code: string;
  name: string;
  rate: string;
}
export interface Product {
  id: number;
  sku: string;
  name: string;
  type: string;
  listPrice: string | null;
  active: boolean;
}

export interface TrytonOptions {
  /** Name of the payment term for sales and credit notes; the first one when omitted. */
  paymentTerm?: string;
  /** Code of the journal payout entries go to (default CASH). */
  journal?: string;
  /** SKU of the service product used for shipping lines (default SHIPPING). */
  shippingSku?: string;
  /** Post the invoice Tryton creates on order confirmation (default false: it stays draft, so orders can be cancelled). */
  postInvoices?: boolean;
}

const notFound = (what: string, code: string, value: unknown, known?: string[]) =>
  erpError('tryton', `${what} ${JSON.stringify(value)} does not exist in Tryton${known ? ` (known: ${known.join(', ')})` : ''}`, {
    errorClass: 'permanent',
    code,
    details: { value, ...(known ? { known } : {}) },
  });

export class TrytonRefs {
  private cache = new OnceCache();

  constructor(
    private readonly rpc: TrytonRpc,
    readonly opts: TrytonOptions,
  ) {}

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load);
  }

  warehouses(): Promise<Warehouse[]> {
    return this.once('warehouses', async () => {
      const rows = await this.rpc.model<Array<Record<string, unknown>>>('stock.location', 'search_read', [
        [['type', '=', 'warehouse']],
        0,
        null,
        [['code', 'ASC']],
        ['code', 'name', 'storage_location', 'input_location'],
      ]);
      return rows.map((r) => ({
        id: r.id as number,
        code: String(r.code ?? r.id),
        name: String(r.name),
        storage: r.storage_location as number,
        input: r.input_location as number,
      }));
    });
  }

  async warehouse(code: string): Promise<Warehouse> {
    const all = await this.warehouses();
    const w = all.find((x) => x.code === code);
    if (!w)
      throw notFound(
        'Warehouse',
        'WAREHOUSE_NOT_FOUND',
        code,
        all.map((x) => x.code),
      );
    return w;
  }

  async warehouseById(id: number): Promise<Warehouse | undefined> {
    return (await this.warehouses()).find((w) => w.id === id);
  }

  /** Cash journals: where Tryton books received payments. */
  paymentJournals(): Promise<Array<{ id: number; code: string; name: string }>> {
    return this.once('payment-journals', async () => {
      const rows = await this.rpc.model<Array<Record<string, unknown>>>('account.journal', 'search_read', [
        [['type', '=', 'cash']],
        0,
        null,
        [['code', 'ASC']],
        ['code', 'name'],
      ]);
      return rows.map((r) => ({ id: r.id as number, code: String(r.code ?? r.id), name: String(r.name) }));
    });
  }

  taxes(): Promise<Tax[]> {
    return this.once('taxes', async () => {
      const rows = await this.rpc.model<Array<Record<string, unknown>>>('account.tax', 'search_read', [
        [
          ['parent', '=', null],
          ['type', '=', 'percentage'],
        ],
        0,
        null,
        [['name', 'ASC']],
        ['name', 'description', 'rate'],
      ]);
      return rows.map((r) => ({ id: r.id as number, code: String(r.name), name: String(r.description ?? r.name), rate: String(r.rate) }));
    });
  }

  /** Each tax's invoice and credit-note accounts (manual tax lines need them). */
  taxAccounts(): Promise<Map<number, { invoice: number | null; creditNote: number | null }>> {
    return this.once('taxAccounts', async () => {
      const ids = (await this.taxes()).map((t) => t.id);
      const rows = ids.length
        ? await this.rpc.model<Array<{ id: number; invoice_account: number | null; credit_note_account: number | null }>>('account.tax', 'read', [
            ids,
            ['invoice_account', 'credit_note_account'],
          ])
        : [];
      return new Map(rows.map((r) => [r.id, { invoice: r.invoice_account, creditNote: r.credit_note_account }]));
    });
  }

  async taxIds(codes: string[] | undefined, field: string): Promise<Tax[]> {
    if (!codes?.length) return [];
    const all = await this.taxes();
    return codes.map((c) => {
      const t = all.find((x) => x.code === c);
      if (!t)
        throw notFound(
          'Tax code',
          'TAX_CODE_NOT_FOUND',
          c,
          all.map((x) => x.code),
        );
      void field;
      return t;
    });
  }

  private currencies(): Promise<Map<string, number>> {
    return this.once('currencies', async () => {
      const rows = await this.rpc.model<Array<{ id: number; code: string }>>('currency.currency', 'search_read', [[], 0, null, null, ['code']]);
      return new Map(rows.map((r) => [r.code, r.id]));
    });
  }

  async currency(code: string): Promise<number> {
    const map = await this.currencies();
    const id = map.get(code);
    if (id === undefined) throw notFound('Currency', 'CURRENCY_NOT_FOUND', code, [...map.keys()]);
    return id;
  }

  /** The currency of the company the session works in (the user's context company). */
  companyCurrency(): Promise<string> {
    return this.once('companyCurrency', async () => {
      const company = (await this.rpc.context()).company;
      const [row] = await this.rpc.model<Array<{ currency: number }>>('company.company', 'read', [[company], ['currency']]);
      if (!row) throw notFound('Company', 'CONFIG_MISSING', company);
      return this.currencyCode(row.currency);
    });
  }

  async currencyCode(id: number): Promise<string> {
    const map = await this.currencies();
    for (const [c, i] of map) if (i === id) return c;
    return String(id);
  }

  accounts(): Promise<Map<string, number>> {
    return this.once('accounts', async () => {
      const rows = await this.rpc.model<Array<{ id: number; code: string | null }>>('account.account', 'search_read', [
        [
          ['code', '!=', null],
          ['type', '!=', null],
        ],
        0,
        null,
        null,
        ['code'],
      ]);
      return new Map(rows.map((r) => [String(r.code), r.id]));
    });
  }

  async account(code: string): Promise<number> {
    const map = await this.accounts();
    const id = map.get(code);
    if (id === undefined) throw notFound('GL account', 'ACCOUNT_NOT_FOUND', code, [...map.keys()]);
    return id;
  }

  async accountCode(id: number): Promise<string> {
    for (const [c, i] of await this.accounts()) if (i === id) return c;
    return String(id);
  }

  /**
   * The payment term named `name` (an order's own, matched without regard to case), else the connection's
   * `paymentTerm`, else the first there is.
   */
  paymentTerm(name?: string | null): Promise<number> {
    if (name) return this.namedPaymentTerm(name);
    return this.once('paymentTerm', async () => {
      const domain = this.opts.paymentTerm ? [['name', '=', this.opts.paymentTerm]] : [];
      const [id] = await this.rpc.model<number[]>('account.invoice.payment_term', 'search', [domain, 0, 1, [['id', 'ASC']]]);
      if (id === undefined) throw notFound('Payment term', 'CONFIG_MISSING', this.opts.paymentTerm ?? '(any)');
      return id;
    });
  }

  private async namedPaymentTerm(name: string): Promise<number> {
    const key = name.toLowerCase();
    let terms = await this.paymentTerms();
    if (!terms.has(key)) {
      // Terms are few and made rarely: one made since the list was read is found on a second look.
      this.cache.forget('payment-terms');
      terms = await this.paymentTerms();
    }
    const term = terms.get(key);
    if (term) return term.id;
    const known = [...terms.values()].map((t) => t.name);
    throw erpError('tryton', `Payment term ${JSON.stringify(name)} does not exist in Tryton (known: ${known.join(', ')})`, {
      errorClass: 'permanent',
      code: 'PAYMENT_TERM_NOT_FOUND',
      details: { field: 'paymentTerms', value: name, known },
    });
  }

  /** Every payment term by its lowercased name. */
  paymentTerms(): Promise<Map<string, { id: number; name: string }>> {
    return this.once('payment-terms', async () => {
      const rows = await this.rpc.model<Array<{ id: number; name: string }>>('account.invoice.payment_term', 'search_read', [
        [],
        0,
        null,
        [['id', 'ASC']],
        ['name'],
      ]);
      return new Map(rows.map((r) => [r.name.toLowerCase(), { id: r.id, name: r.name }]));
    });
  }

  journal(code: string): Promise<number> {
    return this.once(`journal:${code}`, async () => {
      const [id] = await this.rpc.model<number[]>('account.journal', 'search', [[['code', '=', code]], 0, 1, null]);
      if (id === undefined) throw notFound('Journal', 'CONFIG_MISSING', code);
      return id;
    });
  }

  receivableAccount(): Promise<number> {
    return this.once('receivable', async () => {
      const [id] = await this.rpc.model<number[]>('account.account', 'search', [[['type.receivable', '=', true]], 0, 1, [['id', 'ASC']]]);
      if (id === undefined) throw notFound('Receivable account', 'CONFIG_MISSING', 'type.receivable');
      return id;
    });
  }

  /** Products by SKU (active only, as Tryton enforces SKU uniqueness among active products). */
  async products(skus: string[]): Promise<Product[]> {
    if (!skus.length) return [];
    const rows = await this.rpc.model<Array<Record<string, unknown>>>('product.product', 'search_read', [
      [['code', 'in', [...new Set(skus)]]],
      0,
      null,
      null,
      ['code', 'name', 'type', 'list_price', 'active', 'default_uom'],
    ]);
    return rows.map(productOf);
  }

  /** Active products whose code or name contains `text` (Tryton's rec_name search: code, then the template's name). */
  async searchProducts(text: string, limit: number): Promise<Product[]> {
    const rows = await this.rpc.model<Array<Record<string, unknown>>>('product.product', 'search_read', [
      // Tryton's like operators escape with a backslash: a % or _ typed is that character, not a wildcard.
      [['rec_name', 'ilike', `%${text.trim().replace(/[\\%_]/g, '\\$&')}%`]],
      0,
      Math.max(1, Math.min(limit, 500)),
      [['code', 'ASC']],
      ['code', 'name', 'type', 'list_price', 'active', 'default_uom'],
    ]);
    return rows.filter((r) => r.code).map(productOf);
  }

  /** Resolves every SKU to exactly one product, or fails naming the unknown / duplicated SKUs. */
  async productMap(skus: string[]): Promise<Map<string, Product & { uom: number }>> {
    const rows = (await this.products(skus)) as Array<Product & { uom: number }>;
    const map = new Map<string, Product & { uom: number }>();
    const dup = new Set<string>();
    for (const r of rows) map.has(r.sku) ? dup.add(r.sku) : map.set(r.sku, r);
    const missing = [...new Set(skus)].filter((s) => !map.has(s));
    if (missing.length) {
      throw erpError('tryton', `SKU not found in Tryton: ${missing.join(', ')}`, {
        errorClass: 'permanent',
        code: 'SKU_NOT_FOUND',
        details: { skus: missing },
      });
    }
    if (dup.size) {
      throw erpError('tryton', `SKU matches several Tryton products: ${[...dup].join(', ')}`, {
        errorClass: 'permanent',
        code: 'DUPLICATE_SKU',
        details: { skus: [...dup] },
      });
    }
    return map;
  }

  async productSkus(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const rows = await this.rpc.model<Array<{ id: number; code: string | null }>>('product.product', 'read', [[...new Set(ids)], ['code']]);
    return new Map(rows.map((r) => [r.id, String(r.code ?? '')]));
  }
}

const productOf = (r: Record<string, unknown>): Product & { uom: number } => ({
  id: r.id as number,
  sku: String(r.code),
  name: String(r.name),
  type: String(r.type),
  listPrice: r.list_price == null ? null : String(r.list_price),
  active: Boolean(r.active),
  uom: r.default_uom as number,
});
