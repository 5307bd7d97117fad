// The sandbox control panel end to end on a real server in sandbox mode (templates installed, isolated-vm, sandbox
// shop and ERP): each scenario goes through the real signed-webhook path or the real scheduled flow, and a payout of
// what the panel sent reconciles against the sandbox ERP and posts its journal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxServing, type SandboxServing } from '../testing/sandbox-serving.ts';

let h: SandboxServing;
const PASSWORD = 'sandbox-panel-pw';

const call = <T = any>(method: string, path: string, body?: unknown) => h.call<T>(method, path, h.tokens.owner!, body);

async function finished(query: string, pred: (r: any) => boolean = () => true, ms = 60_000): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const { body } = await call<{ runs: any[] }>('GET', `/api/runs?${query}`);
    const run = body.runs.find((r) => (r.status === 'succeeded' || r.status === 'failed') && pred(r));
    if (run) return (await call('GET', `/api/runs/${run.runId}`)).body;
    if (Date.now() > until) throw new Error(`no finished run for ${query}: ${JSON.stringify(body.runs)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function send(scenario: string) {
  const r = await call('POST', '/api/sandbox/events', { scenario });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const shopState = () => JSON.stringify((h.s.server.sandbox?.store as { state: { snapshot(): unknown } } | undefined)?.state.snapshot());

beforeAll(async () => {
  h = await sandboxServing('sandbox-panel', PASSWORD);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('sandbox control panel', () => {
  it('says it is a sandbox and shows the webhook secret the server verifies with', async () => {
    const { body } = await call('GET', '/api/sandbox');
    expect(body).toMatchObject({
      sandboxMode: true,
      ready: true,
      shop: { connection: 'sandbox-shop', webhookUrl: `${h.s.url}/webhooks/shopify/sandbox-shop` },
    });
    expect(body.shop.webhookSecret).toBe((await h.s.server.deps.connections.secretsOf('sandbox-shop')).webhookSecret);
    expect(body.scenarios.map((x: any) => x.id)).toEqual([
      'paid-order',
      'unmapped-tax',
      'unknown-sku',
      'tipped-order',
      'terms-order',
      'terms-paid',
      'cod-order',
      'cod-collected',
      'duplicate-sku',
      'partial-refund',
      'erp-fulfilment',
      'payout',
    ]);
  });

  it('a paid order reaches the ERP, its refund becomes a credit memo, and a payout of them reconciles and posts', async () => {
    expect((await call('POST', '/api/sandbox/events', { scenario: 'payout' })).status).toBe(409); // nothing sent yet
    const a = await send('paid-order');
    const b = await send('paid-order');
    for (const o of [a, b]) {
      const run = await finished(`flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${o.orderId}`)}`);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    }
    const refund = await send('partial-refund');
    expect(refund.orderName).toBe(b.orderName);
    const rr = await finished(`flowId=refund-to-credit-memo&key=${encodeURIComponent(`shopifyRefundId:${refund.refundId}`)}`);
    expect(rr.status, JSON.stringify(rr.error)).toBe('succeeded');

    const payout = await send('payout');
    expect(payout.message).toMatch(/for 2 orders and 1 refund/);
    const run = await finished(`flowId=payout-reconciliation`, (r) => r.runId === payout.runs[0].runId);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const rec = run.steps.find((x: any) => x.nodeId === 'reconcile');
    expect(rec.port).toBe('balanced');
    expect(rec.output.reconciliations[0]).toMatchObject({ status: 'balanced' });
    expect(run.steps.find((x: any) => x.nodeId === 'post-journal').status).toBe('succeeded');
    // Finance's month view shows it tied and posted.
    const month = new Date().toISOString().slice(0, 7);
    const report = (await call('GET', `/api/finance/month-end?month=${month}`)).body;
    const row = report.payouts.find((p: any) => p.payoutId.endsWith(payout.payoutId));
    expect(row, JSON.stringify(report)).toMatchObject({ status: 'balanced' });
    // Nothing left to pay out.
    expect((await call('POST', '/api/sandbox/events', { scenario: 'payout' })).status).toBe(409);
  }, 180_000);

  it('a paid order with a tip and import duties reaches the ERP as what the customer paid (TIP and DUTY lines), and its payout reconciles', async () => {
    const o = await send('tipped-order');
    expect(o.message).toContain('(76.47 GBP)'); // the scenario's total: goods and shipping 68.97, the tip 3.00, duties 4.50
    const run = await finished(`flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${o.orderId}`)}`);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = run.steps.find((x: any) => x.nodeId === 'read-back').output;
    expect(so.lines.filter((l: any) => ['TIP', 'DUTY'].includes(l.sku)).map((l: any) => [l.sku, l.net, l.taxAmount])).toEqual([
      ['TIP', '3.00', '0.00'],
      ['DUTY', '4.50', '0.00'],
    ]);
    expect(so.totals.gross).toBe('76.47');
    const payout = await send('payout');
    expect(payout.message).toMatch(/for 1 order is in Shopify/);
    const rec = await finished('flowId=payout-reconciliation', (r) => r.runId === payout.runs[0].runId);
    expect(rec.status, JSON.stringify(rec.error)).toBe('succeeded');
    expect(rec.steps.find((x: any) => x.nodeId === 'reconcile').port).toBe('balanced');
  }, 180_000);

  it('a B2B order on net 30 terms reaches the ERP while unpaid (its orders/create is the only webhook), and no payout carries it', async () => {
    const o = await send('terms-order');
    expect(o.message).toContain('(68.97 GBP, unpaid on payment terms)');
    const log = (await call('GET', '/api/sandbox')).body.activity as Array<{ label: string }>;
    expect(
      log.map((l) => l.label),
      JSON.stringify(log),
    ).toContain(`${o.orderName}: a B2B order on net 30 terms, not yet paid (68.97 GBP)`);
    const run = await finished(`flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${o.orderId}`)}`);
    expect(run.status, JSON.stringify(run.error ?? run.skipped)).toBe('succeeded');
    expect(run.steps.find((x: any) => x.nodeId === 'read-back').output.totals.gross).toBe('68.97');
    // Due when Shopify says (30 days), not on the ERP's default term: the ERP's receivables aging reads it.
    expect(run.steps.find((x: any) => x.nodeId === 'read-back').output.paymentTerms).toBe('Net 30');
    const early = await call('POST', '/api/sandbox/events', { scenario: 'payout' });
    expect(early.status).toBe(409);
    expect(JSON.stringify(early.body)).not.toContain(o.orderName);
    // The buyer pays 30 days later: orders/paid books nothing more, and the payout clears the receivable.
    const paid = await send('terms-paid');
    expect(paid.orderName).toBe(o.orderName);
    const again = await finished(`flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${o.orderId}`)}`, (r) => r.runId !== run.runId);
    expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
    expect(again.steps.find((x: any) => x.nodeId === 'post').output.created).toBe(false);
    const payout = await send('payout');
    expect(payout.message).toMatch(/for 1 order is in Shopify/);
    const rec = await finished('flowId=payout-reconciliation', (r) => r.runId === payout.runs[0].runId);
    expect(rec.status, JSON.stringify(rec.error)).toBe('succeeded');
    expect(rec.steps.find((x: any) => x.nodeId === 'reconcile').port).toBe('balanced');
    expect((await call('POST', '/api/sandbox/events', { scenario: 'terms-paid' })).status).toBe(409);
  }, 180_000);

  it('a cash-on-delivery order waits for its payment; once the carrier collects, it posts and its receipt settles the invoice, and no payout carries it', async () => {
    expect((await call('POST', '/api/sandbox/events', { scenario: 'cod-collected' })).status).toBe(409);
    const o = await send('cod-order');
    expect(o.message).toContain('unpaid until the carrier collects the cash');
    const key = `key=${encodeURIComponent(`shopifyOrderId:${o.orderId}`)}`;
    const until = Date.now() + 60_000;
    let skipped: any;
    while (!skipped && Date.now() < until) {
      skipped = (await call('GET', `/api/runs?flowId=order-to-erp&${key}`)).body.runs.find((r: any) => r.status === 'skipped');
      if (!skipped) await new Promise((r) => setTimeout(r, 250));
    }
    expect(skipped, 'the orders/create run is skipped at the payment gate').toBeTruthy();
    // Finance books these receipts from Ledgerline (not from the bank statement): the flow is activated.
    expect((await call('POST', '/api/flows/manual-payments-to-erp/activate', { version: 1 })).status).toBe(200);
    const paid = await send('cod-collected');
    expect(paid.message).toContain('No payout carries it');
    const posted = await finished(`flowId=order-to-erp&${key}`, (r) => r.status === 'succeeded');
    expect(posted.steps.find((x: any) => x.nodeId === 'read-back').output.totals.gross).toBe('68.97');
    const receipt = await finished(`flowId=manual-payments-to-erp&${key}`);
    expect(receipt.status, JSON.stringify(receipt.error)).toBe('succeeded');
    expect(receipt.steps.find((x: any) => x.nodeId === 'receipt').output.settlement.items).toEqual([
      expect.objectContaining({ kind: 'invoice', status: 'settled', settledAmount: '68.97', invoiceStatus: 'paid' }),
    ]);
    const payout = await call('POST', '/api/sandbox/events', { scenario: 'payout' });
    expect(JSON.stringify(payout.body)).not.toContain(o.orderName);
  }, 180_000);

  it('an unmapped tax rate and an unknown SKU fail their runs with the reason', async () => {
    const tax = await send('unmapped-tax');
    const sku = await send('unknown-sku');
    const t = await finished(`flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${tax.orderId}`)}`);
    const k = await finished(`flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${sku.orderId}`)}`);
    expect([t.status, k.status]).toEqual(['failed', 'failed']);
    expect(JSON.stringify(t.error)).toMatch(/Ohio Resort Tax/);
    expect(JSON.stringify(k.error)).toMatch(/NOT-IN-ERP-1/);
  }, 120_000);

  it('a shipment in the ERP reaches Shopify when the fulfilment flow runs now; a duplicate SKU is named by the stock push', async () => {
    const ship = await send('erp-fulfilment');
    expect(ship.runs).toHaveLength(1);
    const f = await finished('flowId=fulfilment-to-shopify', (r) => r.runId === ship.runs[0].runId);
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    expect(f.steps.find((x: any) => x.type === 'shopify.fulfilment-push')?.status).toBe('succeeded');

    const dup = await send('duplicate-sku');
    const inv = await finished('flowId=inventory-to-shopify', (r) => r.runId === dup.runs[0].runId, 120_000);
    expect(inv.status).toBe('failed');
    expect(JSON.stringify(inv.error)).toMatch(/TEE-M/);
  }, 240_000);

  it('fires any scheduled flow now, and refuses flows that are not scheduled', async () => {
    const { body: sch } = await call('GET', '/api/schedules');
    const by = Object.fromEntries(sch.schedules.map((x: any) => [x.flowId, x]));
    expect(Object.keys(by)).toEqual(expect.arrayContaining(['fulfilment-to-shopify', 'inventory-to-shopify', 'payout-reconciliation', 'monitor-runs']));
    expect(Object.keys(by)).not.toContain('order-to-erp');
    expect(by['fulfilment-to-shopify']).toMatchObject({ cron: '*/5 * * * *', every: 'Every 5 minutes' });
    expect(by['payout-reconciliation'].every).toBe('At 06:00');
    const r = await call('POST', '/api/flows/payout-reconciliation/run-now');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ flowId: 'payout-reconciliation', runId: expect.any(String) });
    const listed = (await call('GET', '/api/runs?flowId=payout-reconciliation')).body.runs.find((x: any) => x.runId === r.body.runId);
    expect(listed.trigger).toEqual({ source: 'schedule', topic: 'run-now' }); // the runs list says "run now"
    expect((await call('POST', '/api/flows/order-to-erp/run-now')).status).toBe(409);
    expect((await call('POST', '/api/flows/nope/run-now')).status).toBe(404);
  });

  // Last: it restarts the server. The sandbox ERP is a file that survives; the shop once came back at its seed, so
  // every SKU drifted again, the orders the ERP holds were gone from Shopify and the panel forgot what it had sent.
  it('keeps the sandbox shop and what the panel sent across a restart', async () => {
    const rows = (await call('GET', '/api/sandbox')).body.activity;
    const before = shopState();
    expect(rows.map((r: any) => r.kind)).toEqual(expect.arrayContaining(['order', 'refund', 'payout', 'shipment', 'catalogue']));
    expect(JSON.parse(before).orders.length).toBeGreaterThanOrEqual(4);
    await h.stop();
    h = await sandboxServing('sandbox-panel', PASSWORD, [], { dir: h.dir });
    expect((await call('GET', '/api/sandbox')).body.activity).toEqual(rows);
    expect(shopState()).toBe(before);
    // The panel still knows its orders: the first paid order (the second was refunded before) is refunded now, in a
    // shop that still has it, and its credit memo posts.
    const firstPaid = rows
      .filter((r: any) => r.scenario === 'paid-order')
      .at(-1)
      .label.split(':')[0];
    const refund = await send('partial-refund');
    expect(refund.orderName).toBe(firstPaid);
    const rr = await finished(`flowId=refund-to-credit-memo&key=${encodeURIComponent(`shopifyRefundId:${refund.refundId}`)}`);
    expect(rr.status, JSON.stringify(rr.error)).toBe('succeeded');
  }, 120_000);
});
