// The monitors page in real Chromium against the real server (monitor templates installed in sandbox mode): an
// operator sees what each monitor watches, its threshold, state, last check and last firing; a flow failing past the
// threshold makes the runs monitor fire; each flow links to the monitors covering it; a client gets the role page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, type Env } from './helpers.ts';
import type { Res } from '../src/api/contract.ts';
import type { RunRecord } from '../src/api/types.ts';

let env: Env;
let browser: Browser;
const VIEWPORT = { width: 1400, height: 900 };
const OPS = { email: 'otto@ops.example', name: 'Otto Ops', role: 'operator', password: 'ops-pw-123' };
const CLIENT = { email: 'clara@client.example', name: 'Clara Client', role: 'client', password: 'client-pw-2' };
const FLOW = 'failing-sync';

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([OPS, CLIENT]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const base = () => env.backend.baseUrl;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the monitors page in Chromium', () => {
  it('shows each monitor’s watch, threshold, state, last check and firing; the runs monitor fires on a failing flow; flows link to their monitors', async () => {
    // A webhook flow whose code step always fails, three times: the runs monitor's threshold is 3 within 60 min.
    await env.admin('POST', '/api/flows', {
      schemaVersion: 1,
      id: FLOW,
      name: 'Failing sync',
      nodes: [
        { id: 'hook', type: 'trigger.webhook', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
        { id: 'boom', type: 'core.code', typeVersion: 1, position: { x: 300, y: 0 }, config: { code: "throw new Error('ERP customer missing')" } },
      ],
      edges: [{ id: 'e1', source: 'hook', target: 'boom', sourceHandle: 'out', targetHandle: 'in' }],
    });
    await env.admin('POST', `/api/flows/${FLOW}/publish`, { message: 'fails on purpose' });
    await env.admin('POST', `/api/flows/${FLOW}/activate`, {});
    const { secret } = await env.admin<Res<'/api/flows/{id}/webhook-secret', 'post'>>('POST', `/api/flows/${FLOW}/webhook-secret`);
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${base()}/webhooks/flows/${FLOW}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ n: i }),
      });
      expect(r.status).toBe(200);
    }
    await until('3 failed runs', async () => {
      const { runs } = await env.admin<Res<'/api/runs', 'get'>>('GET', `/api/runs?flowId=${FLOW}`);
      return runs.filter((r) => r.status === 'failed').length === 3 ? true : undefined;
    });
    // The runs monitor checks now instead of at its next 5-minute tick.
    const { runId } = await env.admin<Res<'/api/flows/{id}/run-now', 'post'>>('POST', '/api/flows/monitor-runs/run-now');
    await until('the monitor check', async () => {
      const r = await env.admin<RunRecord>('GET', `/api/runs/${runId}`);
      return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
    });

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), OPS.email, OPS.password);
    await page.click('a.tab:has-text("Monitors")');
    await page.waitForSelector('[data-testid=monitors-page] [data-testid=monitors]');
    // The four monitor templates a fresh sandbox install runs.
    const keys = await page.locator('tr[data-monitor]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-monitor')));
    expect(keys.sort()).toEqual([
      'monitor-inventory-drift/inventory-drift',
      'monitor-orphaned-orders/orphaned-orders',
      'monitor-payment-status/payment-status',
      'monitor-runs/runs',
    ]);
    const runs = page.locator('tr[data-monitor="monitor-runs/runs"]');
    expect(await runs.getAttribute('data-state')).toBe('firing');
    expect(await runs.locator('[data-testid=monitor-state]').textContent()).toBe('firing');
    expect(await runs.locator('td').nth(1).textContent()).toContain('Failed and stuck runs of every flow');
    expect(await runs.locator('[data-testid=thresholds]').textContent()).toContain('Failed runs: 3 or more unfixed failures within 60 min');
    expect(await runs.locator('td').nth(3).textContent()).toMatch(/^Every 5 minutes/);
    expect(await runs.locator('[data-testid=last-check]').textContent()).toMatch(/ago succeeded.*found 1, 1 new, 0 cleared/);
    expect(await runs.locator('[data-testid=last-fired]').textContent()).toContain(`3 of 3 runs of ${FLOW} failed in the last 60 min`);
    // Monitors that have not checked yet say so rather than "ok"; the drift monitor names its threshold.
    expect(await page.locator('tr[data-monitor="monitor-inventory-drift/inventory-drift"] [data-testid=thresholds]').textContent()).toContain(
      'Drift: any difference',
    );
    // Per flow: the failing flow is watched by the runs monitor; the order flow also by the orphaned-order and payment checks.
    const cov = page.locator(`[data-testid=flow-coverage] tr[data-flow="${FLOW}"]`);
    expect(await cov.getAttribute('data-watched')).toBe('yes');
    expect(await cov.locator('[data-monitor-chip="monitor-runs/runs"]').textContent()).toBe('Failed and stuck runs firing · 1 open');
    // Firing for the failing flow is not firing for the others the runs monitor covers.
    expect(
      await page.locator('[data-testid=flow-coverage] tr[data-flow="order-to-erp"] [data-monitor-chip="monitor-runs/runs"]').getAttribute('data-state'),
    ).toBe('ok');
    expect(await page.locator('[data-testid=flow-coverage] tr[data-flow="order-to-erp"]').textContent()).toContain('Paid orders not in the ERP after 30 min');
    await shot(page, 'monitors-01-page');
    await page.locator('[data-testid=flow-coverage]').scrollIntoViewIfNeeded();
    await shot(page, 'monitors-01b-flow-coverage');

    // From the flow list: the flow's own monitors.
    await page.click('a.tab:has-text("Flows")');
    await page.click(`[data-flow-actions="${FLOW}"] a:has-text("Monitors")`);
    await page.waitForSelector('[data-testid=monitors-page] [data-testid=monitors]');
    expect(new URL(page.url()).search).toBe(`?flow=${FLOW}`);
    expect(await page.textContent('[data-testid=monitors-page] h2')).toBe('Monitors of Failing sync');
    expect(await page.locator('tr[data-monitor]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-monitor')))).toEqual(['monitor-runs/runs']);
    await shot(page, 'monitors-02-of-one-flow');
    // Its open exception is one click away, the inbox filtered to its type.
    await page.click('tr[data-monitor="monitor-runs/runs"] a:has-text("1 open")');
    await page.waitForSelector('[data-testid=exceptions-page] tr[data-exception]');
    expect(await page.inputValue('input[aria-label="Type"]')).toBe('failed-run');
    expect(await page.locator('tr[data-exception]', { hasText: `3 of 3 runs of ${FLOW} failed` }).count()).toBe(1);
    // And from the flow's editor: with nothing selected the inspector links the flow's runbook, monitors and runs.
    await page.goto(`${base()}/flows/${FLOW}`);
    await page.click('[data-testid=flow-pages] a:has-text("Monitors")');
    await page.waitForSelector('[data-testid=monitors-page] tr[data-monitor="monitor-runs/runs"]');
    expect(new URL(page.url()).search).toBe(`?flow=${FLOW}`);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a client gets the role page, not the monitors, and no Monitors tab', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, base(), CLIENT.email, CLIENT.password);
    expect(await page.locator('a.tab:has-text("Monitors")').count()).toBe(0);
    await page.goto(`${base()}/monitors`);
    await page.waitForSelector('[data-testid=forbidden]');
    expect(await page.textContent('[data-testid=forbidden] h2')).toBe('Your role can’t see Monitors');
    expect(await page.locator('[data-testid=monitors]').count()).toBe(0);
    await shot(page, 'monitors-03-client-forbidden');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
