// The canvas and the narrow screen, as a consultant uses them in Chromium: a new flow from the template gallery opens
// readable (nodes at a legible zoom, the trigger on screen), the minimap folds away, the description shows on the flow
// list; at 1024 × 768 the mapper's columns and the exceptions table keep every control on screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, waitForOrderRun, type Env } from './helpers.ts';
import { paidOrderBody, sendShopifyWebhook } from './fixtures.ts';
import { READABLE_ZOOM } from '../src/canvas/opening-view.ts';

const CONSULTANT = { email: 'canvas-consultant@example.com', name: 'Cora Consultant', role: 'consultant', password: 'consultant-pw' };
let env: Env;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CONSULTANT]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

/** Every visible button inside `scope` lies wholly inside the viewport. */
async function allOnScreen(page: Page, scope: string) {
  const width = page.viewportSize()!.width;
  for (const b of await page.locator(`${scope} button:visible`).all()) {
    const box = (await b.boundingBox())!;
    expect(box.x, (await b.textContent()) ?? '').toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, (await b.textContent()) ?? '').toBeLessThanOrEqual(width);
  }
}

describe('canvas and narrow screens', () => {
  it('a flow from the template gallery opens readable; minimap folds; description on the list', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    await page.click('details[data-testid=templates] summary');
    const card = page.locator('[data-template="order-to-erp"]');
    expect(await card.textContent()).toMatch(/Shopify order to ERP sales order.*Shopify orders\/paid.*9 steps.*When Shopify reports an order/s);
    await card.click();
    // Choosing a template names the new flow after it; the consultant renames it.
    expect(await page.inputValue('input[aria-label="New flow name"]')).toBe('Shopify order to ERP sales order');
    await page.fill('input[aria-label="New flow name"]', 'Orders for the EU shop');
    await page.click('text=Create flow');
    await page.waitForSelector('[data-testid=node-shopify]');
    expect(page.url()).toMatch(/\/flows\/orders-for-the-eu-shop$/);
    const { draft } = await env.admin<{ draft: { nodes: unknown[]; description?: string } }>('GET', '/api/flows/orders-for-the-eu-shop');
    expect(draft.nodes).toHaveLength(10);

    // Readable at first sight: the trigger ("shopify") is on screen at no less than the readable zoom (its 220 px
    // node at >= 70 %).
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const trigger = (await page.locator('[data-testid=node-shopify]').boundingBox())!;
    expect(trigger.width).toBeGreaterThanOrEqual(220 * READABLE_ZOOM - 1);
    expect(trigger.x).toBeGreaterThanOrEqual(canvas.x);
    expect(trigger.x + trigger.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    const titleSize = await page.locator('[data-testid=node-shopify] .ll-node-title').evaluate((e) => e.getBoundingClientRect().height);
    expect(titleSize).toBeGreaterThanOrEqual(12);
    // The template's description came along, and is editable with nothing selected.
    expect(await page.inputValue('#flow-description')).toMatch(/^When Shopify reports an order/);
    await page.fill('#flow-description', 'EU orders to the ERP, VAT by country.');

    // The minimap folds away and comes back.
    expect(await page.locator('.react-flow__minimap').count()).toBe(1);
    await page.click('[data-testid=toggle-minimap]');
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await shot(page, 'canvas-01-from-template-1440');
    await page.click('[data-testid=toggle-minimap]');
    expect(await page.locator('.react-flow__minimap').count()).toBe(1);

    // The palette works by keyboard too: Enter on a focused item adds that node.
    const before = await page.locator('.react-flow__node').count();
    await page.fill('input[aria-label="Search nodes"]', 'core.branch');
    await page.focus('.palette-item[data-node-type="core.branch"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n, before + 1);
    await page.fill('input[aria-label="Search nodes"]', '');
    await page.waitForFunction(() => document.querySelector('[data-testid=save-state]')?.textContent === 'All changes saved');

    await page.click('nav >> text=Flows');
    const row = page.locator('tr', { has: page.locator('[data-flow-actions="orders-for-the-eu-shop"]') });
    expect(await row.locator('[data-testid=flow-description]').textContent()).toBe('EU orders to the ERP, VAT by country.');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the header keeps every tab, the account and Sign out on screen for an owner in sandbox mode, from 1024 to 1440 px', async () => {
    // At 1280 px (a common laptop) the owner's eleven tabs pushed Sign out off the right edge.
    const page = await browser.newPage({ viewport: { width: 1440, height: 600 } });
    await signIn(page, env.backend.baseUrl, env.backend.adminEmail, env.backend.adminPassword);
    await page.goto(`${env.backend.baseUrl}/dashboard`);
    await page.waitForSelector('.app-header nav a[href="/sandbox"]');
    for (const width of [1440, 1366, 1280, 1180, 1024]) {
      await page.setViewportSize({ width, height: 600 });
      for (const control of ['[data-testid=who]', '.app-header button:has-text("Sign out")']) {
        const box = (await page.locator(control).boundingBox())!;
        expect(box.x + box.width, `${control} at ${width} px`).toBeLessThanOrEqual(width);
      }
      const nav = await page.locator('.app-header nav').evaluate((n) => ({ scroll: n.scrollWidth, client: n.clientWidth, tabs: n.children.length }));
      expect(nav.tabs).toBe(11);
      expect(nav.scroll, `every tab shows at ${width} px`).toBeLessThanOrEqual(nav.client);
      if (width === 1280) await shot(page, 'canvas-05-header-1280');
    }
    await page.close();
  }, 60_000);

  it('at 1024 × 768 the editor, the mapper and the exceptions table keep their controls on screen', async () => {
    // An order taxed at a rate the tax-code table does not have: a failed run and an exception to triage.
    const body = JSON.stringify({
      ...JSON.parse(paidOrderBody(7100001, '0.37')),
      test: false,
      financial_status: 'paid',
      cancelled_at: null,
      cancel_reason: null,
    });
    expect((await sendShopifyWebhook(env.backend.baseUrl, body)).status).toBe(200);
    await waitForOrderRun(env.admin, 'order-to-erp', 'gid://shopify/Order/7100001', { timeoutMs: 30_000 });

    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);

    await page.goto(`${env.backend.baseUrl}/flows/order-to-erp`);
    await page.waitForSelector('[data-testid=node-shopify]');
    await allOnScreen(page, '[data-testid=toolbar]');
    await shot(page, 'canvas-02-editor-1024');
    // Tested with the trigger's sample (Shopify's example: a voided, cancelled test order), the gate ends the run on
    // purpose: the panel says where, why, how much did not run, and what to test with instead.
    await page.click('[data-testid=test-run-start]');
    await page.waitForSelector('[data-testid=test-run-skipped]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=test-run-status]')).toBe('skipped');
    expect(await page.textContent('[data-testid=test-run-skipped]')).toMatch(
      /^Stopped at Only paid, authorised or on-terms orders: order #9999 is a test order[^.]*\. \d+ nodes after it did not run\. The trigger sample is Shopify's published example order.*an order from the store/,
    );
    // The gate ended the run: its node reads "skipped", not "succeeded" (its step is stored as having run), and the
    // run's page says why before anything else.
    expect(await page.textContent('[data-testid=status-gate]')).toBe('skipped');
    expect(await page.textContent('[data-testid=status-shopify]')).toBe('succeeded');
    const testRunId = ((await page.textContent('[data-testid=test-run-panel]')) ?? '').match(/run_[0-9a-z]+/)?.[0];
    expect(testRunId).toBeTruthy();
    await page.goto(`${env.backend.baseUrl}/runs/${testRunId}`);
    await page.waitForSelector('[data-testid=skip-reason]');
    expect(await page.textContent('[data-testid=skip-reason]')).toMatch(/^Skipped at Only paid, authorised or on-terms orders: order #9999 is a test order/);
    expect(await page.textContent('li.open .step-row .pill')).toBe('skipped');
    await page.goBack();
    await page.waitForSelector('[data-testid=node-shopify]');

    await page.goto(`${env.backend.baseUrl}/flows/order-to-erp/mapper`);
    await page.waitForSelector('[data-testid=target-pane] tr[data-target]');
    // The values arrive with the preview, once the node's input is loaded: measure the columns with them in place.
    await page.waitForSelector('[data-testid=preview-output]');
    await allOnScreen(page, '.mapper-toolbar');
    // The target table's three columns fit its pane: the sample values are not clipped off.
    const pane = (await page.locator('[data-testid=target-pane]').boundingBox())!;
    const valueHead = (await page.locator('[data-testid=target-pane] th').nth(2).boundingBox())!;
    expect(valueHead.x + valueHead.width).toBeLessThanOrEqual(pane.x + pane.width);
    expect(valueHead.width).toBeGreaterThan(120);
    await shot(page, 'canvas-03-mapper-1024');

    await page.goto(`${env.backend.baseUrl}/exceptions`);
    await page.waitForSelector('.exceptions-table tr[data-exception]');
    expect(await page.locator('.exceptions-table tr[data-exception] td.actions button').count()).toBeGreaterThan(0);
    await allOnScreen(page, '.exceptions-table');
    const table = (await page.locator('.exceptions-table').boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(1024);
    await shot(page, 'canvas-04-exceptions-1024');
    // The exception names its order as people do, and opens every run of that order.
    const order = page.locator('.exceptions-table tr[data-exception] [data-testid=exception-order]', { hasText: 'order #7100001' });
    expect(await order.first().getAttribute('title')).toContain('gid://shopify/Order/7100001');
    await order.first().click();
    await page.waitForSelector('[data-testid=runs-page] tr[data-run]');
    expect(page.url()).toBe(`${env.backend.baseUrl}/runs?q=${encodeURIComponent('#7100001')}`);
    expect(await page.locator('[data-testid=runs-page] tr[data-run] td[data-flow] [data-flow-name]').allTextContents()).toContain(
      'Shopify order to ERP sales order',
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
