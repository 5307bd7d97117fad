// The workspace switcher, in real Chromium against the real server: a consultant who is consultant of the default
// workspace and viewer of another sees both in the header's select, switches, sees only that workspace's flows with
// their role there, and the choice is remembered across a reload. And the owner of that other workspace manages its
// members on "Users and roles" without learning which emails already have an account in the deployment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { apiAs } from './backend.ts';
import { signIn, startEnv, type Env } from './helpers.ts';
import { flow } from '../../runtime/testing/fixtures.ts';
import { openStore } from '../../runtime/store/db.ts';
import { createExceptionService } from '../../server/exceptions/store/index.ts';
import { join } from 'node:path';

let env: Env;
let browser: Browser;
const CONSULTANT = { email: 'conor@consult.example', name: 'Conor Consultant', role: 'consultant', password: 'consultant-pw-4' };
/** Of the default workspace only: Brand B's owner has no business knowing this account exists. */
const OPERATOR = { email: 'olga@merchant.example', name: 'Olga Operator', role: 'operator', password: 'operator-pw-4' };
const B_OWNER = { email: 'bella@brand-b.example', name: 'Bella Brand-B', password: 'bella-owner-pw-4' };

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CONSULTANT, OPERATOR]);
  await env.admin('POST', '/api/workspaces', { id: 'brand-b', name: 'Brand B' });
  await env.admin('POST', '/api/workspaces/brand-b/members', { email: CONSULTANT.email, role: 'viewer' });
  await env.admin('POST', '/api/workspaces/brand-b/members', { ...B_OWNER, role: 'owner' });
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
    const raised = await createExceptionService(store, null).raise({ type: 'payout-variance', key: 'payout:9001', title: 'Payout 9001 is off by 2.50' });
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
    // Switching reloads the app at /flows; going elsewhere before that lands races the switch's own navigation.
    await page.locator('[data-testid=workspace-switcher]').selectOption('default');
    await page.waitForSelector('[data-flow-status="order-to-erp"]');
    await page.goto(`${env.backend.baseUrl}/exceptions/${raised.id}`);
    await page.waitForSelector('[data-testid=focus-missing]');
    expect(await page.locator(`tr[data-exception="${raised.id}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("lets Brand B's owner add members by email, answering alike whether the person had an account", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, B_OWNER.email, B_OWNER.password);
    await page.goto(`${env.backend.baseUrl}/settings/users`);
    await page.waitForSelector('h2:has-text("Members of Brand B")');
    const listed = async () =>
      (await page.locator('[data-testid=users] tr[data-user]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')))).sort();
    // Brand B's members only: the default workspace's operator is not listed (nor anyone as a made-up "viewer").
    expect(await listed()).toEqual([CONSULTANT.email, B_OWNER.email, env.backend.adminEmail].sort());

    const add = async (email: string) => {
      await page.fill('[data-testid=invite-form] input[name=email]', email);
      await page.selectOption('[data-testid=invite-form] select[name=role]', 'operator');
      await page.fill('[data-testid=invite-form] input[name=password]', 'first-pw-for-b-1');
      await page.click('[data-testid=invite-form] button[type=submit]');
      await page.waitForSelector(`[data-testid=users] tr[data-user="${email}"]`);
      return (await page.textContent('[data-testid=users-notice]'))!;
    };
    const existing = await add(OPERATOR.email);
    await shot(page, 'workspace-owner-added-member');
    const fresh = await add('newcomer@brand-b.example');
    expect(existing.replace(OPERATOR.email, '<email>')).toBe(fresh.replace('newcomer@brand-b.example', '<email>'));
    expect(fresh).toContain('is a member of Brand B as operator');
    // The existing account kept its own password; the newcomer signs in with the first one.
    await apiAs(env.backend.baseUrl, OPERATOR.email, OPERATOR.password);
    await apiAs(env.backend.baseUrl, 'newcomer@brand-b.example', 'first-pw-for-b-1');
    // The list shows when each joined Brand B, not how old their account is.
    expect(await page.textContent(`[data-testid=users] tr[data-user="${OPERATOR.email}"] td:nth-child(5)`)).toBe(
      await page.textContent('[data-testid=users] tr[data-user="newcomer@brand-b.example"] td:nth-child(5)'),
    );

    await page.selectOption(`[data-testid=users] tr[data-user="${CONSULTANT.email}"] select`, 'consultant');
    await page.waitForFunction(() => document.querySelector('[data-testid=users-notice]')?.textContent?.includes('role in Brand B changed to consultant'));
    await shot(page, 'workspace-owner-members');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
