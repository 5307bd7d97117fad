import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { MARKER_FILE, STORE_FILE, StoreOpenError, openStore } from './db.ts';
import { tempDir } from '../testing/fixtures.ts';

let tmp: { dir: string; cleanup(): void };
afterEach(() => tmp?.cleanup());
const mode = (p: string) => statSync(p).mode & 0o777;

describe('openStore: who may read it', () => {
  it('creates the data dir 0700 and the database, its WAL and the marker 0600', () => {
    tmp = tempDir('ledgerline-store-');
    const dir = join(tmp.dir, 'data');
    const s = openStore(dir);
    s.sqlite.prepare('CREATE TABLE t (x)').run();
    expect(mode(dir)).toBe(0o700);
    for (const f of [STORE_FILE, `${STORE_FILE}-wal`, `${STORE_FILE}-shm`, MARKER_FILE]) expect(mode(join(dir, f)), f).toBe(0o600);
    s.close();
  });
});

describe('openStore: how it runs', () => {
  it('keeps the temporary b-trees of sorts no index serves in memory (on disk each set up a pager: ≈ 150 µs for four rows)', () => {
    tmp = tempDir('ledgerline-store-');
    const s = openStore(tmp.dir);
    expect(s.sqlite.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    s.sqlite.exec(`CREATE TABLE t (name text, scope text); INSERT INTO t VALUES ('a', 'x'), ('a', 'shared')`);
    const q = `SELECT scope FROM t WHERE name = 'a' ORDER BY CASE WHEN scope = 'shared' THEN 1 ELSE 0 END LIMIT 1`;
    expect(s.sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`).all()).toContainEqual(expect.objectContaining({ detail: 'USE TEMP B-TREE FOR ORDER BY' }));
    expect(s.sqlite.prepare(q).pluck().get()).toBe('x');
    s.close();
  });
});

describe('openStore: a store is never silently replaced', () => {
  it('refuses to start a new empty store where the marker says one lived, naming both files', () => {
    tmp = tempDir('ledgerline-store-');
    openStore(tmp.dir).close();
    for (const f of [STORE_FILE, `${STORE_FILE}-wal`, `${STORE_FILE}-shm`]) rmSync(join(tmp.dir, f), { force: true });
    const e = (() => {
      try {
        openStore(tmp.dir);
      } catch (x) {
        return x;
      }
    })() as Error;
    expect(e).toBeInstanceOf(StoreOpenError);
    expect(e.message).toContain(join(tmp.dir, STORE_FILE));
    expect(e.message).toMatch(/is missing, but .*ledgerline\.store-id says a store .* lived here/);
    // Deleting the marker is the deliberate way to start empty.
    unlinkSync(join(tmp.dir, MARKER_FILE));
    openStore(tmp.dir).close();
  });

  it('refuses another database put in its place, and a damaged one with a clear message (not a raw SQLITE_CORRUPT)', () => {
    tmp = tempDir('ledgerline-store-');
    openStore(tmp.dir).close();
    const other = join(tmp.dir, 'other');
    openStore(other).close();
    renameSync(join(other, STORE_FILE), join(tmp.dir, STORE_FILE));
    expect(() => openStore(tmp.dir)).toThrow(/is not the store that lived here/);
    const fd = openSync(join(tmp.dir, STORE_FILE), 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x41), 0, 8192, 0);
    closeSync(fd);
    const e = (() => {
      try {
        openStore(tmp.dir);
      } catch (x) {
        return x;
      }
    })() as Error;
    expect(e).toBeInstanceOf(StoreOpenError);
    expect(e.message).toMatch(/is damaged \(SQLITE_NOTADB\).*Restore ledgerline\.db/);
  });

  it('says which path is not writable, and what to do, for a read-only data dir', () => {
    tmp = tempDir('ledgerline-store-');
    const dir = join(tmp.dir, 'ro');
    mkdirSync(dir);
    // As root, permission bits do not stop writes: an immutable directory does.
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', dir]);
    else execFileSync('chmod', ['0500', dir]);
    try {
      const e = (() => {
        try {
          openStore(dir);
        } catch (x) {
          return x;
        }
      })() as Error;
      expect(e).toBeInstanceOf(StoreOpenError);
      expect(e.message).toContain(dir);
      expect(e.message).toMatch(/must be writable by this user .*LEDGERLINE_DATA_DIR/);
    } finally {
      if (root) execFileSync('chattr', ['-i', dir]);
      else execFileSync('chmod', ['0700', dir]);
    }
  });
});

describe('Store.check: the file under a running store', () => {
  it('notices the file deleted, replaced, or overwritten in place; a problem once seen stays', () => {
    for (const how of ['delete', 'replace', 'overwrite'] as const) {
      tmp?.cleanup();
      tmp = tempDir('ledgerline-store-');
      const s = openStore(tmp.dir);
      expect(s.check({ deep: true })).toEqual({ ok: true });
      const path = join(tmp.dir, STORE_FILE);
      if (how === 'delete') unlinkSync(path);
      if (how === 'replace') {
        const o = openStore(join(tmp.dir, 'x'));
        o.close();
        renameSync(join(tmp.dir, 'x', STORE_FILE), path);
      }
      if (how === 'overwrite') {
        const fd = openSync(path, 'r+');
        writeSync(fd, Buffer.alloc(4096, 0), 0, 4096, 0);
        closeSync(fd);
      }
      const h = s.check();
      expect(h.ok, how).toBe(false);
      expect((h as { problem: string }).problem).toMatch(how === 'delete' ? /was deleted/ : how === 'replace' ? /was replaced/ : /was overwritten/);
      expect(s.check().ok).toBe(false);
      s.close();
    }
  });
});

describe('Store.exclusive: raw hot-path statements beside SqlStore transactions', () => {
  it('waits for an open SqlStore transaction instead of writing into it, and commits its own work as one', async () => {
    tmp = tempDir('ledgerline-store-');
    const s = openStore(tmp.dir);
    s.sqlite.exec('CREATE TABLE t (x text)');
    const insert = s.sqlite.prepare('INSERT INTO t (x) VALUES (?)');
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const sqlView = s.sql({});
    const open = sqlView.tx(async () => {
      await sqlView.exec(sql`INSERT INTO t (x) VALUES ('in tx')`);
      await held;
      throw new Error('rolled back');
    });
    await new Promise((r) => setTimeout(r, 5));
    // Had it run at once, its row would be inside the open transaction and rolled back with it.
    const raw = s.exclusive(() => {
      insert.run('raw');
      insert.run('raw 2');
    });
    release();
    await expect(open).rejects.toThrow('rolled back');
    await raw;
    expect(s.sqlite.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual(['raw', 'raw 2']);
    // A failure inside undoes all of it.
    await expect(
      s.exclusive(() => {
        insert.run('half');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(s.sqlite.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2);
    // Called inside the caller's own SqlStore transaction, it is part of it.
    await sqlView.tx(async () => {
      await s.exclusive(() => insert.run('nested'));
    });
    expect(s.sqlite.prepare('SELECT count(*) FROM t').pluck().get()).toBe(3);
    s.close();
  });
});
