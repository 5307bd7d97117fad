// The designer in real Chromium against the real server (server/main.ts serve()) on a fresh data dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { apiAs, buildDesigner, startBackend, type Backend } from './backend.ts';
import { center, connect, drag, dropFromPalette, launchBrowser, shot, watchPage } from './browser.ts';
import type { Res } from '../src/api/contract.ts';

let backend: Backend;
let browser: Browser;
let admin: Awaited<ReturnType<typeof apiAs>>;
const VIEWPORT = { width: 1400, height: 880 };

beforeAll(async () => {
  // Chromium first: if it is missing the suite fails right here, loudly.
  browser = await launchBrowser();
  await buildDesigner();
  backend = await startBackend();
  admin = await apiAs(backend.baseUrl, backend.adminEmail, backend.adminPassword);
  await admin('POST', '/api/users', { email: 'consultant@example.com', name: 'Cora Consultant', role: 'consultant', password: 'consultant-pw' });
  await admin('POST', '/api/users', { email: 'client@example.com', name: 'Cliff Client', role: 'client', password: 'client-pw-1' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
});

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${backend.baseUrl}/`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]');
}

/** Types into the CodeMirror editor of a config field. */
async function typeCode(page: Page, field: string, text: string) {
  await page.click(`[data-field="${field}"] .cm-content`);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

describe('designer in Chromium against the real server', () => {
  it('a consultant builds a webhook → code → branch flow, edits it (undo, copy, layout), test-runs, publishes and runs it', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, 'consultant@example.com', 'consultant-pw');
    await shot(page, '01-flows-empty');

    await page.fill('input[aria-label="New flow name"]', 'Orders to ERP');
    await page.click('text=Create flow');
    await page.waitForSelector('[data-testid=palette]');
    expect(page.url()).toMatch(/\/flows\/orders-to-erp$/);

    // Palette: grouped by category, searchable.
    // The catalog grows with the node issues: compare with what the server says rather than a fixed list.
    const { nodeTypes } = await admin<Res<'/api/catalog', 'get'>>('GET', '/api/catalog');
    const groups = await page.locator('.palette-group h4').allTextContents();
    expect(groups[0]).toBe('Triggers');
    expect(groups).toHaveLength(new Set(nodeTypes.map((t) => t.category)).size);
    expect(await page.locator('.palette-item').count()).toBe(nodeTypes.length);
    await page.fill('input[aria-label="Search nodes"]', 'core.branch');
    expect(await page.locator('.palette-item strong').allTextContents()).toEqual(['Branch']);
    await page.fill('input[aria-label="Search nodes"]', '');

    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    await dropFromPalette(page, 'trigger.webhook', { x: canvas.x + 150, y: canvas.y + 120 });
    await dropFromPalette(page, 'core.code', { x: canvas.x + 450, y: canvas.y + 120 });
    await dropFromPalette(page, 'core.branch', { x: canvas.x + 450, y: canvas.y + 300 });
    await page.waitForSelector('[data-testid=node-branch]');
    expect(await page.locator('.react-flow__node').count()).toBe(3);
    // Each node lands where it was dropped (the view must not jump between drops).
    const codeBox = (await page.locator('[data-testid=node-code]').boundingBox())!;
    expect(Math.abs(codeBox.x + codeBox.width / 2 - (canvas.x + 450))).toBeLessThan(40);
    expect(Math.abs(codeBox.y + codeBox.height / 2 - (canvas.y + 120))).toBeLessThan(40);

    await connect(page, ['webhook', 'out'], ['code', 'in']);
    await connect(page, ['code', 'out'], ['branch', 'in']);
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 2);

    // A cycle is refused, with the reason on screen.
    await connect(page, ['branch', 'false'], ['code', 'in']);
    await page.waitForSelector('[data-testid=notice]');
    expect(await page.textContent('[data-testid=notice]')).toContain('would create a cycle');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    await shot(page, '02-built-with-problems');

    // The server's validation problems show on the nodes and in the list.
    await page.waitForSelector('[data-testid=problems-code]');
    const problems = page.locator('[data-testid=problems] li');
    expect(await problems.allTextContents()).toEqual(
      // Named as on the canvas, the id beside the name.
      expect.arrayContaining([
        expect.stringMatching(/^Code \(code\) \$\.nodes\[1\]\.config\.code/),
        expect.stringMatching(/^Branch \(branch\) \$\.nodes\[2\]\.config\.condition/),
      ]),
    );

    // Clicking a problem focuses its node; the inspector shows the form from the config schema.
    await page.click('[data-testid=problems] button[data-problem-where="code"]');
    await page.waitForSelector('[data-testid=inspector] [data-field="code"] .cm-editor');
    expect(await page.textContent('[data-testid=field-error-code]')).toBe('Code is required');
    expect(await page.locator('[data-field="timeoutMs"] input[type=number]').count()).toBe(1);
    await typeCode(page, 'code', "return { orderId: 'gid://shopify/Order/1001', lines: 2 };");
    await page.click('[data-testid=node-branch]');
    await typeCode(page, 'condition', 'input.lines > 0');
    await page.waitForFunction(() => document.querySelector('[data-testid=problems] .pill')?.textContent === '0', null, { timeout: 15_000 });
    expect(await page.locator('.ll-node.has-problems').count()).toBe(0);
    expect(await page.textContent('[data-testid=save-state]')).toBe('All changes saved');
    await shot(page, '03-fixed');

    // Delete, undo, redo; copy and paste.
    await page.click('[data-testid=node-branch]');
    await page.keyboard.press('Delete');
    // xyflow renders edges a frame after nodes: wait for the counts rather than reading them at once.
    const counts = (nodes: number, edges: number) =>
      page.waitForFunction(
        ([n, e]) => document.querySelectorAll('.react-flow__node').length === n && document.querySelectorAll('.react-flow__edge').length === e,
        [nodes, edges],
        { timeout: 5000 },
      );
    await counts(2, 1);
    await page.keyboard.press('Control+z');
    await counts(3, 2);
    await page.click('[data-testid=node-code]');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.waitForSelector('[data-testid=node-code_2]');
    await page.keyboard.press('Control+z');
    expect(await page.locator('[data-testid=node-code_2]').count()).toBe(0);

    // Moving a node by dragging it.
    const before = (await page.locator('[data-testid=node-branch]').boundingBox())!;
    const grab = await center(page, '[data-testid=node-branch] .ll-node-title');
    await drag(page, grab, { x: grab.x + 200, y: grab.y + 120 });
    const after = (await page.locator('[data-testid=node-branch]').boundingBox())!;
    expect(after.x - before.x).toBeGreaterThan(150);

    await page.click('text=Auto-layout');
    await page.waitForTimeout(400);
    const xs = await Promise.all(['webhook', 'code', 'branch'].map(async (id) => (await page.locator(`[data-testid=node-${id}]`).boundingBox())!.x));
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);

    // Test run of the draft: each node shows its status; clicking one shows its input and output.
    await page.click('button:has-text("Test run")');
    await page.waitForSelector('[data-testid=test-run-status]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=test-run-status]')).toBe('succeeded');
    expect(await page.textContent('[data-testid=status-code]')).toBe('succeeded');
    await page.click('[data-testid=node-code]');
    await page.waitForSelector('[data-testid=step-code] [data-testid=step-output]');
    expect(JSON.parse((await page.textContent('[data-testid=step-code] [data-testid=step-output]'))!)).toEqual({
      orderId: 'gid://shopify/Order/1001',
      lines: 2,
    });
    await shot(page, '04-test-run');

    // Publish with a message; the version appears in the history.
    await page.click('button:has-text("Publish…")');
    await page.fill('[data-testid=publish-dialog] input[name=message]', 'First version: order to ERP');
    await page.click('[data-testid=publish-dialog] button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=notice]')?.textContent?.includes('Published version 1'));
    // A new flow is inactive: published is not live, and the notice says what makes it so.
    expect(await page.textContent('[data-testid=notice]')).toContain(
      'Not live yet: the flow is inactive, so nothing runs it until it is activated (Activate).',
    );
    await page.click('button:has-text("Versions")');
    await page.waitForSelector('[data-testid=versions] tr[data-version="1"]');
    expect(await page.textContent('[data-testid=versions] tr[data-version="1"]')).toContain('First version: order to ERP');
    await shot(page, '05-published');

    // Activate; a signed call to the flow's webhook starts a real run that the runs page lists with its steps.
    await page.click('[data-testid=toggle-active]');
    await page.waitForFunction(() => document.querySelector('[data-testid=toggle-active]')?.textContent?.startsWith('Active v1'));
    const { secret } = await admin<Res<'/api/flows/{id}/webhook-secret', 'post'>>('POST', '/api/flows/orders-to-erp/webhook-secret');
    const hook = await fetch(`${backend.baseUrl}/webhooks/flows/orders-to-erp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'evt_1', total: '12.50' }),
    });
    expect(hook.status).toBe(200);
    await page.click('a.tab:has-text("Runs")');
    await page.waitForSelector('[data-testid=runs-page]');
    await page.selectOption('select[aria-label="Flow"]', 'orders-to-erp');
    await page.selectOption('select[aria-label="Status"]', 'succeeded');
    await page.waitForSelector('[data-testid=runs-page] tr[data-run]', { timeout: 20_000 }).catch(async () => {
      // The run may still be queued: refilter until it has finished.
      for (let i = 0; i < 20 && !(await page.locator('[data-testid=runs-page] tr[data-run]').count()); i++) {
        await page.selectOption('select[aria-label="Status"]', '');
        await page.selectOption('select[aria-label="Status"]', 'succeeded');
        await page.waitForTimeout(500);
      }
    });
    await shot(page, '06-runs');
    await page.click('[data-testid=runs-page] tr[data-run] a');
    await page.waitForSelector('[data-testid=run-detail]');
    expect(await page.textContent('[data-testid=run-status]')).toBe('succeeded');
    await page.click('button[data-step="webhook"]');
    expect(await page.textContent('[data-testid=step-webhook] [data-testid=step-output]')).toContain('12.50');
    await shot(page, '07-run-detail');
    await page.goto(`${backend.baseUrl}/flows/orders-to-erp`);

    // The draft was autosaved: a reload shows the same graph.
    await page.reload();
    await page.waitForSelector('[data-testid=node-branch]');
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a consultant exports a flow to a file and imports it: as a new flow, and (after confirming) as the draft of itself', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT, acceptDownloads: true });
    const errors = watchPage(page);
    const dir = mkdtempSync(join(tmpdir(), 'll-flow-files-'));
    type Flow = { id: string; name: string; nodes: unknown[] };
    const draftOf = async (id: string) =>
      (await admin<Res<'/api/flows/{id}', 'get'>>('GET', `/api/flows/${id}`)) as unknown as { draft: Flow; flow: Res<'/api/flows', 'get'>['flows'][number] };
    try {
      await signIn(page, 'consultant@example.com', 'consultant-pw');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-flow-actions="orders-to-erp"] button:has-text("Export")')]);
      expect(download.suggestedFilename()).toBe('orders-to-erp.json');
      const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Flow;
      const before = await draftOf('orders-to-erp');
      expect(exported).toEqual(before.draft);

      // Under another id: a new flow, opened in the editor, inactive whatever the original is.
      const copy = join(dir, 'eu.json');
      writeFileSync(copy, JSON.stringify({ ...exported, id: 'orders-to-erp-eu', name: 'Orders to ERP (EU)' }));
      await page.setInputFiles('input[aria-label="Flow JSON file"]', copy);
      await page.waitForURL(/\/flows\/orders-to-erp-eu$/);
      await page.waitForSelector('[data-testid=palette]');
      expect(await page.locator('.react-flow__node').count()).toBe(exported.nodes.length);
      const eu = await draftOf('orders-to-erp-eu');
      expect(eu.draft.nodes).toEqual(exported.nodes);
      expect(eu.flow).toMatchObject({ name: 'Orders to ERP (EU)', active: false, latestVersion: null });

      // Not a flow: said, with the file's name, and nothing is created.
      await page.click('a.tab:has-text("Flows")');
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{"id": "x", nodes: []}');
      await page.setInputFiles('input[aria-label="Flow JSON file"]', broken);
      expect(await page.textContent('[data-testid=import-error]')).toMatch(/^broken\.json is not JSON: /);

      // Under its own id: replaces the draft only once confirmed; the live version and the versions stay.
      const renamed = join(dir, 'renamed.json');
      writeFileSync(renamed, JSON.stringify({ ...exported, name: 'Orders to ERP, renamed' }));
      await page.setInputFiles('input[aria-label="Flow JSON file"]', renamed);
      const confirm = page.locator('[data-testid=import-confirm]');
      expect(await confirm.textContent()).toContain('renamed.json is the flow “orders-to-erp”, which is here already as “Orders to ERP”');
      await shot(page, '07-import-confirm');
      await confirm.locator('button:has-text("Cancel")').click();
      expect((await draftOf('orders-to-erp')).flow.name).toBe('Orders to ERP');
      await page.setInputFiles('input[aria-label="Flow JSON file"]', renamed);
      await page.click('[data-testid=import-confirm] button:has-text("Replace the draft")');
      await page.waitForURL(/\/flows\/orders-to-erp$/);
      const after = await draftOf('orders-to-erp');
      expect(after.draft.name).toBe('Orders to ERP, renamed');
      expect(after.flow).toMatchObject({ activeVersion: before.flow.activeVersion, latestVersion: before.flow.latestVersion });

      // A published version exports from the versions panel: its definition, not the draft's.
      await page.waitForSelector('[data-testid=palette]');
      await page.click('button:has-text("Versions")');
      const [v1] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=versions] tr[data-version="1"] button:has-text("Export JSON")')]);
      expect(v1.suggestedFilename()).toBe('orders-to-erp.v1.json');
      const published = await admin<Res<'/api/flows/{id}/versions/{v}', 'get'>>('GET', '/api/flows/orders-to-erp/versions/1');
      expect(JSON.parse(readFileSync((await v1.path())!, 'utf8'))).toEqual(published.definition);
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await page.close();
    }
  }, 90_000);

  it('a client user sees the mapper, not the canvas, palette or code', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await signIn(page, 'client@example.com', 'client-pw-1');
    expect(await page.textContent('[data-testid=who]')).toContain('client');
    expect(await page.locator('text=Create flow').count()).toBe(0);
    expect(await page.locator('text=Import JSON…').count()).toBe(0);
    await page.waitForSelector('[data-flow-actions="orders-to-erp"]:has-text("Runbook")');
    expect(await page.locator('[data-flow-actions] button:has-text("Export")').count()).toBe(0);
    expect(await page.locator('a.tab:has-text("Runs")').count()).toBe(0);
    await page.click('text=Orders to ERP');
    await page.waitForSelector('[data-testid=mapper-page]');
    expect(page.url()).toMatch(/\/flows\/orders-to-erp\/mapper$/);
    await page.goto(`${backend.baseUrl}/flows/orders-to-erp`);
    await page.waitForSelector('[data-testid=mapper-page]');
    expect(await page.locator('.react-flow, [data-testid=palette], .cm-editor').count()).toBe(0);
    await shot(page, '08-client-mapper');
    await page.close();
  }, 60_000);
});
