// The workspace switcher, in real Chromium against the real server: a consultant who is consultant of the default
// workspace and viewer of another sees both in the header's select, switches, sees only that workspace's flows with
// their role there, and the choice is remembered across a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, type Env } from './helpers.ts';
import { flow } from '../../runtime/testing/fixtures.ts';
import { openStore } from '../../runtime/store/db.ts';
import { createExceptionService } from '../../server/exceptions/store/index.ts';
import { join } from 'node:path';

let env: Env;
let browser: Browser;
const CONSULTANT = { email: 'conor@consult.example', name: 'Conor Consultant', role: 'consultant', password: 'consultant-pw-4' };

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CONSULTANT]);
  await env.admin('POST', '/api/workspaces', { id: 'brand-b', name: 'Brand B' });
  await env.admin('POST', '/api/workspaces/brand-b/members', { email: CONSULTANT.email, role: 'viewer' });
  // A flow of Brand B only, made through the API in that workspace.
  const login = await fetch(`${env.backend.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: env.backend.adminEmail, password: env.backend.adminPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  const r = await fetch(`${env.backend.baseUrl}/api/flows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-ledgerline-workspace': 'brand-b' },
    body: JSON.stringify(flow('brand-b-orders', [{ id: 't', type: 'trigger.manual' }], [])),
  });
  expect(r.status).toBe(201);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('workspace switcher', () => {
  it('lists the workspaces with the role in each, switches, and remembers the choice', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    await page.goto(`${env.backend.baseUrl}/flows`);
    await page.waitForSelector('[data-flow-status="order-to-erp"]');
    const select = page.locator('[data-testid=workspace-switcher]');
    await select.waitFor();
    expect(await select.locator('option').allTextContents()).toEqual(['Default (consultant)', 'Brand B (viewer)']);
    expect(await page.textContent('[data-testid=who] .role')).toBe('consultant');

    await select.selectOption('brand-b');
    await page.waitForSelector('[data-flow-status="brand-b-orders"]');
    expect(await page.locator('[data-flow-status="order-to-erp"]').count()).toBe(0);
    expect(await page.textContent('[data-testid=who] .role')).toBe('viewer');
    // Brand B is a production workspace: no sandbox banner there (the default one is in sandbox mode).
    expect(await page.locator('text=Sandbox mode').count()).toBe(0);
    await shot(page, 'workspace-switcher-brand-b');

    await page.reload();
    await page.waitForSelector('[data-flow-status="brand-b-orders"]');
    expect(await page.locator('[data-testid=workspace-switcher]').inputValue()).toBe('brand-b');
    await page.locator('[data-testid=workspace-switcher]').selectOption('default');
    await page.waitForSelector('[data-flow-status="order-to-erp"]');
    await page.waitForSelector('text=Sandbox mode');
    expect(await page.locator('[data-flow-status="brand-b-orders"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("opens an alert's link to an exception of another workspace in that workspace, with the exception shown", async () => {
    // An exception of Brand B, raised in its own store (another connection on the cell's SQLite, as its runs would).
    const store = openStore(join(env.backend.dataDir, 'workspaces', 'brand-b'));
    const raised = createExceptionService(store, null).raise({ type: 'payout-variance', key: 'payout:9001', title: 'Payout 9001 is off by 2.50' });
    store.close();

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    // Signed in, the designer works in the default workspace; the alert's link names Brand B.
    await page.goto(`${env.backend.baseUrl}/exceptions/${raised.id}?workspace=brand-b`);
    const row = page.locator(`tr[data-exception="${raised.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('focused');
    expect(await page.locator('[data-testid=workspace-switcher]').inputValue()).toBe('brand-b');
    expect(await page.textContent('[data-testid=who] .role')).toBe('viewer');
    expect(new URL(page.url()).search).toBe(''); // the parameter left the address: a reload stays put
    await shot(page, 'alert-link-brand-b-exception');

    // The same link without the workspace, from the default one: not there, and the page says why.
    await page.locator('[data-testid=workspace-switcher]').selectOption('default');
    await page.goto(`${env.backend.baseUrl}/exceptions/${raised.id}`);
    await page.waitForSelector('[data-testid=focus-missing]');
    expect(await page.locator(`tr[data-exception="${raised.id}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
