import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './store/db.ts';
import { ClaimStore } from './claims.ts';
import { tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const run = (id: string, status: string) =>
  store.sqlite
    .prepare(`INSERT INTO runs (id, flow_id, flow_version, event_id, status, available_at, created_at) VALUES (?, 'f', 1, 'e', ?, 0, 0)`)
    .run(id, status);

beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('business claims', () => {
  it('one live run holds a key; others wait; once done every run sees the document', () => {
    run('run_a', 'running');
    run('run_b', 'running');
    const claims = new ClaimStore(store);
    const a = claims.forRun('run_a', 'f');
    const b = claims.forRun('run_b', 'f');
    expect(a.claim('sales-order:shop:1')).toEqual({ mine: true, state: 'claimed', document: null, takenOver: false });
    expect(b.claim('sales-order:shop:1')).toEqual({ mine: false, state: 'claimed', holder: 'run_a' });
    expect(a.claim('sales-order:shop:1')).toMatchObject({ mine: true, state: 'claimed' }); // a retry of the holder
    a.complete('sales-order:shop:1', 'SO00001');
    expect(b.claim('sales-order:shop:1')).toEqual({ mine: true, state: 'done', document: 'SO00001', takenOver: false });
    expect(b.claim('sales-order:shop:2')).toMatchObject({ mine: true, state: 'claimed' });
  });

  it('a key left by a run that ended without completing it is taken over; a released key is free', () => {
    run('run_a', 'failed');
    run('run_b', 'running');
    run('run_c', 'running');
    const claims = new ClaimStore(store);
    claims.forRun('run_a', 'f').claim('k');
    expect(claims.forRun('run_b', 'f').claim('k')).toEqual({ mine: true, state: 'claimed', document: null, takenOver: true });
    expect(claims.forRun('run_c', 'f').claim('k')).toEqual({ mine: false, state: 'claimed', holder: 'run_b' });
    claims.forRun('run_b', 'f').release('k');
    expect(claims.forRun('run_c', 'f').claim('k')).toMatchObject({ mine: true, takenOver: false });
  });
});
