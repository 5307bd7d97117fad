// Work is not lost by leaving a page in real Chromium against the real server: mapping suggestions accepted and a
// field edited in the mapper survive a click on "Canvas" made at once (no "Save draft"), the way back, and a reload;
// a node renamed on the canvas survives a reload made within the autosave's quiet period (the browser asks first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, type Env } from './helpers.ts';
import { emptyMappingFlow } from './fixtures.ts';

let env: Env;
let browser: Browser;
const FLOW = 'kept-orders';
const CONSULTANT = { email: 'kim@consult.example', name: 'Kim Consultant', role: 'consultant', password: 'consult-pw-7' };

type Field = { target: string; source: { kind: string; value?: unknown } };
type FlowRead = { draft: { nodes: Array<{ id: string; name?: string; config: { fields?: Field[] } }> } };

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CONSULTANT]);
  await env.admin('POST', '/api/flows', emptyMappingFlow(FLOW, 'Kept orders to ERP'));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const draftNode = async (id: string) => (await env.admin<FlowRead>('GET', `/api/flows/${FLOW}`)).draft.nodes.find((n) => n.id === id)!;
const targets = (page: Page) => page.locator('[data-testid=target-pane] tr[data-target]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-target')));

/** Accepts the browser's "leave site?" question (a save still pending at unload) and records that it was asked. */
function acceptLeaving(page: Page): string[] {
  const asked: string[] = [];
  page.on('dialog', (d) => {
    asked.push(d.type());
    void d.accept();
  });
  return asked;
}

describe('unsaved work', () => {
  it('mapper: accepted suggestions and an edited field survive going to the canvas at once, coming back, and a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const errors = watchPage(page);
    acceptLeaving(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    await page.goto(`${env.backend.baseUrl}/flows/${FLOW}/mapper`);
    await page.click('[data-testid=suggest]');
    await page.waitForSelector('[data-testid=suggest-accept]');
    await page.click('[data-testid=suggest-accept]');
    await page.waitForSelector('[data-testid=target-pane] tr[data-target="warehouse"]');
    const accepted = await targets(page);
    expect(accepted.length).toBeGreaterThan(10);
    await page.click('[data-testid=target-pane] tr[data-target="warehouse"]');
    await page.click('label:has-text("Constant") input[type=radio]');
    await page.fill('input[aria-label="Constant value"]', 'WH-KEPT');
    await shot(page, 'unsaved-01-mapper-after-edit');

    // Straight to the canvas, inside the autosave's quiet period: the mapping goes with the page being left.
    await page.click('.mapper-toolbar a:has-text("Canvas")');
    await page.waitForSelector('[data-testid=node-so]');
    const saved = (await draftNode('so')).config.fields ?? [];
    expect(saved.map((f) => f.target)).toEqual(accepted.filter((t) => !t?.includes('[].')));
    expect(saved.find((f) => f.target === 'warehouse')?.source).toEqual({ kind: 'const', value: 'WH-KEPT' });

    await page.goBack();
    await page.waitForSelector('[data-testid=target-pane] tr[data-target="warehouse"]');
    expect(await targets(page)).toEqual(accepted);
    await page.waitForFunction(() => document.querySelector('[data-testid=mapper-save-state]')?.textContent === 'All changes saved');

    // Another edit, autosaved without "Save draft"; then one more and a reload at once.
    await page.click('[data-testid=target-pane] tr[data-target="warehouse"]');
    await page.fill('input[aria-label="Target name"]', 'warehouseCode');
    await page.waitForFunction(() => document.querySelector('[data-testid=mapper-save-state]')?.textContent === 'All changes saved');
    await shot(page, 'unsaved-02-mapper-autosaved');
    await page.fill('input[aria-label="Target name"]', 'warehouseId');
    await page.reload();
    await page.waitForSelector('[data-testid=target-pane] tr[data-target="externalId"]');
    expect(await targets(page)).toEqual(accepted.map((t) => (t === 'warehouse' ? 'warehouseId' : t)));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('canvas: a node renamed in the inspector and reloaded within 200 ms keeps its new name', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchPage(page);
    const asked = acceptLeaving(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    await page.goto(`${env.backend.baseUrl}/flows/${FLOW}`);
    await page.click('[data-testid=node-post]');
    await page.fill('#node-name', 'Post to the ERP');
    await page.waitForTimeout(100);
    await page.reload();
    await page.waitForSelector('[data-testid=node-post]');
    expect(await page.textContent('[data-testid=node-post]')).toContain('Post to the ERP');
    expect((await draftNode('post')).name).toBe('Post to the ERP');
    // The save was still pending at unload: the browser asked before leaving.
    expect(asked).toEqual(['beforeunload']);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
