// The sandbox control panel: sends scenario events through the same path real ones take (the sandbox store
// creates the order or refund and delivers Shopify's signed webhook to /webhooks/shopify/sandbox-shop), changes the
// sandbox ERP or Shopify catalogue where a scenario starts there, and fires the scheduled flow that picks it up.
// It remembers what it sent, so a payout pays out exactly the orders and refunds the sandbox ERP has booked.
import type { SandboxStore } from '../../nodes/shopify/sandbox/server.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import { docsFromLedger } from '../../nodes/finance/erp-docs.ts';
import type { Deps } from '../deps.ts';
import { HttpError } from '../api/http.ts';
import { SANDBOX_ERP, type SandboxMode } from '../sandbox-mode.ts';
import { runScheduledFlowNow } from '../routes/run-now.ts';
import { ORDER_SCENARIOS, orderPayload, payoutPayload, refundPayload, type OrderScenario, type SentOrder, type SentRefund } from './payloads.ts';

export const SCENARIOS = {
  'paid-order': { ...ORDER_SCENARIOS['paid-order'], starts: 'Shopify webhook orders/paid' },
  'unmapped-tax': { ...ORDER_SCENARIOS['unmapped-tax'], starts: 'Shopify webhook orders/paid' },
  'unknown-sku': { ...ORDER_SCENARIOS['unknown-sku'], starts: 'Shopify webhook orders/paid' },
  'tipped-order': { ...ORDER_SCENARIOS['tipped-order'], starts: 'Shopify webhook orders/paid' },
  'terms-order': { ...ORDER_SCENARIOS['terms-order'], starts: 'Shopify webhook orders/create' },
  'terms-paid': {
    title: 'The B2B buyer pays the invoice',
    expect: 'orders/paid changes nothing in the ERP (the order is there); the next payout carries the payment and clears the receivable',
    starts: 'Shopify webhook orders/paid',
  },
  'cod-order': { ...ORDER_SCENARIOS['cod-order'], starts: 'Shopify webhook orders/create' },
  'cod-collected': {
    title: 'The carrier collects the cash',
    expect:
      'orders/paid posts the order to the ERP; with “Payments taken outside Shopify to the ERP” active, the receipt settles its invoice (no payout carries it)',
    starts: 'Shopify webhook orders/paid',
  },
  'duplicate-sku': {
    title: 'A duplicate SKU in Shopify',
    expect: 'the stock push names both products and raises an exception',
    starts: 'Shopify catalogue change, then the stock flow runs now',
  },
  'partial-refund': {
    title: 'A partial refund of the last paid order',
    expect: 'a credit memo for the refunded line (refund-to-credit-memo)',
    starts: 'Shopify webhook refunds/create',
  },
  'erp-fulfilment': {
    title: 'A fulfilment in the ERP',
    expect: 'the ERP ships the last order; Shopify gets the fulfilment with tracking',
    starts: 'ERP shipment, then the fulfilment flow runs now',
  },
  payout: {
    title: 'A Shopify payout',
    expect: 'pays out the orders and refunds the ERP booked; reconciles and posts the journal',
    starts: 'new payout in Shopify, then the reconciliation runs now',
  },
} as const;
export type ScenarioId = keyof typeof SCENARIOS;
export const SCENARIO_IDS = Object.keys(SCENARIOS) as ScenarioId[];

export interface SendResult {
  scenario: ScenarioId;
  message: string;
  orderName?: string;
  orderId?: string;
  refundId?: string;
  payoutId?: string;
  /** Runs started directly (scheduled flows fired now); webhook runs are found by the order's key. */
  runs: Array<{ flowId: string; runId: string }>;
}

export interface Activity {
  kind: 'order' | 'refund' | 'payout' | 'catalogue' | 'shipment';
  scenario: ScenarioId;
  label: string;
  at: string;
  orderGid?: string;
  /** A refund's row: its runs are the ones keyed by this refund, not every later run of the order. */
  refundGid?: string;
  runs: Array<{ flowId: string; runId: string }>;
}

const SEQ = 'sandbox-panel-seq';
// What the panel sent and what became of it, kept across restarts beside the sandbox shop's own state (the orders
// it can refund, ship and pay out; the rows of "What happened"). Bodies are not kept: they were sent.
const KEPT = 'sandbox-panel-state';
const KEPT_ROWS = 200;
interface Kept {
  orders: Array<Omit<SentOrder, 'body'>>;
  refunds: Array<Omit<SentRefund, 'body'>>;
  paidOut: string[];
  shipped: string[];
  log: Activity[];
}

export class SandboxPanel {
  private orders: SentOrder[] = [];
  private refunds: SentRefund[] = [];
  private paidOut = new Set<string>();
  private shipped = new Set<string>();
  private log: Activity[] = [];

  constructor(
    private d: Deps,
    private mode: () => SandboxMode | null,
  ) {}

  private store(): SandboxStore {
    const m = this.mode();
    if (!m) throw new HttpError(404, 'not_found', 'this server is not in sandbox mode: the sandbox panel works only with the sandbox shop and ERP');
    const s = m.store as unknown as SandboxStore | undefined;
    if (!s) throw new HttpError(503, 'unavailable', "the sandbox shop is still starting (it loads Shopify's schema, about a second): try again in a moment");
    return s;
  }

  // One after another, so two sends at once never take the same number.
  private seq: Promise<number> = Promise.resolve(0);
  private next(): Promise<number> {
    const n = this.seq
      .catch(() => 0)
      .then(async () => {
        const v = Number((await this.d.secrets.get(SEQ)) ?? '0') + 1;
        await this.d.secrets.set(SEQ, String(v));
        return v;
      });
    this.seq = n;
    return n;
  }

  private erp(): Promise<ErpConnector> {
    return this.d.connections.resolve('erp', SANDBOX_ERP) as Promise<ErpConnector>;
  }

  /** Active scheduled flows whose published version has a node of this type. */
  private async scheduledFlowsWith(nodeType: string): Promise<string[]> {
    const out: string[] = [];
    for (const t of await this.d.runtime.flows.activeTriggers()) {
      if (t.type !== 'trigger.schedule') continue;
      if ((await this.d.runtime.flows.version(t.flowId, t.version)).definition.nodes.some((n) => n.type === nodeType)) out.push(t.flowId);
    }
    return out;
  }

  private async fire(nodeType: string, by: string, what: string): Promise<Array<{ flowId: string; runId: string }>> {
    const flows = await this.scheduledFlowsWith(nodeType);
    if (!flows.length)
      throw new HttpError(409, 'conflict', `no active scheduled flow has a ${nodeType} node to pick up ${what}: activate one (e.g. the template) first`);
    const fired: Array<{ flowId: string; runId: string }> = [];
    for (const f of flows) {
      const r = await runScheduledFlowNow(this.d, f, by);
      fired.push({ flowId: r.flowId, runId: r.runId });
    }
    return fired;
  }

  async activity(): Promise<Activity[]> {
    await this.restore();
    return [...this.log].reverse();
  }

  private restored?: Promise<void>;
  private restore(): Promise<void> {
    this.restored ??= (async () => {
      const text = await this.d.secrets.get(KEPT);
      if (!text) return;
      try {
        const k = JSON.parse(text) as Kept;
        this.orders = k.orders.map((o) => ({ ...o, body: '' }));
        this.refunds = k.refunds.map((r) => ({ ...r, body: '' }));
        this.paidOut = new Set(k.paidOut);
        this.shipped = new Set(k.shipped);
        this.log = k.log;
      } catch {
        // A state an earlier build wrote differently: the panel starts afresh, as it did before it kept anything.
      }
    })();
    return this.restored;
  }

  private async keep(): Promise<void> {
    this.log = this.log.slice(-KEPT_ROWS);
    const kept: Kept = {
      orders: this.orders.map(({ body: _, ...o }) => o),
      refunds: this.refunds.map(({ body: _, ...r }) => r),
      paidOut: [...this.paidOut],
      shipped: [...this.shipped],
      log: this.log,
    };
    await this.d.secrets.set(KEPT, JSON.stringify(kept));
  }

  async send(scenario: ScenarioId, by: string): Promise<SendResult> {
    const store = this.store();
    await this.restore();
    const result = await this.dispatch(store, scenario, by);
    await this.keep();
    await this.d.audit.record(by, 'sandbox.send', `sandbox:${scenario}`, { message: result.message, runs: result.runs });
    return result;
  }

  private async dispatch(store: SandboxStore, scenario: ScenarioId, by: string): Promise<SendResult> {
    const at = new Date(this.d.now()).toISOString();
    switch (scenario) {
      case 'paid-order':
      case 'unmapped-tax':
      case 'unknown-sku':
      case 'tipped-order':
      case 'terms-order':
      case 'cod-order': {
        const o = orderPayload(scenario as OrderScenario, await this.next(), new Date(this.d.now()), store.state.currency);
        store.createOrder(o.body);
        this.orders.push(o);
        this.log.push({
          kind: 'order',
          scenario,
          label: `${o.name}: ${sentenceCase(SCENARIOS[scenario].title)} (${o.total} ${o.currency})`,
          at,
          orderGid: o.gid,
          runs: [],
        });
        return {
          scenario,
          message: o.unpaid
            ? `Order ${o.name} (${o.total} ${o.currency}, unpaid ${scenario === 'cod-order' ? 'until the carrier collects the cash' : 'on payment terms'}) created in the sandbox shop; Shopify's signed orders/create webhook is on its way.`
            : `Order ${o.name} (${o.total} ${o.currency}) created in the sandbox shop; Shopify's signed orders/create and orders/paid webhooks are on their way.`,
          orderName: o.name,
          orderId: o.gid,
          runs: [],
        };
      }
      case 'terms-paid': {
        const order = [...this.orders].reverse().find((o) => o.scenario === 'terms-order' && o.unpaid && store.state.orders.has(o.gid));
        if (!order) throw new HttpError(409, 'conflict', 'send a B2B order on net 30 terms first: this pays the last one still unpaid');
        // Paid by card through the invoice's checkout link: Shopify Payments, so a payout carries it.
        store.updateOrder(order.gid, { financial_status: 'paid', total_outstanding: '0.00', payment_gateway_names: ['shopify_payments'] });
        order.unpaid = false;
        this.log.push({ kind: 'order', scenario, label: `${order.name} paid (${order.total} ${order.currency})`, at, orderGid: order.gid, runs: [] });
        return {
          scenario,
          message: `${order.name} is paid in the sandbox shop; Shopify's orders/updated and orders/paid webhooks are on their way, and the next payout carries it.`,
          orderName: order.name,
          orderId: order.gid,
          runs: [],
        };
      }
      case 'cod-collected': {
        const order = [...this.orders].reverse().find((o) => o.scenario === 'cod-order' && o.unpaid && store.state.orders.has(o.gid));
        if (!order) throw new HttpError(409, 'conflict', 'send a cash-on-delivery order first: the carrier collects the cash of the last one still unpaid');
        store.updateOrder(order.gid, { financial_status: 'paid', total_outstanding: '0.00' });
        order.unpaid = false;
        order.paidOutside = true;
        this.log.push({
          kind: 'order',
          scenario,
          label: `${order.name} paid in cash to the carrier (${order.total} ${order.currency})`,
          at,
          orderGid: order.gid,
          runs: [],
        });
        return {
          scenario,
          message: `${order.name} is paid (cash on delivery) in the sandbox shop; Shopify's orders/updated and orders/paid webhooks are on their way. No payout carries it: its receipt is booked by “Payments taken outside Shopify to the ERP” when that flow is active.`,
          orderName: order.name,
          orderId: order.gid,
          runs: [],
        };
      }
      case 'partial-refund': {
        // The number first: nothing awaits between choosing the order and recording its refund.
        const seq = await this.next();
        // In the shop: a data dir from before the shop kept its state has panel orders its restarted shop never had.
        const order = [...this.orders]
          .reverse()
          .find((o) => o.scenario === 'paid-order' && !this.refunds.some((r) => r.orderId === o.id) && store.state.orders.has(o.gid));
        if (!order)
          throw new HttpError(409, 'conflict', 'send a paid order first: the partial refund refunds one line of the last paid order not yet refunded');
        const r = refundPayload(order, seq, new Date(this.d.now()));
        store.createRefund(r.body);
        this.refunds.push(r);
        const refundGid = `gid://shopify/Refund/${r.id}`;
        this.log.push({ kind: 'refund', scenario, label: `Refund of ${r.amount} on ${order.name}`, at, orderGid: order.gid, refundGid, runs: [] });
        return {
          scenario,
          message: `Refund of ${r.amount} ${order.currency} on ${order.name} created; Shopify's refunds/create webhook is on its way.`,
          orderName: order.name,
          orderId: order.gid,
          refundId: refundGid,
          runs: [],
        };
      }
      case 'duplicate-sku': {
        const seq = await this.next();
        const sku = 'TEE-M';
        const original = store.state.bySku.get(sku)?.[0];
        if (!original) throw new HttpError(409, 'conflict', `the sandbox shop has no ${sku} variant to duplicate`);
        const productId = `gid://shopify/Product/${79_000_000 + seq}`;
        store.state.addVariant({
          id: `gid://shopify/ProductVariant/${79_100_000 + seq}`,
          sku,
          title: 'M',
          displayName: `Organic Cotton Tee (second listing ${seq}) - M`,
          price: original.price,
          productId,
          productTitle: `Organic Cotton Tee (second listing ${seq})`,
          itemId: `gid://shopify/InventoryItem/${79_200_000 + seq}`,
          tracked: true,
        });
        const runs = await this.fire('shopify.inventory-push', by, 'the catalogue change');
        this.log.push({ kind: 'catalogue', scenario, label: `Second Shopify product with SKU ${sku}`, at, runs });
        return { scenario, message: `A second Shopify product now sells SKU ${sku}; the stock flow runs now and should name both products.`, runs };
      }
      case 'erp-fulfilment': {
        const erp = await this.erp();
        if (!erp.shipSalesOrder) throw new HttpError(409, 'conflict', 'the sandbox ERP cannot ship orders');
        let shippedName: string | undefined;
        for (const o of [...this.orders].reverse()) {
          if (this.shipped.has(o.id)) continue;
          const so = (await erp.getSalesOrder(o.gid)) ?? (await erp.getSalesOrder(o.id));
          if (so?.status !== 'open') continue;
          await erp.shipSalesOrder(so.externalId, { trackingNumber: `1Z${o.id.slice(-8)}`, carrier: 'UPS' });
          this.shipped.add(o.id);
          shippedName = `${o.name} (${so.number})`;
          break;
        }
        if (!shippedName)
          throw new HttpError(
            409,
            'conflict',
            'no order sent from this panel has an open sales order in the sandbox ERP: send a paid order and wait for it to reach the ERP',
          );
        const runs = await this.fire('shopify.fulfilment-push', by, 'the shipment');
        this.log.push({ kind: 'shipment', scenario, label: `ERP shipped ${shippedName}`, at, runs });
        return { scenario, message: `The sandbox ERP shipped ${shippedName} with UPS tracking; the fulfilment flow runs now.`, runs };
      }
      case 'payout':
        return this.payout(store, by, at);
    }
  }

  /** Pays out what the ERP booked: orders with an invoice, refunds with a credit memo, not in an earlier payout. */
  private async payout(store: SandboxStore, by: string, at: string): Promise<SendResult> {
    const erp = await this.erp();
    const from = new Date(this.d.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(this.d.now() + 86_400_000).toISOString().slice(0, 10);
    const receivable = await this.receivableAccount();
    const docs = docsFromLedger(await erp.listLedger({ from, to, accounts: [receivable] }), receivable);
    const invoiced = new Set(docs.filter((x) => x.kind === 'invoice').map((x) => x.externalId));
    const credited = new Set(docs.filter((x) => x.kind === 'credit-memo').map((x) => x.externalId));
    // Shopify pays out in the shop's currency; orders this panel sent in another (before it sent every order in the
    // shop's) are never paid out, rather than adding their amounts as if they were the shop's.
    const currency = store.state.currency;
    const inCurrency = (x: { currency?: string }) => (x.currency ?? currency) === currency;
    // An order on payment terms is invoiced at once but paid later: no payout carries it until then.
    const orders = this.orders.filter((o) => !this.paidOut.has(o.id) && !o.unpaid && !o.paidOutside && invoiced.has(o.id) && inCurrency(o));
    const refunds = this.refunds.filter((r) => !this.paidOut.has(r.id) && credited.has(r.id) && inCurrency(r));
    const waiting = this.orders.filter((o) => !this.paidOut.has(o.id) && !o.unpaid && !o.paidOutside && !invoiced.has(o.id)).map((o) => o.name);
    if (!orders.length && !refunds.length) {
      throw new HttpError(
        409,
        'conflict',
        `nothing to pay out: no order or refund sent from this panel is booked in the sandbox ERP yet${waiting.length ? ` (${waiting.join(', ')} not in the ERP: see the exceptions)` : ': send a paid order first'}`,
      );
    }
    const plan = payoutPayload(await this.next(), orders, refunds, new Date(this.d.now()));
    store.state.addPayout(plan.payout, plan.balanceTransactions);
    for (const x of [...orders.map((o) => o.id), ...refunds.map((r) => r.id)]) this.paidOut.add(x);
    const runs = await this.fire('finance.reconcile-payouts', by, 'the payout');
    const payoutId = String(plan.payout.id);
    const what = `${orders.length} order${orders.length === 1 ? '' : 's'}${refunds.length ? ` and ${refunds.length} refund${refunds.length === 1 ? '' : 's'}` : ''}`;
    this.log.push({ kind: 'payout', scenario: 'payout', label: `Payout ${payoutId}: ${plan.net} ${String(plan.payout.currency)} for ${what}`, at, runs });
    return {
      scenario: 'payout',
      payoutId,
      runs,
      message: `Payout ${payoutId} of ${plan.net} ${String(plan.payout.currency)} for ${what} is in Shopify; the reconciliation runs now.${waiting.length ? ` Not paid out (not in the ERP): ${waiting.join(', ')}.` : ''}`,
    };
  }

  /** The receivable account the active reconciliation reads (the template's 1100 when none is active). */
  private async receivableAccount(): Promise<string> {
    for (const f of await this.scheduledFlowsWith('finance.reconcile-payouts')) {
      const t = (await this.d.runtime.flows.activeTriggers()).find((x) => x.flowId === f)!;
      const node = (await this.d.runtime.flows.version(f, t.version)).definition.nodes.find((n) => n.type === 'finance.reconcile-payouts');
      const acc = (node?.config as { accounts?: { receivable?: string } } | undefined)?.accounts?.receivable;
      if (acc) return acc;
    }
    return '1100';
  }
}

/** A title inside a sentence: its first word in lower case, acronyms ("B2B", "SKU") as they are. */
const sentenceCase = (title: string) => (/^[A-Z](?:[a-z]|\s)/.test(title) ? title[0]!.toLowerCase() + title.slice(1) : title);
