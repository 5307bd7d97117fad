// Inventory drift, orphaned orders and payment mismatches against the sandbox Shopify store and the sandbox ERP,
// through the runtime and the real exception inbox: raise, fix the condition, auto-resolve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, createShopifyConnection, type SandboxStore, type ShopifyClient } from '../shopify/index.ts';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import { harness, restOrder, type Harness } from './testing.ts';
import { paymentProblem, soldOnCredit } from './payment-mismatch.ts';
import { NodeError } from '../../runtime/node-api.ts';
import { paymentTermsOf, type RecentOrder } from './orders.ts';
import { first } from '../shopify/testing.ts';
import { rawRows } from '../../runtime/testing/raw.ts';
import { flow } from '../../runtime/testing/fixtures.ts';

const LOC = 'gid://shopify/Location/1';
let store: SandboxStore;
let shop: ShopifyClient;
let erp: SandboxErp;
let h: Harness;

beforeAll(async () => {
  store = await startShopifySandbox({
    seed: {
      locations: [{ id: 1, name: 'Main' }],
      products: [
        {
          id: 1,
          title: 'Monitor tee',
          variants: [
            { id: 11, sku: 'MON-TEE', price: '20.00', inventoryItemId: 111 },
            { id: 12, sku: 'MON-CAP', price: '9.00', inventoryItemId: 112 },
          ],
        },
      ],
      inventory: [
        { inventoryItemId: 111, locationId: 1, available: 10 },
        { inventoryItemId: 112, locationId: 1, available: 4 },
      ],
    },
  });
  shop = createShopifyConnection({ shopDomain: store.shopDomain, auth: { kind: 'access-token', accessToken: store.accessToken }, endpoint: store.url });
  erp = createSandboxErp();
  erp.admin.addItem({ sku: 'MON-TEE', name: 'Monitor tee', unitPrice: '20.00' });
  erp.admin.addItem({ sku: 'MON-CAP', name: 'Monitor cap', unitPrice: '9.00' });
  erp.admin.setStock('MON-TEE', 'WH', '12');
  erp.admin.setStock('MON-CAP', 'WH', '4');
  h = await harness({ 'shopify:main': shop, 'erp:erp': erp });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await erp?.close();
  await store?.stop();
});

const open = async (type: string) => (await h.exceptions.list({ type, state: 'unresolved' })).items;

describe('monitor.inventory-drift', () => {
  const config = { shopify: 'main', erp: 'erp', locations: { WH: LOC }, safetyStock: { default: 0, perSku: { 'MON-TEE': 2 } }, tolerance: { units: 1 } };

  it('raises per SKU and location beyond the tolerance and auto-resolves once Shopify is corrected', async () => {
    const quiet = await h.check('monitor.inventory-drift', config);
    expect(quiet.status).toBe('succeeded');
    expect(quiet.steps[1]?.output).toMatchObject({ checked: 2, found: 0 });

    erp.admin.setStock('MON-TEE', 'WH', '20'); // expected 20 - 2 = 18; Shopify still 10
    erp.admin.setStock('MON-CAP', 'WH', '5'); // off by 1: within tolerance
    h.clock.now += 1; // each check's sample at a time of its own: the series reads in time order
    const r = await h.check('monitor.inventory-drift', config);
    expect(r.steps[1]?.output).toMatchObject({ checked: 2, found: 1, newlyRaised: 1 });
    const d = first(await open('inventory-drift'), 'an inventory-drift exception');
    expect(d).toMatchObject({
      key: 'main:MON-TEE@WH',
      owner: 'operations',
      data: { expected: 18, shopify: 10, drift: -8, safetyStock: 2, locationName: 'Main' },
    });
    // Where in Shopify, by the name operations know the location by.
    expect(d.detail).toBe(`ERP available 20 less safety stock 2 = 18; Shopify available 10 at "Main" (${LOC}); tolerance 1.`);
    // The check's run succeeded: it found the drift, it is not a failed run to retry.
    expect([d.retryable, (await h.exceptions.get(d.id)).retryable]).toEqual([false, false]);

    h.clock.now += 1;
    await h.check('monitor.inventory-drift', config);
    expect((await h.exceptions.get(d.id)).count).toBe(2);

    store.state.levels.get(store.state.levelKey('gid://shopify/InventoryItem/111', LOC))!.available = 17; // within 1
    h.clock.now += 1;
    const fixed = await h.check('monitor.inventory-drift', config);
    expect(fixed.steps[1]?.output).toMatchObject({ found: 0, cleared: 1 });
    expect(await h.exceptions.get(d.id)).toMatchObject({ state: 'resolved', autoResolved: true, resolutionNote: 'back within tolerance' });
    const samples = await rawRows<{ value: string }>(h.rt.store, `SELECT value FROM monitor_samples WHERE name = 'inventory.drift.units' ORDER BY at`);
    expect(samples.map((s) => s.value)).toEqual(['0', '8', '8', '0']);
  });

  it("records a check's drifting SKUs and units off at one time, while the clock moves", async () => {
    let t = h.clock.now + 1_000;
    const fixed = h.clock.now;
    // Real time passes between the two samples' writes: every read of this clock is a millisecond later.
    Object.defineProperty(h.clock, 'now', { configurable: true, get: () => t++, set: (v: number) => (t = v) });
    try {
      erp.admin.setStock('MON-TEE', 'WH', '25'); // expected 25 - 2 = 23; Shopify 17 since the test above
      await h.check('monitor.inventory-drift', config);
      const rows = await rawRows<{ name: string; at: number; value: string }>(
        h.rt.store,
        `SELECT name, at, value FROM monitor_samples WHERE at > ${fixed} AND name LIKE 'inventory.drift.%' ORDER BY name`,
      );
      expect(rows.map((r) => [r.name, r.value])).toEqual([
        ['inventory.drift.skus', '1'],
        ['inventory.drift.units', '6'],
      ]);
      expect(rows[0]!.at).toBe(rows[1]!.at);
    } finally {
      const now = t;
      Object.defineProperty(h.clock, 'now', { configurable: true, writable: true, value: now });
      erp.admin.setStock('MON-TEE', 'WH', '20');
    }
  });
});

describe('order monitors', () => {
  const hour = 3_600_000;
  let paidId: string;
  let voidedId: string;

  beforeAll(() => {
    paidId = store.createOrder(restOrder(1, { createdAt: Date.now() - hour, financialStatus: 'paid', sku: 'MON-TEE', price: '20.00' }));
    store.createOrder(restOrder(2, { createdAt: Date.now() - 5 * 60_000, financialStatus: 'paid', sku: 'MON-TEE', price: '20.00' })); // too young
    store.createOrder(restOrder(3, { createdAt: Date.now() - hour, financialStatus: 'pending', sku: 'MON-TEE', price: '20.00' })); // not paid
    voidedId = store.createOrder(restOrder(4, { createdAt: Date.now() - hour, financialStatus: 'voided', sku: 'MON-CAP', price: '9.00' }));
  });

  const so = (externalId: string, ref: string, sku: string, price: string) => ({
    externalId,
    reference: ref,
    customer: { externalId: 'c-1', name: 'Ann Buyer' },
    currency: 'USD',
    date: '2026-11-27',
    warehouse: 'WH',
    lines: [{ sku, quantity: '1', unitPrice: price }],
  });

  it('orphaned-orders: a paid order past the grace period with no ERP sales order, resolved once the ERP has it', async () => {
    // The order's own sync failed (its code step cannot run here): the exception links that run, the one to retry.
    const sync = flow(
      'orders-sync',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'post', type: 'core.code', config: { code: 'return input' } },
      ],
      ['t->post'],
      {
        retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      },
    );
    await h.rt.flows.create(sync);
    const { version } = await h.rt.flows.publish('orders-sync', { activate: true });
    const { runIds } = await h.rt.queue.ingest({
      source: 'manual',
      payload: {},
      targets: [{ flowId: 'orders-sync', version }],
      keys: { shopifyOrderId: paidId },
    });
    await h.rt.drain();
    expect((await h.rt.runs.get(runIds[0]!)).status).toBe('failed');

    const config = { shopify: 'main', erp: 'erp', afterMinutes: 30 };
    const r = await h.check('monitor.orphaned-orders', config);
    expect(r.status).toBe('succeeded');
    expect(r.steps[1]?.output).toMatchObject({ checked: 1, found: 1 });
    const o = first(await open('orphaned-order'), 'an orphaned-order exception');
    expect(o).toMatchObject({
      key: `main:${paidId}`,
      owner: 'ecommerce',
      severity: 'high',
      links: { shopify: paidId, shopifyName: '#5001', runId: runIds[0], flowId: 'orders-sync' },
    });
    expect(o.retryable).toBe(true);
    expect(o.title).toMatch(/#5001 is not in the ERP/);

    await erp.createSalesOrder(so(paidId, '#5001', 'MON-TEE', '20.00'));
    const after = await h.check('monitor.orphaned-orders', config);
    expect(after.steps[1]?.output).toMatchObject({ found: 0, cleared: 1 });
    expect(await h.exceptions.get(o.id)).toMatchObject({ state: 'resolved', autoResolved: true });
  });

  it('payment-mismatch: voided in Shopify but live in the ERP, resolved when the ERP order is cancelled', async () => {
    await erp.createSalesOrder(so(voidedId, '#5004', 'MON-CAP', '9.00'));
    const config = { shopify: 'main', erp: 'erp' };
    const r = await h.check('monitor.payment-mismatch', config);
    expect(r.steps[1]?.output).toMatchObject({ checked: 2, found: 1 });
    const m = first(await open('payment-mismatch'), 'a payment-mismatch exception');
    expect(m).toMatchObject({ key: `main:${voidedId}`, owner: 'finance', data: { rule: 'voided-but-live', erpStatus: 'open' } });
    expect(m.links.erp).toMatch(/^SO/);
    expect(m.links.shopifyName).toBe('#5004');

    await erp.cancelSalesOrder(voidedId);
    const after = await h.check('monitor.payment-mismatch', config);
    expect(after.steps[1]?.output).toMatchObject({ found: 0, cleared: 1 });
    expect((await h.exceptions.get(m.id)).state).toBe('resolved');
  });

  it('payment rules: amounts beyond tolerance, shipped before capture, paid but cancelled', () => {
    const o = (fs: RecentOrder['displayFinancialStatus'], amount: string): RecentOrder => ({
      id: 'g',
      legacyResourceId: '1',
      name: '#1',
      createdAt: '',
      cancelledAt: null,
      test: false,
      displayFinancialStatus: fs,
      paymentGatewayNames: ['shopify_payments'],
      totalPriceSet: { shopMoney: { amount, currencyCode: 'USD' } },
      currentTotalPriceSet: { shopMoney: { amount, currencyCode: 'USD' } },
    });
    const s = (status: string, gross: string) => ({ number: 'SO1', status, totals: { net: gross, tax: '0', gross } }) as never;
    expect(paymentProblem(o('PAID', '20.00'), s('open', '20.01'), '0.01')).toBeNull();
    expect(paymentProblem(o('PAID', '20.00'), s('open', '20.02'), '0.01')?.rule).toBe('amount');
    expect(paymentProblem(o('PAID', '20.00'), s('open', '25.00'), null)).toBeNull();
    expect(paymentProblem(o('AUTHORIZED', '20.00'), s('fulfilled', '20.00'), '0.01')?.rule).toBe('shipped-before-capture');
    expect(paymentProblem(o('PARTIALLY_REFUNDED', '20.00'), s('cancelled', '20.00'), '0.01')?.rule).toBe('paid-but-cancelled');
  });

  it('payment-mismatch: a pending order shipped as agreed (net terms, cash on delivery named in unpaidGateways) is no mismatch; a pending card order shipped is', async () => {
    const pending = (n: number, extra: Record<string, unknown>) => {
      const id = store.createOrder({ ...restOrder(n, { createdAt: Date.now() - hour, financialStatus: 'pending', sku: 'MON-TEE', price: '20.00' }), ...extra });
      return { id, name: `#${5000 + n}` };
    };
    const terms = pending(5, {
      payment_terms: { payment_terms_name: 'Net 30', payment_terms_type: 'net', due_in_days: 30, payment_schedules: [] },
      payment_gateway_names: [],
    });
    const cod = pending(6, { payment_gateway_names: ['Cash on Delivery (COD)'] });
    const card = pending(7, { payment_gateway_names: ['shopify_payments'] });
    for (const o of [terms, cod, card]) {
      await erp.createSalesOrder(so(o.id, o.name, 'MON-TEE', '20.00'));
      await erp.shipSalesOrder!(o.id, {});
    }
    const shipped = async (config: Record<string, unknown>) => {
      const r = await h.check('monitor.payment-mismatch', { shopify: 'main', erp: 'erp', ...config });
      const out = r.steps[1]?.output as { findings: Array<{ order: string; rule: string }> } | undefined;
      return (out?.findings ?? []).filter((f) => f.rule === 'shipped-before-capture').map((f) => f.order);
    };
    expect(await shipped({ unpaidGateways: ['cash on delivery (cod)'] })).toEqual([card.name]);
    expect((await shipped({})).sort()).toEqual([cod.name, card.name]);
  });

  it('payment-mismatch: without the read_payment_terms scope the finding stays and says why', async () => {
    const order = { id: 'gid://shopify/Order/1', paymentGatewayNames: [] } as unknown as RecentOrder;
    const denied = {
      request: async () => {
        throw new NodeError('shopify GraphQL error: Access denied for paymentTerms field.', { code: 'ACCESS_DENIED' });
      },
    } as unknown as ShopifyClient;
    expect(await soldOnCredit(denied, order, [], new AbortController().signal)).toEqual({
      agreed: false,
      note: " (its payment terms could not be read: the app lacks Shopify's read_payment_terms scope)",
    });
    const failing = { request: async () => Promise.reject(new NodeError('boom', { code: 'HTTP_500' })) } as unknown as ShopifyClient;
    await expect(soldOnCredit(failing, order, [], new AbortController().signal)).rejects.toThrow('boom');
  });

  it('orphaned-orders: an unpaid order the payment gate posts at once (net terms, or a method in unpaidGateways) is raised when the ERP lacks it; a pending card order is not', async () => {
    const pending = (n: number, extra: Record<string, unknown>) => {
      store.createOrder({ ...restOrder(n, { createdAt: Date.now() - hour, financialStatus: 'pending', sku: 'MON-TEE', price: '20.00' }), ...extra });
      return `#${5000 + n}`;
    };
    const terms = pending(8, {
      payment_terms: { payment_terms_name: 'Net 30', payment_terms_type: 'net', due_in_days: 30, payment_schedules: [] },
      payment_gateway_names: [],
    });
    const cod = pending(9, { payment_gateway_names: ['Cash on Delivery (COD)'] });
    pending(10, { payment_gateway_names: ['shopify_payments'] });
    const r = await h.check('monitor.orphaned-orders', { shopify: 'main', erp: 'erp', afterMinutes: 30, unpaidGateways: ['Cash on Delivery (COD)'] });
    const out = r.steps[1]?.output as { findings: Array<{ order: string }> };
    expect(out.findings.map((f) => f.order).sort()).toEqual([cod, terms].sort());
    const titles = (await open('orphaned-order')).map((e) => e.title);
    expect(
      titles.filter((t) => /^Unpaid \(Net 30\) order #5008 is not in the ERP after \d+ min$/.test(t)),
      titles.join(' | '),
    ).toHaveLength(1);
    expect(
      titles.filter((t) => /^Unpaid \(Cash on Delivery \(COD\)\) order #5009 is not in the ERP after \d+ min$/.test(t)),
      titles.join(' | '),
    ).toHaveLength(1);
    // Without either setting only paid orders count.
    const paidOnly = await h.check('monitor.orphaned-orders', { shopify: 'main', erp: 'erp', afterMinutes: 30, paymentTerms: false });
    expect((paidOnly.steps[1]?.output as { findings: unknown[] } | undefined)?.findings).toEqual([]);
  });

  it('orphaned-orders: without the read_payment_terms scope the pending orders are left unchecked, and the result says so', async () => {
    const denied = {
      request: async () => {
        throw new NodeError('shopify GraphQL error: Access denied for paymentTerms field.', { code: 'ACCESS_DENIED' });
      },
    } as unknown as ShopifyClient;
    expect(await paymentTermsOf(denied, ['gid://shopify/Order/1'], new AbortController().signal)).toEqual({
      terms: new Map(),
      unread: "the app lacks Shopify's read_payment_terms scope",
    });
  });
});
