// The exceptions contract, part of the node API: what nodes, monitors and the runtime raise for people to triage.
// Nodes reach the sink as `ctx.exceptions`; the store behind it lives in server/exceptions/store/.

export type ExceptionType =
  | 'unmapped-tax-code'
  | 'unmapped-location'
  | 'sku-missing-in-erp'
  | 'duplicate-sku'
  | 'erp-rejected'
  | 'erp-unreachable'
  | 'inventory-drift'
  | 'orphaned-order'
  | 'payment-mismatch'
  | 'payout-variance'
  | 'payout-missing-in-erp'
  | 'payout-amount-mismatch'
  | 'payout-unknown-in-shopify'
  | 'stuck-run'
  | 'failed-run'
  | 'webhook-silence'
  | 'webhook-unverified'
  | 'rate-limited'
  | 'unprocessable-event'
  | 'erp-totals-mismatch'
  | 'credit-memo-mismatch'
  | 'refund-cash-mismatch'
  | 'credit-exceeds-invoice'
  | 'currency-mismatch'
  | (string & {});

export type Owner = 'finance' | 'operations' | 'ecommerce';
export type Severity = 'low' | 'medium' | 'high';
export type ExceptionState = 'open' | 'acknowledged' | 'resolved';

export interface ExceptionLinks {
  runId?: string;
  flowId?: string;
  nodeId?: string;
  /** Shopify GID of the object concerned (order, refund, payout...). */
  shopify?: string;
  /** The order's name (#1001) when `shopify` is an order or one of its refunds: how people name orders. */
  shopifyName?: string;
  /** ERP document number or id. */
  erp?: string;
}

export interface RaiseException {
  type: ExceptionType;
  /**
   * What makes two raises "the same cause": they aggregate into one exception (count, last seen) instead of
   * flooding, e.g. `unmapped-tax-code:GB VAT 20%`.
   */
  key: string;
  title: string;
  detail?: string;
  severity?: Severity;
  /** Defaults to the configured owner of the type. */
  owner?: Owner;
  links?: ExceptionLinks;
  data?: Record<string, unknown>;
}

export interface ExceptionSink {
  /** Asynchronous: the inbox writes through the store, which may be a database server (issue 13). */
  raise(e: RaiseException): Promise<{ id: string; count: number; isNew: boolean }>;
  /** The condition cleared (e.g. a replay succeeded, drift back within tolerance): auto-resolve if open. */
  clear(type: ExceptionType, key: string, note?: string): Promise<boolean>;
  /**
   * Keys of the unresolved exceptions of a type (optionally only those starting with `prefix`). Monitors use it to
   * clear causes their latest check no longer finds. Optional: a sink without it only clears keys it is told.
   */
  openKeys?(type: ExceptionType, prefix?: string): Promise<string[]>;
}
