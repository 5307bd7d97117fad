// What one monitor node watches, in words a person reads on the monitors page: its subject, its thresholds, the
// exceptions it raises (type and key prefix, so its own raises can be told from another instance's) and which flows
// it covers. The config is the node's parsed config (defaults applied).

/** The flow facts a monitor's coverage depends on. */
export interface FlowFacts {
  id: string;
  nodeTypes: string[];
  /** Shopify connection ids of its Shopify triggers. */
  shopifyTriggers: string[];
}

export interface MonitorDescription {
  watches: string;
  thresholds: Array<{ label: string; value: string }>;
  raises: Array<{ type: string; keyPrefix?: string }>;
  /** Flow ids its exceptions must link to count as this monitor's (monitor.runs with a `flows` list); null: any. */
  flowFilter: string[] | null;
  /** Whether it covers a flow (a flow nobody covers shows as unwatched). */
  covers(flow: FlowFacts): boolean;
}

type Cfg = Record<string, any>;
const DAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const days = (ds: number[]) => (ds.join(',') === '1,2,3,4,5' ? 'Mon–Fri' : ds.join(',') === '1,2,3,4,5,6,7' ? 'every day' : ds.map((d) => DAYS[d]).join(', '));
const postsOrders = (f: FlowFacts) => f.nodeTypes.includes('erp.post-sales-order');

export function describeMonitor(type: string, c: Cfg): MonitorDescription {
  switch (type) {
    case 'monitor.runs': {
      const flows: string[] | null = Array.isArray(c.flows) && c.flows.length ? c.flows : null;
      return {
        watches: flows ? `Failed and stuck runs of ${flows.join(', ')}` : 'Failed and stuck runs of every flow',
        thresholds: [
          { label: 'Failed runs', value: c.failedThreshold > 0 ? `${c.failedThreshold} or more unfixed failures within ${c.windowMinutes} min` : 'off' },
          { label: 'Stuck run', value: `in progress over ${c.stuckFactor}× the flow's usual (p95) time, and at least ${c.stuckMinMinutes} min` },
        ],
        raises: [{ type: 'failed-run', keyPrefix: 'rate:' }, { type: 'stuck-run' }],
        flowFilter: flows,
        covers: (f) => !flows || flows.includes(f.id),
      };
    }
    case 'monitor.webhook-silence': {
      const source: string = c.source ?? `shopify:${c.shopify}`;
      const h = c.tradingHours ?? {};
      return {
        watches: c.shopify ? `Webhooks from Shopify connection "${c.shopify}"` : `Events from ${source}`,
        thresholds: [
          { label: 'Silence', value: `no event for ${c.silentMinutes} min during trading hours (${days(h.days ?? [])} ${h.from}–${h.to} ${h.timezone})` },
        ],
        raises: [{ type: 'webhook-silence', keyPrefix: source }],
        flowFilter: null,
        covers: (f) => (c.shopify ? f.shopifyTriggers.includes(c.shopify) : source === `webhook:${f.id}`),
      };
    }
    case 'monitor.rate-limit': {
      const shops: string[] = c.shopify ?? [];
      return {
        watches:
          [shops.length ? `Shopify API budget of ${shops.join(', ')}` : '', c.erp ? 'ERP throttling of every flow' : ''].filter(Boolean).join('; ') ||
          'nothing (no connection, ERP off)',
        thresholds: [
          ...(shops.length ? [{ label: 'Shopify', value: `under ${c.bucketPercent}% of the cost bucket for ${c.forMinutes} min` }] : []),
          ...(c.erp
            ? [{ label: 'ERP', value: `${c.erpMinThrottled} or more throttled steps (${(c.erpCodes ?? []).join(', ')}) within ${c.forMinutes} min` }]
            : []),
        ],
        raises: [{ type: 'rate-limited' }],
        flowFilter: null,
        covers: (f) => !!c.erp && f.nodeTypes.some((t) => t.startsWith('erp.')),
      };
    }
    case 'monitor.orphaned-orders':
      return {
        watches: `Paid orders of Shopify "${c.shopify}"${unpaidToo(c)} that should be in ERP "${c.erp}"`,
        thresholds: [{ label: 'Missing', value: `no ERP sales order ${c.afterMinutes} min after payment (orders of the last ${c.lookbackHours} h)` }],
        raises: [{ type: 'orphaned-order', keyPrefix: `${c.shopify}:` }],
        flowFilter: null,
        covers: postsOrders,
      };
    case 'monitor.payment-mismatch':
      return {
        watches: `Payment status of Shopify "${c.shopify}" orders against their ERP "${c.erp}" sales orders`,
        thresholds: [
          { label: 'Totals', value: c.amountTolerance == null ? 'not compared' : `differ by more than ${c.amountTolerance}` },
          { label: 'Window', value: `orders ${c.afterMinutes} min to ${c.lookbackHours} h old` },
        ],
        raises: [{ type: 'payment-mismatch', keyPrefix: `${c.shopify}:` }],
        flowFilter: null,
        covers: postsOrders,
      };
    case 'monitor.inventory-drift': {
      const t = c.tolerance ?? { units: 0, percent: 0 };
      return {
        watches: `Stock of Shopify "${c.shopify}" against ERP "${c.erp}" in ${Object.keys(c.locations ?? {}).join(', ') || 'no warehouse'}`,
        thresholds: [
          { label: 'Drift', value: t.units || t.percent ? `more than ${t.units} units or ${t.percent}% of the expected quantity` : 'any difference' },
          { label: 'Safety stock', value: `${c.safetyStock?.default ?? 0} units held back by default` },
        ],
        raises: [{ type: 'inventory-drift', keyPrefix: `${c.shopify}:` }],
        flowFilter: null,
        covers: (f) => f.nodeTypes.includes('shopify.inventory-push'),
      };
    }
    default:
      return { watches: type, thresholds: [], raises: [], flowFilter: null, covers: () => false };
  }
}

/** The unpaid orders the orphaned-orders monitor expects in the ERP as well (as the payment gate posts them). */
function unpaidToo(c: Record<string, unknown>): string {
  const gateways = Array.isArray(c.unpaidGateways) ? (c.unpaidGateways as string[]) : [];
  const kinds = [...(c.paymentTerms === false ? [] : ['on payment terms']), ...(gateways.length ? [`paid by ${gateways.join(', ')}`] : [])];
  return kinds.length ? `, and unpaid ones ${kinds.join(' or ')},` : '';
}
