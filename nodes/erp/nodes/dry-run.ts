// What the ERP write nodes do in a dry run: the document they would send, checked as the connector checks it (its
// input schema) and against the ERP's reference lists (items, tax codes, warehouses), without writing anything.
import { permanentError, type NodeContext } from '../../../runtime/node-api.ts';
import { namesTerm, type ErpConnector, type ErpPaymentTerm, type SalesOrderInput } from '../contract.ts';
import { withNode } from './util.ts';

interface References {
  at: number;
  taxCodes: Promise<string[]>;
  warehouses: Promise<string[]>;
  /** Read when an order names a term (most never do). */
  paymentTerms?: Promise<ErpPaymentTerm[]>;
}

// A dry run over 20 events asks the same lists 40 times: keep them for a few seconds per connector.
const cache = new WeakMap<ErpConnector, References>();
const FRESH_MS = 10_000;

function references(erp: ErpConnector): References {
  const hit = cache.get(erp);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit;
  const r: References = {
    at: Date.now(),
    taxCodes: erp.capabilities.taxCodes ? erp.listTaxCodes().then((l) => l.map((t) => t.code)) : Promise.resolve([]),
    warehouses: erp.capabilities.warehouses ? erp.listWarehouses().then((l) => l.map((w) => w.code)) : Promise.resolve([]),
  };
  r.taxCodes.catch(() => cache.delete(erp));
  r.warehouses.catch(() => cache.delete(erp));
  cache.set(erp, r);
  return r;
}

/** Fails as the ERP would on a sales order naming an item, tax code or warehouse it does not have. */
export async function checkSalesOrderReferences(ctx: NodeContext, erp: ErpConnector, order: SalesOrderInput): Promise<void> {
  const refs = references(erp);
  const lines = [...order.lines.map((l, i) => ({ l, at: `lines[${i}]` })), ...(order.shipping ?? []).map((l, i) => ({ l, at: `shipping[${i}]` }))];
  const codes = lines.flatMap(({ l, at }) => [
    ...(l.taxCodes ?? []).map((c, j) => ({ code: c, at: `${at}.taxCodes[${j}]` })),
    ...(l.taxes ?? []).map((t, j) => ({ code: t.code, at: `${at}.taxes[${j}].code` })),
  ]);
  if (erp.capabilities.taxCodes && codes.length) {
    const known = new Set(await withNode(ctx, () => refs.taxCodes));
    const bad = codes.find((c) => !known.has(c.code));
    if (bad)
      throw permanentError(`node ${ctx.nodeId}: tax code ${JSON.stringify(bad.code)} at ${bad.at} does not exist in the ${erp.kind} ERP`, {
        code: 'TAX_CODE_NOT_FOUND',
        details: { value: bad.code, field: bad.at, erp: erp.kind },
      });
  }
  const whs = [
    { code: order.warehouse, at: 'warehouse' },
    ...order.lines.flatMap((l, i) => (l.warehouse ? [{ code: l.warehouse, at: `lines[${i}].warehouse` }] : [])),
  ];
  if (erp.capabilities.warehouses) {
    const known = new Set(await withNode(ctx, () => refs.warehouses));
    const bad = whs.find((w) => !known.has(w.code));
    if (bad)
      throw permanentError(`node ${ctx.nodeId}: warehouse ${JSON.stringify(bad.code)} at ${bad.at} does not exist in the ${erp.kind} ERP`, {
        code: 'WAREHOUSE_NOT_FOUND',
        details: { value: bad.code, field: bad.at, erp: erp.kind },
      });
  }
  const term = order.paymentTerms;
  if (term && erp.listPaymentTerms) {
    const list = erp.listPaymentTerms.bind(erp);
    const pending = (refs.paymentTerms ??= list());
    pending.catch(() => cache.delete(erp));
    const terms = await withNode(ctx, () => pending);
    if (!terms.some((t) => namesTerm(t, term))) {
      const known = terms.map((t) => t.code ?? t.name);
      throw permanentError(
        `node ${ctx.nodeId}: payment term ${JSON.stringify(term)} at paymentTerms does not exist in the ${erp.kind} ERP (known: ${known.join(', ')})`,
        { code: 'PAYMENT_TERM_NOT_FOUND', details: { value: term, field: 'paymentTerms', known, erp: erp.kind } },
      );
    }
  }
  if (erp.capabilities.items) {
    const skus = [...new Set(order.lines.map((l) => l.sku))];
    const found = new Set((await withNode(ctx, () => erp.findItems(skus))).map((i) => i.sku));
    const missing = skus.filter((s) => !found.has(s));
    if (missing.length)
      throw permanentError(`node ${ctx.nodeId}: SKU not found in the ${erp.kind} ERP: ${missing.join(', ')}`, {
        code: 'SKU_NOT_FOUND',
        details: { skus: missing, erp: erp.kind },
      });
  }
}
