import { describe, expect, it } from 'vitest';
import { ClaimStore } from './claims.ts';
import { runs } from './store/schema.ts';
import { freshStores, type TestStore, testStores } from './testing/stores.ts';

/** Runs in the store under these ids and statuses (claims name their runs; uses reference them). */
async function withRuns(s: TestStore, list: Record<string, string>) {
  const { db, tables } = s.sql({ runs });
  await db
    .insert(tables.runs)
    .values(Object.entries(list).map(([id, status]) => ({ id, flowId: 'f', flowVersion: 1, eventId: 'e', status, availableAt: 0, createdAt: 0 })));
}

describe.each(testStores())('business claims on $name', (kind) => {
  const fresh = freshStores(kind);

  it('one live run holds a key; others wait; once done every run sees the document', async () => {
    const s = await fresh();
    await withRuns(s, { run_a: 'running', run_b: 'running' });
    const claims = new ClaimStore(s.store);
    const a = claims.forRun('run_a', 'f');
    const b = claims.forRun('run_b', 'f');
    expect(await a.claim('sales-order:shop:1')).toEqual({ mine: true, state: 'claimed', document: null, takenOver: false });
    expect(await b.claim('sales-order:shop:1')).toEqual({ mine: false, state: 'claimed', holder: 'run_a' });
    expect(await a.claim('sales-order:shop:1')).toMatchObject({ mine: true, state: 'claimed' }); // a retry of the holder
    await a.complete('sales-order:shop:1', 'SO00001');
    expect(await b.claim('sales-order:shop:1')).toEqual({ mine: true, state: 'done', document: 'SO00001', takenOver: false });
    expect(await b.claim('sales-order:shop:2')).toMatchObject({ mine: true, state: 'claimed' });
  });

  it('a key left by a run that ended without completing it is taken over; a released key is free', async () => {
    const s = await fresh();
    await withRuns(s, { run_a: 'failed', run_b: 'running', run_c: 'running' });
    const claims = new ClaimStore(s.store);
    await claims.forRun('run_a', 'f').claim('k');
    expect(await claims.forRun('run_b', 'f').claim('k')).toEqual({ mine: true, state: 'claimed', document: null, takenOver: true });
    expect(await claims.forRun('run_c', 'f').claim('k')).toEqual({ mine: false, state: 'claimed', holder: 'run_b' });
    await claims.forRun('run_c', 'f').release('k'); // not run_c's to give up
    expect(await claims.forRun('run_c', 'f').claim('k')).toMatchObject({ mine: false, holder: 'run_b' });
    await claims.forRun('run_b', 'f').release('k');
    expect(await claims.forRun('run_c', 'f').claim('k')).toMatchObject({ mine: true, takenOver: false });
  });

  it('of many runs claiming one key at once, from two processes, exactly one gets it', async () => {
    const s = await fresh();
    const other = await s.twin();
    const ids = Array.from({ length: 8 }, (_, i) => `run_${i}`);
    await withRuns(s, Object.fromEntries(ids.map((id) => [id, 'running'])));
    const here = new ClaimStore(s.store);
    const there = new ClaimStore(other.store);
    const results = await Promise.all(ids.map((id, i) => (i % 2 ? there : here).forRun(id, 'f', 'post').claim('sales-order:shop:9')));
    const winners = results.filter((r) => r.mine);
    expect(winners).toHaveLength(1);
    const holder = ids[results.indexOf(winners[0]!)];
    expect(results.filter((r) => !r.mine)).toEqual(Array.from({ length: 7 }, () => ({ mine: false, state: 'claimed', holder })));
  });

  it('documentsOf: the documents under the keys a step claimed in these runs, whichever run created them', async () => {
    const s = await fresh();
    await withRuns(s, { run_a: 'failed', run_b: 'succeeded', run_c: 'running' });
    const claims = new ClaimStore(s.store, () => 1_000);
    // run_a claimed the order but failed before posting; its replay run_b posted it, and a second document.
    await claims.forRun('run_a', 'f', 'post').claim('sales-order:1');
    await claims.forRun('run_b', 'f', 'post').claim('sales-order:1');
    await claims.forRun('run_b', 'f', 'post').complete('sales-order:1', 'SO1');
    await claims.forRun('run_b', 'f', 'post').claim('credit-memo:1');
    await claims.forRun('run_b', 'f', 'post').complete('credit-memo:1', 'CM1');
    // Claimed, never completed: no document.
    await claims.forRun('run_c', 'f', 'post').claim('sales-order:2');
    // Another step's claim.
    await claims.forRun('run_a', 'f', 'other').claim('sales-order:3');
    await claims.forRun('run_a', 'f', 'other').complete('sales-order:3', 'SO3');

    const docs = await claims.documentsOf(['run_a'], 'post');
    expect(docs).toEqual([{ key: 'sales-order:1', document: 'SO1', runId: 'run_b' }]);
    expect((await claims.documentsOf(['run_a', 'run_b', 'run_c'], 'post')).map((d) => d.document).sort()).toEqual(['CM1', 'SO1']);
    expect(await claims.documentsOf(['run_c'], 'post')).toEqual([]);
    expect(await claims.documentsOf([], 'post')).toEqual([]);
  });
});
