// erp.await-refund: holds a Shopify refund back until its money has moved, then hands the credit memo mapping what
// the refunds/create payload lacks: the order's tax lines per refunded line and shipping, and its tax-inclusive flag.
// A pending refund is a transient failure: the runtime re-runs this step with backoff (the node's retry policy), and
// every attempt re-reads the refund from Shopify, so the memo is posted once the refund has settled — never a
// zero-value memo for money that has not moved. A refund whose transactions failed is a permanent failure.
// The books are in the shop's currency: the cash is Shopify's shopMoney of each transaction, never the amount the
// customer's card got back in the presentment currency (that one is only passed on, as `refunded`, for display).
// The cash is also given per gateway: a share put back on a gift card is no Shopify Payments money (it re-issues
// gift-card liability, finance.gift-card-refund-journal), so the payout's refund line is only the rest.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, NodeError, permanentError, transientError, connectionKindMeta } from '../../../runtime/node-api.ts';
import type { RefundContextQuery, RefundContextQueryVariables } from '../../shopify/admin-types.generated.ts';
import type { ShopifyClient } from '../../shopify/client.ts';
import { typedDocument } from '../../shopify/typed-document.ts';
import type { ShopifyRefund, ShopifyTaxLine, ShopifyTransaction } from '../../shopify/types.ts';
import { requireObject } from './util.ts';
import { spread } from './shopify-figures.ts';
import { currencyDigits, currencyText } from '../../core/currency.ts';

const config = z
  .object({
    /** Shopify connection the refund and its order are re-read from. */
    shopifyConnection: z.string().min(1, 'shopifyConnection is required').meta(connectionKindMeta('shopify')),
    /** How long to wait before looking again at a pending refund (the node's retry policy caps the attempts). */
    pendingRetryMs: z.number().int().min(1).max(86_400_000).default(300_000),
  })
  .strict();

// Only what the credit memo needs (a full order with its refunds costs more than Shopify's 1,000-point query limit).
export const REFUND_CONTEXT = typedDocument<RefundContextQuery, RefundContextQueryVariables>(`query RefundContext($id: ID!, $lineItems: Int!) {
  order(id: $id) {
    id name currencyCode taxesIncluded
    shippingAddress { countryCodeV2 provinceCode }
    lineItems(first: $lineItems) { nodes { id sku isGiftCard taxLines { title rate priceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } } } }
    shippingLines(first: 5) { nodes { id title taxLines { title rate priceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } } } }
    transactions(first: 100) { kind status amountSet { shopMoney { amount } } }
    refunds(first: 20) { id transactions(first: 10) { nodes { id kind status gateway processedAt test parentTransaction { id } amountSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } } } }
  }
}`);

// The shapes the document selects, as generated from the Admin schema (npm run shopify-types).
type GqlOrder = NonNullable<RefundContextQuery['order']>;
type GqlTaxLine = GqlOrder['lineItems']['nodes'][number]['taxLines'][number];
type GqlTransaction = GqlOrder['refunds'][number]['transactions']['nodes'][number];

const taxLine = (t: GqlTaxLine): ShopifyTaxLine => ({
  title: t.title,
  rate: t.rate === null || t.rate === undefined ? null : String(t.rate),
  price: { shop: t.priceSet.shopMoney, presentment: t.priceSet.presentmentMoney },
  channelLiable: null,
});
const transaction = (t: GqlTransaction): ShopifyTransaction => ({
  id: t.id,
  kind: t.kind,
  status: t.status,
  gateway: t.gateway,
  amount: t.amountSet.presentmentMoney,
  parentId: t.parentTransaction?.id ?? null,
  processedAt: t.processedAt,
  test: t.test,
});

type RefundLine = ShopifyRefund['refundLineItems'][number] & { taxLines: ShopifyTaxLine[]; isGiftCard: boolean; restockLocationId: string | null };
type RefundShipping = ShopifyRefund['refundShippingLines'][number] & { taxLines: ShopifyTaxLine[]; description: string };

export interface AwaitRefundOutput {
  refund: Omit<ShopifyRefund, 'refundLineItems' | 'refundShippingLines'> & { refundLineItems: RefundLine[]; refundShippingLines: RefundShipping[] };
  /** The original order as far as the credit memo needs it. */
  order: { id: string; name: string; currency: string; taxesIncluded: boolean; shippingAddress: { countryCode: string | null; provinceCode: string | null } };
  /** Whether any refunded goods go back into stock (each line says whether, and where: restocked, restockLocationId). */
  restock: boolean;
  /** What the successful refund transactions returned in the customer's (presentment) currency: for display, not for the books. */
  refunded: { amount: string; currency: string | null; transactions: number };
  /**
   * Shopify's own figures of the refund (shop currency): refunded lines (tips apart) and their tax, shipping and its
   * tax, order adjustments, tips, import duties, the gross lines, shipping, tips and duties add up to (gift cards left
   * out), and the cash its successful transactions returned — in all (`cash`: the credit memo gives all of it back)
   * and per payment gateway (`cashByGateway`).
   */
  shopify: {
    lines: string;
    lineTax: string;
    shipping: string;
    shippingTax: string;
    adjustments: string;
    /** The customer's tips refunded (Shopify's tip line items). */
    tips: string;
    /** Import duties refunded. */
    duties: string;
    gross: string;
    cash: string;
    cashByGateway: Record<string, string>;
    /**
     * What the customer has paid on the order, net of its other refunds' cash. Less cash back than the refund's lines
     * comes off what they still owe (a B2B order on net terms returned before it is paid) when the invoice less this
     * covers it (erp.post-credit-memo).
     */
    paid: string;
  };
  /** The Shopify location the restocked goods went back to (one per memo), null when Shopify names none. */
  restockLocation: string | null;
}

function refundedTax(
  lines: ShopifyTaxLine[],
  total: { shop: { amount: string; currencyCode: string }; presentment: { amount: string; currencyCode: string } } | null | undefined,
): ShopifyTaxLine[] {
  const amount = new Decimal(total?.shop?.amount ?? '0');
  if (!lines.length) return [];
  const currency = total?.shop?.currencyCode ?? lines[0]?.price.shop.currencyCode;
  const parts = spread(
    amount,
    lines.map((l) => new Decimal(l.price.shop.amount)),
    currencyDigits(currency),
  );
  // All tax lines at zero (nothing to weigh by): the whole refunded tax goes to the first.
  if (parts.every((p) => p.isZero()) && !amount.isZero()) parts[0] = amount;
  return lines.map((l, i) => {
    const part = currencyText(parts[i]!, currency); // spread gives one part per line
    return { ...l, price: { shop: { ...l.price.shop, amount: part }, presentment: { ...l.price.presentment, amount: part } } };
  });
}

const isRefundTx = (t: ShopifyTransaction) => t.kind === 'REFUND';
// Only SUCCESS has moved the money and only these are final failures: AWAITING_RESPONSE, UNKNOWN, PENDING and any
// status Shopify adds later may still move it, so they wait (booking them as 0.00 cash could never be corrected).
const FAILED = new Set(['FAILURE', 'ERROR']);
const statusOf = (t: ShopifyTransaction) => String(t.status ?? '').toUpperCase();

export const awaitRefundNode = defineNode<z.infer<typeof config>, { refund?: ShopifyRefund }, AwaitRefundOutput>({
  type: 'erp.await-refund',
  version: 1,
  title: 'Wait for a settled refund',
  category: 'erp',
  description:
    'Passes a Shopify refund on to the credit memo only once its refund transactions succeeded: a refund not settled yet (PENDING, AWAITING_RESPONSE, UNKNOWN...) waits (the step ' +
    'is retried with backoff and re-reads the refund from Shopify each time), a failed one stops with REFUND_FAILED. Adds the original ' +
    "order's tax lines to each refunded line and shipping line, the order's tax-inclusive flag and the restock decision.",
  config,
  inputs: [{ id: 'in', dataType: 'ShopifyEvent' }],
  outputs: [{ id: 'out', dataType: 'SettledRefund' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {
    refund: {
      id: 'gid://shopify/Refund/5501',
      orderId: 'gid://shopify/Order/5001001',
      createdAt: '2026-03-02T10:00:00Z',
      processedAt: null,
      note: null,
      settled: true,
      raw: null,
      refundLineItems: [
        {
          id: 'gid://shopify/RefundLineItem/1',
          lineItemId: 'gid://shopify/LineItem/5102',
          sku: 'TEE-S',
          quantity: 1,
          restockType: 'RETURN',
          restocked: true,
          locationId: null,
          subtotal: { shop: { amount: '22.50', currencyCode: 'GBP' }, presentment: { amount: '22.50', currencyCode: 'GBP' } },
          totalTax: { shop: { amount: '3.75', currencyCode: 'GBP' }, presentment: { amount: '3.75', currencyCode: 'GBP' } },
          isTip: false,
          taxLines: [
            {
              title: 'GB VAT',
              rate: '0.2',
              price: { shop: { amount: '7.50', currencyCode: 'GBP' }, presentment: { amount: '7.50', currencyCode: 'GBP' } },
              channelLiable: false,
            },
          ],
          isGiftCard: false,
          restockLocationId: null,
        },
      ],
      refundShippingLines: [],
      orderAdjustments: [],
      duties: null,
      transactions: [],
    },
    order: {
      id: 'gid://shopify/Order/5001001',
      name: '#1011',
      currency: 'GBP',
      taxesIncluded: true,
      shippingAddress: { countryCode: 'GB', provinceCode: null },
    },
    restock: true,
    refunded: { amount: '22.50', currency: 'GBP', transactions: 1 },
    shopify: {
      lines: '22.50',
      lineTax: '3.75',
      shipping: '0.00',
      shippingTax: '0.00',
      adjustments: '0.00',
      tips: '0.00',
      duties: '0.00',
      gross: '22.50',
      cash: '22.50',
      cashByGateway: { shopify_payments: '22.50' },
      paid: '45.00',
    },
    restockLocation: null,
  },
  async execute(ctx, input) {
    const where = `node ${ctx.nodeId}`;
    requireObject(ctx, input, 'a Shopify refund event');
    const hook = input.refund;
    if (!hook || typeof hook !== 'object' || !hook.id || !hook.orderId)
      throw permanentError(`${where}: input.refund (a shopify.trigger refunds/create output) is required`, {
        code: 'INVALID_INPUT',
        details: { field: 'refund' },
      });
    const client = await ctx.connection<ShopifyClient>('shopify', ctx.config.shopifyConnection);
    if (!client || typeof client.request !== 'function')
      throw permanentError(`${where}: connection "${ctx.config.shopifyConnection}" is not a Shopify connection`, { code: 'BAD_CONNECTION' });

    let order: GqlOrder;
    try {
      const res = await client.request(REFUND_CONTEXT, { id: hook.orderId, lineItems: 100 }, { signal: ctx.signal });
      if (!res.data.order)
        throw permanentError(`${where}: Shopify has no order ${hook.orderId} for refund ${hook.id}`, {
          code: 'ORDER_NOT_FOUND',
          details: { orderId: hook.orderId },
        });
      order = res.data.order;
    } catch (e) {
      if (e instanceof NodeError) throw e;
      throw transientError(`${where}: could not read order ${hook.orderId} from Shopify: ${(e as Error).message}`, { code: 'SHOPIFY_UNAVAILABLE', cause: e });
    }
    // Shopify's current view of the refund wins over the (possibly stale) webhook payload.
    const found = order.refunds.find((r) => r.id === hook.id);
    const fresh = found ? found.transactions.nodes.map(transaction) : null;
    const transactions = (fresh ?? hook.transactions ?? []).filter(isRefundTx);
    const failed = transactions.filter((t) => FAILED.has(statusOf(t)));
    const ok = transactions.filter((t) => statusOf(t) === 'SUCCESS');
    const pending = transactions.filter((t) => statusOf(t) !== 'SUCCESS' && !FAILED.has(statusOf(t)));
    if (pending.length) {
      throw transientError(
        `${where}: refund ${hook.id} of order ${order.name} is not settled yet (${pending.map((t) => `${t.id} ${statusOf(t) || 'no status'}`).join(', ')}); the credit memo waits until the money has moved`,
        {
          code: 'REFUND_PENDING',
          retryAfterMs: ctx.config.pendingRetryMs,
          details: { refundId: hook.id, orderId: order.id, pending: pending.map((t) => t.id), statuses: pending.map((t) => statusOf(t)) },
        },
      );
    }
    if (failed.length && !ok.length) {
      throw permanentError(
        `${where}: refund ${hook.id} of order ${order.name} failed at the payment gateway (${failed.map((t) => `${t.id} ${t.status}`).join(', ')}); no money was returned, so no credit memo is posted`,
        {
          code: 'REFUND_FAILED',
          details: { refundId: hook.id, orderId: order.id, failed: failed.map((t) => t.id) },
        },
      );
    }

    const lineById = new Map(order.lineItems.nodes.map((l) => [l.id, l]));
    const ships = order.shippingLines.nodes;
    const shipById = new Map(ships.filter((s) => s.id).map((s) => [s.id!, s]));
    // Each refunded line's tax lines carry the refunded share of Shopify's tax: the refund line's total tax split over
    // the order line's tax lines in proportion to them (to the cent), so the memo records Shopify's refunded tax.
    const refundLineItems = hook.refundLineItems.map((rl) => {
      const li = lineById.get(rl.lineItemId);
      return {
        ...rl,
        sku: rl.sku ?? li?.sku ?? null,
        taxLines: refundedTax((li?.taxLines ?? []).map(taxLine), rl.totalTax),
        isGiftCard: li?.isGiftCard ?? false,
        restockLocationId: rl.restocked ? rl.locationId : null,
      };
    });
    const refundShippingLines = hook.refundShippingLines.map((rs) => {
      const sl = (rs.shippingLineId && shipById.get(rs.shippingLineId)) || (ships.length === 1 ? ships[0] : undefined);
      return { ...rs, taxLines: refundedTax((sl?.taxLines ?? []).map(taxLine), rs.tax), description: sl ? `Shipping refund: ${sl.title}` : 'Shipping refund' };
    });
    // Tips are no goods: never restocked, and the credit memo gives them back as its tip item (post-credit-memo's tipSku).
    const goods = refundLineItems.filter((l) => !l.isGiftCard && !l.isTip);
    const tipLines = refundLineItems.filter((l) => !l.isGiftCard && l.isTip);
    // Each line says whether and where Shopify restocked it: a refund may restock some lines only, at several locations.
    const restocked = goods.filter((l) => l.restocked);
    const currency = ok[0]?.amount.currencyCode ?? null;
    const amount = ok.reduce((a, t) => a.plus(t.amount.amount), new Decimal(0));
    const shopAmounts = shopCash(where, hook.id, order, found?.transactions.nodes ?? null, ok, ctx.config.pendingRetryMs);
    const cash = shopAmounts.reduce((a, x) => a.plus(x), new Decimal(0));
    const byGateway = new Map<string, Decimal>();
    ok.forEach((t, i) => {
      const g = t.gateway ?? 'unknown';
      byGateway.set(g, (byGateway.get(g) ?? new Decimal(0)).plus(shopAmounts[i]!)); // one amount per transaction of ok
    });
    const shop = (b: { shop: { amount: string } } | null | undefined) => new Decimal(b?.shop?.amount ?? '0');
    const sumOf = <T>(xs: T[], f: (x: T) => Decimal) => xs.reduce((a, x) => a.plus(f(x)), new Decimal(0));
    const lineTotal = sumOf(goods, (l) => shop(l.subtotal));
    const lineTax = sumOf(goods, (l) => shop(l.totalTax));
    const shipTotal = sumOf(refundShippingLines, (l) => shop(l.subtotal));
    const shipTax = sumOf(refundShippingLines, (l) => shop(l.tax));
    const adjustments = sumOf(hook.orderAdjustments ?? [], (a) => shop(a.amount).plus(shop(a.tax)));
    // A tip carries no tax; any Shopify did give one is part of what the customer gets back.
    const tips = sumOf(tipLines, (l) => (order.taxesIncluded ? shop(l.subtotal) : shop(l.subtotal).plus(shop(l.totalTax))));
    const duties = shop(hook.duties);
    // Subtotals include the tax when the order's prices did.
    const goodsAndShipping = order.taxesIncluded ? lineTotal.plus(shipTotal) : lineTotal.plus(lineTax).plus(shipTotal).plus(shipTax);
    const gross = goodsAndShipping.plus(tips).plus(duties);
    const paid = paidOn(order, hook.id);
    const [restockLocation = null, ...otherLocations] = new Set(restocked.map((l) => l.locationId).filter((x): x is string => !!x));
    const text = (d: Decimal) => currencyText(d, order.currencyCode);
    return {
      shopify: {
        lines: text(lineTotal),
        lineTax: text(lineTax),
        shipping: text(shipTotal),
        shippingTax: text(shipTax),
        adjustments: text(adjustments),
        tips: text(tips),
        duties: text(duties),
        gross: text(gross),
        cash: text(cash),
        cashByGateway: Object.fromEntries([...byGateway].map(([g, v]) => [g, text(v)])),
        paid: text(paid),
      },
      restockLocation: otherLocations.length ? null : restockLocation,
      refund: { ...hook, transactions: fresh ?? hook.transactions, settled: true, refundLineItems, refundShippingLines },
      order: {
        id: order.id,
        name: order.name,
        currency: order.currencyCode,
        taxesIncluded: order.taxesIncluded,
        shippingAddress: { countryCode: order.shippingAddress?.countryCodeV2 ?? null, provinceCode: order.shippingAddress?.provinceCode ?? null },
      },
      restock: restocked.length > 0,
      refunded: { amount: currencyText(amount, currency), currency, transactions: ok.length },
    };
  },
});

/**
 * What the customer has paid on the order: its successful sales and captures (shop money) less the cash its other
 * refunds returned. Not cut at the refund's time: a payment after it (the buyer settling the reduced invoice) pays only
 * what was still owed, so owing the refund's difference holds either way, and timestamps that disagree (a refund
 * dated before the payment it returns) cannot make a paid order look unpaid.
 */
function paidOn(order: GqlOrder, refundId: string): Decimal {
  const captured = order.transactions
    .filter((t) => (t.kind === 'SALE' || t.kind === 'CAPTURE') && t.status === 'SUCCESS')
    .reduce((a, t) => a.plus(t.amountSet.shopMoney.amount), new Decimal(0));
  const returned = order.refunds
    .filter((r) => r.id !== refundId)
    .flatMap((r) => r.transactions.nodes)
    .filter((t) => t.kind === 'REFUND' && t.status === 'SUCCESS')
    .reduce((a, t) => a.plus(t.amountSet.shopMoney.amount), new Decimal(0));
  return Decimal.max(captured.minus(returned), 0);
}

/**
 * What each successful transaction returned (in `ok`'s order), in the shop's currency: Shopify's shopMoney when it
 * lists the refund. The webhook's own transactions carry only the presentment amount, which is shop money only when
 * the currencies are the same; otherwise the refund waits until Shopify lists it (a converted guess would put a wrong
 * figure in the books).
 */
function shopCash(
  where: string,
  refundId: string,
  order: GqlOrder,
  listed: GqlTransaction[] | null,
  ok: ShopifyTransaction[],
  retryAfterMs: number,
): Decimal[] {
  if (listed) {
    const byId = new Map(listed.map((t) => [t.id, t.amountSet.shopMoney.amount]));
    return ok.map((t) => new Decimal(byId.get(t.id)!)); // ok holds these very transactions
  }
  const foreign = ok.filter((t) => t.amount.currencyCode !== null && t.amount.currencyCode !== order.currencyCode);
  if (foreign.length) {
    throw transientError(
      `${where}: Shopify does not list refund ${refundId} on order ${order.name} yet, and its transactions are in ${foreign[0]!.amount.currencyCode}, not the shop's ${order.currencyCode}; the credit memo waits for Shopify's shop-currency amounts`,
      {
        code: 'REFUND_PENDING',
        retryAfterMs,
        details: { refundId, orderId: order.id, currency: foreign[0]!.amount.currencyCode, shopCurrency: order.currencyCode },
      },
    );
  }
  return ok.map((t) => new Decimal(t.amount.amount));
}
