// Background checkpoints must keep the WAL bounded under sustained writes (the main connection no longer checkpoints
// in its commits) and must never write into a database file that is no longer the store.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKSTOP, startCheckpointer } from './checkpointer.ts';
import { openStore, type Store } from './db.ts';
import { holdWrites } from './sqlite-sql-store.ts';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function freshStore(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerline-ckpt-'));
  dirs.push(dir);
  const s = openStore(dir, { migrate: false });
  stores.push(s);
  s.sqlite.exec('CREATE TABLE deliveries (id INTEGER PRIMARY KEY, k TEXT UNIQUE, payload TEXT)');
  return s;
}
const walSize = (s: Store) => statSync(`${s.path}-wal`).size;
const payload = 'x'.repeat(15_000); // a delivery's size: four overflow pages each

describe('background checkpoints', () => {
  it('keep the WAL bounded under sustained group commits (300 MB through it)', async () => {
    const s = freshStore();
    const resetPages = 300;
    const ckpt = s.checkpointInBackground!({ intervalMs: 10, resetPages });
    const insert = s.sqlite.prepare('INSERT INTO deliveries (k, payload) VALUES (?, ?)');
    const batch = s.sqlite.transaction((from: number) => {
      for (let i = from; i < from + 20; i++) insert.run(`k${i}-${Math.random()}`, payload);
    });
    let n = 0;
    let maxWal = 0;
    const until = Date.now() + 15_000;
    // Commits of 20 deliveries, one per turn of the event loop (as group commit does), until 300 MB went through.
    while (n * payload.length < 300e6 && Date.now() < until) {
      batch(n);
      n += 20;
      maxWal = Math.max(maxWal, walSize(s));
      await new Promise((r) => setImmediate(r));
    }
    // SQLite's own checkpoint stays on until the worker is up, then only as the backstop at BACKSTOP times the limit.
    expect(s.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP * resetPages);
    const written = n * payload.length;
    const st = ckpt.stats();
    expect(st.background).toBeGreaterThan(0);
    // Bounded: the WAL file holds the limit plus what is committed during one of the worker's passes (tens of MB at
    // this test's 100+ MB/s of commits, more than 5,000 deliveries/s write), while 300 MB went through it. Without
    // the main connection finishing the worker's passes it grew to all of it.
    expect(written).toBeGreaterThan(250e6);
    expect(maxWal).toBeLessThan(64 * 2 ** 20);
    expect((s.sqlite.prepare('SELECT count(*) AS c FROM deliveries').get() as { c: number }).c).toBe(n);
    ckpt.stop();
    expect(s.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  }, 30_000);

  it('leave one large commit to the worker instead of copying it inside its own COMMIT', async () => {
    const s = freshStore();
    const resetPages = 100;
    const ckpt = s.checkpointInBackground!({ intervalMs: 0, resetPages });
    const insert = s.sqlite.prepare('INSERT INTO deliveries (k, payload) VALUES (?, ?)');
    for (let i = 0; i < 10; i++) insert.run(`warm${i}`, payload);
    await ckpt.runOnce(); // the worker is up: the main connection's checkpoint is only the backstop now
    // One transaction of ~8 times the limit (a reconciliation's claims): above the old backstop, below this one.
    s.sqlite.transaction(() => {
      for (let i = 0; i < 2 * resetPages; i++) insert.run(`big${i}`, payload);
    })();
    insert.run('after', 'x');
    // Had the COMMIT checkpointed, the WAL would have started over with the next write: a frame or two in it.
    const [r] = s.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    expect(r!.log).toBeGreaterThan(8 * resetPages);
    expect(r!.log).toBeLessThan(BACKSTOP * resetPages);
    ckpt.stop();
  });

  it("copy what is left with the store's writers held, which wait without blocking the event loop; the WAL then starts over", async () => {
    const s = freshStore();
    const resetPages = 100;
    const ckpt = s.checkpointInBackground!({ intervalMs: 0, resetPages });
    const insert = s.sqlite.prepare('INSERT INTO deliveries (k, payload) VALUES (?, ?)');
    await s.exclusive(() => {
      for (let i = 0; i < 40; i++) insert.run(`k${i}`, payload); // past the limit: ~160 frames
    });
    await ckpt.runOnce(); // past the limit with little come in since: the last pass is asked for, writers held
    let wrote = false;
    let ticked = false;
    setImmediate(() => (ticked = true));
    const write = s.exclusive(() => {
      insert.run('during', payload);
      wrote = true;
    });
    expect(wrote).toBe(false); // waits for the pass, not in SQLite's busy handler
    await new Promise((r) => setImmediate(r));
    expect(ticked).toBe(true);
    await write;
    expect(ckpt.stats()).toMatchObject({ held: 1, heldComplete: 1, finished: 0 });
    // Everything had been copied when the write began, so it started the WAL over: its own frames are all there is.
    const [r] = s.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    expect(r!.log).toBeLessThan(10);
    ckpt.stop();
  });

  it('ask for one hold at a time: while another holder keeps the gate, passes meanwhile do not queue more', async () => {
    const s = freshStore();
    const ckpt = s.checkpointInBackground!({ intervalMs: 0, resetPages: 100 });
    const insert = s.sqlite.prepare('INSERT INTO deliveries (k, payload) VALUES (?, ?)');
    let release!: () => void;
    const long = holdWrites(s.sqlite, () => new Promise<void>((r) => (release = r)));
    for (let i = 0; i < 30; i++) insert.run(`a${i}`, payload); // written outside the gate: past the limit, ~200 frames
    // A reader in another process keeps the WAL from starting over, so it stays past the limit.
    const reader = new Database(s.path, { readonly: true });
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM deliveries').get();
    try {
      await ckpt.runOnce(); // asks for a hold, which waits for the gate
      for (let i = 0; i < 5; i++) insert.run(`b${i}`, payload);
      await ckpt.runOnce(); // past the limit again: no second hold while the first waits
      expect(ckpt.stats()).toMatchObject({ background: 2, held: 0 });
      release();
      await long;
      await vi.waitFor(() => expect(ckpt.stats().held).toBe(1));
      await new Promise((r) => setTimeout(r, 100));
      expect(ckpt.stats().held).toBe(1);
    } finally {
      reader.close();
      ckpt.stop();
    }
  });

  it('keep the WAL bounded with the writers held for the last pass, the main connection copying nothing', async () => {
    const s = freshStore();
    const ckpt = s.checkpointInBackground!({ intervalMs: 10, resetPages: 300 });
    const insert = s.sqlite.prepare('INSERT INTO deliveries (k, payload) VALUES (?, ?)');
    let n = 0;
    let maxWal = 0;
    const until = Date.now() + 15_000;
    while (n * payload.length < 150e6 && Date.now() < until) {
      await s.exclusive(() => {
        for (let i = n; i < n + 20; i++) insert.run(`k${i}`, payload);
      });
      n += 20;
      maxWal = Math.max(maxWal, walSize(s));
      await new Promise((r) => setImmediate(r)); // one commit per turn of the event loop, as group commit does
    }
    expect(n * payload.length).toBeGreaterThan(100e6);
    expect(maxWal).toBeLessThan(64 * 2 ** 20);
    expect(ckpt.stats().heldComplete).toBeGreaterThan(0);
    expect(ckpt.stats().finished).toBe(0);
    expect((s.sqlite.prepare('SELECT count(*) AS c FROM deliveries').get() as { c: number }).c).toBe(n);
    ckpt.stop();
  }, 30_000);

  it('copy committed pages into the database file, from the worker thread', async () => {
    const s = freshStore();
    const ckpt = s.checkpointInBackground!({ intervalMs: 0 });
    s.sqlite.transaction(() => {
      for (let i = 0; i < 40; i++) s.sqlite.prepare('INSERT INTO deliveries (k, payload) VALUES (?, ?)').run(`k${i}`, payload);
    })();
    const before = statSync(s.path).size;
    await ckpt.runOnce();
    expect(ckpt.stats()).toMatchObject({ background: 1, finished: 0 });
    expect(ckpt.stats().lastCheckpointed).toBe(ckpt.stats().lastLog);
    expect(statSync(s.path).size).toBeGreaterThan(before + 40 * payload.length);
  });

  it('refuse to checkpoint into a database file overwritten in place, even when the store has not noticed yet', async () => {
    const s = freshStore();
    const problems: string[] = [];
    // The store's own check is bypassed here so that the worker's check is what stands between the WAL and the file.
    const ckpt = startCheckpointer(
      { sqlite: s.sqlite, path: s.path, storeId: s.storeId, check: () => ({ ok: true }) },
      { intervalMs: 0, onProblem: (m) => problems.push(m) },
    );
    const insert = s.sqlite.prepare('INSERT INTO deliveries (k, payload) VALUES (?, ?)');
    for (let i = 0; i < 10; i++) insert.run(`a${i}`, payload);
    await ckpt.runOnce(); // the worker is running and has checkpointed once
    expect(ckpt.stats().background).toBe(1);
    for (let i = 0; i < 10; i++) insert.run(`b${i}`, payload); // frames not yet in the file
    // Another database written over the file in place (same inode): a restore by `cp` over a running server.
    const otherDir = mkdtempSync(join(tmpdir(), 'ledgerline-ckpt-other-'));
    dirs.push(otherDir);
    const other = new Database(join(otherDir, 'other.db'));
    other.pragma('application_id = 4242');
    other.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('not the store')");
    other.close();
    const otherBytes = readFileSync(join(otherDir, 'other.db'));
    writeFileSync(s.path, otherBytes);
    await ckpt.runOnce();
    await ckpt.runOnce();
    expect(ckpt.stats().background).toBe(1);
    expect(problems).toEqual([expect.stringMatching(/refused: the store file was overwritten/), expect.stringMatching(/overwritten/)]);
    expect(readFileSync(s.path).equals(otherBytes)).toBe(true);
    ckpt.stop();
    // The store's own check sees it too, so the store's close() leaves the file alone.
    expect(s.check().ok).toBe(false);
  });
});
