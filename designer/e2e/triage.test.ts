// Issue 14 in Chromium against the real server on a fresh sandbox install: an order with an unmapped tax rate fails;
// an operator opens the exceptions inbox, reads the triage (cause category, next step, why), sees the tax code proposed
// from the sandbox ERP's own tax list (also in the lookup editor), accepts it, and the waiting run is retried and
// posts. Then an owner sets up the assistant's language model (Settings → Assistant) against a loopback server that
// speaks the OpenAI chat-completions contract, tests it, sees exactly what would be sent, and turns it on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createSandboxErp, type SandboxErp } from '../../nodes/erp/sandbox/index.ts';
import { startLoopbackProvider, type LoopbackProvider } from '../../server/assist/ai/loopback-provider.ts';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, waitForOrderRun, type Env } from './helpers.ts';
import type { Res } from '../src/api/contract.ts';
import { emptyMappingFlow } from './fixtures.ts';

const OPERATOR = { email: 'ops@example.com', name: 'Olu Operator', role: 'operator', password: 'operator-pw-1' };
const CONSULTANT = { email: 'cons@example.com', name: 'Cass Consultant', role: 'consultant', password: 'consultant-pw-1' };
const KEY = 'sk-e2e-loopback-7Hq2Lm9x';

let env: Env;
let browser: Browser;
let lp: LoopbackProvider;

beforeAll(async () => {
  browser = await launchBrowser();
  lp = await startLoopbackProvider();
  env = await startEnv([OPERATOR, CONSULTANT]);
  // Finance has created the ERP's tax codes for the new Ohio resort tax (same rate, another country's code too).
  const erp = createSandboxErp({ file: join(env.backend.dataDir, 'sandbox-erp.sqlite') }) as SandboxErp;
  erp.admin.addTaxCode('CA-GST-7', 'GST 7%', '0.07');
  erp.admin.addTaxCode('US-OH-RESORT-7', 'Ohio Resort Tax 7%', '0.07');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
  await lp?.close();
});

const row = (page: Page, type: string) => page.locator(`[data-testid=exceptions-page] tr[data-exception]:has(code:text-is("${type}"))`);

describe('assisted triage in Chromium', () => {
  it('an operator reads the triage of an unmapped tax rate, accepts the proposed ERP tax code, and the waiting run posts', async () => {
    const sent = await env.admin<Res<'/api/sandbox/events', 'post'>>('POST', '/api/sandbox/events', { scenario: 'unmapped-tax' });
    const failed = await waitForOrderRun(env.admin, 'order-to-erp', sent.orderId!, { timeoutMs: 30_000 });
    expect(failed.status).toBe('failed');

    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, OPERATOR.email, OPERATOR.password);
    await page.click('a.tab:has-text("Exceptions")');
    const ex = row(page, 'unmapped-tax-code');
    await ex.locator('[data-testid=triage]').waitFor({ timeout: 15_000 });
    expect(await ex.locator('[data-testid=triage]').getAttribute('data-category')).toBe('missing-reference-data');
    expect(await ex.locator('.triage-cat').textContent()).toBe('Missing reference data');
    expect(await ex.locator('.triage-next').textContent()).toMatch(/^Add the row mapping this tax rate to the ERP tax code/);
    // Every exception in the inbox carries its triage, not only this one.
    const rows = await page.locator('[data-testid=exceptions-page] tr[data-exception]').count();
    expect(await page.locator('[data-testid=exceptions-page] tr[data-exception] [data-testid=triage]').count()).toBe(rows);
    // Resolving it by hand would strand its order: the form says so before anyone does (then is put away).
    await ex.locator('td.actions button:text-is("resolve")').click();
    await page.waitForSelector('[data-testid=resolve-stranded]');
    expect(await page.textContent('[data-testid=resolve-stranded]')).toMatch(
      /^\d+ failed runs? of this exception (was|were) not retried: resolving posts nothing/,
    );
    await page.click('[data-testid=form-resolve] button:has-text("Cancel")');

    await ex.locator('button:has-text("Why, and the proposed fix")').click();
    await ex.locator('[data-testid=proposals] tr[data-proposal]').first().waitFor({ timeout: 15_000 });
    expect(await ex.locator('[data-testid=triage-detail]').textContent()).toMatch(/Ohio Resort Tax/);
    const proposed = await ex.locator('[data-testid=proposals] tr[data-proposal]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-proposal')));
    expect(proposed[0]).toBe('US-OH-RESORT-7');
    expect(proposed).toContain('CA-GST-7');
    expect(await ex.locator('tr[data-proposal="US-OH-RESORT-7"]').textContent()).toMatch(/rate 7 % equals the Shopify rate/);
    await shot(page, 'i14-llm-inbox-triage');

    // The lookup editor shows the same proposal where client staff keep the table.
    const { lookups } = await env.admin<{ lookups: { table: string; scope: string } }>(
      'GET',
      `/api/assist/exceptions/${await ex.getAttribute('data-exception')}`,
    );
    const editor = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const editorErrors = watchPage(editor);
    await signIn(editor, env.backend.baseUrl, OPERATOR.email, OPERATOR.password);
    await editor.goto(`${env.backend.baseUrl}/lookups/${encodeURIComponent(lookups.scope)}/${encodeURIComponent(lookups.table)}`);
    await editor.waitForSelector('[data-testid=lookup-proposals] tr[data-proposal="US-OH-RESORT-7"]', { timeout: 15_000 });
    await shot(editor, 'i14-llm-lookup-editor-proposals');
    expect(editorErrors).toEqual([]);
    await editor.close();

    // Every run waiting on this exception (the order's run in each flow that looks the rate up) is retried.
    const detail = await env.admin<Res<'/api/exceptions/{id}', 'get'>>('GET', `/api/exceptions/${await ex.getAttribute('data-exception')}`);
    const waiting = new Set(detail.runs.map((r) => r.runId)).size;
    expect(detail.runs.map((r) => r.runId)).toContain(failed.runId);
    await ex.locator('button:has-text("Accept US-OH-RESORT-7")').click();
    await page.waitForSelector('[data-testid=triage-status]');
    expect(await page.textContent('[data-testid=triage-status]')).toBe(`Row added to tax-codes as version 2; ${waiting} waiting run(s) retried.`);
    const replay = await waitForOrderRun(env.admin, 'order-to-erp', sent.orderId!, { replayOf: failed.runId, timeoutMs: 30_000 });
    expect(replay.status).toBe('succeeded');
    const rowsNow = await env.admin<Res<'/api/lookups/{scope}/{name}', 'get'>>(
      'GET',
      `/api/lookups/${encodeURIComponent(lookups.scope)}/${encodeURIComponent(lookups.table)}`,
    );
    expect(rowsNow.rows).toContainEqual(expect.objectContaining({ title: 'Ohio Resort Tax', taxCode: 'US-OH-RESORT-7' }));
    // When every retried run has gone through, the exception resolves itself; the inbox (needs attention) drops it.
    const exId = (await ex.getAttribute('data-exception'))!;
    let state = '';
    for (let i = 0; i < 150 && state !== 'resolved'; i++) {
      state = (await env.admin<Res<'/api/exceptions/{id}', 'get'>>('GET', `/api/exceptions/${exId}`)).state;
      if (state !== 'resolved') await new Promise((r) => setTimeout(r, 200));
    }
    const after = await env.admin<Res<'/api/exceptions/{id}', 'get'>>('GET', `/api/exceptions/${exId}`);
    expect(after.state, JSON.stringify(after.runs)).toBe('resolved');
    await page.click('a.tab:has-text("Runs")');
    await page.click('a.tab:has-text("Exceptions")');
    await page.waitForSelector('[data-testid=exceptions-page] tr[data-exception], [data-testid=no-exceptions]');
    await page.waitForFunction(
      () => ![...document.querySelectorAll('[data-testid=exceptions-page] tr[data-exception] code')].some((c) => c.textContent === 'unmapped-tax-code'),
      null,
      { timeout: 15_000 },
    );
    await shot(page, 'i14-llm-inbox-after-accept');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('an owner configures the language model, tests it against the loopback contract server, previews the request and turns it on; a consultant cannot', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, env.backend.adminEmail, env.backend.adminPassword);
    await page.goto(`${env.backend.baseUrl}/settings/assistant`);
    await page.waitForSelector('[data-testid=assistant-settings]');
    expect(await page.textContent('[data-testid=assistant-state]')).toMatch(/Language model off/);
    await page.selectOption('select[aria-label=Provider]', 'openai-compatible');
    await page.fill('input[aria-label=URL]', lp.url);
    await page.fill('input[aria-label=Model]', 'llama3.1:8b');
    await page.fill('input[aria-label="API key"]', KEY);
    await page.click('[data-testid=assistant-form] button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=assistant-status]')?.textContent?.startsWith('Saved.'));
    expect(await page.inputValue('input[aria-label="API key"]')).toBe('');
    expect(await page.textContent('[data-testid=assistant-form]')).toMatch(/a key is stored in the vault/);

    await page.click('button:has-text("Test")');
    await page.waitForFunction(() => /^Test (passed|failed)/.test(document.querySelector('[data-testid=assistant-status]')?.textContent ?? ''));
    expect(await page.textContent('[data-testid=assistant-status]')).toMatch(/^Test passed: llama3\.1:8b answered in \d+ ms in the expected shape\.$/);
    expect(lp.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);

    const before = lp.requests.length;
    await page.click('button:has-text("Show what would be sent")');
    await page.waitForSelector('[data-testid=assistant-preview] pre');
    const shown = (await page.textContent('[data-testid=assistant-preview] pre')) ?? '';
    expect(shown).toMatch(/Targets and candidates/);
    expect(shown).toMatch(/<email>/);
    expect(lp.requests.length).toBe(before); // shown, not sent
    await page.click('button:has-text("Turn on")');
    await page.waitForFunction(() => /Language model on/.test(document.querySelector('[data-testid=assistant-state]')?.textContent ?? ''));
    expect(await page.content()).not.toContain(KEY);
    await shot(page, 'i14-llm-assistant-settings');
    expect(errors).toEqual([]);
    await page.close();

    const cons = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(cons, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    await cons.goto(`${env.backend.baseUrl}/settings/assistant`);
    await cons.waitForSelector('[data-testid=assistant-state]');
    expect(await cons.locator('[data-testid=assistant-state] button').count()).toBe(0);
    expect(await cons.textContent('[data-testid=assistant-state]')).toMatch(/Only an owner turns the model on or off/);
    await cons.close();
    const op = await browser.newPage();
    await signIn(op, env.backend.baseUrl, OPERATOR.email, OPERATOR.password);
    await op.goto(`${env.backend.baseUrl}/settings/assistant`);
    await op.waitForSelector('.forbidden');
    await op.close();
  }, 90_000);

  // Runs after the owner turned the model on (above).
  it("in the mapper, Suggest shows the model's re-ranking, and after a broken answer the offline suggestions with a note; nothing personal was sent", async () => {
    const FLOW = 'model-assisted-orders';
    await env.admin('POST', '/api/flows', emptyMappingFlow(FLOW, 'Model-assisted orders to ERP'));
    lp.mode = 'ok';
    lp.requests.length = 0;
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, CONSULTANT.email, CONSULTANT.password);
    await page.goto(`${env.backend.baseUrl}/flows/${FLOW}/mapper`);
    await page.waitForSelector('[data-testid=mapper-page] [data-testid=suggest]');
    await page.click('[data-testid=suggest]');
    await page.waitForSelector('[data-testid=suggest-engine-notes][data-engine=model]');
    expect(await page.textContent('[data-testid=suggest-engine-notes]')).toMatch(/Re-ranked by llama3\.1:8b \(openai-compatible\)/);
    expect(lp.requests).toHaveLength(1);
    // Shopify's example order (the flow's sample) names its customer and addresses: none of it left the process.
    const body = lp.requests[0]!.body.toLowerCase();
    for (const p of ['jon@example.com', 'john@example.com', 'shipper', '123 shipping street', 'shippington', '555-555-ship', '40003'])
      expect(body, p).not.toContain(p);
    // Nothing is applied until accepted.
    expect(await page.locator('[data-testid=target-pane] tr[data-target]').count()).toBe(0);
    await shot(page, 'i14-llm-mapper-model');

    lp.mode = 'malformed';
    await page.click('[data-testid=suggest]');
    await page.waitForSelector('[data-testid=suggest-engine-notes][data-engine=offline]');
    expect(await page.textContent('[data-testid=suggest-engine-notes]')).toMatch(
      /The language model was not used: the model's answer was not the expected JSON\. These are the offline suggestions\./,
    );
    expect(await page.locator('tr[data-suggest-target="lines[].sku"] input[type=checkbox]').first().getAttribute('data-candidate')).toBe(
      'order.lineItems[].sku',
    );
    await shot(page, 'i14-llm-mapper-model-fallback');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  // Runs with the model on (above): it writes the explanation of an opened exception; the rules still choose the rest.
  it('with the model on, an operator reads an exception explained by the model, and after a broken answer the offline explanation with a note', async () => {
    lp.mode = 'ok';
    lp.requests.length = 0;
    const sent = await env.admin<Res<'/api/sandbox/events', 'post'>>('POST', '/api/sandbox/events', { scenario: 'unknown-sku' });
    expect((await waitForOrderRun(env.admin, 'order-to-erp', sent.orderId!, { timeoutMs: 30_000 })).status).toBe('failed');
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, OPERATOR.email, OPERATOR.password);
    await page.click('a.tab:has-text("Exceptions")');
    const ex = row(page, 'sku-missing-in-erp');
    await ex.waitFor({ timeout: 15_000 });
    const category = await ex.locator('.triage-cat').textContent();
    const next = await ex.locator('.triage-next').textContent();
    await ex.locator('[data-testid=triage] button[aria-expanded=false]').click();
    await ex.locator('[data-testid=triage-explanation][data-source=model]').waitFor({ timeout: 15_000 });
    expect(await ex.locator('[data-testid=triage-explanation]').textContent()).toMatch(new RegExp(`^Loopback explanation \\(${category}\\): `));
    expect(await ex.locator('[data-testid=triage-notes]').textContent()).toMatch(
      /^Explanation written by llama3\.1:8b \(openai-compatible\) in \d+ ms; the category and next step are the offline rules'\.$/,
    );
    // The rules still choose the category and the next step.
    expect(await ex.locator('.triage-cat').textContent()).toBe(category);
    expect(await ex.locator('.triage-next').textContent()).toBe(next);
    await ex.locator('button:has-text("Show the offline rule’s explanation")').click();
    expect(await ex.locator('[data-testid=triage-rule-explanation]').textContent()).not.toMatch(/Loopback/);
    expect(lp.requests).toHaveLength(1);
    const body = lp.requests[0]!.body.toLowerCase();
    for (const p of ['jon@example.com', 'john smith', '123 shipping street', '555-555-ship']) expect(body, p).not.toContain(p);
    await shot(page, 'i14-llm-triage-explained');

    // Another occurrence, a broken answer: the offline explanation, saying why.
    lp.mode = 'malformed';
    const exId = (await ex.getAttribute('data-exception'))!;
    const seen = (await env.admin<Res<'/api/exceptions/{id}', 'get'>>('GET', `/api/exceptions/${exId}`)).count;
    const again = await env.admin<Res<'/api/sandbox/events', 'post'>>('POST', '/api/sandbox/events', { scenario: 'unknown-sku' });
    expect((await waitForOrderRun(env.admin, 'order-to-erp', again.orderId!, { timeoutMs: 30_000 })).status).toBe('failed');
    for (let i = 0; i < 100 && (await env.admin<Res<'/api/exceptions/{id}', 'get'>>('GET', `/api/exceptions/${exId}`)).count <= seen; i++)
      await new Promise((r) => setTimeout(r, 200));
    await page.click('a.tab:has-text("Runs")');
    await page.click('a.tab:has-text("Exceptions")');
    const row2 = page.locator(`[data-testid=exceptions-page] tr[data-exception="${exId}"]`);
    await row2.locator('[data-testid=triage] button[aria-expanded=false]').click();
    await row2.locator('[data-testid=triage-notes]').waitFor({ timeout: 15_000 });
    expect(await row2.locator('[data-testid=triage-explanation]').getAttribute('data-source')).toBe('rule');
    expect(await row2.locator('[data-testid=triage-notes]').textContent()).toBe(
      "The language model was not used: the model's answer was not the expected JSON. This is the offline explanation.",
    );
    await shot(page, 'i14-llm-triage-fallback');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
