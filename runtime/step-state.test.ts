import { describe, expect, it } from 'vitest';
import { StepState } from './step-state.ts';
import { isSqlite } from './store/any-store.ts';
import { flowState } from './store/schema.ts';
import { freshStores, type TestStore, testStores } from './testing/stores.ts';

const stored = async (s: TestStore) => {
  const { db, tables } = s.sql({ flowState });
  const rows = await db.select().from(tables.flowState);
  return rows.sort((a, b) => `${a.flowId}/${a.key}`.localeCompare(`${b.flowId}/${b.key}`));
};

describe.each(testStores())('flow state of a step on $name', (kind) => {
  const fresh = freshStores(kind);

  it('reads the store, sees its own writes at once, and writes nothing until committed', async () => {
    const s = await fresh();
    const first = new StepState(s.store, 'f1', () => 100);
    first.set('cursor', { page: 1 });
    first.set('seen', ['a']);
    await s.sql({}).tx(() => first.commit());
    expect(await stored(s)).toEqual([
      { flowId: 'f1', key: 'cursor', value: '{"page":1}', updatedAt: 100 },
      { flowId: 'f1', key: 'seen', value: '["a"]', updatedAt: 100 },
    ]);

    const step = new StepState(s.store, 'f1', () => 200);
    expect(step.staged).toBe(false);
    expect(await step.get('cursor')).toEqual({ page: 1 });
    expect(await step.get('missing')).toBeUndefined();
    step.set('cursor', { page: 2 });
    step.set('cleared', undefined);
    expect(step.staged).toBe(true);
    expect(await step.get('cursor')).toEqual({ page: 2 });
    expect(await step.get('cleared')).toBeNull();
    // Another flow's state is its own, and the staged write is not in the store yet.
    expect(await new StepState(s.store, 'f2').get('cursor')).toBeUndefined();
    expect(await new StepState(s.store, 'f1').get('cursor')).toEqual({ page: 1 });

    await s.sql({}).tx(() => step.commit());
    expect(await new StepState(s.store, 'f1').get('cursor')).toEqual({ page: 2 });
    expect(await stored(s)).toEqual([
      { flowId: 'f1', key: 'cleared', value: 'null', updatedAt: 200 },
      { flowId: 'f1', key: 'cursor', value: '{"page":2}', updatedAt: 200 },
      { flowId: 'f1', key: 'seen', value: '["a"]', updatedAt: 100 },
    ]);
  });

  it('a commit inside a transaction that rolls back leaves the state as it was', async () => {
    const s = await fresh();
    const step = new StepState(s.store, 'f1');
    step.set('cursor', 5);
    await expect(
      s.sql({}).tx(async () => {
        await step.commit();
        throw new Error('the step failed after all');
      }),
    ).rejects.toThrow('the step failed after all');
    expect(await new StepState(s.store, 'f1').get('cursor')).toBeUndefined();
  });

  it.runIf(kind.name === 'sqlite')('commitSqlite writes the same rows as raw statements inside Store.exclusive', async () => {
    const s = await fresh();
    const store = s.store;
    if (!isSqlite(store)) throw new Error('unreachable');
    const step = new StepState(store, 'f1', () => 300);
    step.set('cursor', 'c1');
    await store.exclusive(() => step.commitSqlite());
    expect(await stored(s)).toEqual([{ flowId: 'f1', key: 'cursor', value: '"c1"', updatedAt: 300 }]);
  });
});
