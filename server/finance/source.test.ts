// The month-end report's source on every dialect: reconciliations are the outputs of succeeded reconcile-payouts
// steps of real flows, in the order they were made; other nodes, failed steps and test runs of drafts are not the books.
import { describe, expect, it } from 'vitest';
import { events, flows, flowVersions, runs, steps } from '../../runtime/store/schema.ts';
import { freshStores, testStores } from '../../runtime/testing/stores.ts';
import { reconciliationsFromStore } from './source.ts';

const T0 = 1_800_000_000_000;

describe.each(testStores())('reconciliationsFromStore on $name', (kind) => {
  const fresh = freshStores(kind);

  async function seeded() {
    const s = await fresh();
    const { db, tables: t } = s.sql({ flows, flowVersions, events, runs, steps });
    const definition = (nodes: Array<[string, string]>) => JSON.stringify({ nodes: nodes.map(([id, type]) => ({ id, type })) });
    const flow = (id: string) => ({ id, name: id, draft: '{}', draftUpdatedAt: T0, createdAt: T0 });
    await db.insert(t.flows).values([flow('payouts'), flow('other'), flow('__test.payouts')]);
    await db.insert(t.flowVersions).values([
      {
        flowId: 'payouts',
        version: 1,
        hash: 'h1',
        definition: definition([
          ['t', 'trigger.schedule'],
          ['rec', 'finance.reconcile-payouts'],
        ]),
        createdAt: T0,
      },
      { flowId: 'other', version: 1, hash: 'h2', definition: definition([['rec', 'core.code']]), createdAt: T0 },
      { flowId: '__test.payouts', version: 1, hash: 'h3', definition: definition([['rec', 'finance.reconcile-payouts']]), createdAt: T0 },
    ]);
    await db.insert(t.events).values({ id: 'e', source: 'schedule', payload: '{}', receivedAt: T0 });
    const run = (id: string, flowId: string) => ({ id, flowId, flowVersion: 1, eventId: 'e', status: 'succeeded', availableAt: T0, createdAt: T0 });
    await db.insert(t.runs).values([run('r1', 'payouts'), run('r2', 'payouts'), run('r3', 'payouts'), run('x1', 'other'), run('t1', '__test.payouts')]);
    const out = (...ids: string[]) => JSON.stringify({ reconciliations: ids.map((id) => ({ payoutId: id.split('@')[0], reconciledAt: id.split('@')[1] })) });
    const step = (runId: string, nodeId: string, status: string, output: string | null, finishedAt: number) => ({
      runId,
      nodeId,
      status,
      attempts: 1,
      output,
      startedAt: finishedAt - 5,
      finishedAt,
    });
    await db.insert(t.steps).values([
      // Made later, stored first: the order is the steps' end, not the rows'.
      step('r2', 'rec', 'succeeded', out('7001@b', '7002@b'), T0 + 200),
      step('r1', 'rec', 'succeeded', out('7001@a'), T0 + 100),
      step('r1', 't', 'succeeded', out('not-a-reconciliation@a'), T0 + 50),
      step('r3', 'rec', 'failed', out('7003@c'), T0 + 300),
      step('x1', 'rec', 'succeeded', out('9001@a'), T0 + 10),
      step('t1', 'rec', 'succeeded', out('8001@a'), T0 + 20),
    ]);
    return s;
  }
  const ids = (rs: Array<{ payoutId: string; reconciledAt: string }>) => rs.map((r) => `${r.payoutId}@${r.reconciledAt}`);

  it("reads the succeeded reconcile-payouts steps of real flows, oldest first; not other nodes', failed steps or test runs", async () => {
    const s = await seeded();
    expect(ids(await reconciliationsFromStore(s.store))).toEqual(['7001@a', '7001@b', '7002@b']);
  });

  it('reads one flow when asked, and nothing from a store without a reconcile node', async () => {
    const s = await seeded();
    expect(ids(await reconciliationsFromStore(s.store, { flowId: 'payouts' }))).toEqual(['7001@a', '7001@b', '7002@b']);
    expect(await reconciliationsFromStore(s.store, { flowId: 'other' })).toEqual([]);
    expect(await reconciliationsFromStore((await fresh()).store)).toEqual([]);
  });
});
