// Issue 12, sections 5-6, as people click them in Chromium against the real server on a fresh sandbox install:
// a newcomer sends a sandbox order and sees it reach the ERP; finance sends a payout and sees it reconcile; a
// client typing /runs gets the role page; an owner sets up connections, users and API tokens.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, waitForOrderRun, type Env } from './helpers.ts';
import type { Res } from '../src/api/contract.ts';

let env: Env;
let browser: Browser;
const VIEWPORT = { width: 1400, height: 900 };
const FINANCE = { email: 'fiona@finance.example', name: 'Fiona Finance', role: 'operator', password: 'finance-pw-1' };
const CLIENT = { email: 'carl@merchant.example', name: 'Carl Client', role: 'client', password: 'client-pw-12' };

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([FINANCE, CLIENT]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const base = () => env.backend.baseUrl;

/** Clicks Send on a scenario card and waits for the panel's answer. */
async function send(page: Page, scenario: string): Promise<string> {
  await page.waitForSelector(`[data-scenario=${scenario}] button:not([disabled])`, { timeout: 20_000 });
  await page.click(`[data-scenario=${scenario}] button`);
  await page.waitForFunction(
    () => document.querySelector('[data-testid=sandbox-notice]')?.textContent && !document.querySelector('.scenario button[disabled]'),
  );
  return (await page.textContent('[data-testid=sandbox-notice]')) ?? '';
}

describe('sandbox panel, role page, connections and users in Chromium', () => {
  it('a newcomer sees the sandbox banner, sends a paid order from the Sandbox page and sees its ERP sales order', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), env.backend.adminEmail, env.backend.adminPassword);
    await page.waitForSelector('[data-testid=sandbox-banner]');
    expect(await page.textContent('[data-testid=sandbox-banner]')).toContain('Sandbox mode');
    await page.click('[data-testid=sandbox-banner] a');
    await page.waitForSelector('[data-testid=sandbox-page]');
    // The webhook secret is the one the server verifies sandbox-shop webhooks with.
    await page.click('[data-testid=sandbox-shop] button:has-text("Show")');
    const { connections } = await env.admin<Res<'/api/connections', 'get'>>('GET', '/api/connections');
    expect(connections.map((c) => c.id)).toContain('sandbox-shop');
    expect(await page.textContent('[data-testid=webhook-secret]')).toBe('shpss_e2e_designer_secret');
    expect(await page.textContent('[data-testid=webhook-url]')).toBe(`${base()}/webhooks/shopify/sandbox-shop`);

    const message = await send(page, 'paid-order');
    expect(message).toMatch(/Order #\d+ .* created in the sandbox shop/);
    const orderName = /Order (#\d+)/.exec(message)![1];
    await page.waitForFunction(
      () => /ERP sales order \S+/.test(document.querySelector('[data-testid=sandbox-activity] tr[data-activity=order]')?.textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    const row = (await page.textContent('[data-testid=sandbox-activity] tr[data-activity=order]')) ?? '';
    expect(row).toContain(orderName);
    // Each run by its flow's name, as on the runs page.
    expect(row).toContain('Shopify order to ERP sales order');
    const soNumber = /ERP sales order ([A-Z]+\d+)/.exec(row)![1];
    await page.locator('[data-testid=sandbox-activity]').scrollIntoViewIfNeeded();
    await shot(page, 'issue12-newcomer-sandbox-order');
    // Its refund is a row of its own with its credit memo; the order's row, read afresh, does not claim that run
    // (every run of the order carries the order's key, the refund's too).
    expect(await send(page, 'partial-refund')).toContain(`on ${orderName} created`);
    const refundRow = '[data-testid=sandbox-activity] tr[data-activity=refund]';
    await page.waitForFunction((sel) => /ERP credit memo \S+/.test(document.querySelector(sel)?.textContent ?? ''), refundRow, { timeout: 30_000 });
    await page.reload();
    await page.waitForFunction((sel) => /ERP credit memo \S+/.test(document.querySelector(sel)?.textContent ?? ''), refundRow, { timeout: 30_000 });
    const orderRow = '[data-testid=sandbox-activity] tr[data-activity=order]';
    await page.waitForFunction((sel) => /ERP sales order \S+/.test(document.querySelector(sel)?.textContent ?? ''), orderRow, { timeout: 30_000 });
    expect(await page.locator(`${refundRow} [data-flow="refund-to-credit-memo"]`).count()).toBe(1);
    expect(await page.locator(`${refundRow} [data-flow="order-to-erp"]`).count()).toBe(0);
    expect(await page.locator(`${orderRow} [data-flow="refund-to-credit-memo"]`).count()).toBe(0);
    await shot(page, 'sandbox-order-and-its-refund');
    // The sales order is really in the sandbox ERP: its run's post step read it back with that number. The row also
    // lists gift-card-liability's run of the same order, first whenever it finished first: pick the order's flow.
    await page.click('[data-testid=sandbox-activity] tr[data-activity=order] [data-outcome=succeeded] [data-flow="order-to-erp"] a');
    await page.waitForSelector('[data-testid=run-detail] [data-step=post]');
    await page.click('[data-testid=run-detail] [data-step=post]');
    await page.waitForSelector('[data-testid=step-post]');
    expect(await page.textContent('[data-testid=step-post]')).toContain(soNumber);
    // The run reads as the canvas does: the flow's and the nodes' names, their ids beside them.
    expect(await page.textContent('[data-testid=run-detail] p.muted a')).toBe('Shopify order to ERP sales order');
    expect(await page.textContent('[data-testid=run-detail] [data-step=gate]')).toMatch(/^Only paid, authorised or on-terms orders\s*gate\s*erp\.payment-gate/);
    // On the runs list every run of the order is named by it, the refund's too (its webhook names the order by id
    // only), and the name searches for them all.
    await page.goto(`${base()}/runs`);
    const refundRun = '[data-testid=runs-page] tr:has(td[data-flow="refund-to-credit-memo"])';
    await page.waitForSelector(refundRun);
    expect(await page.textContent(`${refundRun} td[data-order]`)).toBe(orderName);
    await page.click(`${refundRun} td[data-order] button`);
    await page.waitForFunction((name) => (document.querySelector('input[aria-label="Search runs"]') as HTMLInputElement | null)?.value === name, orderName);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs-page] tr[data-run]').length === 4);
    const flows = await page.locator('[data-testid=runs-page] tr[data-run] td[data-flow]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-flow')));
    expect(flows.sort()).toEqual(['gift-card-liability', 'order-to-erp', 'order-to-erp', 'refund-to-credit-memo']);
    // Named as people know them, the id on hover.
    expect(await page.textContent(`${refundRun} td[data-flow] [data-flow-name]`)).toBe('Shopify refund to ERP credit memo');
    expect(await page.textContent(`${refundRun} td[data-flow] [data-trigger]`)).toBe('refunds/create'); // what started it
    expect(new Set(await page.locator('[data-testid=runs-page] tr[data-run] td[data-order]').allTextContents())).toEqual(new Set([orderName]));
    await shot(page, 'runs-of-one-order');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('finance sends orders then a payout and sees it reconcile, on the panel and on the payouts page', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT, acceptDownloads: true });
    const errors = watchPage(page);
    await signIn(page, base(), FINANCE.email, FINANCE.password);
    await page.goto(`${base()}/sandbox`);
    await page.waitForSelector('[data-testid=sandbox-page]');
    // Finance does not manage connections: no secret for them.
    expect(await page.locator('[data-testid=webhook-secret]').count()).toBe(0);
    await send(page, 'paid-order');
    await page.waitForFunction(
      () => /ERP sales order/.test(document.querySelector('[data-testid=sandbox-activity] tr[data-activity=order]')?.textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    const message = await send(page, 'payout');
    // The first test's order was refunded: its refund is paid out in the same payout.
    expect(message).toMatch(/Payout \d+ of [\d.]+ GBP for \d orders?( and \d refunds?)? is in Shopify; the reconciliation runs now/);
    await page.waitForFunction(
      () => /1 of 1 payout reconciled/.test(document.querySelector('[data-testid=sandbox-activity] tr[data-activity=payout]')?.textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    await page.locator('[data-testid=sandbox-activity]').scrollIntoViewIfNeeded();
    await shot(page, 'issue12-finance-sandbox-payout');
    await page.click('[data-testid=sandbox-activity] tr[data-activity=payout] a:has-text("payouts page")');
    await page.waitForSelector('[data-testid=payout-rows]');
    const table = (await page.textContent('[data-testid=payout-rows]')) ?? '';
    expect(table).toContain(/Payout (\d+)/.exec(message)![1]);
    expect(table.toLowerCase()).toContain('balanced');
    // The payout's journal, read back from the ERP ledger, is there and ties to what Shopify deposited.
    await page.waitForFunction(() => /✓ ties/.test(document.querySelector('[data-testid=payout-rows] [data-testid=journal]')?.textContent ?? ''), undefined, {
      timeout: 15_000,
    });
    await shot(page, 'issue12-finance-payouts-page');
    // The export says what the page says, the journal's number and that it ties included.
    const journal = /JE\d+/.exec((await page.textContent('[data-testid=payout-rows] [data-testid=journal]')) ?? '')![0];
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Export CSV")')]);
    const csv = readFileSync((await download.path())!, 'utf8').split(/\r?\n/);
    const head = csv[0]!.split(',');
    const row = csv.find((l) => l.includes(/Payout (\d+)/.exec(message)![1]!))!.split(',');
    expect(row[head.indexOf('Journal number')]).toBe(journal);
    expect(row[head.indexOf('Ledger ties')]).toBe('yes');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('anyone changes their own password from their name in the header; the old one no longer signs in', async () => {
    const WHO = { email: 'pat@merchant.example', name: 'Pat Picker', role: 'viewer', password: 'viewer-pw-123' };
    await env.admin('POST', '/api/users', WHO);
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), WHO.email, WHO.password);
    await page.click('[data-testid=who]');
    await page.waitForSelector('[data-testid=account-page]');
    await page.fill('input[autocomplete=current-password]', 'not-my-password');
    await page.locator('input[autocomplete=new-password]').nth(0).fill('a-better-pw-456');
    await page.locator('input[autocomplete=new-password]').nth(1).fill('a-better-pw-456');
    await page.click('button:has-text("Change password")');
    await page.waitForSelector('[data-testid=account-status].error');
    expect(await page.textContent('[data-testid=account-status]')).toContain('the current password is not right: nothing changed');
    await page.fill('input[autocomplete=current-password]', WHO.password);
    await page.click('button:has-text("Change password")');
    await page.waitForSelector('[data-testid=account-status].ok-text');
    await shot(page, 'account-password-changed');
    // This session goes on under its new token; a fresh sign-in needs the new password.
    await page.goto(`${base()}/flows`);
    await page.waitForSelector('[data-testid=who]');
    // The one console error is the browser reporting the refused attempt's 400.
    expect(errors).toEqual([expect.stringMatching(/status of 400/)]);
    const old = await fetch(`${base()}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: WHO.email, password: WHO.password }),
    });
    expect(old.status).toBe(401);
    await page.close();
  }, 60_000);

  it('a client typing /runs, /dashboard or /settings/users gets the role page, not data', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await signIn(page, base(), CLIENT.email, CLIENT.password);
    for (const [path, title] of [
      ['/runs', 'Runs'],
      ['/dashboard', 'Dashboard'],
      ['/settings/users', 'Users and roles'],
      ['/sandbox', 'Sandbox'],
    ] as const) {
      await page.goto(`${base()}${path}`);
      await page.waitForSelector('[data-testid=forbidden]');
      expect(await page.textContent('[data-testid=forbidden] h2')).toBe(`Your role can’t see ${title}`);
      expect(await page.textContent('[data-testid=forbidden]')).toContain('signed in as client');
      expect(await page.locator('[data-testid=runs-page], table').count()).toBe(0);
    }
    await page.goto(`${base()}/runs`);
    await page.waitForSelector('[data-testid=forbidden]');
    await shot(page, 'issue12-client-runs-role-page');
    // The nav offers the client nothing it would refuse.
    const nav = (await page.textContent('.app-header nav')) ?? '';
    for (const t of ['Runs', 'Dashboard', 'Sandbox', 'Settings', 'Payouts']) expect(nav).not.toContain(t);
    await page.close();
  }, 60_000);

  it('an address with no page says so and offers the pages the role may open, instead of showing the flows', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), env.backend.adminEmail, env.backend.adminPassword);
    await page.goto(`${base()}/payouts`);
    await page.waitForSelector('[data-testid=not-found]');
    expect(await page.textContent('[data-testid=not-found] h2')).toBe('No page at /payouts');
    expect(await page.locator('button:has-text("Create flow")').count()).toBe(0); // not the flow list
    await shot(page, 'not-found-payouts');
    await page.click('[data-testid=not-found] a:has-text("Payouts")');
    await page.waitForSelector('[data-testid=payouts-page]');
    expect(new URL(page.url()).pathname).toBe('/finance/payouts');
    // A trailing slash is the same page.
    await page.goto(`${base()}/runs/`);
    await page.waitForSelector('[data-testid=runs-page]');
    // A client is offered only what its role opens.
    await page.close();
    const client = await browser.newPage({ viewport: VIEWPORT });
    await signIn(client, base(), CLIENT.email, CLIENT.password);
    await client.goto(`${base()}/no-such-page`);
    await client.waitForSelector('[data-testid=not-found]');
    const links = await client.locator('[data-testid=not-found] a').allTextContents();
    expect(links).toEqual(['Flows', 'Exceptions', 'Lookup tables']);
    expect(errors).toEqual([]);
    await client.close();
  }, 60_000);

  it('an owner creates a Shopify connection (webhook URL and secret shown once), tests and edits one; invites a user, changes the role, disables; issues and revokes a token', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), env.backend.adminEmail, env.backend.adminPassword);
    await page.click('.app-header nav a:has-text("Settings")');
    await page.waitForSelector('[data-testid=connections] tr[data-connection=sandbox-erp]');
    await page.click('[data-testid=connections] tr[data-connection=sandbox-erp] button:has-text("Test connection")');
    await page.waitForSelector('[data-testid=test-sandbox-erp]');
    expect(await page.textContent('[data-testid=test-sandbox-erp]')).toMatch(/✓ .*warehouse/);

    await page.click('button:has-text("New connection")');
    await page.fill('[data-testid=connection-form] input[name=id]', 'main-shop');
    await page.fill('[data-testid=connection-form] input[name=name]', 'Main Shopify store');
    await page.click('[data-testid=connection-form] button[type=submit]');
    expect(await page.textContent('[data-testid=connection-form] [role=alert]')).toContain('Fill in: Shop domain');
    await page.fill('[data-testid=connection-form] input[name=shopDomain]', 'main-shop.myshopify.com');
    await page.fill('[data-testid=connection-form] input[name=accessToken]', 'shpat_not_a_real_token');
    await page.click('[data-testid=connection-form] button[type=submit]');
    await page.waitForSelector('[data-testid=shown-once]');
    expect(await page.textContent('[data-testid=once-url]')).toBe(`${base()}/webhooks/shopify/main-shop`);
    const secret = (await page.textContent('[data-testid=once-secret]')) ?? '';
    expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    await shot(page, 'issue12-owner-connection-shown-once');
    // Write-only: the API never returns it, and a webhook signed with it is accepted.
    const view = await env.admin<Record<string, unknown>>('GET', '/api/connections/main-shop');
    expect(JSON.stringify(view)).not.toContain(secret);
    expect(view).toMatchObject({ kind: 'shopify', provider: 'shopify', hasSecret: true, config: { shopDomain: 'main-shop.myshopify.com' } });
    const { createHmac } = await import('node:crypto');
    const body = '{"id":1}';
    const hook = await fetch(`${base()}/webhooks/shopify/main-shop`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'shop/update',
        'x-shopify-shop-domain': 'main-shop.myshopify.com',
        'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
        'x-shopify-webhook-id': 'w1',
        'x-shopify-event-id': 'e1',
        'x-shopify-triggered-at': new Date().toISOString(),
        'x-shopify-api-version': '2026-10',
      },
    });
    expect(hook.status).not.toBe(401);

    await page.click('[data-testid=shown-once] button');
    await page.click('[data-testid=connections] tr[data-connection=main-shop] button:has-text("Edit")');
    expect(await page.getAttribute('[data-testid=connection-form] input[name=accessToken]', 'placeholder')).toContain('stored');
    expect(await page.inputValue('[data-testid=connection-form] input[name=accessToken]')).toBe('');
    await page.fill('[data-testid=connection-form] input[name=name]', 'Main store (UK)');
    await page.click('[data-testid=connection-form] button[type=submit]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=connections] tr[data-connection=main-shop]')?.textContent?.includes('Main store (UK)'),
    );
    expect((await env.admin<Res<'/api/connections/{id}', 'get'>>('GET', '/api/connections/main-shop')).hasSecret).toBe(true);
    await shot(page, 'issue12-owner-connections');

    await page.click('.subtabs a:has-text("Users and roles")');
    await page.waitForSelector('[data-testid=invite-form]');
    await page.fill('[data-testid=invite-form] input[name=email]', 'nina@merchant.example');
    await page.fill('[data-testid=invite-form] input[name=name]', 'Nina New');
    await page.selectOption('[data-testid=invite-form] select[name=role]', 'client');
    await page.fill('[data-testid=invite-form] input[name=password]', 'first-password-1');
    await page.click('[data-testid=invite-form] button[type=submit]');
    await page.waitForSelector('[data-testid=users] tr[data-user="nina@merchant.example"]');
    await page.selectOption('select[aria-label="Role of nina@merchant.example"]', 'viewer');
    await page.waitForFunction(() => document.querySelector('[data-testid=users-notice]')?.textContent?.includes('role changed to viewer'));
    await page.click('[data-testid=users] tr[data-user="nina@merchant.example"] button:has-text("Disable")');
    await page.waitForSelector('[data-testid=users] tr[data-user="nina@merchant.example"] .pill.bad');
    const nina = (await env.admin<Res<'/api/users', 'get'>>('GET', '/api/users')).users.find((u) => u.email === 'nina@merchant.example');
    expect(nina).toMatchObject({ role: 'viewer', disabled: true });
    const login = await fetch(`${base()}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nina@merchant.example', password: 'first-password-1' }),
    });
    expect(login.status).toBe(401);
    await shot(page, 'issue12-owner-users');

    await page.click('.subtabs a:has-text("API tokens")');
    await page.fill('input[aria-label="Token name"]', 'CI deploy');
    await page.click('[data-testid=tokens-page] button[type=submit]');
    await page.waitForSelector('[data-testid=new-token] code');
    const token = (await page.textContent('[data-testid=new-token] code')) ?? '';
    expect((await fetch(`${base()}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid=tokens] tr[data-token="CI deploy"] button:has-text("Revoke")');
    await page.waitForFunction(() => !document.querySelector('[data-testid=tokens] tr[data-token="CI deploy"]'));
    expect((await fetch(`${base()}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('runs list: search by order name, real durations, paging by run id, quiet schedule runs folded', async () => {
    const sent = await env.admin<Res<'/api/sandbox/events', 'post'>>('POST', '/api/sandbox/events', { scenario: 'paid-order' });
    await waitForOrderRun(env.admin, 'order-to-erp', sent.orderId!, { timeoutMs: 30_000 });
    // Three "run now"s of the fulfilment schedule find no shipment: they fold into one row.
    for (let i = 0; i < 3; i++) await env.admin('POST', '/api/flows/fulfilment-to-shopify/run-now');
    const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    const errors = watchPage(page);
    await signIn(page, base(), FINANCE.email, FINANCE.password);
    await page.click('a.tab:has-text("Runs")');
    await page.waitForSelector('[data-testid=runs-page] tr[data-fold="fulfilment-to-shopify"]', { timeout: 20_000 });
    // At least the three: the template's own schedule may fire during the test and fold in with them.
    const folded = (await page.textContent('tr[data-fold="fulfilment-to-shopify"]')) ?? '';
    expect(Number(/(\d+) quiet scheduled runs of ERP shipments to Shopify fulfilments/.exec(folded)?.[1])).toBeGreaterThanOrEqual(3);
    const durations = await page.locator('[data-testid=runs-page] td[data-duration]').allTextContents();
    expect(durations.length).toBeGreaterThan(0);
    for (const d of durations) expect(d).toMatch(/^(\d+ ms|[\d.]+ s|\d+ min \d+ s|—)$/);
    await shot(page, 'issue12-runs-1024');
    await page.fill('input[aria-label="Search runs"]', sent.orderName!);
    await page.click('.filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs-page] tr[data-run]').length > 0 && !document.querySelector('tr[data-fold]'));
    const flows = await page.locator('[data-testid=runs-page] tr[data-run] td[data-flow]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-flow')));
    expect(flows).toContain('order-to-erp');
    // Exactly the runs that carry the order's name, whatever flow handled it.
    const { runs } = await env.admin<Res<'/api/runs', 'get'>>('GET', `/api/runs?key=${encodeURIComponent(`shopifyOrderName:${sent.orderName}`)}`);
    const shown = await page.locator('[data-testid=runs-page] tr[data-run]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    expect(shown.sort()).toEqual(runs.map((r) => r.runId).sort());
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('audit and runbooks are app pages: the audit lists findings, each flow links to its runbook and, when scheduled, runs now', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    const errors = watchPage(page);
    await signIn(page, base(), env.backend.adminEmail, env.backend.adminPassword);
    await page.click('a.tab:has-text("Audit")');
    await page.waitForSelector('[data-testid=findings] tr[data-kind]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=findings]')).toContain('duplicate-sku');
    await shot(page, 'issue12-audit-1024');
    await page.click('a.tab:has-text("Flows")');
    await page.waitForSelector('[data-flow-actions=payout-reconciliation]');
    expect(await page.textContent('[data-flow-actions=payout-reconciliation]')).toContain('At 06:00');
    await page.click('[data-flow-actions=payout-reconciliation] button:has-text("Run now")');
    await page.waitForSelector('[role=status]:has-text("queued")');
    await page.click('[data-flow-actions=order-to-erp] a:has-text("Runbook")');
    await page.waitForSelector('[data-testid=runbook-page] h3');
    expect(await page.textContent('[data-testid=runbook-page] h2')).toContain('Runbook');
    await shot(page, 'issue12-runbook-1024');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
