// Client changes that need a consultant's approval, in real Chromium against the real server in sandbox mode: a
// consultant turns approval on for order-to-ERP; a client changes what the sales order lines say and publishes, and
// sees the change waiting for approval while the live version stays; the consultant finds it on the flow, reviews the
// changed setting and the dry run over the last sandbox orders and approves; the client's change is the live version
// (authored by the client, approved by the consultant) and the next order posts with it. A second change is rejected
// with a reason, which the client reads on the flow; a third is taken back by the client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, shot, watchPage } from './browser.ts';
import { signIn, startEnv, waitForOrderRun, type Env } from './helpers.ts';
import type { Res } from '../src/api/contract.ts';
import type { RunRecord } from '../src/api/types.ts';

let env: Env;
let browser: Browser;
const VIEWPORT = { width: 1400, height: 900 };
const CLIENT = { email: 'carla@client.example', name: 'Carla Client', role: 'client', password: 'client-pw-3' };
const CONSULTANT = { email: 'conor@consult.example', name: 'Conor Consultant', role: 'consultant', password: 'consultant-pw-4' };
const FLOW = 'order-to-erp';
const orders: Array<{ orderId: string; orderName: string }> = [];
let liveBefore = 0;

interface FlowRead {
  flow: { activeVersion: number | null; latestVersion: number | null };
}
interface Version {
  version: number;
  createdBy: string;
  approvedBy?: string;
  message: string;
  definition?: { nodes: Array<{ id: string; config: unknown }> };
}

beforeAll(async () => {
  browser = await launchBrowser();
  env = await startEnv([CLIENT, CONSULTANT]);
  for (let i = 0; i < 2; i++) orders.push(await env.admin('POST', '/api/sandbox/events', { scenario: 'paid-order' }));
  for (const o of orders) expect((await waitForOrderRun(env.admin, FLOW, o.orderId, { timeoutMs: 60_000 })).status).toBe('succeeded');
  liveBefore = (await env.admin<FlowRead>('GET', `/api/flows/${FLOW}`)).flow.activeVersion!;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const base = () => env.backend.baseUrl;
const flowRead = () => env.admin<FlowRead>('GET', `/api/flows/${FLOW}`);
const mapperOf = (page: Page) => page.goto(`${base()}/flows/${FLOW}/mapper?node=sales-order-fields`);

/** As the client: a transform on the lines' description, saved, then the publish dialog submitted for approval. */
async function clientAsksFor(page: Page, transform: { pick: string; pill: string }, note: string) {
  await mapperOf(page);
  await page.waitForSelector('tr[data-target="lines[].description"]');
  await page.click('tr[data-target="lines[].description"]');
  await page.selectOption('select[aria-label="Add transform"]', transform.pick);
  await page.waitForSelector(`tr[data-target="lines[].description"] .transform-pill:has-text("${transform.pill}")`);
  await page.click('button:has-text("Save draft")');
  await page.waitForFunction(() => document.querySelector('[data-testid=mapper-message]')?.textContent === 'Draft saved.');
  await page.click('button:has-text("Publish…")');
  const dialog = page.locator('[data-testid=mapper-publish-dialog]');
  await dialog.locator('[data-testid=dry-run-events]').waitFor({ timeout: 60_000 });
  expect(await dialog.locator('h3').textContent()).toBe('Ask for approval to publish the mapping');
  expect(await dialog.locator('[data-testid=approval-note]').textContent()).toMatch(/goes live once a consultant approves it/);
  await dialog.locator('input[name=message]').fill(note);
  // A change no order would feel (trimming texts without spaces) asks for no confirmation.
  if (await dialog.locator('[data-testid=publish-confirm]').count()) await dialog.locator('[data-testid=publish-confirm]').check();
  const submit = dialog.locator('button[type=submit]');
  expect(await submit.textContent()).toBe('Submit for approval');
  return { dialog, submit };
}

describe('client changes that need a consultant’s approval', () => {
  it('a client’s change waits for approval; the consultant reviews and approves it; the client’s version goes live', async () => {
    // The consultant turns approval on, in the flow's versions panel.
    const consultant = await browser.newPage({ viewport: VIEWPORT });
    const consultantErrors = watchPage(consultant);
    await signIn(consultant, base(), CONSULTANT.email, CONSULTANT.password);
    await consultant.goto(`${base()}/flows/${FLOW}`);
    await consultant.click('[data-testid=toolbar] button:has-text("Versions")');
    const toggle = consultant.locator('[data-testid=approval-policy]');
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    // The box follows the server's answer, so it ticks once the policy is saved.
    await toggle.click();
    await consultant.waitForFunction(() => (document.querySelector('[data-testid=approval-policy]') as HTMLInputElement | null)?.checked === true);
    expect(await env.admin<Res<'/api/flows/{id}/approval-policy', 'get'>>('GET', `/api/flows/${FLOW}/approval-policy`)).toMatchObject({
      clientChangesNeedApproval: true,
      updatedBy: CONSULTANT.email,
    });
    await shot(consultant, 'approval-01-consultant-turns-approval-on');

    // The client changes the ERP line texts to capitals and publishes: it waits for approval.
    const client = await browser.newPage({ viewport: VIEWPORT });
    const clientErrors = watchPage(client);
    await signIn(client, base(), CLIENT.email, CLIENT.password);
    const { dialog, submit } = await clientAsksFor(client, { pick: 'case', pill: 'upper' }, 'ERP line texts in capitals');
    const changedOrders = await dialog.locator('[data-testid=dry-run-event][data-verdict=changed] summary strong').allTextContents();
    for (const o of orders) expect(changedOrders).toContain(o.orderName);
    await shot(client, 'approval-02-client-submits-for-approval');
    await submit.click();
    await client.waitForFunction(() => document.querySelector('[data-testid=mapper-message]')?.textContent?.startsWith('Sent for approval'));
    const banner = client.locator('[data-testid=change-request-banner][data-status=pending]');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(
      /^Waiting for approval: “ERP line texts in capitals”, asked by you on .+\. It goes live once a consultant approves it\.\s*Withdraw$/,
    );
    await shot(client, 'approval-03-client-waiting-for-approval');
    // Nothing went live.
    expect((await flowRead()).flow).toMatchObject({ activeVersion: liveBefore, latestVersion: liveBefore });

    // The consultant sees it in the flow list, on the flow (and counted on the Approvals tab), and opens the review.
    await consultant.goto(`${base()}/flows`);
    expect(await consultant.locator('[data-testid=waiting-approval]').textContent()).toBe('change to review');
    await consultant.goto(`${base()}/flows/${FLOW}`);
    await consultant.locator('[data-testid=change-request-banner][data-status=pending]').waitFor();
    expect(await consultant.locator('[data-testid=approvals-tab] .count').textContent()).toBe('1');
    await consultant.click('[data-testid=review-change-request]');
    const review = consultant.locator('[data-testid=change-request-page]');
    await review.waitFor();
    await review.locator('[data-testid=config-changes]').waitFor();
    expect(await review.locator('[data-testid=change-request-message]').textContent()).toBe('ERP line texts in capitals');
    const changed = review.locator('[data-testid=config-changes] tbody tr');
    expect(await changed.count()).toBe(1);
    expect(await changed.first().getAttribute('data-node')).toBe('sales-order-fields');
    // Named as the mapper names it, the transform in words.
    expect(await changed.first().locator('td').nth(1).textContent()).toMatch(/^lines\[\]\.description · transforms\[\d+\]$/);
    expect(await changed.first().locator('td.before').textContent()).toBe('—');
    expect(await changed.first().locator('td.after').textContent()).toBe('upper case');
    // The dry run made when the client asked: per order, the ERP line description before and after.
    for (const o of orders) {
      // An order can have more than one event of the flow (created, then paid): each is tried.
      const events = review.locator('[data-testid=dry-run-event][data-verdict=changed]').filter({ has: consultant.getByText(o.orderName, { exact: true }) });
      expect(await events.count(), `no changed event for ${o.orderName}`).toBeGreaterThan(0);
      const ev = events.first();
      const [before, after] = await ev
        .locator('[data-testid=dry-run-fields] tr', { hasText: 'lines[0].description' })
        .locator('td')
        .allTextContents()
        .then((c) => [c[1]!, c[2]!] as const);
      expect(after).toBe(before.toUpperCase());
      expect(after).not.toBe(before);
    }
    expect(await review.locator('[data-testid=stale-warning]').count()).toBe(0);
    await shot(consultant, 'approval-04-consultant-reviews-change');
    await review.locator('[data-testid=approve]').click();
    await review.locator('[data-testid=decision-outcome]').waitFor();
    const outcome = await review.locator('[data-testid=decision-outcome]').textContent();
    const published = liveBefore + 1;
    expect(outcome).toBe(`Approved: version ${published} is live, authored by ${CLIENT.email}, approved by ${CONSULTANT.email}.`);
    // The outcome comes with the approve answer; the status with the list reloaded after it: wait for it, not read it at once.
    await expect.poll(() => review.getAttribute('data-status'), { timeout: 10_000 }).toBe('approved');
    await consultant.waitForFunction(() => !document.querySelector('[data-testid=approvals-tab] .count'));
    await shot(consultant, 'approval-05-consultant-approved');

    // The live version is the client's: exactly the requested mapping, authored by the client, approved by the consultant.
    expect((await flowRead()).flow).toMatchObject({ activeVersion: published, latestVersion: published });
    const { versions } = await env.admin<{ versions: Version[] }>('GET', `/api/flows/${FLOW}/versions`);
    expect(versions[0]).toMatchObject({ version: published, createdBy: CLIENT.email, approvedBy: CONSULTANT.email, message: 'ERP line texts in capitals' });
    const { changeRequests } = await env.admin<Res<'/api/change-requests', 'get'>>('GET', `/api/change-requests?flowId=${FLOW}`);
    const asked = await env.admin<{ definition: { nodes: Array<{ id: string; config: unknown }> } }>('GET', `/api/change-requests/${changeRequests[0]!.id}`);
    const live = await env.admin<Version>('GET', `/api/flows/${FLOW}/versions/${published}`);
    const mapping = (d: { nodes: Array<{ id: string; config: unknown }> }) => d.nodes.find((n) => n.id === 'sales-order-fields')!.config;
    expect(mapping(live.definition!)).toEqual(mapping(asked.definition));
    expect(JSON.stringify(mapping(live.definition!))).toMatch(/upper/);
    // The versions panel says so too.
    await consultant.goto(`${base()}/flows/${FLOW}`);
    await consultant.click('[data-testid=toolbar] button:has-text("Versions")');
    const meta = consultant.locator(`[data-testid=versions] tr[data-version="${published}"] [data-testid=version-meta]`);
    await meta.waitFor();
    expect(await meta.textContent()).toMatch(new RegExp(`${CLIENT.email.replace('.', '\\.')} · approved by ${CONSULTANT.email.replace('.', '\\.')}$`));
    await shot(consultant, 'approval-06-versions-approved-by');

    // The next order runs on the client's version.
    const next = await env.admin<Res<'/api/sandbox/events', 'post'>>('POST', '/api/sandbox/events', { scenario: 'paid-order' });
    const run = await waitForOrderRun(env.admin, FLOW, next.orderId!, { timeoutMs: 60_000 });
    expect(run.status).toBe('succeeded');
    expect((await env.admin<RunRecord>('GET', `/api/runs/${run.runId}`)).flowVersion).toBe(published);

    await client.reload();
    await client.locator('[data-testid=change-request-banner][data-status=approved]').waitFor();
    expect(await client.locator('[data-testid=change-request-banner]').textContent()).toMatch(
      `your change “ERP line texts in capitals” was approved by ${CONSULTANT.email} and is version ${published}`,
    );
    await shot(client, 'approval-07-client-sees-approved');
    expect(consultantErrors).toEqual([]);
    expect(clientErrors).toEqual([]);
    await consultant.close();
    await client.close();
  }, 240_000);

  it('a rejected change stays off the live flow and the client reads the reason on the flow', async () => {
    const live = (await flowRead()).flow.activeVersion;
    const client = await browser.newPage({ viewport: VIEWPORT });
    const clientErrors = watchPage(client);
    await signIn(client, base(), CLIENT.email, CLIENT.password);
    const { submit } = await clientAsksFor(client, { pick: 'trim', pill: 'trim' }, 'Trim the line texts');
    await submit.click();
    await client.locator('[data-testid=change-request-banner][data-status=pending]').waitFor();

    const consultant = await browser.newPage({ viewport: VIEWPORT });
    const consultantErrors = watchPage(consultant);
    await signIn(consultant, base(), CONSULTANT.email, CONSULTANT.password);
    await consultant.click('[data-testid=approvals-tab]');
    const row = consultant.locator('[data-testid=pending-requests] tbody tr', { hasText: 'Trim the line texts' });
    await row.waitFor();
    await shot(consultant, 'approval-08-approvals-list');
    await row.locator('a:has-text("Review")').click();
    const review = consultant.locator('[data-testid=change-request-page]');
    await review.locator('[data-testid=decision]').waitFor();
    await review.locator('textarea[name=reason]').fill('The ERP keeps the spacing of the pick list; leave the line texts as they are.');
    await review.locator('[data-testid=reject]').click();
    await consultant.waitForFunction(() => document.querySelector('[data-testid=change-request-page]')?.getAttribute('data-status') === 'rejected');
    expect((await flowRead()).flow.activeVersion).toBe(live);

    await client.reload();
    const banner = client.locator('[data-testid=change-request-banner][data-status=rejected]');
    await banner.waitFor();
    expect(await banner.locator('[data-testid=rejection-reason]').textContent()).toBe(
      'The ERP keeps the spacing of the pick list; leave the line texts as they are.',
    );
    expect(await banner.textContent()).toMatch(`your change “Trim the line texts” was rejected by ${CONSULTANT.email}`);
    await shot(client, 'approval-09-client-sees-rejection');
    // A client cannot approve, whatever the page offers: the review page is refused and so is the API.
    await client.goto(`${base()}/approvals`);
    expect(await client.textContent('main')).toMatch(/Approvals/);
    expect(await client.locator('[data-testid=approvals-page]').count()).toBe(0);
    expect(consultantErrors).toEqual([]);
    expect(clientErrors).toEqual([]);
    await consultant.close();
    await client.close();
  }, 180_000);

  it('the client takes a waiting change back: nothing to review, nothing published', async () => {
    const live = (await flowRead()).flow.activeVersion;
    const client = await browser.newPage({ viewport: VIEWPORT });
    const errors = watchPage(client);
    await signIn(client, base(), CLIENT.email, CLIENT.password);
    const { submit } = await clientAsksFor(client, { pick: 'truncate', pill: 'cut to' }, 'Cut the line texts');
    await submit.click();
    await client.locator('[data-testid=change-request-banner][data-status=pending]').waitFor();
    await client.click('[data-testid=withdraw-request]');
    await client.waitForFunction(() => !document.querySelector('[data-testid=change-request-banner]'));
    await shot(client, 'approval-10-client-withdrew');
    const { changeRequests } = await env.admin<Res<'/api/change-requests', 'get'>>('GET', `/api/change-requests?flowId=${FLOW}`);
    expect(changeRequests[0]).toMatchObject({ message: 'Cut the line texts', status: 'withdrawn', decidedBy: CLIENT.email });
    expect((await env.admin<Res<'/api/change-requests', 'get'>>('GET', '/api/change-requests?status=pending')).changeRequests).toEqual([]);
    expect((await flowRead()).flow.activeVersion).toBe(live);
    expect(errors).toEqual([]);
    await client.close();
  }, 120_000);
});
