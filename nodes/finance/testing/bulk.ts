// Reconciliation at scale, for tests and bench/reconcile.ts: many ERP documents seeded into the sandbox ERP through
// its own ledger code (one transaction instead of one connector call each), and Shopify payouts built in the shape
// shopify.payouts gives them.
import { Decimal } from 'decimal.js';
import type { SandboxErp } from '../../erp/index.ts';
import { invoiceLines, postEntry } from '../../erp/sandbox/ledger.ts';
import type { ShopifyBalanceTransaction, ShopifyPayout } from '../../shopify/types.ts';

export interface SeedDoc {
  kind: 'invoice' | 'credit-memo';
  externalId: string;
  date: string;
  gross: string;
}

/** Posts invoices / credit memos (receivable against revenue, no tax) as the sandbox ERP's own documents would. */
export function seedErpDocs(erp: SandboxErp, docs: Iterable<SeedDoc>): number {
  let n = 0;
  erp.db.transaction(() => {
    for (const d of docs) {
      postEntry(erp.db, {
        externalId: null,
        date: d.date,
        description: `${d.kind} ${d.externalId}`,
        sourceType: d.kind,
        sourceExternalId: d.externalId,
        sourceNumber: `${d.kind === 'invoice' ? 'INV' : 'CM'}-${d.externalId}`,
        lines: invoiceLines(d.gross, d.gross, 0, d.kind === 'invoice' ? 1 : -1),
      });
      n++;
    }
  })();
  return n;
}

export interface TxSpec {
  id: string;
  type: string;
  amount: string;
  fee?: string;
  order?: string;
  orderTx?: string;
  date: string;
}

const money = (amount: string, currencyCode = 'USD') => ({ amount, currencyCode });

export function balanceTx(t: TxSpec, payoutId: string): ShopifyBalanceTransaction {
  const fee = t.fee ?? '0.00';
  return {
    id: `gid://shopify/ShopifyPaymentsBalanceTransaction/${t.id}`,
    type: t.type,
    test: false,
    payoutId: `gid://shopify/ShopifyPaymentsPayout/${payoutId}`,
    payoutStatus: 'PAID',
    amount: money(t.amount),
    fee: money(fee),
    net: money(new Decimal(t.amount).minus(fee).toFixed(2)),
    sourceId: null,
    sourceType: null,
    sourceOrderId: t.order ? `gid://shopify/Order/${t.order}` : null,
    sourceOrderTransactionId: t.orderTx ? `gid://shopify/OrderTransaction/${t.orderTx}` : null,
    processedAt: t.date,
    adjustmentReason: null,
    adjustmentOrderTransactions: [],
    raw: null,
  };
}

/** A payout whose net is exactly Σ(amount − fee) of its transactions (Shopify's own figures tie). */
export function payoutOf(id: string, issuedAt: string, txs: TxSpec[], status = 'PAID'): ShopifyPayout {
  const bts = txs.map((t) => balanceTx(t, id));
  const net = bts.reduce((a, t) => a.plus(t.net.amount), new Decimal(0)).toFixed(2);
  const zero = money('0.00');
  return {
    id: `gid://shopify/ShopifyPaymentsPayout/${id}`,
    legacyId: id,
    status,
    issuedAt,
    transactionType: 'DEPOSIT',
    net: money(net),
    summary: {
      adjustmentsFee: zero,
      adjustmentsGross: zero,
      chargesFee: zero,
      chargesGross: zero,
      refundsFee: zero,
      refundsGross: zero,
      reservedFundsFee: zero,
      reservedFundsGross: zero,
      retriedPayoutsFee: zero,
      retriedPayoutsGross: zero,
    },
    balanceTransactions: bts,
    raw: null,
  };
}
