// Payout rows: pages land at once (a stored row each), a re-read of a payout replaces its rows (keyed by id, stale
// ones removed), the reference (count + digest) catches rows that changed before they were read, and dropping waits
// for the step.
import { createHash } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { freshStores, testStores } from '../testing/stores.ts';
import { StepPayoutRows } from './payout-rows.ts';
import { reconBalancePages } from './schema.ts';

const rows = (ids: string[], tag = '') => ids.map((id) => ({ id, data: `["${id}${tag}"]` }));
const slices = async (it: AsyncIterable<string[]>) => {
  const out: string[][] = [];
  for await (const s of it) out.push(s);
  return out;
};
const readAll = async (it: AsyncIterable<string[]>) => (await slices(it)).flat();
/** The reference's definition, row by row: sha-256 over each row text and a newline. */
const perRow = (texts: string[]) => {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\n');
  return h.digest('hex');
};

describe.each(testStores())('StepPayoutRows on $name', (kind) => {
  const fresh = freshStores(kind);

  it('stores pages as they are written, reads them back in order a slice at a time, and a re-read replaces them', async () => {
    const s = (await fresh()).store;
    const a = new StepPayoutRows(s, 'flow-a').scope('shop-1');
    const w = await a.begin('p1');
    await w.write(rows(['3', '1']));
    await w.write(rows(['2']));
    const ref = await w.finish();
    expect(ref.count).toBe(3);
    // Written at once, not with the step: another step sees them before this one commits.
    const other = new StepPayoutRows(s, 'flow-a').scope('shop-1');
    expect(await slices(other.read('p1', 2, ref))).toEqual([['["3"]', '["1"]'], ['["2"]']]);
    // Other flows and scopes see nothing.
    expect(await readAll(new StepPayoutRows(s, 'flow-b').scope('shop-1').read('p1', 10))).toEqual([]);
    expect(await readAll(new StepPayoutRows(s, 'flow-a').scope('shop-2').read('p1', 10))).toEqual([]);

    // The same read again: same rows, same reference.
    const again = await a.begin('p1');
    await again.write(rows(['3', '1', '2']));
    expect(await again.finish()).toEqual(ref);
    // A read that finds one transaction fewer and one changed: the stale row is gone, the reference differs.
    const changed = await a.begin('p1');
    await changed.write(rows(['3', '2'], 'x'));
    const ref2 = await changed.finish();
    expect(ref2.count).toBe(2);
    expect(ref2.digest).not.toBe(ref.digest);
    expect(await readAll(a.read('p1', 10, ref2))).toEqual(['["3x"]', '["2x"]']);
    await expect(readAll(a.read('p1', 10, ref))).rejects.toThrow(
      /payout p1: its stored transactions .* not the ones the reference names \(2 rows.*expected 3 rows/,
    );
  });

  it('gives the digest of the rows as stored when a page repeats a row', async () => {
    const s = (await fresh()).store;
    const a = new StepPayoutRows(s, 'f').scope('shop');
    const w = await a.begin('p');
    await w.write(rows(['1', '2']));
    await w.write(rows(['3', '2', '3']));
    const ref = await w.finish();
    expect(ref.count).toBe(3);
    const clean = await a.begin('q');
    await clean.write(rows(['1', '2', '3']));
    // Row 2 was read again after 3, then 3 once more: each stored in the place it was read last (1, 2, 3).
    expect(ref.digest).toBe((await clean.finish()).digest);
    expect(await readAll(a.read('p', 10, ref))).toEqual(['["1"]', '["2"]', '["3"]']);
  });

  it('takes a row read again out of the earlier page that held it (a page left empty goes), and digests what is stored', async () => {
    const t = await fresh();
    const a = new StepPayoutRows(t.store, 'f').scope('shop');
    const w = await a.begin('p');
    await w.write(rows(['1', '2', '3']));
    await w.write(rows(['4', '5']));
    await w.write(rows(['2', '6'], 'b'));
    await w.write(rows(['5', '7'], 'b'));
    await w.write(rows(['4'], 'c'));
    const ref = await w.finish();
    const expected = ['["1"]', '["3"]', '["2b"]', '["6b"]', '["5b"]', '["7b"]', '["4c"]'];
    expect(ref).toEqual({ count: 7, digest: perRow(expected) });
    expect(await readAll(a.read('p', 3, ref))).toEqual(expected);
    const b = t.sql({ reconBalancePages }).tables.reconBalancePages;
    const pages = await t.sql({ reconBalancePages }).db.select({ page: b.page, count: b.count }).from(b).orderBy(asc(b.page));
    // Page 1 lost 5 to page 3 and then 4 to page 4: nothing left of it.
    expect(pages.map((p) => [Number(p.page), Number(p.count)])).toEqual([
      [0, 2],
      [2, 2],
      [3, 2],
      [4, 1],
    ]);
  });

  it('splits a page across read slices, and its digest is the one of the rows taken one by one', async () => {
    const s = (await fresh()).store;
    const a = new StepPayoutRows(s, 'f').scope('shop');
    const w = await a.begin('p');
    const ids = 'abcdefghi'.split('');
    for (let i = 0; i < ids.length; i += 3) await w.write(rows(ids.slice(i, i + 3)));
    const ref = await w.finish();
    const texts = ids.map((id) => `["${id}"]`);
    expect(ref).toEqual({ count: 9, digest: perRow(texts) });
    expect(await slices(a.read('p', 4, ref))).toEqual([texts.slice(0, 4), texts.slice(4, 8), texts.slice(8)]);
    expect(await slices(a.read('p', 1))).toEqual(texts.map((x) => [x]));
    expect(await slices(a.read('p', 9, ref))).toEqual([texts]);
  });

  it('refuses a row text holding a newline (it separates rows in a page)', async () => {
    const s = (await fresh()).store;
    const w = await new StepPayoutRows(s, 'f').scope('shop').begin('p');
    await expect(w.write([{ id: '1', data: '["a\nb"]' }])).rejects.toThrow(/row 1 holds a newline/);
  });

  it('writes a large payout in pages and reads it back in slices, checked against its reference', async () => {
    const s = (await fresh()).store;
    const a = new StepPayoutRows(s, 'f').scope('shop');
    const w = await a.begin('big');
    const ids = Array.from({ length: 12_000 }, (_, i) => String(i));
    for (let i = 0; i < ids.length; i += 5_000) await w.write(rows(ids.slice(i, i + 5_000)));
    const ref = await w.finish();
    expect(ref.count).toBe(12_000);
    const got = await slices(a.read('big', 5_000, ref));
    expect(got.map((x) => x.length)).toEqual([5_000, 5_000, 2_000]);
    expect(got.flat()[11_999]).toBe('["11999"]');
  });

  it("drops a payout's rows only when the step commits", async () => {
    const s = (await fresh()).store;
    const step = new StepPayoutRows(s, 'f');
    const w = await step.scope('shop').begin('p');
    await w.write(rows(['1']));
    await w.finish();
    step.scope('shop').drop(['p']);
    expect(step.staged).toBe(true);
    expect(await readAll(step.scope('shop').read('p', 10))).toEqual(['["1"]']);
    await s.sql({}).tx(() => step.commit());
    expect(await readAll(new StepPayoutRows(s, 'f').scope('shop').read('p', 10))).toEqual([]);
  });
});
