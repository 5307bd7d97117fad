// Free-text run search on both stores: the same text finds the same runs.
import { describe, expect, it } from 'vitest';
import { runSearchSql } from './run-search.ts';
import { runTables, seedRuns } from './testing/run-rows.ts';
import { freshStores, testStores } from './testing/stores.ts';

describe.each(testStores())('run search on $name', (kind) => {
  const fresh = freshStores(kind);

  async function searcher() {
    const { store } = await fresh();
    await seedRuns(store, [
      { id: 'run_0001', status: 'succeeded', createdAt: 1, keys: { orderName: '#5007', shopifyOrderId: 'gid://shopify/Order/820982911946154508' } },
      {
        id: 'run_0002',
        status: 'succeeded',
        createdAt: 2,
        keys: { refundId: 'gid://shopify/Refund/509562969' },
        steps: [{ nodeId: 'post', status: 'succeeded', output: { document: { number: 'SO0012', lines: 2 } } }],
      },
      {
        id: 'run_0003',
        status: 'failed',
        createdAt: 3,
        keys: { orderName: '#50070' },
        steps: [{ nodeId: 'read', status: 'succeeded', output: { number: 'SO0012X' } }],
      },
      // A refund of order #5007: its webhook names the order by id only.
      {
        id: 'run_0005',
        status: 'succeeded',
        createdAt: 5,
        keys: { shopifyRefundId: 'gid://shopify/Refund/77', shopifyOrderId: 'gid://shopify/Order/820982911946154508' },
      },
      // Another order and its refund: found by its own name only.
      { id: 'run_0006', status: 'succeeded', createdAt: 6, keys: { shopifyOrderName: '#5008', shopifyOrderId: 'gid://shopify/Order/820982911946154509' } },
      {
        id: 'run_0007',
        status: 'failed',
        createdAt: 7,
        keys: { shopifyRefundId: 'gid://shopify/Refund/78', shopifyOrderId: 'gid://shopify/Order/820982911946154509' },
      },
      // Wildcards in keys and outputs are text to match, never patterns.
      { id: 'run_0004', status: 'succeeded', createdAt: 4, keys: { sku: 'A_%' }, steps: [{ nodeId: 'x', status: 'succeeded', output: { number: 'A_%' } }] },
    ]);
    const s = store.sql(runTables);
    return async (text: string) => {
      const where = runSearchSql(s, text);
      if (!where) return null;
      const rows = await s.db.select({ id: s.tables.runs.id }).from(s.tables.runs).where(where).orderBy(s.tables.runs.id);
      return rows.map((r) => r.id);
    };
  }

  it("finds an order by its name with or without #, exactly, with the runs of its refunds (which carry only the order's id)", async () => {
    const find = await searcher();
    expect(await find('#5007')).toEqual(['run_0001', 'run_0005']);
    expect(await find('5007')).toEqual(['run_0001', 'run_0005']);
    expect(await find('  5007 ')).toEqual(['run_0001', 'run_0005']);
    expect(await find('500')).toEqual([]);
    expect(await find('#5008')).toEqual(['run_0006', 'run_0007']);
  });

  it('finds a resource by its numeric Shopify id or its gid', async () => {
    const find = await searcher();
    expect(await find('820982911946154508')).toEqual(['run_0001', 'run_0005']);
    expect(await find('gid://shopify/Order/820982911946154508')).toEqual(['run_0001', 'run_0005']);
    expect(await find('509562969')).toEqual(['run_0002']);
    expect(await find('82098291194615450')).toEqual([]);
  });

  it('finds an ERP document number in step outputs, whatever its case, and whole', async () => {
    const find = await searcher();
    expect(await find('SO0012')).toEqual(['run_0002']);
    expect(await find('so0012')).toEqual(['run_0002']);
    expect(await find('SO0012X')).toEqual(['run_0003']);
    expect(await find('SO001')).toEqual([]);
    // "#..." is an order name: outputs are not searched.
    expect(await find('#SO0012')).toEqual([]);
  });

  it('takes LIKE wildcards literally, and blank text is no condition', async () => {
    const find = await searcher();
    expect(await find('A_%')).toEqual(['run_0004']);
    expect(await find('A__')).toEqual([]);
    expect(await find('%')).toEqual([]);
    expect(await find('   ')).toBeNull();
  });
});
