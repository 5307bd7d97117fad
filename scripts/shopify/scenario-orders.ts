// REST-shaped orders and refunds for the default scenario, with every amount derived from unit prices, discounts
// and tax rates in the buyer's (presentment) currency, then converted to shop money component by component.
import { Decimal } from 'decimal.js';

type Tax = { title: string; rate: string };
export interface OrderSpec {
  id: number;
  number: number;
  createdAt: string;
  customer: number;
  address: Record<string, unknown>;
  shop: string;
  presentment: string;
  /** Shop money per unit of presentment money. */
  rate: string;
  taxesIncluded: boolean;
  taxes: Tax[];
  locationId?: number;
  lines: { id: number; sku: string; quantity: number; price?: string; giftCard?: boolean; requiresShipping?: boolean; variantIndex?: number }[];
  discount?: { kind: 'code'; code: string; percent: string } | { kind: 'automatic'; title: string; amount: string; lineId: number };
  shipping: { id: number; title: string; price: string; taxes: Tax[] };
  payments: { gateway: string; amount: string | 'rest'; txId: number }[];
  fulfillmentOrders?: { id: number; locationId: number; lines: number[] }[];
  cancelled?: { at: string; reason: string };
}

type VariantLookup = (sku: string) => { productId: number | string; variantId: number | string; title: string; variantTitle: string | null; price: string };
const D = (v: Decimal.Value) => new Decimal(v);
const r2 = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const sum = (xs: Decimal[]) => xs.reduce((a, b) => a.plus(b), D(0));
const idOf = (v: number | string) => (typeof v === 'string' ? Number(v.split('/').pop()) : v);

export interface RefundJson {
  id: number;
  order_id: number;
  [k: string]: unknown;
}

export function buildOrder(spec: OrderSpec, lookup: VariantLookup) {
  const toShop = (p: Decimal) => r2(p.times(spec.rate));
  const set = (p: Decimal, s = toShop(p)) => ({
    shop_money: { amount: s.toFixed(2), currency_code: spec.shop },
    presentment_money: { amount: p.toFixed(2), currency_code: spec.presentment },
  });
  const pair = (p: Decimal) => ({ p, s: toShop(p) });
  const taxOn = (net: Decimal, taxes: Tax[]) => {
    const total = sum(taxes.map((t) => D(t.rate)));
    return taxes.map((t) => ({
      title: t.title,
      rate: t.rate,
      amount: pair(r2(spec.taxesIncluded ? net.times(t.rate).div(total.plus(1)) : net.times(t.rate))),
    }));
  };
  const lines = spec.lines.map((l) => {
    const v = lookup(l.sku);
    const unit = D(l.price ?? v.price);
    const gross = unit.times(l.quantity);
    const d = spec.discount;
    const disc = !d ? D(0) : d.kind === 'code' ? r2(gross.times(d.percent).div(100)) : d.lineId === l.id ? D(d.amount) : D(0);
    const net = gross.minus(disc);
    const taxable = !l.giftCard;
    return {
      l,
      v,
      unit,
      gross: pair(gross),
      disc: pair(disc),
      net,
      taxes: taxable ? taxOn(net, spec.taxes) : [],
      taxable,
      requiresShipping: l.requiresShipping ?? !l.giftCard,
    };
  });
  const shipPrice = D(spec.shipping.price);
  const shipTaxes = taxOn(shipPrice, spec.shipping.taxes);
  const allTaxes = [...lines.flatMap((l) => l.taxes), ...shipTaxes];
  const taxP = sum(allTaxes.map((t) => t.amount.p));
  const taxS = sum(allTaxes.map((t) => t.amount.s));
  const subP = sum(lines.map((l) => l.net));
  const subS = sum(lines.map((l) => l.gross.s.minus(l.disc.s)));
  const totalP = subP.plus(shipPrice).plus(spec.taxesIncluded ? 0 : taxP);
  const totalS = subS.plus(toShop(shipPrice)).plus(spec.taxesIncluded ? 0 : taxS);
  const others = spec.payments.filter((p) => p.amount !== 'rest');
  const payments = spec.payments.map((p) => {
    if (p.amount !== 'rest') return { ...p, p: D(p.amount), s: toShop(D(p.amount)) };
    return { ...p, p: totalP.minus(sum(others.map((o) => D(o.amount)))), s: totalS.minus(sum(others.map((o) => toShop(D(o.amount))))) };
  });
  const discountApplications = !spec.discount
    ? []
    : spec.discount.kind === 'code'
      ? [
          {
            type: 'discount_code',
            code: spec.discount.code,
            value: spec.discount.percent,
            value_type: 'percentage',
            allocation_method: 'across',
            target_selection: 'all',
            target_type: 'line_item',
          },
        ]
      : [
          {
            type: 'automatic',
            title: spec.discount.title,
            description: spec.discount.title,
            value: spec.discount.amount,
            value_type: 'fixed_amount',
            allocation_method: 'each',
            target_selection: 'entitled',
            target_type: 'line_item',
          },
        ];
  const taxLineJson = (t: ReturnType<typeof taxOn>[number]) => ({
    title: t.title,
    rate: Number(t.rate),
    price: t.amount.s.toFixed(2),
    price_set: set(t.amount.p, t.amount.s),
    channel_liable: false,
  });
  const orderTaxLines = [...new Set(allTaxes.map((t) => t.title))].map((title) => {
    const ts = allTaxes.filter((t) => t.title === title); // never empty: title came from allTaxes
    return taxLineJson({ title, rate: ts[0]!.rate, amount: { p: sum(ts.map((t) => t.amount.p)), s: sum(ts.map((t) => t.amount.s)) } });
  });
  const name = `#${spec.number}`;
  const refundTxs = (amountP: Decimal, txId: number, createdAt: string) => {
    const card = payments.find((p) => p.gateway === 'shopify_payments')!;
    return [
      {
        id: txId,
        admin_graphql_api_id: `gid://shopify/OrderTransaction/${txId}`,
        order_id: spec.id,
        kind: 'refund',
        status: 'success',
        gateway: card.gateway,
        amount: amountP.toFixed(2),
        currency: spec.presentment,
        parent_id: card.txId,
        processed_at: createdAt,
        test: false,
      },
    ];
  };
  const refundedS = new Map<number, Decimal>(); // refund id -> shop money refunded (for payouts)

  const self = {
    spec,
    payments,
    totalS,
    lines,
    refundLines(r: {
      id: number;
      createdAt: string;
      note: string;
      lines: { lineId: number; quantity: number; restock: 'return' | 'no_restock'; locationId?: number }[];
      txId: number;
    }): RefundJson {
      let amountP = D(0);
      let amountS = D(0);
      const rli = r.lines.map((x, i) => {
        const line = lines.find((l) => l.l.id === x.lineId)!;
        const share = (d: Decimal) => r2(d.times(x.quantity).div(line.l.quantity));
        const subP = share(line.net);
        const subS = share(line.gross.s.minus(line.disc.s));
        const taxP = sum(line.taxes.map((t) => share(t.amount.p)));
        const taxS = sum(line.taxes.map((t) => share(t.amount.s)));
        amountP = amountP.plus(spec.taxesIncluded ? subP : subP.plus(taxP));
        amountS = amountS.plus(spec.taxesIncluded ? subS : subS.plus(taxS));
        return {
          id: r.id * 10 + i,
          line_item_id: x.lineId,
          quantity: x.quantity,
          restock_type: x.restock,
          location_id: x.locationId ?? null,
          subtotal: subS.toFixed(2),
          subtotal_set: set(subP, subS),
          total_tax: taxS.toFixed(2),
          total_tax_set: set(taxP, taxS),
          line_item: { id: x.lineId, admin_graphql_api_id: `gid://shopify/LineItem/${x.lineId}`, sku: line.l.sku, quantity: line.l.quantity },
        };
      });
      refundedS.set(r.id, amountS);
      return {
        id: r.id,
        admin_graphql_api_id: `gid://shopify/Refund/${r.id}`,
        order_id: spec.id,
        created_at: r.createdAt,
        processed_at: r.createdAt,
        note: r.note,
        restock: r.lines.some((l) => l.restock !== 'no_restock'),
        refund_line_items: rli,
        refund_shipping_lines: [],
        order_adjustments: [],
        transactions: refundTxs(amountP, r.txId, r.createdAt),
      };
    },
    refundShipping(r: { id: number; createdAt: string; note: string; txId: number }): RefundJson {
      const taxP = sum(shipTaxes.map((t) => t.amount.p));
      const taxS = sum(shipTaxes.map((t) => t.amount.s));
      const amountP = shipPrice.plus(spec.taxesIncluded ? 0 : taxP);
      refundedS.set(r.id, toShop(shipPrice).plus(spec.taxesIncluded ? 0 : taxS));
      return {
        id: r.id,
        admin_graphql_api_id: `gid://shopify/Refund/${r.id}`,
        order_id: spec.id,
        created_at: r.createdAt,
        processed_at: r.createdAt,
        note: r.note,
        restock: false,
        refund_line_items: [],
        order_adjustments: [],
        refund_shipping_lines: [{ id: r.id * 10, shipping_line_id: spec.shipping.id, subtotal_amount_set: set(shipPrice), tax_amount_set: set(taxP, taxS) }],
        transactions: refundTxs(amountP, r.txId, r.createdAt),
      };
    },
    refundedShopMoney: (refundId: number) => refundedS.get(refundId)!,
    fulfillmentOrders: () =>
      (spec.fulfillmentOrders ?? []).map((f) => ({
        id: f.id,
        orderId: spec.id,
        locationId: f.locationId,
        lines: f.lines.map((id) => ({ lineItemId: id, quantity: spec.lines.find((l) => l.id === id)!.quantity })),
      })),
    order(refunds: RefundJson[]) {
      const refundedQty = new Map<number, number>();
      let refundedP = D(0);
      let refundedS2 = D(0);
      let refundedTaxP = D(0);
      let refundedTaxS = D(0);
      for (const r of refunds) {
        for (const x of r.refund_line_items as {
          line_item_id: number;
          quantity: number;
          total_tax_set: { presentment_money: { amount: string }; shop_money: { amount: string } };
        }[]) {
          refundedQty.set(x.line_item_id, (refundedQty.get(x.line_item_id) ?? 0) + x.quantity);
          refundedTaxP = refundedTaxP.plus(x.total_tax_set.presentment_money.amount);
          refundedTaxS = refundedTaxS.plus(x.total_tax_set.shop_money.amount);
        }
        for (const x of r.refund_shipping_lines as { tax_amount_set: { presentment_money: { amount: string }; shop_money: { amount: string } } }[]) {
          refundedTaxP = refundedTaxP.plus(x.tax_amount_set.presentment_money.amount);
          refundedTaxS = refundedTaxS.plus(x.tax_amount_set.shop_money.amount);
        }
        const [refundTx] = r.transactions as { amount: string }[];
        if (!refundTx) throw new Error(`scenario refund ${r.id} of order ${spec.id} has no transaction`);
        refundedP = refundedP.plus(refundTx.amount);
        refundedS2 = refundedS2.plus(refundedS.get(r.id)!);
      }
      const updatedAt = [spec.createdAt, spec.cancelled?.at, ...refunds.map((r) => r.created_at as string)].filter(Boolean).sort().pop()!;
      const c = spec.customer;
      const voided = !!spec.cancelled;
      return {
        id: spec.id,
        admin_graphql_api_id: `gid://shopify/Order/${spec.id}`,
        name,
        number: spec.number - 1000,
        order_number: spec.number,
        email: (spec.address as { first_name: string }).first_name.toLowerCase() + '@example.com',
        created_at: spec.createdAt,
        updated_at: updatedAt,
        processed_at: spec.createdAt,
        cancelled_at: spec.cancelled?.at ?? null,
        cancel_reason: spec.cancelled?.reason ?? null,
        closed_at: null,
        test: false,
        source_name: 'web',
        tags: '',
        note: null,
        currency: spec.shop,
        presentment_currency: spec.presentment,
        taxes_included: spec.taxesIncluded,
        tax_exempt: false,
        financial_status: voided ? 'voided' : refunds.length ? 'partially_refunded' : 'paid',
        fulfillment_status: null,
        location_id: spec.locationId ?? null,
        total_line_items_price_set: set(sum(lines.map((l) => l.gross.p)), sum(lines.map((l) => l.gross.s))),
        total_discounts: sum(lines.map((l) => l.disc.s)).toFixed(2),
        total_discounts_set: set(sum(lines.map((l) => l.disc.p)), sum(lines.map((l) => l.disc.s))),
        subtotal_price: subS.toFixed(2),
        subtotal_price_set: set(subP, subS),
        total_shipping_price_set: set(shipPrice),
        total_tax: taxS.toFixed(2),
        total_tax_set: set(taxP, taxS),
        total_price: totalS.toFixed(2),
        total_price_set: set(totalP, totalS),
        current_total_price: voided ? '0.00' : totalS.minus(refundedS2).toFixed(2),
        current_total_price_set: voided ? set(D(0), D(0)) : set(totalP.minus(refundedP), totalS.minus(refundedS2)),
        current_total_tax_set: voided ? set(D(0), D(0)) : set(taxP.minus(refundedTaxP), taxS.minus(refundedTaxS)),
        tax_lines: orderTaxLines,
        discount_codes:
          spec.discount?.kind === 'code' ? [{ code: spec.discount.code, amount: sum(lines.map((l) => l.disc.s)).toFixed(2), type: 'percentage' }] : [],
        discount_applications: discountApplications,
        payment_gateway_names: payments.map((p) => p.gateway),
        customer: {
          id: c,
          admin_graphql_api_id: `gid://shopify/Customer/${c}`,
          email: null,
          first_name: (spec.address as { first_name: string }).first_name,
          last_name: (spec.address as { last_name: string }).last_name,
          phone: null,
        },
        billing_address: spec.address,
        shipping_address: spec.address,
        line_items: lines.map((l) => ({
          id: l.l.id,
          admin_graphql_api_id: `gid://shopify/LineItem/${l.l.id}`,
          product_id: idOf(l.v.productId),
          variant_id: idOf(l.v.variantId),
          sku: l.l.sku,
          name: l.v.variantTitle ? `${l.v.title} - ${l.v.variantTitle}` : l.v.title,
          title: l.v.title,
          variant_title: l.v.variantTitle,
          vendor: 'Ledgerline Demo',
          quantity: l.l.quantity,
          current_quantity: voided ? 0 : l.l.quantity - (refundedQty.get(l.l.id) ?? 0),
          price: l.unit.toFixed(2),
          price_set: set(l.unit),
          total_discount: l.disc.s.toFixed(2),
          total_discount_set: set(l.disc.p, l.disc.s),
          taxable: l.taxable,
          requires_shipping: l.requiresShipping,
          gift_card: !!l.l.giftCard,
          tax_lines: l.taxes.map(taxLineJson),
          discount_allocations: l.disc.p.isZero() ? [] : [{ amount: l.disc.s.toFixed(2), amount_set: set(l.disc.p, l.disc.s), discount_application_index: 0 }],
        })),
        shipping_lines: [
          {
            id: spec.shipping.id,
            title: spec.shipping.title,
            code: spec.shipping.title,
            source: 'shopify',
            is_removed: false,
            price: toShop(shipPrice).toFixed(2),
            price_set: set(shipPrice),
            discounted_price: toShop(shipPrice).toFixed(2),
            discounted_price_set: set(shipPrice),
            tax_lines: shipTaxes.map(taxLineJson),
            discount_allocations: [],
          },
        ],
      };
    },
  };
  return self;
}

export type BuiltOrder = ReturnType<typeof buildOrder>;
