// The stores of several workspaces in one process share one pool of connections on their database, each statement
// still in its own workspace's schema, however their queries and transactions interleave.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseStore } from '../leases.ts';
import { pgUnavailable, throwawayDatabase, type ThrowawayDatabase } from '../testing/pg.ts';
import { sharedPoolSize, sharedSchemaPool } from './pg-shared-pool.ts';
import { openPgStore, type PgStore } from './pg-store.ts';
import { leases } from './schema.ts';

const unavailable = await pgUnavailable();

describe.skipIf(unavailable)('one pool per database for every workspace of a process', () => {
  let db: ThrowawayDatabase;
  beforeAll(async () => (db = await throwawayDatabase()));
  afterAll(async () => db?.drop());

  /** Connections open on the test database but the watcher's own (one client, so it adds no more). */
  let watcher: pg.Client;
  beforeAll(async () => {
    watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
  });
  afterAll(async () => watcher?.end());
  const backends = async () =>
    Number(
      (await watcher.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db.name])).rows[0]!.n,
    );

  it('keeps each statement in its workspace while three workspaces interleave on at most `max` connections', async () => {
    const MAX = 3;
    const stores: PgStore[] = [];
    for (const w of ['a', 'b', 'c']) stores.push(await openPgStore({ url: db.url, workspace: w, max: MAX }));
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) peak = Math.max(peak, await backends());
    })();
    try {
      // Autocommit statements (the lease upsert), raw pool queries and transactions of all three, all at once.
      await Promise.all(
        Array.from({ length: 90 }, async (_, i) => {
          const s = stores[i % 3]!;
          const ws = ['a', 'b', 'c'][i % 3]!;
          if (i % 2) await leaseStore(s).acquire(`${ws}-${i}`, 'h', 60_000);
          else {
            const view = s.sql({ leases });
            await view.tx(async (tx) => {
              await tx.insert(view.tables.leases).values({ name: `${ws}-${i}`, holder: 'tx', expiresAt: 1, acquiredAt: 1, term: 1 });
              await view.rows(sql`SELECT pg_sleep(0.005)`); // holds the transaction's connection a while
            });
          }
        }),
      );
    } finally {
      sampling = false;
      await sampler;
    }
    peak = Math.max(peak, await backends());
    for (const [i, ws] of ['a', 'b', 'c'].entries()) {
      const names = (await watcher.query<{ name: string }>(`SELECT name FROM ws_${ws}.leases ORDER BY name`)).rows.map((r) => r.name);
      expect(names).toHaveLength(30);
      expect(names.every((n) => n.startsWith(`${ws}-`))).toBe(true);
      // The store reads its own schema only.
      const own = (await stores[i]!.pool.query<{ n: string }>(`SELECT count(*) AS n FROM leases`)).rows[0]!.n;
      expect(Number(own)).toBe(30);
    }
    expect(peak).toBeLessThanOrEqual(MAX);
    expect(sharedPoolSize(db.url)).toBeLessThanOrEqual(MAX);

    // A workspace closed leaves the others working; the last one closes the connections.
    await stores[0]!.close();
    expect(Number((await stores[1]!.pool.query<{ n: string }>(`SELECT count(*) AS n FROM leases`)).rows[0]!.n)).toBe(30);
    await stores[1]!.close();
    await stores[2]!.close();
    expect(sharedPoolSize(db.url)).toBe(0);
    // The server ends a backend a moment after its client said goodbye.
    for (let i = 0; i < 50 && (await backends()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await backends()).toBe(0);
  });
});

describe('schema names', () => {
  it('refuses a name PostgreSQL cannot take before it reaches SET search_path (the name is quoted there)', () => {
    for (const bad of ['', 'pg_catalog', 'ws\0a', 'w'.repeat(64)])
      expect(() => sharedSchemaPool('postgres://127.0.0.1/none', bad, 1), JSON.stringify(bad)).toThrow(/cannot be a PostgreSQL schema name/);
  });
});
