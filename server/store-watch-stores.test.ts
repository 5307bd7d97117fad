// The store watch on every dialect: healthy while the store is the one opened and answers as this build knows it;
// once it is not, every write and delivery sees it at once (health() does not wait), /readyz's check says why, and it
// is said loudly once. A lost SQLite file is lost for good; a PostgreSQL schema that is fit again is healthy again.
import { rmSync } from 'node:fs';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { isSqlite } from '../runtime/store/any-store.ts';
import { MIGRATIONS_TABLE } from '../runtime/store/migrate.ts';
import { freshStores, testStores } from '../runtime/testing/stores.ts';
import { watchStore } from './store-watch.ts';

function logger() {
  const lines: Array<{ level: string; msg: string }> = [];
  const at = (level: string) => (_o: object, msg?: string) => void lines.push({ level, msg: msg ?? '' });
  return { lines, log: { fatal: at('fatal'), error: at('error'), warn: at('warn'), info: at('info') } as unknown as Logger };
}

describe.each(testStores())('store watch on $name', (kind) => {
  const fresh = freshStores(kind);

  it('says at once when the store is no longer fit for work, logs and alerts it once, and stops the worker only for good', async () => {
    const s = await fresh();
    const { lines, log } = logger();
    const alerts: string[] = [];
    let workerStopped = 0;
    const watch = watchStore(
      { store: s.store, worker: { stop: async () => void workerStopped++ } },
      { log, everyMs: 60_000, alert: async (subject) => void alerts.push(subject) },
    );
    const loud = () => lines.filter((l) => l.level === 'fatal' || l.level === 'error');
    try {
      expect(watch.health()).toEqual({ ok: true });
      expect(await watch.check()).toEqual({ ok: true });
      const store = s.store;
      if (isSqlite(store)) {
        for (const f of ['', '-wal', '-shm']) rmSync(store.path + f, { force: true });
        const h = await watch.check();
        expect(!h.ok && h.problem).toMatch(/was deleted/);
        expect(watch.health().ok).toBe(false);
        expect(workerStopped).toBe(1); // no more runs claimed on a store that is gone
      } else {
        // What a newer build's process does to the schema at its start: this one no longer fits it.
        await store.pool.query(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES ('newer', 9999999999999)`);
        expect(watch.health().ok).toBe(true); // not asked yet
        const h = await watch.check();
        expect(!h.ok && h.problem).toMatch(/a newer version migrated it/);
        expect(watch.health().ok).toBe(false); // what writes and deliveries see now, without waiting
        await watch.check();
        expect(workerStopped).toBe(0);
        await store.pool.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE hash = 'newer'`);
        expect(await watch.check()).toEqual({ ok: true });
        expect(watch.health()).toEqual({ ok: true });
        expect(lines.at(-1)).toMatchObject({ level: 'info', msg: expect.stringMatching(/answers again/) });
      }
      expect(loud()).toHaveLength(1);
      expect(alerts).toHaveLength(1);
    } finally {
      watch.stop();
    }
  });
});
