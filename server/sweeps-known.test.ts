// What a flow's sweep skips, on every dialect: a change is known to the flow when one of its runs carried the change's
// key (a webhook reached it) or its own sweep stored the change before; another flow's runs and sweeps do not count.
import { describe, expect, it } from 'vitest';
import { events, runKeys, runs } from '../runtime/store/schema.ts';
import { freshStores, testStores } from '../runtime/testing/stores.ts';
import { knownToFlow, SWEEP_KEY, sweepSource } from './sweeps.ts';

const T0 = 1_800_000_000_000;

describe.each(testStores())('knownToFlow on $name', (kind) => {
  const fresh = freshStores(kind);

  it('knows the keys of the flow’s own runs and of its own sweep, and no others', async () => {
    const s = await fresh();
    const { db, tables: t } = s.sql({ events, runKeys, runs });
    await db.insert(t.events).values([
      { id: 'hook', source: 'shopify:shop', dedupKey: 'whatever', payload: '{}', receivedAt: T0 },
      { id: 'swept', source: sweepSource('paid'), dedupKey: 'orders/paid:2', payload: '{}', receivedAt: T0 },
      { id: 'swept-other', source: sweepSource('other'), dedupKey: 'orders/paid:4', payload: '{}', receivedAt: T0 },
    ]);
    const run = (id: string, flowId: string) => ({ id, flowId, flowVersion: 1, eventId: 'hook', status: 'succeeded', availableAt: T0, createdAt: T0 });
    await db.insert(t.runs).values([run('r-paid', 'paid'), run('r-other', 'other')]);
    await db.insert(t.runKeys).values([
      { runId: 'r-paid', key: SWEEP_KEY, value: 'orders/paid:1' },
      { runId: 'r-paid', key: 'shopifyOrderId', value: 'orders/paid:5' }, // another key with the same value: not the change's
      { runId: 'r-other', key: SWEEP_KEY, value: 'orders/paid:3' },
    ]);
    const known = knownToFlow(s.store, 'paid');
    expect(await known('orders/paid:1')).toBe(true); // a webhook run of this flow carried it
    expect(await known('orders/paid:2')).toBe(true); // this flow's sweep stored it
    expect(await known('orders/paid:3')).toBe(false); // another flow's run
    expect(await known('orders/paid:4')).toBe(false); // another flow's sweep
    expect(await known('orders/paid:5')).toBe(false);
    expect(await known('orders/paid:6')).toBe(false);
  });
});
