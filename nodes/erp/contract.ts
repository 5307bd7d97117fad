// The one interface every ERP connector implements (Tryton, sandbox ERP, NetSuite, Business Central).
// Money and quantities are decimal strings ("19.99"), never floats. Ids are strings whatever the ERP uses.
// Every method throws NodeError (runtime/node-api.ts) classified transient / ambiguous / permanent, with the ERP's
// own message and code kept in `code` and `details.erp`, and never a credential.

/** A decimal amount as a string, e.g. "19.99". */
export type Money = string;
/** A decimal quantity as a string, e.g. "3". */
export type Qty = string;
/** ISO date, YYYY-MM-DD. */
export type IsoDate = string;

export type ErpKind = 'tryton' | 'sandbox' | 'netsuite' | 'business-central';

/** What an ERP can do; a node checks the flag before calling and fails with a clear message when it is false. */
export interface ErpCapabilities {
  items: boolean;
  warehouses: boolean;
  taxCodes: boolean;
  customers: boolean;
  salesOrders: boolean;
  cancelSalesOrder: boolean;
  fulfilments: boolean;
  /** Fulfilments carry a tracking number (BC's standard API has none). */
  fulfilmentTracking: boolean;
  /** Stock per SKU *per warehouse* (BC's standard API only has a total). */
  stockPerWarehouse: boolean;
  creditMemos: boolean;
  /** A credit memo can put the goods back into stock. */
  restock: boolean;
  journals: boolean;
  ledger: boolean;
  /** `shipSalesOrder` exists (sandbox and Tryton: warehouse staff shipping an order, used by demos and tests). */
  ship: boolean;
  /**
   * `createSalesOrder(input, { confirm: false })` leaves a draft that books nothing (no reservation, no invoice) and
   * `confirmSalesOrder` confirms it, so totals are checked against Shopify's before anything is booked.
   */
  draftSalesOrders?: boolean;
}

export interface ErpLimits {
  /** Requests in flight at once on this connection. */
  concurrency: number;
  /** Optional sliding-window rate limit. */
  rate?: { requests: number; windowMs: number };
}

export interface ErpItem {
  id: string;
  sku: string;
  name: string;
  type: 'goods' | 'service';
  unitPrice: Money | null;
  active: boolean;
}

export interface ErpWarehouse {
  id: string;
  code: string;
  name: string;
}

/** A payment term an order's `paymentTerms` may name: by `name`, or by `code` where the ERP keys terms by one (BC). */
export interface ErpPaymentTerm {
  id: string;
  name: string;
  code?: string;
}

/** Whether an order's `paymentTerms` names this term: as each connector matches it, by name or code, in any case. */
export const namesTerm = (t: ErpPaymentTerm, asked: string): boolean =>
  t.name.toLowerCase() === asked.toLowerCase() || (t.code !== undefined && t.code.toLowerCase() === asked.toLowerCase());

export interface ErpPaymentMethod {
  id: string;
  code: string;
  name: string;
}

export interface ErpTaxCode {
  id: string;
  code: string;
  name: string;
  /** Fraction, "0.20" for 20 %. */
  rate: string;
}

export interface Address {
  name?: string;
  street?: string;
  street2?: string;
  city?: string;
  zip?: string;
  province?: string;
  country?: string;
}

export interface CustomerInput {
  /** The Shopify customer id (or another stable external reference). */
  externalId: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  address?: Address | null;
}

export interface ErpCustomer {
  id: string;
  externalId: string;
  name: string;
  email: string | null;
  phone: string | null;
}

/** A tax Shopify charged on one line: the ERP tax code its rate maps to and Shopify's own amount (shop currency). */
export interface LineTax {
  code: string;
  amount: Money;
}

export interface SalesOrderLineInput {
  sku: string;
  quantity: Qty;
  /** Unit price before discount; net of tax unless the order says `pricesIncludeTax`. */
  unitPrice: Money;
  /** Total discount on the line (not per unit), default "0". */
  discount?: Money;
  /** ERP tax code, or null/undefined for no tax. Several codes for stacked taxes (state + county). */
  taxCodes?: string[];
  /**
   * Shopify's tax per tax line. When given, the ERP records these amounts instead of computing tax from the codes' rates
   * (Shopify's tax is the tax charged), and with tax-inclusive prices the net is the gross less these amounts.
   */
  taxes?: LineTax[];
  /** Warehouse code; defaults to the order's. */
  warehouse?: string;
  description?: string;
}

export interface ShippingLineInput {
  description: string;
  amount: Money;
  discount?: Money;
  taxCodes?: string[];
  /** Shopify's tax per tax line, as on `SalesOrderLineInput.taxes`. */
  taxes?: LineTax[];
}

export interface SalesOrderInput {
  /** The Shopify order id: the idempotency key of the document. */
  externalId: string;
  /** The Shopify order name, e.g. "#1001". */
  reference: string;
  customer: CustomerInput;
  /**
   * Where this order ships (Shopify's shipping address). The customer's address is the invoice address; a party's
   * first address is not this order's: a returning customer ships wherever this order says.
   */
  shipTo?: Address | null;
  currency: string;
  date: IsoDate;
  /** Default warehouse code for lines. */
  warehouse: string;
  pricesIncludeTax?: boolean;
  /**
   * The payment term the order's invoice falls due by, by its name in the ERP ("Net 30": Shopify's B2B payment terms,
   * mapped). Absent or null: the ERP's default term. A name the ERP does not know is refused, PAYMENT_TERM_NOT_FOUND:
   * a receivable due on the wrong day is wrong in every aging report and dunning run.
   */
  paymentTerms?: string | null;
  lines: SalesOrderLineInput[];
  shipping?: ShippingLineInput[];
}

export interface ErpSalesOrderLine {
  sku: string;
  description: string;
  quantity: Qty;
  unitPrice: Money;
  discount: Money;
  /** Comma-joined in code order when several taxes apply ("US-COUNTY-1.5,US-STATE-6"), null when none. */
  taxCode: string | null;
  net: Money;
  taxAmount: Money;
  warehouse: string;
}

export interface ErpShippingLine {
  description: string;
  amount: Money;
  discount: Money;
  taxCode: string | null;
  net: Money;
  taxAmount: Money;
}

export interface Totals {
  net: Money;
  tax: Money;
  gross: Money;
}

export type SalesOrderStatus = 'draft' | 'open' | 'partially-fulfilled' | 'fulfilled' | 'cancelled';

export interface ErpSalesOrder {
  id: string;
  externalId: string;
  /** The ERP's document number. */
  number: string;
  reference: string;
  customer: { id: string; externalId: string; name: string };
  currency: string;
  date: IsoDate;
  status: SalesOrderStatus;
  warehouse: string;
  /** The payment term the ERP holds for the order (its name), null when it holds none. */
  paymentTerms: string | null;
  lines: ErpSalesOrderLine[];
  shipping: ErpShippingLine[];
  totals: Totals;
}

/** What payout matching needs of a sales order (no lines): read for many orders at once by findSalesOrders. */
export type ErpSalesOrderHead = Pick<ErpSalesOrder, 'id' | 'externalId' | 'number' | 'date' | 'status' | 'currency' | 'totals'>;

/** Result of an idempotent create: `created` is false when the document already existed (nothing was written). */
export interface Posted<T> {
  created: boolean;
  document: T;
}

export interface ErpFulfilment {
  id: string;
  number: string;
  salesOrderId: string;
  /** The Shopify order id the sales order was posted with. */
  externalOrderId: string;
  warehouse: string;
  completedAt: string;
  lines: Array<{ sku: string; quantity: Qty }>;
  tracking: { number: string | null; company: string | null; url: string | null };
}

export interface FulfilmentPage {
  fulfilments: ErpFulfilment[];
  /** Pass back as `since` to get only later fulfilments. Opaque. */
  cursor: string | null;
  hasMore: boolean;
}

/** The ERP's stock change feed: SKUs whose stock (on hand or reservations) changed after a cursor. */
export interface StockChangePage {
  /** Each SKU once, whatever number of changes it had. */
  skus: string[];
  /** Pass back as `since` for the changes after these. Opaque. */
  cursor: string | null;
  hasMore: boolean;
}

export interface StockLevel {
  sku: string;
  warehouse: string;
  /** Physically in the warehouse. */
  onHand: Qty;
  /** On hand less what open sales orders reserve: what may still be sold. */
  available: Qty;
}

export interface CreditMemoLineInput {
  sku: string;
  quantity: Qty;
  /** Refunded amount per unit, net of tax unless `pricesIncludeTax`. */
  unitPrice: Money;
  taxCodes?: string[];
  /** Shopify's refunded tax per tax line (recorded as given, as on sales order lines). */
  taxes?: LineTax[];
  /** This line's goods go back into stock; defaults to the memo's `restock` (a refund may restock some lines only). */
  restock?: boolean;
  /** Warehouse receiving this line's goods when restocked; defaults to the memo's `warehouse` (a refund may restock at several locations). */
  warehouse?: string;
}

/** Lines restocked, each with its warehouse (line's, else memo's, else `fallback`, the order's). */
export function restockedLines<T extends CreditMemoLineInput>(
  m: { lines: T[]; restock: boolean; warehouse?: string },
  fallback: string,
): Array<T & { warehouse: string }> {
  return m.lines.filter((l) => l.restock ?? m.restock).map((l) => ({ ...l, warehouse: l.warehouse ?? m.warehouse ?? fallback }));
}

/** Whether a memo puts anything back into stock. */
export const restocksAny = (m: { lines: CreditMemoLineInput[]; restock: boolean }): boolean => m.lines.some((l) => l.restock ?? m.restock);

/** An untaxed memo line on a GL account: a refund discrepancy, goodwill, store credit... Positive credits the customer more. */
export interface CreditMemoAdjustment {
  description: string;
  amount: Money;
  account: string;
}

export interface CreditMemoInput {
  /** The Shopify refund id: the idempotency key of the document. */
  externalId: string;
  /** The Shopify order id of the original order (its sales order must exist). */
  orderExternalId: string;
  date: IsoDate;
  currency?: string;
  pricesIncludeTax?: boolean;
  lines: CreditMemoLineInput[];
  shipping?: Array<{ description: string; amount: Money; taxCodes?: string[]; taxes?: LineTax[] }>;
  /** Amounts on GL accounts (signed): what makes the memo equal the cash returned when lines and cash differ. */
  adjustments?: CreditMemoAdjustment[];
  /** Put the refunded goods back in stock (a return), or not (e.g. damaged, never shipped); a line's own `restock` wins. */
  restock: boolean;
  /** Warehouse code receiving restocked goods; defaults to the order's. */
  warehouse?: string;
  reason?: string;
}

export interface ErpCreditMemo {
  id: string;
  externalId: string;
  number: string;
  salesOrderId: string;
  orderExternalId: string;
  customer: { id: string; externalId: string; name: string };
  currency: string;
  date: IsoDate;
  restock: boolean;
  /** Amounts are positive: what is credited to the customer. */
  lines: Array<{ sku: string; quantity: Qty; unitPrice: Money; taxCode: string | null; net: Money; taxAmount: Money }>;
  shipping: Array<{ description: string; net: Money; taxCode: string | null; taxAmount: Money }>;
  adjustments?: CreditMemoAdjustment[];
  totals: Totals;
}

export interface JournalLineInput {
  /** GL account code, e.g. "1190" (Shopify clearing). */
  account: string;
  debit?: Money;
  credit?: Money;
  description?: string;
}

export interface JournalInput {
  /** The payout id (or another stable reference): the idempotency key of the entry. */
  externalId: string;
  date: IsoDate;
  description: string;
  currency?: string;
  lines: JournalLineInput[];
}

export interface ErpJournalEntry {
  id: string;
  externalId: string;
  number: string;
  date: IsoDate;
  description: string;
  posted: boolean;
  lines: Array<{ account: string; debit: Money; credit: Money; description: string | null }>;
  totals: { debit: Money; credit: Money };
}

export interface LedgerQuery {
  from: IsoDate;
  to: IsoDate;
  /** Only lines on these account codes. */
  accounts?: string[];
}

export interface LedgerLine {
  id: string;
  entryId: string;
  entryNumber: string;
  date: IsoDate;
  account: string;
  debit: Money;
  credit: Money;
  description: string | null;
  /** What produced the entry: a journal posted by externalId, an invoice or credit memo, or another ERP document. */
  source: { type: 'journal' | 'invoice' | 'credit-memo' | 'other'; externalId: string | null; number: string | null };
  reconciled: boolean;
}

/**
 * A ledger line as one compact row, for readers of many lines (a reconciliation reads a year's receivable ledger, a
 * million lines): the fields of `LedgerLine` it needs, in this order, with no object per line or per source. Ids are
 * numbers where the ERP's are.
 */
export type LedgerRow = [
  id: number | string,
  entryId: number | string,
  entryNumber: string,
  date: IsoDate,
  account: string,
  debit: Money,
  credit: Money,
  sourceType: LedgerLine['source']['type'],
  sourceExternalId: string | null,
  /** The source document's number, else the entry's (as `LedgerLine.source.number`). */
  sourceNumber: string | null,
];

/**
 * A Shopify Payments movement a posted payout settles against the customer's receivable:
 * - `invoice`: a charge paid the order's invoice (clearing debited, receivable credited, the invoice paid);
 * - `credit-memo`: a refund paid out the credit memo (receivable debited, clearing credited);
 * - `chargeback`: a dispute took the payment back (receivable debited against the disputes account, the invoice open again);
 * - `chargeback-reversal`: a won dispute paid it again (disputes account debited, receivable credited, the invoice paid).
 */
export interface SettlementItemInput {
  kind: 'invoice' | 'credit-memo' | 'chargeback' | 'chargeback-reversal';
  /** Shopify order id (invoice, chargeback, chargeback-reversal) or refund id (credit memo), legacy or GID. */
  externalId: string;
  /** What Shopify moved for it, positive. */
  amount: Money;
}

export interface SettlementInput {
  /** The payout's currency (checked against the ERP company's). */
  currency?: string;
  /** The payout id: the idempotency key of the settlement entry. */
  externalId: string;
  date: IsoDate;
  description: string;
  accounts: { receivable: string; clearing: string; disputes: string };
  items: SettlementItemInput[];
}

export type InvoicePaymentStatus = 'paid' | 'open' | 'disputed';

export interface ErpSettlement {
  externalId: string;
  /** The settlement entry in the ledger, null when nothing needed booking. */
  entryNumber: string | null;
  items: Array<
    SettlementItemInput & {
      status: 'settled' | 'already-settled' | 'not-found';
      /** The ERP document settled (invoice or credit memo number). */
      document: string | null;
      /** The receivable moved for it (the ERP's open amount of the document; the chargeback amount). */
      settledAmount: Money | null;
      /** The invoice's (or credit memo's) payment status after this settlement. */
      invoiceStatus: InvoicePaymentStatus | null;
    }
  >;
}

export interface ErpConnector {
  readonly kind: ErpKind;
  readonly capabilities: ErpCapabilities;
  readonly limits: ErpLimits;

  /** Items by SKU; unknown SKUs are simply absent from the result. */
  findItems(skus: string[]): Promise<ErpItem[]>;
  /**
   * Optional: active items whose code or name contains `text` (case-insensitive), at most `limit`, by code. What a
   * person mapping a Shopify SKU to an ERP item picks from (the catalogue may be thousands of items).
   */
  searchItems?(text: string, limit: number): Promise<ErpItem[]>;
  listWarehouses(): Promise<ErpWarehouse[]>;
  listTaxCodes(): Promise<ErpTaxCode[]>;
  /** Optional: the payment journals receipts are booked in (Tryton: cash journals), for payment-method lookups. */
  listPaymentMethods?(): Promise<ErpPaymentMethod[]>;
  /** Optional: the payment terms a sales order's `paymentTerms` may name (a dry run checks the name against them). */
  listPaymentTerms?(): Promise<ErpPaymentTerm[]>;

  /** Creates or updates the customer whose external id is `input.externalId`. */
  upsertCustomer(input: CustomerInput): Promise<Posted<ErpCustomer>>;

  /**
   * Idempotent by `externalId`: a second post returns the existing order and writes nothing. With `confirm: false`
   * (capability `draftSalesOrders`) the order is left a draft that books nothing; an existing draft is replaced by
   * the new input (a replay after a fix), a confirmed order is returned as it is.
   */
  createSalesOrder(input: SalesOrderInput, opts?: { confirm?: boolean }): Promise<Posted<ErpSalesOrder>>;
  /**
   * Confirms a draft (reserves stock, creates and, per the connection, posts the invoice with Shopify's tax amounts).
   * With `expected`, the invoice is compared first: a difference throws TOTALS_MISMATCH and books nothing (the
   * draft invoice is kept). A confirmed order is returned as it is.
   */
  confirmSalesOrder?(externalId: string, opts?: { expected?: Totals }): Promise<ErpSalesOrder>;
  getSalesOrder(externalId: string): Promise<ErpSalesOrder | null>;
  /**
   * Optional: the sales orders of many Shopify order ids in a few requests (as many ids per request as the ERP's
   * query contract allows), heads only. Unknown ids are absent; of two orders for one id, the first created.
   */
  findSalesOrders?(externalIds: string[]): Promise<ErpSalesOrderHead[]>;
  /** Cancels an order not yet fulfilled; permanent error when it cannot be cancelled any more. */
  cancelSalesOrder(externalId: string): Promise<ErpSalesOrder>;

  /** Fulfilments completed after `since` (a cursor from a previous page), oldest first. */
  listFulfilments(opts: { since?: string | null; limit?: number }): Promise<FulfilmentPage>;

  /**
   * One row per SKU and warehouse (all warehouses when `warehouses` is omitted; every stocked item when `skus` is
   * omitted). Unknown SKUs and services are absent.
   */
  getStock(opts: { skus?: string[]; warehouses?: string[] }): Promise<StockLevel[]>;

  /**
   * Optional: the SKUs whose stock changed after `since` (sandbox ERP: its change log; Tryton: stock moves created or
   * written since). Connectors without a change feed leave it out; a delta push then has nothing to start from.
   */
  stockChanges?(opts: { since?: string | null; limit?: number }): Promise<StockChangePage>;

  /** Idempotent by `externalId` (the Shopify refund id). */
  createCreditMemo(input: CreditMemoInput): Promise<Posted<ErpCreditMemo>>;
  /** What the order's invoice still allows to credit: its gross less the credit memos already posted against it. */
  creditable?(orderExternalId: string): Promise<{ invoiced: Money; credited: Money; remaining: Money }>;

  /** Idempotent by `externalId` (the payout id). The entry is posted; debits must equal credits. */
  postJournal(input: JournalInput): Promise<Posted<ErpJournalEntry>>;
  listLedger(query: LedgerQuery): Promise<LedgerLine[]>;
  /**
   * Optional: the lines `listLedger` gives, as compact rows (sandbox ERP); readers fall back to `listLedger`. Each
   * entry's lines come together and in line order, but entries may come in another order than their line ids (the
   * sandbox gives them by date): a reader wanting ledger order sorts by line id.
   */
  listLedgerRows?(query: LedgerQuery): Promise<LedgerRow[]>;
  /**
   * Settles the receivables a posted payout paid (sandbox and Tryton): one entry, idempotent by payout id, whose
   * receivable lines are reconciled with the invoices and credit memos, so paid-out invoices read paid.
   */
  settleReceivables?(input: SettlementInput): Promise<Posted<ErpSettlement>>;

  /** Ships an open order completely (capability `ship`). */
  shipSalesOrder?(externalId: string, opts: { trackingNumber?: string; carrier?: string }): Promise<ErpFulfilment>;

  /** The currency the ERP company keeps its books in (journals and settlements in another are refused: CURRENCY_MISMATCH). */
  companyCurrency?(): Promise<string>;
  close(): Promise<void>;
}
