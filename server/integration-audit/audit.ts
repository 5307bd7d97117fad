// The integration audit ("system audit" as a button): what will make syncs fail or books drift, found before it
// does. Pure: the collector (collect.ts) gathers the data; this decides what is a finding.
import type { ErpItem } from '../../nodes/erp/contract.ts';
import type { LookupSnapshot } from '../../runtime/node-api/lookups.ts';

export type Severity = 'high' | 'medium' | 'low';
export type FindingKind =
  | 'duplicate-sku'
  | 'empty-sku'
  | 'erp-duplicate-sku'
  | 'sku-missing-in-erp'
  | 'unmapped-tax-rate'
  | 'unmapped-location'
  | 'gateway-without-payment-method'
  | 'missing-lookup-table'
  | 'flow-without-error-handling'
  | 'flow-without-monitor'
  | 'erp-item-not-in-shopify';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  owner: 'finance' | 'operations' | 'ecommerce';
  subject: string;
  message: string;
  fix: string;
}

export interface AuditVariant {
  id: string;
  sku: string | null;
  title: string;
  productId: string;
  productTitle: string;
}
export interface AuditOrder {
  id: string;
  name: string;
  gateways: string[];
  country: string | null;
  province: string | null;
  taxLines: Array<{ title: string; rate: string | null }>;
  locations: Array<{ id: string; name: string | null }>;
}
export interface AuditFlow {
  id: string;
  name: string;
  active: boolean;
  nodes: Array<{ id: string; type: string; config?: Record<string, unknown>; retry?: { maxAttempts?: number }; idempotencyKey?: string }>;
  settings?: { retry?: { maxAttempts?: number } };
}

export interface AuditInput {
  variants: AuditVariant[];
  /** ERP items found for the Shopify SKUs (absent = not in the ERP). Null when no ERP was reachable. */
  erpItems: ErpItem[] | null;
  /** SKUs the ERP holds stock for (every warehouse); absent or null when no ERP was read. */
  erpStockedSkus?: string[] | null;
  orders: AuditOrder[];
  flows: AuditFlow[];
  /**
   * Lookup snapshot by table name, for a flow (its own table wins) or shared; undefined when the table does not exist.
   * Synchronous: the collector opens the tables `lookupsAudited` names beforehand.
   */
  lookup: (name: string, flowId?: string) => LookupSnapshot | undefined;
  /** Node types that are not idempotent (writes that must not be repeated blindly). */
  nonIdempotent: (type: string) => boolean;
}

export interface AuditReport {
  generatedAt: string;
  summary: { variants: number; orders: number; flows: number; findings: number; high: number; medium: number; low: number };
  findings: Finding[];
}

const isMonitor = (t: string) => t.startsWith('monitor.');

const LOOKUP_NODES = [
  { type: 'lookup.tax-code', table: 'tax-codes' },
  { type: 'lookup.location', table: 'locations' },
] as const;

const tableOfFlow = (flows: AuditFlow[], flowId: string | undefined, type: string, dflt: string) => {
  const fl = flows.find((x) => x.id === flowId);
  const n = fl?.nodes.find((x) => x.type === type);
  return (n?.config?.table as string | undefined) ?? dflt;
};

/** The active flows with a node of this type, or the shared scope alone when none has one. */
const scopesOf = (flows: AuditFlow[], type: string): Array<string | undefined> => {
  const fs = flows.filter((fl) => fl.active && fl.nodes.some((n) => n.type === type));
  return fs.length ? fs.map((x) => x.id) : [undefined];
};

/** Every (table, flow) whose snapshot `auditIntegration` asks `input.lookup` for: what a collector opens beforehand. */
export function lookupsAudited(flows: AuditFlow[]): Array<{ name: string; flowId?: string }> {
  const out: Array<{ name: string; flowId?: string }> = [{ name: 'payment-methods' }];
  for (const n of LOOKUP_NODES) for (const flowId of scopesOf(flows, n.type)) out.push({ name: tableOfFlow(flows, flowId, n.type, n.table), flowId });
  return out;
}

export function auditIntegration(input: AuditInput, now = new Date()): AuditReport {
  const f: Finding[] = [];
  const add = (x: Finding) => f.push(x);

  // Catalogue.
  const bySku = new Map<string, AuditVariant[]>();
  for (const v of input.variants) {
    const sku = v.sku?.trim() ?? '';
    if (!sku) {
      add({
        kind: 'empty-sku',
        severity: 'medium',
        owner: 'ecommerce',
        subject: `${v.productTitle} / ${v.title}`,
        message: `Variant ${v.id} of "${v.productTitle}" has no SKU: its orders cannot reach the ERP and its stock is never updated.`,
        fix: 'Give the variant the ERP item code as SKU in Shopify.',
      });
      continue;
    }
    bySku.set(sku, [...(bySku.get(sku) ?? []), v]);
  }
  for (const [sku, vs] of bySku) {
    if (vs.length > 1)
      add({
        kind: 'duplicate-sku',
        severity: 'high',
        owner: 'ecommerce',
        subject: sku,
        message: `SKU ${sku} is used by ${vs.length} variants: ${vs.map((v) => `"${v.productTitle} / ${v.title}"`).join(', ')}. Stock pushes and order lines cannot tell them apart.`,
        fix: 'Give each variant its own SKU.',
      });
  }
  if (input.erpItems) {
    const erpBySku = new Map<string, ErpItem[]>();
    for (const i of input.erpItems) erpBySku.set(i.sku, [...(erpBySku.get(i.sku) ?? []), i]);
    for (const sku of bySku.keys()) {
      const items = erpBySku.get(sku) ?? [];
      if (!items.length)
        add({
          kind: 'sku-missing-in-erp',
          severity: 'high',
          owner: 'ecommerce',
          subject: sku,
          message: `Shopify sells SKU ${sku} but the ERP item master has no such item: its orders will fail.`,
          fix: 'Create the item in the ERP, or correct the SKU in Shopify.',
        });
      else if (items.filter((i) => i.active).length > 1)
        add({
          kind: 'erp-duplicate-sku',
          severity: 'high',
          owner: 'operations',
          subject: sku,
          message: `The ERP has ${items.length} active items with SKU ${sku}.`,
          fix: 'Deactivate or recode the duplicate ERP items.',
        });
    }
  }
  // The other direction: stock the ERP holds for SKUs no variant carries is never pushed (the inventory push raises
  // the same as the erp-item-not-in-shopify exception when it meets them).
  if (input.erpStockedSkus) {
    for (const sku of [...new Set(input.erpStockedSkus.map((x) => x.trim()).filter(Boolean))].sort()) {
      if (bySku.has(sku)) continue;
      add({
        kind: 'erp-item-not-in-shopify',
        severity: 'low',
        owner: 'ecommerce',
        subject: sku,
        message: `The ERP stocks SKU ${sku} but no Shopify variant carries it: its stock is never pushed to Shopify.`,
        fix: 'List the product in Shopify with this SKU, or correct the SKU in one system; ignore it if the item is not sold online (e.g. wholesale-only).',
      });
    }
  }

  // Lookups against what recent orders actually carry, per flow that maps them (or the shared table).
  const tableOf = (flowId: string | undefined, type: string, dflt: string) => tableOfFlow(input.flows, flowId, type, dflt);
  const scopes = (type: string) => scopesOf(input.flows, type);
  const checked = new Set<string>();
  const missingTable = (name: string, flowId?: string) => {
    const k = `${name}|${flowId ?? ''}`;
    if (checked.has(k)) return;
    checked.add(k);
    add({
      kind: 'missing-lookup-table',
      severity: 'high',
      owner: 'operations',
      subject: name,
      message: `No lookup table "${name}"${flowId ? ` for flow ${flowId}` : ''}: nothing maps these values to the ERP.`,
      fix: `Create the "${name}" table (Lookups page) and fill it.`,
    });
  };
  const seen = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((t) => [key(t), t])).values()];

  for (const flowId of scopes(LOOKUP_NODES[0].type)) {
    const name = tableOf(flowId, LOOKUP_NODES[0].type, LOOKUP_NODES[0].table);
    const snap = input.lookup(name, flowId);
    const rates = seen(
      input.orders.flatMap((o) => o.taxLines.map((t) => ({ ...t, country: o.country, province: o.province, order: o.name }))),
      (t) => `${t.title}|${t.rate}|${t.country}|${t.province}`,
    );
    if (!snap) {
      if (rates.length) missingTable(name, flowId);
      continue;
    }
    for (const t of rates) {
      if (snap.find({ title: t.title, rate: t.rate, country: t.country, province: t.province })) continue;
      add({
        kind: 'unmapped-tax-rate',
        severity: 'high',
        owner: 'finance',
        subject: `${t.title} ${t.rate ?? ''}`.trim(),
        message: `Tax "${t.title}" at rate ${t.rate ?? '(none)'}${t.country ? ` in ${t.country}${t.province ? `/${t.province}` : ''}` : ''} (e.g. order ${t.order}) has no row in "${name}"${flowId ? ` (flow ${flowId})` : ''}.`,
        fix: `Add the rate to "${name}" with its ERP tax code.`,
      });
    }
  }
  for (const flowId of scopes(LOOKUP_NODES[1].type)) {
    const name = tableOf(flowId, LOOKUP_NODES[1].type, LOOKUP_NODES[1].table);
    const snap = input.lookup(name, flowId);
    const locs = seen(
      input.orders.flatMap((o) => o.locations.map((l) => ({ ...l, order: o.name }))),
      (l) => l.id,
    );
    if (!snap) {
      if (locs.length) missingTable(name, flowId);
      continue;
    }
    for (const l of locs) {
      if (snap.find({ location: l.id }) || (l.name && snap.find({ location: l.name }))) continue;
      add({
        kind: 'unmapped-location',
        severity: 'high',
        owner: 'operations',
        subject: l.name ?? l.id,
        message: `Location "${l.name ?? l.id}" (${l.id}) fulfils orders (e.g. ${l.order}) but "${name}" maps it to no ERP warehouse.`,
        fix: `Add the location to "${name}" with its ERP warehouse code.`,
      });
    }
  }
  {
    const name = 'payment-methods';
    const gateways = [...new Set(input.orders.flatMap((o) => o.gateways))];
    const snap = input.lookup(name);
    if (!snap && gateways.length) missingTable(name);
    for (const g of snap ? gateways : []) {
      if (!snap!.find({ gateway: g }))
        add({
          kind: 'gateway-without-payment-method',
          severity: 'medium',
          owner: 'finance',
          subject: g,
          message: `Payment gateway "${g}" is used by recent orders but "${name}" gives it no ERP payment method: its money has no clearing account to reconcile against.`,
          fix: `Add "${g}" to "${name}".`,
        });
    }
  }

  // Flows.
  const monitors = input.flows.filter((fl) => fl.active && fl.nodes.some((n) => isMonitor(n.type)));
  const watched = (flowId: string) =>
    monitors.some((m) =>
      m.nodes
        .filter((n) => isMonitor(n.type))
        .some((n) => {
          const ids = (n.config?.flows ?? n.config?.flowIds) as string[] | undefined;
          return !ids || ids.length === 0 || ids.includes(flowId);
        }),
    );
  for (const fl of input.flows.filter((x) => x.active && !x.nodes.some((n) => isMonitor(n.type)))) {
    const unsafe = fl.nodes.filter((n) => input.nonIdempotent(n.type) && !n.idempotencyKey);
    const noRetry = fl.settings?.retry?.maxAttempts === 1 || fl.nodes.some((n) => n.retry?.maxAttempts === 1);
    if (unsafe.length || noRetry) {
      add({
        kind: 'flow-without-error-handling',
        severity: 'medium',
        owner: 'operations',
        subject: fl.id,
        message: `Flow "${fl.name}": ${[unsafe.length ? `${unsafe.map((n) => `${n.id} (${n.type})`).join(', ')} write without an idempotency key, so a timeout cannot be retried safely` : '', noRetry ? 'retries are switched off' : ''].filter(Boolean).join('; ')}.`,
        fix: 'Give writing steps an idempotency key (e.g. the Shopify id) and keep retries on.',
      });
    }
    if (!watched(fl.id))
      add({
        kind: 'flow-without-monitor',
        severity: 'low',
        owner: 'operations',
        subject: fl.id,
        message: `No monitor watches flow "${fl.name}" for failed or stuck runs: a silent failure is found at month-end.`,
        fix: 'Activate the failed/stuck runs monitor for all flows or add this one to it.',
      });
  }

  const order: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
  f.sort((a, b) => order[a.severity] - order[b.severity] || a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject));
  const count = (s: Severity) => f.filter((x) => x.severity === s).length;
  return {
    generatedAt: now.toISOString(),
    summary: {
      variants: input.variants.length,
      orders: input.orders.length,
      flows: input.flows.length,
      findings: f.length,
      high: count('high'),
      medium: count('medium'),
      low: count('low'),
    },
    findings: f,
  };
}
