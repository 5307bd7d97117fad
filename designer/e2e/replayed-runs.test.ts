// A failure a replay made good says so, in Chromium against the real server in sandbox mode: an order with an
// unmapped tax rate fails (its orders/create and orders/paid runs) and waits in an exception; adding the missing
// lookup row retries the waiting runs and the replays succeed. The original failed run's page then names its replay
// ("Replayed by run_… (succeeded)", linked), its Replay button is no longer the primary action and a note says the
// failure needs nothing more; the runs list marks each such failure "replayed ✓", linking to the replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, type Env, until } from './helpers.ts';
import type { Res } from '../src/api/contract.ts';

const OPERATOR = { email: 'replayed-operator@example.com', name: 'Rhea Replayer', role: 'operator', password: 'operator-pw-1' };
const VIEWPORT = { width: 1280, height: 860 };

let env: Env;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([OPERATOR]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

type Runs = Res<'/api/runs', 'get'>['runs'];

describe('a failed run whose replay succeeded', () => {
  it('names its replay on its page, stops pressing for another replay, and is marked in the runs list', async () => {
    const sent = await env.admin<{ orderId: string; orderName: string }>('POST', '/api/sandbox/events', { scenario: 'unmapped-tax' });
    const ofOrder = `/api/runs?flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${sent.orderId}`)}`;
    const failed = await until(async () => {
      const { runs } = await env.admin<Res<'/api/runs', 'get'>>('GET', ofOrder);
      return runs.length && runs.every((r) => r.status === 'failed') ? runs : undefined;
    }, `the failed runs of ${sent.orderName}`);
    // Not replayed yet: nothing to say.
    expect(failed.every((r) => r.replayedBy === undefined && r.replaySucceededBy === undefined)).toBe(true);

    // The cause fixed: the missing tax code added from the exception, which retries the waiting runs.
    const exc = await until(async () => {
      const { items } = await env.admin<Res<'/api/exceptions', 'get'>>('GET', '/api/exceptions?type=unmapped-tax-code&state=unresolved');
      const e = items[0];
      if (!e) return undefined;
      const d = await env.admin<Res<'/api/exceptions/{id}', 'get'>>('GET', `/api/exceptions/${e.id}`);
      return d.runs.length === failed.length ? d : undefined;
    }, 'the exception holding the failed runs');
    const fix = await env.admin<Res<'/api/exceptions/{id}/fix-lookup', 'post'>>('POST', `/api/exceptions/${exc.id}/fix-lookup`, {
      values: { taxCode: 'US-OH-7' },
    });
    expect(fix.retried.runs).toHaveLength(failed.length);
    const replays = await until(async () => {
      const { runs } = await env.admin<Res<'/api/runs', 'get'>>('GET', ofOrder);
      const rs = runs.filter((r) => r.replayOf);
      return rs.length === failed.length && rs.every((r) => r.status === 'succeeded') ? rs : undefined;
    }, 'the replays to succeed');
    const original = failed[0]!;
    const replay = replays.find((r) => r.replayOf === original.runId)!;
    expect(replay).toBeDefined();

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(page);
    await signIn(page, env.backend.baseUrl, OPERATOR.email, OPERATOR.password);

    // The original run's page: still failed, but replayed, linked forward to the replay that succeeded.
    await page.goto(`${env.backend.baseUrl}/runs/${original.runId}`);
    await page.waitForSelector('[data-testid=replayed-by]');
    expect(await page.textContent('[data-testid=run-status]')).toBe('failed');
    expect(await page.textContent('[data-testid=replayed-by]')).toBe(`Replayed by ${replay.runId} (succeeded)`);
    expect(await page.getAttribute(`[data-testid=replayed-by] a[href="/runs/${replay.runId}"]`, 'href')).toBe(`/runs/${replay.runId}`);
    expect(await page.textContent('[data-testid=replay-note]')).toContain(`Its replay ${replay.runId} succeeded: this failure needs nothing more`);
    // Replaying it again stays possible, but is no longer the primary action.
    const button = page.locator('[data-testid=replay-button]');
    expect(await button.textContent()).toBe('Replay again…');
    expect(await button.getAttribute('class')).not.toContain('primary');
    expect(await page.getAttribute('[data-testid=run-detail] [data-testid=replayed-pill]', 'href')).toBe(`/runs/${replay.runId}`);
    await shot(page, 'replayed-runs-01-original-run');
    await page.click(`[data-testid=replayed-by] a[href="/runs/${replay.runId}"]`);
    await page.waitForFunction((id) => document.querySelector('[data-testid=run-detail] h2')?.textContent === `Run ${id}`, replay.runId);
    expect(await page.textContent('[data-testid=run-status]')).toBe('succeeded');
    expect(await page.textContent('[data-testid=run-detail] p.muted')).toContain(`replay of ${original.runId}`);

    // The runs list: each failure of the order is marked as replayed, linking to its replay.
    await page.click('a.tab:has-text("Runs")');
    await page.waitForSelector(`tr[data-run="${original.runId}"]`);
    for (const f of failed) {
      const row = page.locator(`tr[data-run="${f.runId}"]`);
      const pill = row.locator('[data-testid=replayed-pill]');
      expect(await pill.textContent()).toBe('replayed ✓');
      expect(await pill.getAttribute('href')).toBe(`/runs/${replays.find((r) => r.replayOf === f.runId)!.runId}`);
      expect(await row.locator('.pill.status-failed').textContent()).toBe('failed');
    }
    // The replays themselves, and runs never replayed, carry no such mark.
    for (const r of replays) expect(await page.locator(`tr[data-run="${r.runId}"] [data-testid=replayed-pill]`).count()).toBe(0);
    await shot(page, 'replayed-runs-02-runs-list');
    await page.locator(`tr[data-run="${original.runId}"] [data-testid=replayed-pill]`).click();
    await page.waitForFunction((id) => document.querySelector('[data-testid=run-detail] h2')?.textContent === `Run ${id}`, replay.runId);

    // The API says the same for a list page: the replays are read with the page.
    const listed: Runs = (await env.admin<Res<'/api/runs', 'get'>>('GET', `${ofOrder}&status=failed`)).runs;
    expect(listed.map((r) => [r.runId, r.replaySucceededBy]).sort()).toEqual(
      failed.map((f) => [f.runId, replays.find((r) => r.replayOf === f.runId)!.runId]).sort(),
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
