// Lookup tables (conflicts, duplicates, versions, CSV), the exceptions inbox's bulk actions, the dashboard and the
// payout month view, in real Chromium against the real server.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { ORDER_FLOW, TAX_TABLE, orderFlow } from './fixtures.ts';
import { signIn, startEnv, type Env } from './helpers.ts';
import type { Res } from '../src/api/contract.ts';
import { openStore } from '../../runtime/store/db.ts';
import { createExceptionService } from '../../server/exceptions/store/index.ts';

let env: Env;
let browser: Browser;
const VIEWPORT = { width: 1400, height: 880 };
const CONSULTANT = { email: 'cora@consult.example', name: 'Cora Consultant', role: 'consultant', password: 'consult-pw-1' };
const OPS = { email: 'otto@ops.example', name: 'Otto Ops', role: 'operator', password: 'ops-pw-123' };

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CONSULTANT, OPS]);
  await env.admin('POST', '/api/flows', orderFlow());
  await env.admin('POST', '/api/lookups', TAX_TABLE);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const base = () => env.backend.baseUrl;
const TABLE = `/api/lookups/${ORDER_FLOW}/tax-codes`;

/** A webhook flow whose code step always fails, so each raises its own exception. */
async function failingFlow(id: string) {
  await env.admin('POST', '/api/flows', {
    schemaVersion: 1,
    id,
    name: `Failing ${id}`,
    nodes: [
      { id: 'hook', type: 'trigger.webhook', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
      { id: 'boom', type: 'core.code', typeVersion: 1, position: { x: 300, y: 0 }, config: { code: `throw new Error('ERP customer missing for ${id}')` } },
    ],
    edges: [{ id: 'e1', source: 'hook', target: 'boom', sourceHandle: 'out', targetHandle: 'in' }],
  });
  await env.admin('POST', `/api/flows/${id}/publish`, { message: 'fails on purpose' });
  await env.admin('POST', `/api/flows/${id}/activate`, {});
  const { secret } = await env.admin<Res<'/api/flows/{id}/webhook-secret', 'post'>>('POST', `/api/flows/${id}/webhook-secret`);
  const r = await fetch(`${base()}/webhooks/flows/${id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: '{"n":1}',
  });
  expect(r.status).toBe(200);
}

describe('lookup tables, exceptions, dashboard and payouts in Chromium', () => {
  it('edits a lookup table like a spreadsheet: duplicate keys, a conflicting save, versions and restore, CSV out and in', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT, acceptDownloads: true });
    const errors = watchPage(page);
    await signIn(page, base(), CONSULTANT.email, CONSULTANT.password);
    await page.click('a.tab:has-text("Lookup tables")');
    await page.click(`tr[data-table="${ORDER_FLOW}/tax-codes"] a`);
    await page.waitForSelector('[data-testid=lookup-grid]');
    expect(await page.textContent('[data-testid=lookup-version]')).toBe('v1');

    // A second row with the same key (title matches case-insensitively, rate as a decimal) cannot be saved.
    await page.click('button:has-text("+ Add row")');
    await page.fill('input[aria-label="title of row 2"]', 'vat');
    await page.fill('input[aria-label="rate of row 2"]', '0.20');
    await page.fill('input[aria-label="taxCode of row 2"]', 'DUP');
    await page.waitForSelector('tr.dup >> text=duplicate key');
    expect(await page.isDisabled('button:has-text("Save new version")')).toBe(true);
    await page.fill('input[aria-label="rate of row 2"]', '0.05');
    await page.fill('input[aria-label="taxCode of row 2"]', 'VAT5');
    await page.fill('input[aria-label="taxCode of row 1"]', 'S20');
    expect(await page.textContent('[data-testid=lookup-changes]')).toBe('1 added · 1 changed · 0 deleted');
    await shot(page, 'pages-01-lookup-editing');

    // Someone else saves first: the save is refused (409) and nothing is lost; saving over theirs is a choice.
    await env.admin('PUT', `${TABLE}/rows`, {
      rows: [
        { title: 'VAT', rate: '0.2', taxCode: 'VAT20' },
        { title: 'GST', rate: '0.1', taxCode: 'GST10' },
      ],
      expectedVersion: 1,
      message: 'admin adds GST',
    });
    await page.click('button:has-text("Save new version")');
    await page.waitForSelector('[data-testid=lookup-conflict]');
    expect(await page.inputValue('input[aria-label="taxCode of row 1"]')).toBe('S20');
    await shot(page, 'pages-02-lookup-conflict');
    await page.click('button:has-text("Save mine over theirs")');
    await page.waitForFunction(() => document.querySelector('[data-testid=lookup-status]')?.textContent?.startsWith('Saved as version 3 (2 rows)'));
    expect((await env.admin<Res<'/api/lookups/{scope}/{name}', 'get'>>('GET', TABLE)).rows).toEqual([
      { title: 'VAT', rate: '0.2', country: '', province: '', taxCode: 'S20' },
      { title: 'vat', rate: '0.05', country: '', province: '', taxCode: 'VAT5' },
    ]);

    // Versions: restore the admin's version 2 as version 4.
    await page.click('button:has-text("Versions")');
    await page.waitForSelector('[data-testid=lookup-versions] tr[data-version="2"]');
    expect(await page.textContent('[data-testid=lookup-versions] tr[data-version="2"]')).toContain('admin adds GST');
    await page.click('[data-testid=lookup-versions] tr[data-version="2"] button:has-text("Restore")');
    await page.waitForFunction(() => document.querySelector('[data-testid=lookup-status]')?.textContent === 'Version 2 restored as version 4.');
    expect(await page.inputValue('input[aria-label="title of row 2"]')).toBe('GST');
    await shot(page, 'pages-03-lookup-versions');

    // CSV export downloads the current rows; importing a file merges rows by key.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Export CSV")')]);
    expect(download.suggestedFilename()).toBe(`${ORDER_FLOW}-tax-codes.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe('title,rate,country,province,taxCode');
    expect(csv).toContain('GST,0.1,,,GST10');
    await page.click('button:has-text("Import CSV…")');
    await page.setInputFiles('input[aria-label="CSV file"]', {
      name: 'more.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('title,rate,taxCode\nZero,0,Z0\nGST,0.1,GST-STD\n'),
    });
    await page.click('[data-testid=csv-import] button:has-text("Import")');
    await page.waitForFunction(() => document.querySelector('[data-testid=lookup-status]')?.textContent === 'Imported as version 5 (3 rows).');
    expect(await page.inputValue('input[aria-label="taxCode of row 2"]')).toBe('GST-STD');
    expect(await page.inputValue('input[aria-label="title of row 3"]')).toBe('Zero');
    expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    await page.close();
  }, 90_000);

  it('handles exceptions in bulk: acknowledge, assign, resolve with a note', async () => {
    // Sandbox mode's scheduled templates run on demo data and may fail at a quarter past: park them and their
    // exceptions, so the inbox holds exactly this test's three.
    const flows = await env.admin<Res<'/api/flows', 'get'>>('GET', '/api/flows');
    for (const f of flows.flows) if (f.active && !f.id.startsWith('bulk-')) await env.admin('POST', `/api/flows/${f.id}/deactivate`);
    const earlier = await env.admin<Res<'/api/exceptions', 'get'>>('GET', '/api/exceptions?state=unresolved');
    if (earlier.items.length)
      await env.admin('POST', '/api/exceptions/bulk', { ids: earlier.items.map((i) => i.id), action: 'resolve', note: 'not part of this test' });
    for (const id of ['bulk-a', 'bulk-b', 'bulk-c']) await failingFlow(id);
    const list = async () =>
      (await env.admin<Res<'/api/exceptions', 'get'>>('GET', '/api/exceptions?type=failed-run&state=unresolved')).items.filter((i) =>
        i.links.flowId?.startsWith('bulk-'),
      );
    for (let i = 0; i < 100 && (await list()).length < 3; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await list()).toHaveLength(3);

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), OPS.email, OPS.password);
    await page.goto(`${base()}/exceptions`);
    await page.fill('input[aria-label="Type"]', 'failed-run');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-exception]').length === 3);
    expect(await page.locator('tr[data-exception] [data-testid=exception-state]').allTextContents()).toEqual(['open', 'open', 'open']);
    await page.check('input[aria-label="Select all"]');
    await page.waitForSelector('[data-testid=bulk-bar] >> text=3 selected');
    await shot(page, 'pages-04-exceptions-selected');
    await page.click('[data-testid=bulk-bar] button:has-text("acknowledge all")');
    await page.waitForFunction(() => document.querySelector('[data-testid=exceptions-status]')?.textContent === '3 of 3 acknowledged.');
    expect(await page.locator('tr[data-exception] [data-testid=exception-state]').allTextContents()).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);

    await page.check('input[aria-label="Select all"]');
    await page.click('[data-testid=bulk-bar] button:has-text("assign all")');
    await page.fill('[data-testid=bulk-bar] input[aria-label="Assignee"]', 'otto@ops.example');
    await page.click('[data-testid=bulk-bar] [data-testid=form-assign] button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=exceptions-status]')?.textContent === '3 of 3 assigned.');
    expect(await page.locator('tr[data-exception]', { hasText: 'otto@ops.example' }).count()).toBe(3);

    await page.check('input[aria-label="Select all"]');
    await page.click('[data-testid=bulk-bar] button:has-text("resolve all")');
    await page.fill('[data-testid=bulk-bar] input[aria-label="Note"]', 'customers created in the ERP by hand');
    await page.click('[data-testid=bulk-bar] [data-testid=form-resolve] button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=exceptions-status]')?.textContent === '3 of 3 resolved.');
    await page.waitForSelector('[data-testid=no-exceptions]');
    await page.selectOption('select[aria-label="State"]', 'resolved');
    // This test's three among the resolved: a scheduled template that failed before the test parked it (at a quarter
    // past, the stock push) was resolved above too.
    await page.waitForFunction(() => [...document.querySelectorAll('tr[data-exception]')].filter((tr) => tr.textContent?.includes('bulk-')).length === 3);
    await page.click('tr[data-exception]:has-text("bulk-") button.link >> nth=0');
    await page.waitForSelector('.history li');
    expect(await page.locator('.history').first().textContent()).toContain('customers created in the ERP by hand');
    await shot(page, 'pages-05-exceptions-resolved');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows the dashboard at a glance with charts fed by the dashboard API', async () => {
    const summary = await env.admin<Res<'/api/dashboard/summary', 'get'>>('GET', '/api/dashboard/summary?windowHours=24');
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), OPS.email, OPS.password);
    await page.click('a.tab:has-text("Dashboard")');
    await page.waitForSelector('[data-testid=dashboard]');
    const failed = summary.flows.reduce((a, f) => a + f.failed, 0);
    expect(await page.textContent('[data-testid=kpi-success] .help')).toContain(`${failed} failed`);
    const ops = summary.exceptionsByOwner.operations;
    expect(await page.textContent('[data-testid=kpi-exc-operations] .kpi-value')).toBe(String(ops.open + ops.acknowledged));
    expect(await page.locator('[data-testid=flow-health] tr[data-flow="bulk-a"]').textContent()).toContain('failed');
    // uPlot draws the hourly orders series on a canvas (48 hours are always listed, most of them zero).
    await page.waitForSelector('[data-testid=chart-orders] canvas');
    await shot(page, 'pages-06-dashboard');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the payout reconciliation month view and exports it as CSV', async () => {
    const probe = await fetch(`${base()}/api/finance/month-end?month=2026-01`, {
      headers: {
        authorization: `Bearer ${(await (await fetch(`${base()}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: env.backend.adminEmail, password: env.backend.adminPassword }) })).json()).token}`,
      },
    });
    // The finance API is another part's work; until the server mounts it the page says so (and this test says why).
    if (probe.status === 404) {
      const page = await browser.newPage({ viewport: VIEWPORT });
      await signIn(page, base(), env.backend.adminEmail, env.backend.adminPassword);
      await page.goto(`${base()}/finance/payouts?month=2026-01`);
      await page.waitForSelector('[data-testid=payouts-page] .error');
      expect(await page.textContent('[data-testid=payouts-page] .error')).toContain('/api/finance/month-end');
      await page.close();
      return;
    }
    const page = await browser.newPage({ viewport: VIEWPORT, acceptDownloads: true });
    const errors = watchPage(page);
    await signIn(page, base(), env.backend.adminEmail, env.backend.adminPassword);
    await page.click('a.tab:has-text("Payouts")');
    await page.waitForSelector('[data-testid=payouts-page] input[aria-label="Month"]');
    await page.goto(`${base()}/finance/payouts?month=2026-01`);
    await page.waitForSelector('[data-testid=no-payouts], [data-testid=payout-rows]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Export CSV")')]);
    expect(download.suggestedFilename()).toBe('payouts-2026-01.csv');
    expect(readFileSync((await download.path())!, 'utf8').split(/\r?\n/)[0]).toMatch(/^Month,Payout date,Payout/);
    await shot(page, 'pages-07-payouts');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("opens what the reconciliation raised for one payout (the payouts table's unmatched items link there), then every payout's", async () => {
    // Raised as the reconciliation raises them (its payout id in the data), through another connection on the store.
    const store = openStore(env.backend.dataDir);
    const inbox = createExceptionService(store, null);
    const raise = (payoutId: string, type: string, key: string, title: string) => inbox.raise({ type, key, title, owner: 'finance', data: { payoutId } });
    const mine = [
      await raise('88000001', 'payout-unknown-in-shopify', 'credit-memo:e2e-1', 'ERP credit memo CM-E2E is in no Shopify payout'),
      await raise('88000001', 'payout-missing-in-erp', 'order:e2e-1', 'Paid in Shopify, missing in the ERP: order E2E'),
    ];
    const other = await raise('88000002', 'payout-missing-in-erp', 'order:e2e-2', 'Another payout');
    store.close();

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), env.backend.adminEmail, env.backend.adminPassword);
    await page.goto(`${base()}/exceptions?payout=88000001`);
    await page.waitForSelector('[data-testid=payout-filter]');
    expect(await page.textContent('[data-testid=payout-filter]')).toContain('payout 88000001');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=exceptions-page] tr[data-exception]').length === n, mine.length);
    const shown = await page
      .locator('[data-testid=exceptions-page] tr[data-exception]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-exception')));
    expect(shown.sort()).toEqual(mine.map((x) => x.id).sort());
    await shot(page, 'pages-08-exceptions-of-one-payout');
    await page.click('[data-testid=payout-filter]');
    await page.waitForSelector(`[data-testid=exceptions-page] tr[data-exception="${other.id}"]`);
    expect(await page.locator('[data-testid=payout-filter]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
