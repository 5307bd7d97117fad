// PostgreSQL for tests: a throwaway database per test file, on the server named by LEDGERLINE_TEST_PG_URL (default:
// the local one, trust auth). Tests skip only when no server answers, saying so; on CI (CI set) that is a failure.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.LEDGERLINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Undefined when PostgreSQL answers, else why it does not (for the skip message). */
export async function pgUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    const why = `PostgreSQL at ${PG_ADMIN_URL.replace(/\/\/[^@]*@/, '//')} is unreachable (${(e as Error).message}): PostgreSQL tests skipped`;
    if (process.env.CI) throw new Error(`${why}; on CI it must be running`);
    console.warn(why);
    return why;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The workspace of a test's runtime or bare store on PostgreSQL (a server's is the default workspace). */
export const BARE_WORKSPACE = 'test';

export interface ThrowawayDatabase {
  name: string;
  url: string;
  /** A pool on the database; ended by drop(). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * `template`: a database to copy (what it holds, e.g. migrated schemas) instead of the empty template1.
 * `asyncCommit`: its sessions do not wait for the WAL flush at COMMIT (synchronous_commit off): what is committed stays
 * as consistent and isolated, only a crash of the PostgreSQL server could lose the last commits, which a test that
 * is not about that server's durability does not mind. For a pass of many tests on a busy disk (each flush ~6 ms).
 */
export async function throwawayDatabase(o: { template?: string; asyncCommit?: boolean } = {}): Promise<ThrowawayDatabase> {
  const name = `ledgerline_t_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"${o.template ? ` TEMPLATE "${o.template}"` : ''}`);
  if (o.asyncCommit) await admin(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 8 });
  // `pool.end()` resolves before its clients' sockets have closed: the DROP … WITH (FORCE) below can terminate one
  // still closing, and an idle client's error with no listener on the pool is an uncaught exception in the test run.
  pool.on('error', () => undefined);
  return {
    name,
    url: url.toString(),
    pool,
    drop: async () => {
      await pool.end();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
