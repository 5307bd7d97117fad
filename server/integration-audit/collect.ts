// Gathers what the audit looks at: the Shopify catalogue and recent orders (Admin GraphQL), the ERP items for those
// SKUs, the published flows and their lookup tables.
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import type { LookupSnapshot } from '../../runtime/node-api/lookups.ts';
import type {
  AuditOrdersQuery,
  AuditOrdersQueryVariables,
  AuditVariantsQuery,
  AuditVariantsQueryVariables,
} from '../../nodes/shopify/admin-types.generated.ts';
import type { ShopifyClient } from '../../nodes/shopify/index.ts';
import { type TypedDocument, typedDocument } from '../../nodes/shopify/typed-document.ts';
import type { FlowStore } from '../../runtime/flow-store.ts';
import { lookupsAudited, type AuditFlow, type AuditInput, type AuditOrder, type AuditVariant } from './audit.ts';

export const AUDIT_VARIANTS = typedDocument<AuditVariantsQuery, AuditVariantsQueryVariables>(`query AuditVariants($first: Int!, $after: String) {
  productVariants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku title product { id title } }
  }
}`);

export const AUDIT_ORDERS = typedDocument<AuditOrdersQuery, AuditOrdersQueryVariables>(`query AuditOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name paymentGatewayNames
      shippingAddress { countryCodeV2 provinceCode }
      taxLines { title rate }
      lineItems(first: 25) { nodes { taxLines { title rate } } }
      shippingLines(first: 3) { nodes { taxLines { title rate } } }
      fulfillmentOrders(first: 3) { nodes { assignedLocation { location { id name } } } }
    }
  }
}`);

type Page<T> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: T[] };

/** Every node of a paged query, up to `max`, `first` per request. */
async function all<R, V extends { first: number; after?: string | null }, T>(
  client: ShopifyClient,
  doc: TypedDocument<R, V>,
  pick: (d: R) => Page<T>,
  vars: Omit<V, 'first' | 'after'>,
  max: number,
  first: number,
): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  do {
    const r = await client.request(doc, { ...vars, first, after } as V);
    const page = pick(r.data);
    out.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after && out.length < max);
  return out;
}

export async function shopifyAuditData(
  client: ShopifyClient,
  opts: { sinceDays?: number; now?: Date; maxOrders?: number } = {},
): Promise<{ variants: AuditVariant[]; orders: AuditOrder[] }> {
  const variants = (await all(client, AUDIT_VARIANTS, (d) => d.productVariants, {}, 100_000, 100)).map((v) => ({
    id: v.id,
    sku: v.sku,
    title: v.title,
    productId: v.product.id,
    productTitle: v.product.title,
  }));
  const since = new Date((opts.now ?? new Date()).getTime() - (opts.sinceDays ?? 30) * 86_400_000).toISOString().slice(0, 10);
  const orders = (await all(client, AUDIT_ORDERS, (d) => d.orders, { query: `updated_at:>=${since}` }, opts.maxOrders ?? 1000, 10)).map(
    (o): AuditOrder => ({
      id: o.id,
      name: o.name,
      gateways: o.paymentGatewayNames,
      country: o.shippingAddress?.countryCodeV2 ?? null,
      province: o.shippingAddress?.provinceCode ?? null,
      taxLines: [...o.taxLines, ...o.lineItems.nodes.flatMap((l) => l.taxLines), ...o.shippingLines.nodes.flatMap((s) => s.taxLines)].map((t) => ({
        title: t.title,
        rate: t.rate == null ? null : String(t.rate),
      })),
      // The location's name too: a lookup table may key locations by name (the audit matches either).
      locations: o.fulfillmentOrders.nodes.flatMap((f) =>
        f.assignedLocation.location ? [{ id: f.assignedLocation.location.id, name: f.assignedLocation.location.name }] : [],
      ),
    }),
  );
  return { variants, orders };
}

export async function publishedFlows(flows: FlowStore): Promise<AuditFlow[]> {
  const out: AuditFlow[] = [];
  for (const f of await flows.list()) {
    if (f.activeVersion == null) continue;
    const def = (await flows.version(f.id, f.activeVersion)).definition as unknown as AuditFlow & { name: string };
    out.push({ id: f.id, name: def.name ?? f.id, active: f.active, nodes: def.nodes ?? [], settings: (def as { settings?: AuditFlow['settings'] }).settings });
  }
  return out;
}

export interface CollectDeps {
  shopify?: ShopifyClient;
  erp?: ErpConnector;
  flows: FlowStore;
  lookups?: { snapshot(name: string, opts?: { flowId?: string }): Promise<LookupSnapshot> };
  nonIdempotent: (type: string) => boolean;
  sinceDays?: number;
}

export async function collectAudit(d: CollectDeps): Promise<AuditInput> {
  const shop = d.shopify ? await shopifyAuditData(d.shopify, { sinceDays: d.sinceDays }) : { variants: [], orders: [] };
  const skus = [...new Set(shop.variants.map((v) => v.sku?.trim()).filter((s): s is string => !!s))];
  let erpItems = null;
  let erpStockedSkus: string[] | null = null;
  if (d.erp) {
    erpItems = [];
    for (let i = 0; i < skus.length; i += 200) erpItems.push(...(await d.erp.findItems(skus.slice(i, i + 200))));
    // Every stocked item (getStock without skus): the ERP side of erp-item-not-in-shopify.
    erpStockedSkus = [...new Set((await d.erp.getStock({})).map((s) => s.sku))];
  }
  const flows = await publishedFlows(d.flows);
  // The audit itself is synchronous: every table it may read is opened here (a missing one is left undefined).
  const snaps = new Map<string, LookupSnapshot | undefined>();
  const at = (name: string, flowId?: string) => `${flowId ?? ''}\u0000${name}`;
  for (const { name, flowId } of lookupsAudited(flows)) {
    if (snaps.has(at(name, flowId))) continue;
    snaps.set(at(name, flowId), await d.lookups?.snapshot(name, flowId ? { flowId } : {}).catch(() => undefined));
  }
  return {
    ...shop,
    erpItems,
    erpStockedSkus,
    flows,
    nonIdempotent: d.nonIdempotent,
    lookup: (name, flowId) => snaps.get(at(name, flowId)),
  };
}
