// What the asynchronous store costs per statement (issue 13): the same point read and the same insert through
// better-sqlite3 raw prepared statements, drizzle's synchronous SQLite driver, SqlStore on SQLite and SqlStore on
// PostgreSQL (local, trust auth). Interleaved rounds; CPU per statement from process.cpuUsage.
//   node --no-node-snapshot --import tsx bench/sql-store.ts [statements=20000] [rounds=3]
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgStore } from '../runtime/store/pg-store.ts';
import { leases } from '../runtime/store/schema.ts';
import { openStore } from '../runtime/store/db.ts';
import { throwawayDatabase } from '../runtime/testing/pg.ts';

const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 3);

const dir = mkdtempSync(join(tmpdir(), 'll-bench-sqlstore-'));
const store = openStore(dir);
const database = await throwawayDatabase();
const pgStore = await openPgStore({ url: database.url, workspace: 'bench', max: 4 });

const sync = drizzle(store.sqlite);
const lite = store.sql({ leases });
const pgs = pgStore.sql({ leases });
const raw = {
  read: store.sqlite.prepare('SELECT holder, expires_at, term FROM leases WHERE name = ?'),
  write: store.sqlite.prepare('INSERT INTO leases (name, holder, expires_at, acquired_at, term) VALUES (?, ?, ?, ?, 1)'),
};

type Kind = { name: string; read(i: number): unknown; write(i: number, round: number): unknown; tx?: (fn: () => Promise<void>) => Promise<void> };
const kinds: Kind[] = [
  {
    name: 'raw prepared (sync)',
    read: (i) => raw.read.get(`k${i % 100}`),
    write: (i, r) => raw.write.run(`raw-${r}-${i}`, 'h', i, i),
  },
  {
    name: 'drizzle better-sqlite3 (sync)',
    read: (i) =>
      sync
        .select()
        .from(leases)
        .where(eq(leases.name, `k${i % 100}`))
        .get(),
    write: (i, r) =>
      sync
        .insert(leases)
        .values({ name: `sync-${r}-${i}`, holder: 'h', expiresAt: i, acquiredAt: i, term: 1 })
        .run(),
  },
  {
    name: 'SqlStore on SQLite',
    read: (i) =>
      lite.db
        .select()
        .from(lite.tables.leases)
        .where(eq(lite.tables.leases.name, `k${i % 100}`)),
    write: (i, r) => lite.db.insert(lite.tables.leases).values({ name: `lite-${r}-${i}`, holder: 'h', expiresAt: i, acquiredAt: i, term: 1 }),
  },
  {
    name: 'SqlStore on PostgreSQL',
    read: (i) =>
      pgs.db
        .select()
        .from(pgs.tables.leases)
        .where(eq(pgs.tables.leases.name, `k${i % 100}`)),
    write: (i, r) => pgs.db.insert(pgs.tables.leases).values({ name: `pg-${r}-${i}`, holder: 'h', expiresAt: i, acquiredAt: i, term: 1 }),
  },
];

for (let i = 0; i < 100; i++) {
  raw.write.run(`k${i}`, 'h', i, i);
  await pgs.db.insert(pgs.tables.leases).values({ name: `k${i}`, holder: 'h', expiresAt: i, acquiredAt: i, term: 1 });
}

const results = new Map<string, { read: number[]; write: number[]; readWall: number[]; writeWall: number[] }>();
async function measure(fn: (i: number) => unknown): Promise<{ cpuUs: number; wallUs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn(i);
  const c = process.cpuUsage(c0);
  return { cpuUs: (c.user + c.system) / N, wallUs: ((performance.now() - t0) * 1000) / N };
}

const load0 = loadavg()[0] ?? 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const k of kinds) {
    const r = results.get(k.name) ?? { read: [], write: [], readWall: [], writeWall: [] };
    const read = await measure((i) => k.read(i));
    // Writes each in their own autocommit, as a single statement outside a transaction is.
    const write = await measure((i) => k.write(i, round));
    r.read.push(read.cpuUs);
    r.readWall.push(read.wallUs);
    r.write.push(write.cpuUs);
    r.writeWall.push(write.wallUs);
    results.set(k.name, r);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(
  `${N} statements × ${ROUNDS} rounds, load average ${load0.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}; medians in µs per statement (this process's CPU / wall)`,
);
console.log('| store | point read CPU / wall | autocommit insert CPU / wall |');
console.log('| --- | --- | --- |');
for (const [name, r] of results) {
  console.log(
    `| ${name} | ${median(r.read).toFixed(1)} / ${median(r.readWall).toFixed(1)} | ${median(r.write).toFixed(1)} / ${median(r.writeWall).toFixed(1)} |`,
  );
}

await pgStore.close();
await database.drop();
store.close();
rmSync(dir, { recursive: true, force: true });
