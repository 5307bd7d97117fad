// Clients change mappings without breaking production, in real Chromium against the real server in sandbox mode:
// sandbox orders post through the installed order-to-ERP template; a client changes what the sales order lines say,
// the publish dialog shows the dry run of the change over those orders (the ERP field that would change, per order,
// nothing written) and publishes on confirmation; a client who drops a required target is refused with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, waitForOrderRun, type Env } from './helpers.ts';
import type { Res } from '../src/api/contract.ts';

let env: Env;
let browser: Browser;
const VIEWPORT = { width: 1400, height: 900 };
const CLIENT = { email: 'carla@client.example', name: 'Carla Client', role: 'client', password: 'client-pw-3' };
const FLOW = 'order-to-erp';
const orders: Array<{ orderId: string; orderName: string }> = [];

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CLIENT]);
  for (let i = 0; i < 150 && !(await env.admin<Res<'/api/sandbox', 'get'>>('GET', '/api/sandbox')).ready; i++) await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 2; i++) orders.push(await env.admin('POST', '/api/sandbox/events', { scenario: 'paid-order' }));
  for (const o of orders) {
    const run = await waitForOrderRun(env.admin, FLOW, o.orderId, { timeoutMs: 60_000 });
    expect(run.status).toBe('succeeded');
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const base = () => env.backend.baseUrl;
const erpOrder = (id: string) => env.admin<Res<'/api/runs', 'get'>>('GET', `/api/runs?flowId=${FLOW}&key=${encodeURIComponent(`shopifyOrderId:${id}`)}`);

describe('publishing a client’s mapping change', () => {
  it('a client changes a mapping, sees the dry-run diff over the last orders, confirms and publishes', async () => {
    const runsBefore = (await env.admin<Res<'/api/runs', 'get'>>('GET', `/api/runs?flowId=${FLOW}&limit=200`)).runs.length;
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), CLIENT.email, CLIENT.password);
    await page.goto(`${base()}/flows/${FLOW}/mapper?node=sales-order-fields`);
    await page.waitForSelector('tr[data-target="lines[].description"]');
    await page.click('tr[data-target="lines[].description"]');
    // The ERP's line texts in capitals, as the warehouse's pick lists print them.
    await page.selectOption('select[aria-label="Add transform"]', 'case');
    await page.waitForSelector('tr[data-target="lines[].description"] .transform-pill:has-text("upper")');
    await page.click('button:has-text("Save draft")');
    await page.waitForFunction(() => document.querySelector('[data-testid=mapper-message]')?.textContent === 'Draft saved.');

    await page.click('button:has-text("Publish…")');
    const dialog = page.locator('[data-testid=mapper-publish-dialog]');
    await dialog.locator('[data-testid=dry-run-events]').waitFor({ timeout: 60_000 });
    for (const o of orders) {
      const ev = dialog.locator('[data-testid=dry-run-event][data-verdict=changed]', { hasText: o.orderName }).first();
      expect(await ev.count(), `no changed event for ${o.orderName}`).toBe(1);
      const row = ev.locator('[data-testid=dry-run-fields] tr', { hasText: 'lines[0].description' });
      expect(await row.count()).toBe(1);
      const [before, after] = await row
        .locator('td')
        .allTextContents()
        .then((c) => [c[1]!, c[2]!] as const);
      expect(before).not.toBe(after);
      expect(after).toBe(before.toUpperCase());
    }
    expect(await dialog.textContent()).toMatch(/ERP: create sales order/);
    // Publishing waits for the confirmation.
    await dialog.locator('input[name=message]').fill('ERP line texts in capitals');
    const submit = dialog.locator('button[type=submit]');
    expect(await submit.isDisabled()).toBe(true);
    await dialog.locator('[data-testid=publish-confirm]').check();
    expect(await submit.isDisabled()).toBe(false);
    await shot(page, 'publish-01-client-dry-run-diff');
    // The dry run wrote nothing.
    expect((await env.admin<Res<'/api/runs', 'get'>>('GET', `/api/runs?flowId=${FLOW}&limit=200`)).runs.length).toBe(runsBefore);

    await submit.click();
    await page.waitForFunction(() => document.querySelector('[data-testid=mapper-message]')?.textContent?.startsWith('Published version 2'));
    await shot(page, 'publish-02-client-published');
    expect((await erpOrder(orders[0]!.orderId)).runs.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a client who drops a required target is refused with the reason', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), CLIENT.email, CLIENT.password);
    await page.goto(`${base()}/flows/${FLOW}/mapper?node=sales-order-fields`);
    await page.waitForSelector('tr[data-target="externalId"]');
    await page.click('tr[data-target="externalId"]');
    await page.click('button:has-text("Remove target")');
    await page.waitForFunction(() => !document.querySelector('tr[data-target="externalId"]'));
    await page.click('button:has-text("Publish…")');
    const dialog = page.locator('[data-testid=mapper-publish-dialog]');
    await dialog.locator('[data-testid=publish-refused]').waitFor({ timeout: 60_000 });
    expect(await dialog.locator('.publish-problems').textContent()).toMatch(/externalId/);
    expect(await dialog.locator('button[type=submit]').isDisabled()).toBe(true);
    expect(await dialog.locator('input[name=message]').count()).toBe(0);
    await shot(page, 'publish-03-client-required-target-refused');
    // The server refuses it too, whatever the page does.
    const r = await fetch(`${base()}/api/flows/${FLOW}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenOf(CLIENT)}` },
      body: JSON.stringify({ message: 'x' }),
    });
    expect(r.status).toBe(422);
    expect(JSON.stringify(await r.json())).toMatch(/externalId/);
    expect((await env.admin<Res<'/api/flows/{id}', 'get'>>('GET', `/api/flows/${FLOW}`)).flow.latestVersion).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('lookup values that name ERP records', () => {
  it('a client picks a tax code from the ERP’s list with a search; a code the ERP lacks cannot be saved', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), CLIENT.email, CLIENT.password);
    // The seeded shared tax table, read by the order-to-ERP template that posts to the sandbox ERP.
    await page.goto(`${base()}/lookups/shared/tax-codes`);
    await page.waitForSelector('[data-testid=lookup-grid]');
    expect(await page.textContent('[data-testid=lookup-reference-note]')).toMatch(/^taxCode values are chosen from Sandbox ERP's \d+ records\.$/);
    const before = await page.locator('[data-testid=lookup-grid] tbody tr').count();
    await page.click('button:has-text("+ Add row")');
    const n = before + 1;
    await page.fill(`input[aria-label="title of row ${n}"]`, 'Irish VAT standard');
    // The code's rate must be the row's (23 %): another is refused.
    await page.fill(`input[aria-label="rate of row ${n}"]`, '0.23');
    // No free typing: the cell opens the ERP's list; the search narrows it.
    expect(await page.locator(`input[aria-label="taxCode of row ${n}"]`).count()).toBe(0);
    await page.click(`button[aria-label="taxCode of row ${n}"]`);
    await page.fill(`input[aria-label="Search taxCode of row ${n}"]`, 'irish');
    const options = page.locator('.ref-menu li[role=option]');
    expect(await options.allTextContents()).toEqual(['IE-VAT-23 Irish VAT 23% 0.23']);
    await shot(page, 'publish-04-client-tax-code-picker');
    await options.first().click();
    expect(await page.textContent(`button[aria-label="taxCode of row ${n}"]`)).toBe('IE-VAT-23 Irish VAT 23%');
    // By keyboard too: Tab from the search reaches the options, Enter picks one and closes the list.
    await page.click(`button[aria-label="taxCode of row ${n}"]`);
    await page.fill(`input[aria-label="Search taxCode of row ${n}"]`, 'irish');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('option');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-code'));
    await page.keyboard.press('Enter');
    expect(await page.locator('.ref-menu').count()).toBe(0);
    expect(await page.textContent(`button[aria-label="taxCode of row ${n}"] code`)).toBe(focused);
    await page.fill('input[aria-label="Change note"]', 'Irish standard rate');
    await page.click('button:has-text("Save new version")');
    await page.waitForFunction(() => document.querySelector('[data-testid=lookup-status]')?.textContent?.startsWith('Saved as version'));
    await shot(page, 'publish-05-client-tax-code-saved');
    // The server refuses a code the ERP lacks, whatever the page sends, naming table, row key and column.
    const table = await env.admin<Res<'/api/lookups/{scope}/{name}', 'get'>>('GET', '/api/lookups/shared/tax-codes');
    const r = await fetch(`${base()}/api/lookups/shared/tax-codes/rows`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenOf(CLIENT)}` },
      body: JSON.stringify({ rows: [{ title: 'Made up', rate: '0.07', taxCode: 'XX-7' }] }),
    });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(
      /^table "tax-codes", row \{"title":"Made up","rate":"0.07","country":"","province":""\}, column taxCode: "XX-7" is not a tax code in ERP connection "sandbox-erp"/,
    );
    expect(table.rows.some((x) => x.taxCode === 'IE-VAT-23' && x.title === 'Irish VAT standard')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

async function tokenOf(u: { email: string; password: string }): Promise<string> {
  const r = await fetch(`${base()}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: u.email, password: u.password }),
  });
  return ((await r.json()) as { token: string }).token;
}
