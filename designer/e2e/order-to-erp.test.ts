// Browser scenario 1 of issue 8 (and the consultant's journey of issue 12): a consultant builds the order-to-ERP flow
// from an empty canvas (palette drags, handle-to-handle connections, inspector forms), sees a validation problem on
// the node, fixes it and publishes; then edits the mapping, publishes again and opens the visual diff of the two
// versions (each with its time and author); activates the flow, tests the draft with a pasted order and with a past
// run's event, describes the flow (shown on the flow list), and the editor stays usable at 1024 × 768.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connect, dropFromPalette, launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, waitForOrderRun, type Env } from './helpers.ts';
import { paidOrderBody, sendShopifyWebhook } from './fixtures.ts';

const CONSULTANT = { email: 'o2e-consultant@example.com', name: 'Cora Consultant', role: 'consultant', password: 'consultant-pw' };
const VIEWPORT = { width: 1400, height: 880 };
const FLOW = 'paid-orders-to-erp';

// What a consultant pastes into the mapping's JSON field: the order (trigger output) to the ERP sales order.
const line = (target: string, path: string, transforms?: unknown[]) => ({ target, source: { kind: 'path', path }, ...(transforms ? { transforms } : {}) });
const money = [{ op: 'decimal', places: 2, rounding: 'half-up' }];
const MAPPING = [
  line('externalId', 'order.id'),
  line('reference', 'order.name', [{ op: 'trim' }]),
  line('currency', 'order.currency'),
  line('date', 'order.createdAt', [{ op: 'date', format: 'yyyy-MM-dd', timeZone: 'UTC' }]),
  line('pricesIncludeTax', 'order.taxesIncluded'),
  line('customer.externalId', 'order.customer.id', [{ op: 'default', value: 'shopify-guest' }]),
  line('customer.name', 'order.billingAddress.name', [{ op: 'default', value: 'Shopify guest' }]),
  // The sales order needs a warehouse (a required target the validator checks); this flow has no location lookup.
  { target: 'warehouse', source: { kind: 'const', value: 'WH' } },
  {
    target: 'lines',
    source: {
      kind: 'each',
      path: 'order.lineItems',
      filter: [{ path: 'isGiftCard', op: 'false' }],
      fields: [
        line('sku', 'sku', [{ op: 'trim' }]),
        line('quantity', 'quantity', [{ op: 'type', to: 'decimal' }]),
        line('unitPrice', 'unitPrice.shop.amount', money),
        { ...line('taxCodes', 'taxCodes'), required: false },
      ],
    },
  },
];

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

const problemWheres = (page: Page) => page.locator('[data-testid=problems] li button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-problem-where')));
const waitProblemCount = (page: Page, n: number) =>
  page.waitForFunction((n) => document.querySelector('[data-testid=problems] .pill')?.textContent === String(n), n, { timeout: 15_000 });

async function publish(page: Page, message: string, version: number) {
  await page.click('button:has-text("Publish…")');
  await page.fill('[data-testid=publish-dialog] input[name=message]', message);
  await page.click('[data-testid=publish-dialog] button[type=submit]');
  await page.waitForFunction((v) => document.querySelector('[data-testid=notice]')?.textContent?.includes(`Published version ${v}`), version);
}

describe('order-to-ERP flow built in Chromium against the real server', () => {
  it('a consultant drags, connects and configures the four nodes, fixes the mapping problem, publishes, and diffs two versions', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    await page.fill('input[aria-label="New flow name"]', 'Paid orders to ERP');
    await page.click('text=Create flow');
    await page.waitForSelector('[data-testid=palette]');
    expect(page.url()).toMatch(new RegExp(`/flows/${FLOW}$`));
    expect(await page.locator('.react-flow__node').count()).toBe(0);

    // Two rows of two, far enough apart that no node (tall with its problem text) covers another's handle.
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const at = (i: number) => ({ x: canvas.x + 150 + (i % 2) * 320, y: canvas.y + 80 + Math.floor(i / 2) * 200 });
    const types = ['shopify.trigger', 'lookup.tax-code', 'core.map', 'erp.post-sales-order'];
    for (const [i, type] of types.entries()) await dropFromPalette(page, type, at(i));
    const ids = ['trigger', 'tax-code', 'map', 'post-sales-order'];
    for (const id of ids) await page.waitForSelector(`[data-testid=node-${id}]`);
    expect(await page.locator('.react-flow__node').count()).toBe(4);

    // Each connection is dragged once the canvas is still: a validation answer arriving mid-drag adds or removes a
    // node's problem text, the node grows or shrinks and its input handle moves away from under the pointer.
    const settled = () =>
      page.waitForFunction(
        () =>
          document.querySelector('[data-testid=save-state]')?.textContent === 'All changes saved' && !document.querySelector('[data-testid=problems].stale'),
        undefined,
        { timeout: 15_000 },
      );
    for (let i = 0; i < 3; i++) {
      await settled();
      await connect(page, [ids[i]!, 'out'], [ids[i + 1]!, 'in']);
      await page.waitForFunction((n) => document.querySelectorAll('.react-flow__edge').length === n, i + 1, { timeout: 10_000 });
    }
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 3);

    // Unconfigured, the server reports the trigger's connection and topic, the missing mapping and the ERP connection,
    // on the nodes and in the list.
    await page.waitForSelector('[data-testid=problems-post-sales-order]', { timeout: 15_000 });
    expect(new Set(await problemWheres(page))).toEqual(new Set(['trigger', 'map', 'post-sales-order']));
    expect(await page.locator('.ll-node.has-problems').count()).toBe(3);
    await shot(page, 'o2e-01-dropped-and-connected');

    // Trigger: the sandbox shop, paid orders (the picker offers only Shopify connections, though the trigger's
    // category is `trigger`: an ERP connection there would never receive an order).
    await page.click('[data-testid=node-trigger] .ll-node-title');
    await page.waitForSelector('[data-testid=inspector] [data-field="connection"] select');
    await page.waitForSelector('[data-field="connection"] option[value="sandbox-shop"]', { state: 'attached' });
    expect(await page.locator('[data-field="connection"] option[value="sandbox-erp"]').count()).toBe(0);
    await page.selectOption('[data-field="connection"] select', 'sandbox-shop');
    await page.selectOption('[data-field="topic"] select', { label: 'orders/paid' });

    // Tax-code lookup: the trigger hands over { order }, so the lines and the address live under order.
    await page.click('[data-testid=node-tax-code] .ll-node-title');
    await page.waitForSelector('[data-testid=inspector] [data-field="lines"] textarea');
    expect(await page.inputValue('[data-field="table"] input')).toBe('tax-codes');
    await page.fill('[data-field="lines"] textarea', '["order.lineItems", "order.shippingLines"]');
    await page.fill('[data-field="country"] input', 'order.shippingAddress.countryCode');
    await page.fill('[data-field="province"] input', 'order.shippingAddress.provinceCode');

    // ERP post: the sandbox ERP (the picker offers only ERP connections here).
    await page.click('[data-testid=node-post-sales-order] .ll-node-title');
    await page.waitForSelector('[data-testid=inspector] [data-field="connection"] option[value="sandbox-erp"]', { state: 'attached' });
    expect(await page.locator('[data-field="connection"] option[value="sandbox-shop"]').count()).toBe(0);
    await page.selectOption('[data-field="connection"] select', 'sandbox-erp');

    // What is left is the mapping: flagged on its node and in the list.
    await waitProblemCount(page, 1);
    expect(await problemWheres(page)).toEqual(['map']);
    expect(await page.textContent('[data-testid=problems] li')).toMatch(/^Map fields \(map\) \$\.nodes\[2\]\.config\.fields/);
    expect(await page.locator('.ll-node.has-problems').count()).toBe(1);
    expect(await page.textContent('[data-testid=problems-map]')).toBe('1 problem');
    await shot(page, 'o2e-02-mapping-problem');

    // Clicking the problem opens the mapping in the inspector, with the field flagged; pasting the mapping fixes it.
    await page.click('[data-testid=problems] button[data-problem-where="map"]');
    await page.waitForSelector('[data-testid=inspector] [data-field="fields"] textarea');
    expect(await page.textContent('[data-testid=field-error-fields]')).toMatch(/required/i);
    await page.fill('[data-field="fields"] textarea', JSON.stringify(MAPPING, null, 2));
    await waitProblemCount(page, 0);
    expect(await page.locator('.ll-node.has-problems').count()).toBe(0);
    await page.waitForFunction(() => document.querySelector('[data-testid=save-state]')?.textContent === 'All changes saved');
    await page.click('text=Auto-layout');
    await shot(page, 'o2e-03-fixed');

    await publish(page, 'Order to ERP: first version', 1);
    // The published definition is what was built on screen.
    const { definition: def } = await env.admin<{ definition: { nodes: Array<{ type: string; config: Record<string, unknown> }>; edges: unknown[] } }>(
      'GET',
      `/api/flows/${FLOW}/versions/1`,
    );
    expect(def.nodes.map((n) => n.type)).toEqual(types);
    expect(def.edges).toHaveLength(3);
    expect(def.nodes[0]?.config).toMatchObject({ connection: 'sandbox-shop', topic: 'orders/paid' });
    expect(def.nodes[1]?.config).toMatchObject({ table: 'tax-codes', lines: ['order.lineItems', 'order.shippingLines'] });
    expect(def.nodes[2]?.config.fields).toEqual(MAPPING);
    expect(def.nodes[3]?.config).toMatchObject({ connection: 'sandbox-erp' });

    // Version 2 maps the customer's e-mail too; the diff of v1 → v2 outlines the changed mapping node on the canvas.
    await page.click('[data-testid=node-map] .ll-node-title');
    await page.waitForSelector('[data-testid=inspector] [data-field="fields"] textarea');
    await page.fill('[data-field="fields"] textarea', JSON.stringify([...MAPPING, { ...line('customer.email', 'order.email'), required: false }], null, 2));
    await page.waitForFunction(() => document.querySelector('[data-testid=save-state]')?.textContent === 'All changes saved');
    await publish(page, 'Map the customer e-mail', 2);
    await page.click('button:has-text("Versions")');
    await page.waitForSelector('[data-testid=versions] tr[data-version="2"]');
    // Each version says when and by whom it was published.
    expect(await page.textContent('[data-testid=versions] tr[data-version="2"] [data-testid=version-meta]')).toContain(CONSULTANT.email);
    const when = await page.getAttribute('[data-testid=versions] tr[data-version="2"] time', 'datetime');
    expect(Math.abs(Date.parse(when!) - Date.now())).toBeLessThan(120_000);
    await page.check('input[aria-label="diff from v1"]');
    await page.check('input[aria-label="diff to v2"]');
    await page.waitForSelector('[data-testid=diff] li[data-changed-node="map"]');
    expect(await page.textContent('[data-testid=diff] li[data-changed-node="map"]')).toContain('config.fields');
    await page.waitForSelector('[data-testid=node-map].diff-changed');
    expect(await page.textContent('[data-testid=diff-map]')).toBe('changed');
    expect(await page.locator('.ll-node.diff-changed, .ll-node.diff-added').count()).toBe(1);
    await shot(page, 'o2e-04-version-diff');

    // Closing the panel takes the outlines away.
    await page.click('button[aria-label="Close versions"]');
    await page.waitForFunction(() => !document.querySelector('.ll-node.diff-changed'));

    // Live: a real (signed) paid-order webhook makes a production run to test with later.
    await page.click('[data-testid=toggle-active]');
    await page.waitForFunction(() => document.querySelector('[data-testid=toggle-active]')?.textContent?.startsWith('Active v2'));
    // The sandbox's own order-to-erp template is active too and posts the same paid orders to the same ERP: said, naming both.
    expect(await page.textContent('[data-testid=overlap-warning]')).toMatch(
      /"Paid orders to ERP" and "Shopify order to ERP sales order" are both active and both post Shopify orders\/paid from "sandbox-shop" to ERP "sandbox-erp" \(erp\.post-sales-order\).*posted twice/,
    );
    expect((await sendShopifyWebhook(env.backend.baseUrl, paidOrderBody(7001001, '0.2'))).status).toBe(200);
    const past = await waitForOrderRun(env.admin, FLOW, 'gid://shopify/Order/7001001', { timeoutMs: 30_000 });

    // Test with a pasted order: the run says where its input came from, and the trigger's output is that order.
    await page.selectOption('[data-testid=test-input-kind]', 'payload');
    await page.fill('[data-testid=test-input-paste]', paidOrderBody(7002002, '0.2'));
    await page.click('[data-testid=test-input-use-paste]');
    await page.waitForFunction(() => document.querySelector('[data-testid=test-input-label]')?.textContent?.startsWith('Pasted event'));
    const testedFrom = async (label: RegExp, orderGid: string) => {
      await page.click('[data-testid=test-run-start]');
      // The panel still shows the previous test until this one reports: wait for this input's label and a final status.
      await page.waitForFunction(
        (src) =>
          new RegExp(src).test(document.querySelector('[data-testid=test-run-input]')?.textContent ?? '') &&
          /^(succeeded|failed|skipped)$/.test(document.querySelector('[data-testid=test-run-status]')?.textContent ?? ''),
        label.source,
        { timeout: 30_000 },
      );
      // The test panel grows as the result arrives and the canvas above it moves: on a loaded machine a click can meet
      // the pane where the node was a frame before (CI, once). Click again until the node is selected, as a person would.
      await expect
        .poll(
          async () => {
            await page.click('[data-testid=node-trigger] .ll-node-title');
            return page.locator('[data-testid=node-run-data]').isVisible();
          },
          { timeout: 30_000, interval: 1000 },
        )
        .toBe(true);
      expect(await page.textContent('[data-testid=node-run-data]')).toContain(orderGid);
      expect(await page.textContent('[data-testid=status-trigger]')).toBe('succeeded');
    };
    await testedFrom(/^from Pasted event/, 'gid://shopify/Order/7002002');
    await shot(page, 'o2e-05-tested-with-pasted-order');

    // Test with the past run's event.
    await page.selectOption('[data-testid=test-input-kind]', 'run');
    await page.waitForSelector(`[data-testid=test-input-run] option[value="${past.runId}"]`, { state: 'attached' });
    await page.selectOption('[data-testid=test-input-run]', past.runId);
    await testedFrom(new RegExp(`^from Event of run ${past.runId}`), 'gid://shopify/Order/7001001');
    await shot(page, 'o2e-06-tested-with-past-run');

    // With nothing selected the inspector holds the flow's details: a description, shown on the flow list.
    await page.keyboard.press('Escape');
    await page.click('[data-testid=canvas] .react-flow__pane', { position: { x: 20, y: 20 } });
    await page.waitForSelector('[data-testid=flow-details]');
    await page.fill('#flow-description', 'Paid Shopify orders become ERP sales orders in the main warehouse.');
    await page.waitForFunction(() => document.querySelector('[data-testid=save-state]')?.textContent === 'All changes saved');

    // 1024 × 768: every toolbar control is on screen, none cut off.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300);
    for (const b of await page.locator('[data-testid=toolbar] button').all()) {
      const box = (await b.boundingBox())!;
      expect(box.x + box.width, (await b.textContent()) ?? '').toBeLessThanOrEqual(1024);
      expect(box.height, (await b.textContent()) ?? '').toBeLessThan(40);
    }
    await shot(page, 'o2e-07-editor-1024');

    await page.click('nav >> text=Flows');
    await page.waitForSelector(`[data-flow-actions="${FLOW}"]`);
    const row = page.locator('tr', { has: page.locator(`[data-flow-actions="${FLOW}"]`) });
    expect(await row.locator('[data-testid=flow-description]').textContent()).toBe('Paid Shopify orders become ERP sales orders in the main warehouse.');
    await shot(page, 'o2e-08-flow-list-1024');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
