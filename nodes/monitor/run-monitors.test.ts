// Stuck and failing runs, webhook silence in trading hours and rate limits, through the runtime with a clock the
// test moves: each raises past its threshold and auto-resolves when the condition clears.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode, NodeError } from '../../runtime/node-api.ts';
import { startShopifySandbox, createShopifyConnection, DOCUMENTS, type SandboxStore, type ShopifyClient } from '../shopify/index.ts';
import { harness, type Harness } from './testing.ts';
import { tradingSince } from './hours.ts';
import { first } from '../shopify/testing.ts';

let release: () => void = () => {};
const testTypes = [
  defineNode({
    type: 'test.block',
    version: 1,
    title: 'Block',
    category: 'core',
    description: 'waits until the test releases it',
    config: z.object({}),
    inputs: [{ id: 'in' }],
    outputs: [{ id: 'out' }],
    idempotent: true,
    sampleOutput: {},
    execute: () => new Promise((resolve) => (release = () => resolve({ released: true }))),
  }),
  defineNode({
    type: 'test.fail',
    version: 1,
    title: 'Fail',
    category: 'erp',
    description: 'fails with the configured code',
    config: z.object({ code: z.string() }),
    inputs: [{ id: 'in' }],
    outputs: [{ id: 'out' }],
    idempotent: true,
    sampleOutput: {},
    execute: (ctx) => {
      throw new NodeError(`failed with ${ctx.config.code}`, {
        errorClass: ctx.config.code === 'RATE_LIMITED' ? 'transient' : 'permanent',
        code: ctx.config.code,
        details: { erp: 'sandbox' },
      });
    },
  }),
];

let h: Harness;
const MIN = 60_000;
const open = async (type: string) => (await h.exceptions.list({ type, state: 'unresolved' })).items;

async function runFlow(flowId: string, type: string, config: Record<string, unknown>, n: number) {
  if (!(await h.rt.flows.list()).some((f) => f.id === flowId)) {
    await h.rt.flows.create({
      schemaVersion: 1,
      id: flowId,
      name: flowId,
      settings: { retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } },
      nodes: [
        { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'x', type, position: { x: 200, y: 0 }, config },
      ],
      edges: [{ id: 'e', source: 't', target: 'x' }],
    });
    await h.rt.flows.publish(flowId, { activate: true });
  }
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(...(await h.rt.queue.ingest({ source: 'manual', payload: { i }, targets: [{ flowId, version: 1 }] })).runIds);
  return ids;
}
async function until(cond: () => Promise<boolean>) {
  const end = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('run, webhook and rate-limit monitors', () => {
  let store: SandboxStore;
  let shop: ShopifyClient;
  beforeAll(async () => {
    store = await startShopifySandbox({ seed: { locations: [{ id: 1, name: 'Main' }], products: [], inventory: [] } });
    shop = createShopifyConnection({ shopDomain: store.shopDomain, auth: { kind: 'access-token', accessToken: store.accessToken }, endpoint: store.url });
  });
  afterAll(async () => store?.stop());
  beforeEach(async () => {
    h = await harness({ 'shopify:main': shop }, { extraTypes: testTypes, worker: { concurrency: 2, leaseMs: 24 * 60 * MIN } });
  });
  afterEach(async () => {
    release();
    await h.close();
  });

  it('monitor.runs: a run far past its usual time is stuck until it finishes; repeated failures raise per flow', async () => {
    const slow = first(await runFlow('slow', 'test.block', {}, 1), 'the slow run');
    await until(async () => (await h.rt.runs.get(slow)).status === 'running');
    const cfg = { stuckMinMinutes: 15, failedThreshold: 3, windowMinutes: 60 };
    expect((await h.check('monitor.runs', cfg)).steps[1]?.output).toMatchObject({ found: 0 });

    h.clock.now += 20 * MIN;
    const r = await h.check('monitor.runs', cfg);
    expect(r.steps[1]?.output).toMatchObject({ found: 1, newlyRaised: 1 });
    const stuck = first(await open('stuck-run'), 'a stuck-run exception');
    expect(stuck).toMatchObject({ key: slow, owner: 'operations', links: { runId: slow, flowId: 'slow' }, data: { ageMinutes: 20, limitMinutes: 15 } });

    release();
    await until(async () => (await h.rt.runs.get(slow)).status === 'succeeded');
    expect((await h.check('monitor.runs', cfg)).steps[1]?.output).toMatchObject({ found: 0, cleared: 1 });
    expect(await h.exceptions.get(stuck.id)).toMatchObject({ state: 'resolved', autoResolved: true });

    const failed = await runFlow('bad', 'test.fail', { code: 'BOOM' }, 3);
    await until(async () => (await Promise.all(failed.map((id) => h.rt.runs.get(id)))).every((r) => r.status === 'failed'));
    await h.check('monitor.runs', cfg);
    const rate = (await open('failed-run')).find((e) => e.key === 'rate:bad')!;
    expect(rate.title).toMatch(/3 of 3 runs of bad failed/);
    h.clock.now += 61 * MIN;
    await h.check('monitor.runs', cfg);
    expect((await h.exceptions.get(rate.id)).state).toBe('resolved');
    // The per-run exception from the run hook stays: only a replay or a person resolves it.
    expect(await open('failed-run')).toEqual([]);
    expect((await open('erp-rejected')).map((e) => [e.key, e.count])).toEqual([['bad / x:BOOM', 3]]);
  });

  it('monitor.webhook-silence: only during trading hours in the shop timezone, cleared when events arrive', async () => {
    const cfg = { shopify: 'main', silentMinutes: 30, tradingHours: { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' } };
    h.clock.now = Date.parse('2026-11-25T08:10:00Z'); // Wednesday 09:10 in Berlin: silent 10 min since opening
    expect((await h.check('monitor.webhook-silence', cfg)).steps[1]?.output).toMatchObject({ found: 0 });
    h.clock.now = Date.parse('2026-11-25T08:45:00Z');
    await h.check('monitor.webhook-silence', cfg);
    const s = first(await open('webhook-silence'), 'a webhook-silence exception');
    expect(s).toMatchObject({ key: 'shopify:main', owner: 'ecommerce', severity: 'high', data: { silentMinutes: 45, lastEventAt: null } });

    await h.rt.queue.ingest({ source: 'shopify:main', dedupKey: 'evt-1', topic: 'orders/create', payload: {}, targets: [] });
    h.clock.now += 5 * MIN;
    expect((await h.check('monitor.webhook-silence', cfg)).steps[1]?.output).toMatchObject({ cleared: 1 });
    expect((await h.exceptions.get(s.id)).resolutionNote).toBe('events are arriving again');

    h.clock.now = Date.parse('2026-11-28T12:00:00Z'); // Saturday: not trading, however long the silence
    expect((await h.check('monitor.webhook-silence', cfg)).steps[1]?.output).toMatchObject({ checked: 0, found: 0 });
    expect(await open('webhook-silence')).toEqual([]);
  });

  it('trading hours follow the timezone, weekdays and DST', () => {
    const h9 = { timezone: 'America/New_York', days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' };
    expect(tradingSince(h9, new Date('2026-07-01T13:30:00Z'))).toBe(Date.parse('2026-07-01T13:00:00Z')); // EDT
    expect(tradingSince(h9, new Date('2026-12-01T13:30:00Z'))).toBeNull(); // 08:30 EST
    expect(tradingSince(h9, new Date('2026-12-01T14:30:00Z'))).toBe(Date.parse('2026-12-01T14:00:00Z'));
    expect(tradingSince(h9, new Date('2026-12-01T22:00:00Z'))).toBeNull();
  });

  it('monitor.rate-limit: a shop bucket near empty for longer than the threshold, and ERP throttling', async () => {
    const drain = async () => {
      store.consume(Math.max(0, store.bucket().currentlyAvailable - 10));
      await shop.request(DOCUMENTS.LOCATIONS, { first: 1 });
    };
    // 25 %: the drained bucket (2,000 points, refilling 100 a second) stays under it for 5 s, however slowly a loaded
    // machine runs the check on either store.
    const cfg = { shopify: ['main'], erp: false, bucketPercent: 25, forMinutes: 15 };
    await drain();
    expect(shop.bucketLevel.available / shop.bucketLevel.maximum).toBeLessThan(0.05);
    expect((await h.check('monitor.rate-limit', cfg)).steps[1]?.output).toMatchObject({ found: 0 }); // not for long yet
    h.clock.now += 16 * MIN;
    await drain();
    await h.check('monitor.rate-limit', cfg);
    const rl = first(await open('rate-limited'), 'a rate-limited exception');
    expect(rl).toMatchObject({ key: 'shopify:main', data: { system: 'shopify', forMinutes: 16 } });

    await new Promise((r) => setTimeout(r, 6000)); // the bucket refills at 100 points/s: past 25 % after 5 s
    await shop.request(DOCUMENTS.LOCATIONS, { first: 1 });
    expect((await h.check('monitor.rate-limit', cfg)).steps[1]?.output).toMatchObject({ cleared: 1 });
    expect((await h.exceptions.get(rl.id)).state).toBe('resolved');

    const erpCfg = { erp: true, erpMinThrottled: 3, forMinutes: 15 };
    const ids = await runFlow('thr', 'test.fail', { code: 'RATE_LIMITED' }, 3);
    await until(async () => (await Promise.all(ids.map((id) => h.rt.runs.get(id)))).every((r) => r.status === 'failed'));
    await h.check('monitor.rate-limit', erpCfg);
    expect((await open('rate-limited')).map((e) => e.key)).toEqual(['erp:thr/x']);
    h.clock.now += 16 * MIN;
    await h.check('monitor.rate-limit', erpCfg);
    expect(await open('rate-limited')).toEqual([]);
  });
});
