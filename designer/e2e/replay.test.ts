// Issue 12's operator journey in Chromium against the real server in sandbox mode: orders with an unmapped tax rate
// fail and wait in one exception; the operator follows the exception's "Add row to tax-codes" link, finds the missing
// key filled in, gives it the ERP tax code and saves; every waiting run is retried at once and goes green, and the
// sandbox ERP holds each sales order with Shopify's tax under that code. Then the replay panel of a green run lists
// what a replay from the start would re-run and that the posted order is reused, not posted again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, type Env, until } from './helpers.ts';
import { sandboxErpCommand } from '../../server/commands/sandbox-erp.ts';
import type { Res } from '../src/api/contract.ts';

const OPERATOR = { email: 'replay-operator@example.com', name: 'Opal Operator', role: 'operator', password: 'operator-pw-1' };
const VIEWPORT = { width: 1280, height: 860 };

let env: Env;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([OPERATOR]);
  for (let i = 0; i < 150; i++) {
    const s = await env.admin<Res<'/api/sandbox', 'get'>>('GET', '/api/sandbox').catch(() => ({ ready: false }));
    if (s.ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

async function erpOrders(): Promise<any[]> {
  let text = '';
  expect(await sandboxErpCommand(['dump', '--data-dir', env.backend.dataDir, '--json'], { out: (s) => (text += s) })).toBe(0);
  return JSON.parse(text).salesOrders;
}

describe('an operator fixes an unmapped tax rate from the exception', () => {
  it('follows the fix link, adds the row, and the waiting runs go green with the right tax', async () => {
    const sent: Array<{ orderId: string; orderName: string }> = [];
    for (let i = 0; i < 2; i++) sent.push(await env.admin('POST', '/api/sandbox/events', { scenario: 'unmapped-tax' }));
    let failedRuns = 0;
    for (const o of sent) {
      failedRuns += await until(async () => {
        const { runs } = await env.admin<Res<'/api/runs', 'get'>>(
          'GET',
          `/api/runs?flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${o.orderId}`)}`,
        );
        return runs.length && runs.every((r) => r.status === 'failed') ? runs.length : undefined;
      }, `the failed runs of ${o.orderName}`);
    }
    expect(await erpOrders().then((os) => os.filter((o) => sent.some((s) => s.orderId === o.externalId)))).toEqual([]);

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, OPERATOR.email, OPERATOR.password);
    await page.click('a.tab:has-text("Exceptions")');
    const row = page.locator('tr[data-exception]', { hasText: 'Ohio Resort Tax' });
    await row.waitFor();
    expect(await row.textContent()).toContain(`×${failedRuns}`);
    await shot(page, 'replay-01-exception-with-fix-link');
    await row.locator('[data-testid=fix-link]').click();

    await page.waitForSelector('[data-testid=fix-panel] table');
    expect(page.url()).toMatch(/\/lookups\/shared\/tax-codes\?fix=exc_/);
    const keyCells = await page.locator('[data-testid=fix-panel] tbody td code').allTextContents();
    expect(keyCells).toEqual(['Ohio Resort Tax', '7%', 'US', 'KY']);
    const before = Number((await page.textContent('[data-testid=lookup-version]'))!.slice(1));
    // Chosen from the ERP's tax codes, as in the grid: searched, not typed free.
    await page.click('[data-testid=fix-panel] button[aria-label="Value for taxCode"]');
    await page.fill('input[aria-label="Search Value for taxCode"]', 'ohio');
    await page.click('[role=option][data-code="US-OH-7"]');
    expect(await page.textContent('[data-testid=fix-panel] button[aria-label="Value for taxCode"]')).toMatch(/^US-OH-7 /);
    await page.click('button:has-text("Add row and retry waiting runs")');
    await page.waitForFunction((n) => document.querySelector('[data-testid=retry-succeeded]')?.textContent === `${n} succeeded`, failedRuns, {
      timeout: 60_000,
    });
    expect(await page.textContent('[data-testid=retry-summary]')).toContain(`${failedRuns} retried · ${failedRuns} succeeded · 0 still failing`);
    // The editor behind shows the new version with the row.
    await page.waitForFunction((v) => document.querySelector('[data-testid=lookup-version]')?.textContent === `v${v}`, before + 1);
    await shot(page, 'replay-02-fixed-and-retried');

    // On the sandbox ERP: one sales order per order, Shopify's 0.84 tax under the chosen code.
    const orders = (await erpOrders()).filter((o) => sent.some((s) => s.orderId === o.externalId));
    expect(orders).toHaveLength(2);
    for (const o of orders) {
      expect(o.totals).toEqual({ net: '12.00', tax: '0.84', gross: '12.84' });
      expect(o.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([['MUG-BLACK', 'US-OH-7', '0.84']]);
    }

    // The exception resolved itself.
    await page.click('a.tab:has-text("Exceptions")');
    await page.selectOption('select[aria-label="State"]', 'resolved');
    await page.locator('tr[data-exception]', { hasText: 'Ohio Resort Tax' }).locator('[data-testid=exception-state]').waitFor();
    expect(await page.locator('tr[data-exception]', { hasText: 'Ohio Resort Tax' }).locator('[data-testid=exception-state]').textContent()).toBe(
      'resolved (auto)',
    );

    // A green run's replay panel: from the start, the posted order is reused (named), nothing is posted twice.
    const { runs } = await env.admin<Res<'/api/runs', 'get'>>(
      'GET',
      `/api/runs?flowId=order-to-erp&status=succeeded&key=${encodeURIComponent(`shopifyOrderId:${sent[0]!.orderId}`)}`,
    );
    await page.goto(`${env.backend.baseUrl}/runs/${runs[0]!.runId}`);
    await page.click('button:has-text("Replay…")');
    await page.waitForSelector('[data-testid=replay-plan]');
    const post = page.locator('tr[data-plan-step=post]');
    expect(await post.getAttribute('data-action')).toBe('reuse');
    expect(await post.textContent()).toMatch(/already posted as SO\d+: reused, not sent again/);
    expect(await page.locator('tr[data-plan-step=tax-codes]').getAttribute('data-action')).toBe('rerun');
    await shot(page, 'replay-03-replay-plan');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});

describe('an operator maps an unknown SKU to an ERP item found by searching the ERP', () => {
  it('searches the ERP by name from the fix panel, picks the item, and the waiting run posts it', async () => {
    const sent = await env.admin<Res<'/api/sandbox/events', 'post'>>('POST', '/api/sandbox/events', { scenario: 'unknown-sku' });
    await until(async () => {
      const { runs } = await env.admin<Res<'/api/runs', 'get'>>(
        'GET',
        `/api/runs?flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${sent.orderId}`)}`,
      );
      return runs.length && runs.every((r) => r.status === 'failed') ? true : undefined;
    }, `the failed runs of ${sent.orderName}`);

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, OPERATOR.email, OPERATOR.password);
    await page.click('a.tab:has-text("Exceptions")');
    const row = page.locator('tr[data-exception]', { hasText: 'NOT-IN-ERP-1' });
    await row.locator('[data-testid=fix-link]').click();
    await page.waitForSelector('[data-testid=fix-panel] table');
    expect(page.url()).toMatch(/\/lookups\/shared\/sku-overrides\?fix=exc_/);
    expect(await page.textContent('[data-testid=lookup-reference-note]')).toBe(
      "erpSku values are chosen from Sandbox ERP's active items, searched by code or name.",
    );

    // The catalogue is searched in the ERP as the operator types: by the item's name, not only its code.
    await page.click('[data-testid=fix-panel] button[aria-label="Value for erpSku"]');
    await page.fill('input[aria-label="Search Value for erpSku"]', 'black mug');
    await page.waitForSelector('[role=option][data-code="MUG-BLACK"]');
    expect(await page.locator('[role=option]').allTextContents()).toEqual(['MUG-BLACK Black Mug 12.00']);
    await page.fill('input[aria-label="Search Value for erpSku"]', 'no such thing at all');
    await page.waitForSelector('text=Nothing in Sandbox ERP matches “no such thing at all”.');
    await page.fill('input[aria-label="Search Value for erpSku"]', 'mug');
    await page.click('[role=option][data-code="MUG-BLACK"]');
    expect(await page.textContent('[data-testid=fix-panel] button[aria-label="Value for erpSku"]')).toBe('MUG-BLACK Black Mug');
    await shot(page, 'replay-04-item-picked');
    await page.click('button:has-text("Add row and retry waiting runs")');
    await page.waitForSelector('[data-testid=retry-summary]', { timeout: 60_000 });
    await page.waitForFunction(() => /0 still failing/.test(document.querySelector('[data-testid=retry-summary]')?.textContent ?? ''), null, {
      timeout: 60_000,
    });

    const [order] = (await erpOrders()).filter((o) => o.externalId === sent.orderId);
    expect(order.lines.map((l: any) => l.sku)).toContain('MUG-BLACK');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
