// The Shopify order flow in real Chromium against the real server: a signed webhook's run on the runs page; a client
// maps a field without code and publishes, and the next order uses it; an unmapped tax rate fails a run, shows as an
// exception, the client adds the lookup row, operations retries, and the run turns green.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { ORDER_FLOW, TAX_TABLE, orderFlow, paidOrderBody, sendShopifyWebhook } from './fixtures.ts';
import { signIn, startEnv, waitForOrderRun, type Env } from './helpers.ts';
import type { RunRecord } from '../src/api/types.ts';
import type { Res } from '../src/api/contract.ts';

let env: Env;
let browser: Browser;
const VIEWPORT = { width: 1400, height: 880 };
const CLIENT = { email: 'clara@client.example', name: 'Clara Client', role: 'client', password: 'client-pw-2' };
const OPS = { email: 'otto@ops.example', name: 'Otto Ops', role: 'operator', password: 'ops-pw-123' };

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CLIENT, OPS]);
  await env.admin('POST', '/api/flows', orderFlow());
  await env.admin('POST', '/api/lookups', TAX_TABLE);
  await env.admin('POST', `/api/flows/${ORDER_FLOW}/publish`, { message: 'Orders to ERP, first version' });
  await env.admin('POST', `/api/flows/${ORDER_FLOW}/activate`, {});
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const base = () => env.backend.baseUrl;

describe('Shopify orders, the mapper and lookup fixes in Chromium', () => {
  it('a signed Shopify webhook from the sandbox shop produces a run the runs page shows, with its steps', async () => {
    const res = await sendShopifyWebhook(base(), paidOrderBody(810001, '0.2'));
    expect(res.status).toBe(200);
    // A wrong signature is refused and starts nothing.
    expect((await sendShopifyWebhook(base(), paidOrderBody(810002, '0.2'), 'orders/paid', 'wrong-secret')).status).toBe(401);
    const run = await waitForOrderRun(env.admin, ORDER_FLOW, 'gid://shopify/Order/810001');
    expect(run.status).toBe('succeeded');

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), OPS.email, OPS.password);
    await page.click('a.tab:has-text("Runs")');
    await page.selectOption('select[aria-label="Flow"]', ORDER_FLOW);
    await page.fill('input[aria-label="Search runs"]', '810001');
    await page.click('.filters button[type=submit]');
    await page.waitForSelector(`tr[data-run="${run.runId}"]`);
    expect(await page.locator('[data-testid=runs-page] tr[data-run]').count()).toBe(1);
    expect(await page.textContent(`tr[data-run="${run.runId}"] .pill`)).toBe('succeeded');
    await shot(page, 'mapper-01-shopify-run-listed');
    await page.click(`tr[data-run="${run.runId}"] a`);
    await page.waitForSelector('[data-testid=run-detail]');
    await page.click('button[data-step="erp_order"]');
    const output = JSON.parse((await page.textContent('[data-testid=step-erp_order] [data-testid=step-output]'))!);
    expect(output).toMatchObject({
      externalId: 'gid://shopify/Order/810001',
      reference: '#810001',
      channel: 'SHOPIFY',
      lines: [{ sku: 'SKU2006-001', unitPrice: '89.99', taxCode: 'VAT20' }],
    });
    await shot(page, 'mapper-02-shopify-run-steps');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a client maps a field by dragging it, names it, adds a transform, sees the live preview, publishes; the next order uses it', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), CLIENT.email, CLIENT.password);
    await page.click('text=Shopify orders to ERP');
    await page.waitForSelector('[data-testid=mapper-page]');
    expect(page.url()).toMatch(new RegExp(`/flows/${ORDER_FLOW}/mapper$`));
    // No canvas, palette or code for a client, even on the canvas address.
    expect(await page.locator('.react-flow, [data-testid=palette], .cm-editor').count()).toBe(0);
    // The mapping opens on its node's input in the latest succeeded run (order #810001), not on an example.
    await page.waitForFunction(() => document.querySelector('tr[data-target="reference"] [data-testid=target-value]')?.textContent?.includes('#810001'));
    expect(await page.textContent('[data-testid=input-kind]')).toBe('real run · succeeded');
    // The trigger's example is one choice away, and back to the real run.
    const options = await page.locator('select[aria-label="Mapper input"] option').allTextContents();
    expect(options[0]).toMatch(/^Run …\S{8} · succeeded/);
    expect(options.at(-1)).toMatch(/^Example: Shopify event/);
    await page.selectOption('select[aria-label="Mapper input"]', { label: options.at(-1)! });
    await page.waitForFunction(() => document.querySelector('tr[data-target="reference"] [data-testid=target-value]')?.textContent?.includes('"#9999"'));
    expect(await page.textContent('[data-testid=input-kind]')).toBe('example');
    await page.selectOption('select[aria-label="Mapper input"]', { index: 0 });
    await page.waitForFunction(() => document.querySelector('tr[data-target="reference"] [data-testid=target-value]')?.textContent?.includes('#810001'));

    // Drag a source field onto the "add a target" zone, then shape it with a transform from the menu.
    await page.dragAndDrop('[data-path="order.sourceName"]', '[data-testid=drop-new]');
    await page.waitForSelector('tr[data-target="sourceName"]');
    await page.fill('input[aria-label="Target name"]', 'salesChannel');
    await page.selectOption('select[aria-label="Add transform"]', 'case');
    await page.waitForFunction(() => document.querySelector('tr[data-target="salesChannel"] [data-testid=target-value]')?.textContent?.includes('"WEB"'));
    expect(await page.textContent('tr[data-target="salesChannel"] [data-testid=target-origin]')).toBe('from order.sourceName');

    expect(await page.textContent('[data-testid=preview-status]')).toBe('maps cleanly');
    expect(JSON.parse((await page.textContent('[data-testid=preview-output]'))!)).toMatchObject({
      reference: '#810001',
      channel: 'SHOPIFY',
      salesChannel: 'WEB',
    });
    await shot(page, 'mapper-03-client-mapping');

    await page.click('button:has-text("Save draft")');
    await page.waitForFunction(() => document.querySelector('[data-testid=mapper-message]')?.textContent === 'Draft saved.');
    await page.click('button:has-text("Publish…")');
    // Before it goes live, the change is tried on the flow's last orders: the new field shows on #810001.
    const dialog = page.locator('[data-testid=mapper-publish-dialog]');
    const ev = dialog.locator('[data-testid=dry-run-event][data-verdict=changed]', { hasText: '#810001' });
    await ev.waitFor({ timeout: 60_000 });
    expect(await ev.locator('[data-testid=dry-run-fields] tr', { hasText: 'salesChannel' }).locator('td').allTextContents()).toEqual([
      'salesChannel',
      '—',
      'WEB',
    ]);
    await page.fill('[data-testid=mapper-publish-dialog] input[name=message]', 'Sales channel from Shopify');
    await dialog.locator('[data-testid=publish-confirm]').check();
    await page.click('[data-testid=mapper-publish-dialog] button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=mapper-message]')?.textContent?.startsWith('Published version 2'));
    await shot(page, 'mapper-04-client-published');

    // The next order runs on version 2 and carries the new mapping.
    await sendShopifyWebhook(base(), paidOrderBody(820001, '0.2'));
    const run = await waitForOrderRun(env.admin, ORDER_FLOW, 'gid://shopify/Order/820001');
    const rec = await env.admin<RunRecord>('GET', `/api/runs/${run.runId}`);
    expect(rec.status).toBe('succeeded');
    expect(rec.flowVersion).toBe(2);
    expect(rec.steps.find((s) => s.nodeId === 'erp_order')!.output).toMatchObject({ channel: 'SHOPIFY', salesChannel: 'WEB', reference: '#820001' });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('an unmapped tax rate fails a run and raises an exception; the client adds the lookup row, which retries the run and turns it green', async () => {
    await sendShopifyWebhook(base(), paidOrderBody(830001, '0.05'));
    const failed = await waitForOrderRun(env.admin, ORDER_FLOW, 'gid://shopify/Order/830001');
    expect(failed.status).toBe('failed');

    const ops = await browser.newPage({ viewport: VIEWPORT });
    const opsErrors = watchPage(ops);
    await signIn(ops, base(), OPS.email, OPS.password);
    await ops.click('a.tab:has-text("Exceptions")');
    await ops.waitForSelector('[data-testid=exceptions-page] tr[data-exception]');
    // Other active flows (the installed order-to-ERP template) may raise their own exceptions for the same order.
    const mine = () => ops.locator('tr[data-exception]', { hasText: `flow ${ORDER_FLOW}` }).filter({ hasText: 'rate="0.05"' });
    const row = mine();
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('order #830001');
    expect(await row.locator('[data-testid=exception-order]').getAttribute('title')).toContain('gid://shopify/Order/830001');
    await shot(ops, 'mapper-05-exception-inbox');

    // The client adds the missing row in the spreadsheet editor.
    const client = await browser.newPage({ viewport: VIEWPORT });
    const clientErrors = watchPage(client);
    await signIn(client, base(), CLIENT.email, CLIENT.password);
    await client.goto(`${base()}/flows/${ORDER_FLOW}/mapper`);
    await client.click('a:has-text("Lookup tables")');
    await client.click(`tr[data-table="${ORDER_FLOW}/tax-codes"] a`);
    await client.waitForSelector('[data-testid=lookup-grid]');
    await client.click('button:has-text("+ Add row")');
    await client.fill('input[aria-label="title of row 2"]', 'VAT');
    await client.fill('input[aria-label="rate of row 2"]', '0.05');
    await client.fill('input[aria-label="taxCode of row 2"]', 'VAT5');
    expect(await client.textContent('[data-testid=lookup-changes]')).toBe('1 added · 0 changed · 0 deleted');
    await client.fill('input[aria-label="Change note"]', 'reduced rate 5 %');
    await client.click('button:has-text("Save new version")');
    await client.waitForFunction(() => document.querySelector('[data-testid=lookup-status]')?.textContent?.startsWith('Saved as version 2'));
    // Saving the row retries the run waiting on it at once (issue 12): the editor says how that went.
    await client.waitForFunction(
      () => document.querySelector('[data-testid=retry-summary]')?.textContent?.startsWith('1 retried · 1 succeeded · 0 still failing'),
      undefined,
      { timeout: 30_000 },
    );
    await shot(client, 'mapper-06-client-adds-tax-row');

    // Nothing is left for operations to retry: the replay the save started succeeded and the exception resolved itself.
    const replay = await waitForOrderRun(env.admin, ORDER_FLOW, 'gid://shopify/Order/830001', { replayOf: failed.runId });
    expect(replay.status).toBe('succeeded');
    await ops.goto(`${base()}/runs/${replay.runId}`);
    await ops.waitForSelector('[data-testid=run-detail]');
    expect(await ops.textContent('[data-testid=run-status]')).toBe('succeeded');
    await ops.click('button[data-step="erp_order"]');
    expect(JSON.parse((await ops.textContent('[data-testid=step-erp_order] [data-testid=step-output]'))!).lines[0].taxCode).toBe('VAT5');
    await shot(ops, 'mapper-07-replay-green');
    await ops.goto(`${base()}/exceptions`);
    await ops.selectOption('select[aria-label="State"]', 'resolved');
    await ops.waitForSelector('tr[data-exception] [data-testid=exception-state]');
    await ops.waitForSelector(`tr[data-exception]:has-text("flow ${ORDER_FLOW}")`);
    expect(await mine().locator('[data-testid=exception-state]').textContent()).toMatch(/^resolved/);
    expect([...opsErrors, ...clientErrors]).toEqual([]);
    await ops.close();
    await client.close();
  }, 90_000);

  it('a client changes the constant of an existing field and saves the draft', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    try {
      await signIn(page, base(), CLIENT.email, CLIENT.password);
      await page.goto(`${base()}/flows/${ORDER_FLOW}/mapper`);
      await page.waitForSelector('[data-testid=preview-output]');
      await page.click('tr[data-target="channel"]');
      await page.fill('input[aria-label="Constant value"]', 'WEBSHOP');
      await page.waitForFunction(() => document.querySelector('tr[data-target="channel"] [data-testid=target-value]')?.textContent?.includes('"WEBSHOP"'));
      await page.click('button:has-text("Save draft")');
      await page.waitForSelector('[data-testid=mapper-message]');
      await page.waitForTimeout(500);
      await shot(page, 'mapper-08-client-constant-refused');
      expect(await page.textContent('[data-testid=mapper-message]')).toBe('Draft saved.');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('previews a map that sits behind another step on that step’s output in the latest succeeded run: no false problems', async () => {
    // order paid -> a code step adding the ERP warehouse and customer -> the sales-order map that reads them.
    const FLOW = 'enriched-orders';
    const config = {
      fields: [
        { target: 'externalId', source: { kind: 'path', path: 'order.id' } },
        { target: 'reference', source: { kind: 'path', path: 'order.name' } },
        { target: 'warehouse', source: { kind: 'path', path: 'erp.warehouse' } },
        { target: 'customer', source: { kind: 'path', path: 'erp.customer' } },
        { target: 'event', source: { kind: 'path', path: '$trigger.event.topic' } },
      ],
    };
    await env.admin('POST', '/api/flows', {
      schemaVersion: 1,
      id: FLOW,
      name: 'Enriched orders',
      nodes: [
        {
          id: 'paid',
          type: 'shopify.trigger',
          typeVersion: 1,
          name: 'Order paid',
          position: { x: 0, y: 0 },
          config: { connection: 'sandbox-shop', topic: 'orders/paid' },
        },
        {
          id: 'enrich',
          type: 'core.code',
          typeVersion: 1,
          name: 'Add ERP fields',
          position: { x: 300, y: 0 },
          config: { code: "return { order: input.order, erp: { warehouse: 'WH-MAIN', customer: 'C-' + input.order.name } }" },
        },
        { id: 'so', type: 'core.map', typeVersion: 1, name: 'Sales order', position: { x: 600, y: 0 }, config },
      ],
      edges: [
        { id: 'e1', source: 'paid', target: 'enrich', sourceHandle: 'out', targetHandle: 'in' },
        { id: 'e2', source: 'enrich', target: 'so', sourceHandle: 'out', targetHandle: 'in' },
      ],
    });
    await env.admin('POST', `/api/flows/${FLOW}/publish`, { message: 'enriched' });
    await env.admin('POST', `/api/flows/${FLOW}/activate`, {});
    expect((await sendShopifyWebhook(base(), paidOrderBody(840001, '0.2'))).status).toBe(200);
    const run = await waitForOrderRun(env.admin, FLOW, 'gid://shopify/Order/840001');
    expect(run.status).toBe('succeeded');
    const rec = await env.admin<RunRecord>('GET', `/api/runs/${run.runId}`);
    // What the mapper used to preview on, the trigger's output, lacks what the code step adds: 2 false problems.
    const onTrigger = await env.admin<Res<'/api/mapping/preview', 'post'>>('POST', '/api/mapping/preview', {
      config,
      sample: rec.steps.find((x) => x.nodeId === 'paid')!.output,
      flowId: FLOW,
    });
    expect(onTrigger.ok).toBe(false);
    expect(onTrigger.problems.map((p) => p.target).sort()).toEqual(['customer', 'warehouse']);

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), CLIENT.email, CLIENT.password);
    await page.goto(`${base()}/flows/${FLOW}/mapper`);
    await page.waitForFunction(() => document.querySelector('[data-testid=preview-status]')?.textContent === 'maps cleanly', undefined, { timeout: 15_000 });
    expect(await page.inputValue('select[aria-label="Mapper input"]')).toBe(run.runId);
    expect(await page.textContent('[data-testid=input-kind]')).toBe('real run · succeeded');
    expect(await page.textContent('[data-testid=mapper-input]')).toContain('Input of Sales order: the output of Add ERP fields');
    // The source pane lists what the code step added, and the preview reads the run's own trigger for $trigger paths.
    await page.waitForSelector('[data-path="erp.warehouse"]');
    expect(JSON.parse((await page.textContent('[data-testid=preview-output]'))!)).toEqual({
      externalId: 'gid://shopify/Order/840001',
      reference: '#840001',
      warehouse: 'WH-MAIN',
      customer: 'C-#840001',
      event: 'orders/paid',
    });
    expect(await page.locator('[data-testid=preview-problems]').count()).toBe(0);
    await shot(page, 'mapper-09-input-from-upstream-run');

    // The trigger's example is still offered, named as the flow's start and not real data: on it the preview shows the
    // two problems the old mapper showed on every run.
    const options = await page.locator('select[aria-label="Mapper input"] option').allTextContents();
    expect(options.slice(1)).toEqual([
      "Example: Shopify event, the flow's start (steps before this one may add fields)",
      'Example output of Add ERP fields (core.code)',
    ]);
    await page.selectOption('select[aria-label="Mapper input"]', { label: options[1] });
    await page.waitForFunction(() => document.querySelector('[data-testid=preview-status]')?.textContent === '2 problems');
    expect(await page.textContent('[data-testid=input-kind]')).toBe('example');
    expect(await page.textContent('[data-testid=mapper-input]')).toContain('Not real data');
    expect(await page.textContent('[data-testid=preview-problems]')).toMatch(/warehouse[\s\S]*customer/);
    await shot(page, 'mapper-10-trigger-example-false-problems');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
