// Payout rows: pages land at once, a re-read of a payout replaces its rows (keyed by id, stale ones removed), the
// reference (count + digest) catches rows that changed before they were read, and dropping waits for the step.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/db.ts';
import { tempDir } from '../testing/fixtures.ts';
import { StepPayoutRows } from './payout-rows.ts';

let store: Store | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  store?.close();
  cleanup?.();
});

function open() {
  const t = tempDir('ledgerline-payout-rows-');
  cleanup = t.cleanup;
  store = openStore(t.dir);
  return store;
}

const rows = (ids: string[], tag = '') => ids.map((id) => ({ id, data: `["${id}${tag}"]` }));
const readAll = (it: Iterable<string[]>) => [...it].flat();

describe('StepPayoutRows', () => {
  it('stores pages as they are written, reads them back in order a slice at a time, and a re-read replaces them', () => {
    const s = open();
    const a = new StepPayoutRows(s, 'flow-a').scope('shop-1');
    const w = a.begin('p1');
    w.write(rows(['3', '1']));
    w.write(rows(['2']));
    const ref = w.finish();
    expect(ref.count).toBe(3);
    // Written at once, not with the step: another step sees them before this one commits.
    const other = new StepPayoutRows(s, 'flow-a').scope('shop-1');
    expect([...other.read('p1', 2, ref)]).toEqual([['["3"]', '["1"]'], ['["2"]']]);
    // Other flows and scopes see nothing.
    expect(readAll(new StepPayoutRows(s, 'flow-b').scope('shop-1').read('p1', 10))).toEqual([]);
    expect(readAll(new StepPayoutRows(s, 'flow-a').scope('shop-2').read('p1', 10))).toEqual([]);

    // The same read again: same rows, same reference.
    const again = a.begin('p1');
    again.write(rows(['3', '1', '2']));
    expect(again.finish()).toEqual(ref);
    // A read that finds one transaction fewer and one changed: the stale row is gone, the reference differs.
    const changed = a.begin('p1');
    changed.write(rows(['3', '2'], 'x'));
    const ref2 = changed.finish();
    expect(ref2.count).toBe(2);
    expect(ref2.digest).not.toBe(ref.digest);
    expect(readAll(a.read('p1', 10, ref2))).toEqual(['["3x"]', '["2x"]']);
    expect(() => readAll(a.read('p1', 10, ref))).toThrow(/payout p1: its stored transactions .* not the ones the reference names \(2 rows.*expected 3 rows/);
  });

  it('gives the digest of the rows as stored when a page repeats a row', () => {
    const s = open();
    const a = new StepPayoutRows(s, 'f').scope('shop');
    const w = a.begin('p');
    w.write(rows(['1', '2']));
    w.write(rows(['3', '2']));
    const ref = w.finish();
    expect(ref.count).toBe(3);
    const clean = a.begin('q');
    clean.write(rows(['1', '3', '2']));
    // Row 2 was read last after 3: stored in that position, so the digest is that of 1, 3, 2.
    expect(ref.digest).toBe(clean.finish().digest);
    expect(readAll(a.read('p', 10, ref))).toEqual(['["1"]', '["3"]', '["2"]']);
  });

  it("drops a payout's rows only when the step commits", () => {
    const s = open();
    const step = new StepPayoutRows(s, 'f');
    const w = step.scope('shop').begin('p');
    w.write(rows(['1']));
    w.finish();
    step.scope('shop').drop(['p']);
    expect(readAll(step.scope('shop').read('p', 10))).toEqual(['["1"]']);
    step.commit();
    expect(readAll(new StepPayoutRows(s, 'f').scope('shop').read('p', 10))).toEqual([]);
  });
});
