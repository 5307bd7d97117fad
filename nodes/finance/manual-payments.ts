// finance.manual-payment-receipt: an order paid outside Shopify Payments (cash on delivery collected, a bank transfer
// or cheque marked paid) never reaches a payout, so no payout settlement ever clears its invoice: the receivable stays
// open and the aging report says the customer still owes. This books the receipt when Shopify marks the order paid:
// one entry (idempotent by order), Dr the account the money waits in (the carrier's COD remittance, the bank), Cr the
// customer receivable, reconciled with the order's invoice (and the credit memos of goods returned before payment).
// Only when the ERP's invoice less those memos is exactly what Shopify says was paid: anything else (an edit the ERP
// does not know, another amount) is finance's to settle, raised, never guessed.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, NodeError, permanentError, skipRun, transientError } from '../../runtime/node-api.ts';
import type { ErpSettlement, SettlementItemInput } from '../erp/contract.ts';
import { paidByNamedGateways } from '../erp/nodes/payment-gate.ts';
import { connectionField, erpConnection, withNode } from '../erp/nodes/util.ts';
import type { MoneyBag, ShopifyOrder } from '../shopify/types.ts';
import { currencyText } from '../core/currency.ts';
import { legacy } from './erp-docs.ts';

/** Shopify's manual payment methods as they name an order's gateway (payment_gateway_names). */
export const MANUAL_GATEWAYS = ['Cash on Delivery (COD)', 'Bank Deposit', 'Money Order', 'manual'];

const config = z
  .object({
    connection: connectionField,
    /** The payment methods booked here: every payment method of the order must be one of them (case and spacing aside). */
    gateways: z.array(z.string().min(1)).min(1).default(MANUAL_GATEWAYS).meta({
      title: 'Payment methods booked here',
      description: 'Shopify payment method names paid outside Shopify Payments, e.g. "Cash on Delivery (COD)", "Bank Deposit"',
    }),
    accounts: z
      .object({
        receivable: z.string().min(1).default('1100'),
        /** Where the money waits until finance books its arrival (the carrier's COD remittance, the bank). */
        received: z.string().min(1).default('1000'),
      })
      .strict()
      .default({ receivable: '1100', received: '1000' })
      .meta({
        title: 'Accounts',
        description: 'receivable: the customer receivable the invoice is on; received: where the money waits (the carrier’s COD remittance, the bank)',
      }),
  })
  .strict();

/**
 * The order's refunds that credit goods or shipping (each has a credit memo from refund-to-credit-memo), as settlement
 * items. The connectors settle a document's open balance; `amount` is the refund's own gross, for the record.
 */
function creditedRefunds(order: ShopifyOrder): SettlementItemInput[] {
  const items: SettlementItemInput[] = [];
  for (const r of order.refunds ?? []) {
    // Subtotals already hold the tax when the order's prices include it (as erp.await-refund reads them).
    const withTax = (subtotal: MoneyBag, tax: MoneyBag) => (order.taxesIncluded ? [subtotal] : [subtotal, tax]);
    const gross = [
      ...r.refundLineItems.flatMap((l) => withTax(l.subtotal, l.totalTax)),
      ...r.refundShippingLines.flatMap((l) => withTax(l.subtotal, l.tax)),
      ...(r.duties ? [r.duties] : []),
    ].reduce((a, m) => a.plus(m.shop.amount), new Decimal(0));
    if (gross.gt(0)) items.push({ kind: 'credit-memo', externalId: r.id, amount: currencyText(gross, order.currency) });
  }
  return items;
}

export interface ManualPaymentOutput {
  orderId: string;
  amount: string;
  gateways: string[];
  settlement: ErpSettlement;
  created: boolean;
}

export const manualPaymentReceiptNode = defineNode<z.infer<typeof config>, { order?: ShopifyOrder }, ManualPaymentOutput>({
  type: 'finance.manual-payment-receipt',
  version: 1,
  title: 'Book a payment taken outside Shopify Payments',
  category: 'finance',
  description:
    'For an order Shopify marks paid by a manual payment method (`gateways`: cash on delivery, bank deposit, money order, manual): books the receipt in the ERP, ' +
    'one entry idempotent by order (Dr `accounts.received`, Cr `accounts.receivable`) reconciled with the order’s invoice, so the invoice reads paid. ' +
    'Goods returned before payment: the credit memos of the order’s refunds are settled in the same entry, so invoice and memos read paid and `accounts.received` holds the cash. ' +
    'Only when the ERP’s invoice less its credit memos is what Shopify says was paid (else MANUAL_PAYMENT_MISMATCH for finance); an order or a return’s memo not in the ERP yet ' +
    'is retried (its order-to-erp or refund run may still be posting it). Orders paid otherwise end the run skipped: their payout settles them. Sandbox ERP and Tryton.',
  config,
  inputs: [{ id: 'in', dataType: '{ order: ShopifyOrder }' }],
  outputs: [{ id: 'out', dataType: 'ErpSettlement' }],
  idempotent: true,
  sampleOutput: {
    orderId: '450789469',
    amount: '409.94',
    gateways: ['Cash on Delivery (COD)'],
    created: true,
    settlement: {
      externalId: 'receipt:450789469',
      entryNumber: 'JE00043',
      items: [
        { kind: 'invoice', externalId: '450789469', amount: '409.94', status: 'settled', document: 'INV00012', settledAmount: '409.94', invoiceStatus: 'paid' },
      ],
    },
  },
  async execute(ctx, input) {
    const order = input?.order;
    if (!order || typeof order !== 'object' || !order.id || !order.total)
      throw permanentError(`node ${ctx.nodeId}: input.order (a shopify.trigger order) is required`, { code: 'INVALID_INPUT', details: { field: 'order' } });
    const gateways = order.paymentGateways ?? [];
    const status = String(order.financialStatus ?? '').toUpperCase();
    if (status !== 'PAID')
      return skipRun('NOT_PAID', `order ${order.name} is ${status.toLowerCase() || 'without a financial status'}, not paid: no payment to book`);
    if (!paidByNamedGateways(gateways, ctx.config.gateways))
      return skipRun(
        'NOT_MANUAL_PAYMENT',
        `order ${order.name} was paid by ${gateways.join(', ') || 'no named method'}, not only by the manual methods in gateways (${ctx.config.gateways.join(', ')}): its payout settles it`,
      );
    const orderId = legacy(order.id)!;
    // What the customer paid in the end: Shopify's current total (after edits and refunds) of an order marked paid.
    const paid = new Decimal((order.currentTotal ?? order.total).shop.amount);
    const amount = currencyText(paid, order.currency);
    const erp = await erpConnection(ctx);
    if (!erp.settleReceivables || !erp.creditable)
      throw permanentError(`node ${ctx.nodeId}: the ${erp.kind} connection "${ctx.config.connection}" cannot settle receivables`, {
        code: 'UNSUPPORTED',
        details: { capability: 'settleReceivables', erp: erp.kind },
      });
    const creditable = erp.creditable.bind(erp);
    const settle = erp.settleReceivables.bind(erp);
    let invoice: { invoiced: string; credited: string; remaining: string };
    try {
      invoice = await withNode(ctx, () => creditable(order.id));
    } catch (e) {
      // Posted by its order-to-erp run on this very event, perhaps not yet: looked at again with backoff.
      if (e instanceof NodeError && e.code === 'SALES_ORDER_NOT_FOUND')
        throw transientError(`node ${ctx.nodeId}: order ${order.name} is not in the ERP yet; its payment is booked once it is`, {
          code: 'ORDER_NOT_IN_ERP_YET',
          details: { orderId },
        });
      throw e;
    }
    if (new Decimal(invoice.invoiced).isZero())
      throw transientError(`node ${ctx.nodeId}: order ${order.name} has no confirmed invoice in the ERP yet; its payment is booked once it has`, {
        code: 'ORDER_NOT_IN_ERP_YET',
        details: { orderId, ...invoice },
      });
    const credited = new Decimal(invoice.credited);
    const owed = new Decimal(invoice.invoiced).minus(credited);
    // Goods returned before the customer paid (a B2B order on terms paid by bank transfer, a COD parcel opened at the
    // door): Shopify's total after the return is what was paid, and the credit memos of those returns are in the ERP.
    // The receipt then settles the invoice and those memos together, so both read paid and the received account
    // holds exactly the cash.
    const returns = creditedRefunds(order);
    const memos = credited.isZero() ? [] : returns;
    if (!owed.eq(paid) || (!credited.isZero() && !memos.length)) {
      // A return whose memo its refund run has not posted yet: looked at again, as an order not posted yet is.
      if (owed.gt(paid) && returns.length)
        throw transientError(
          `node ${ctx.nodeId}: order ${order.name} was paid ${amount} ${order.currency} after a return, but its ERP invoice still asks ${currencyText(owed, order.currency)}: ` +
            'waiting for the credit memo of the return',
          { code: 'CREDIT_MEMO_NOT_IN_ERP_YET', details: { orderId, paid: amount, ...invoice } },
        );
      throw permanentError(
        `node ${ctx.nodeId}: order ${order.name} was paid ${amount} ${order.currency} by ${gateways.join(', ')}, but its ERP invoice is ${invoice.invoiced}` +
          `${credited.isZero() ? '' : ` with ${invoice.credited} credited`}: settle it by hand; nothing was booked`,
        { code: 'MANUAL_PAYMENT_MISMATCH', details: { orderId, paid: amount, gateways, ...invoice } },
      );
    }
    const r = await withNode(ctx, () =>
      settle({
        currency: order.currency,
        externalId: `receipt:${orderId}`,
        date: ctx.now().toISOString().slice(0, 10),
        description: `Payment of order ${order.name} by ${gateways.join(', ')}`,
        // A receipt has no chargebacks; the settlement asks for an account for them all the same.
        accounts: { receivable: ctx.config.accounts.receivable, clearing: ctx.config.accounts.received, disputes: ctx.config.accounts.received },
        items: [{ kind: 'invoice', externalId: orderId, amount: currencyText(invoice.invoiced, order.currency) }, ...memos],
      }),
    );
    const open = r.document.items.filter((i) => i.invoiceStatus !== 'paid');
    if (open.length)
      // Booked (idempotent: a retry finds the entry), but something of the order still reads open: finance's to see.
      throw permanentError(
        `node ${ctx.nodeId}: the receipt of order ${order.name} is booked (${r.document.entryNumber ?? 'no entry'}), but ${open
          .map((i) => `${i.kind} ${i.externalId} is ${i.status === 'not-found' ? 'not in the ERP' : (i.invoiceStatus ?? 'open')}`)
          .join(', ')}: reconcile it by hand`,
        { code: 'MANUAL_PAYMENT_UNRECONCILED', details: { orderId, entryNumber: r.document.entryNumber, items: open } },
      );
    return { orderId, amount, gateways, settlement: r.document, created: r.created };
  },
});
