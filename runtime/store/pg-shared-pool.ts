// One pool of PostgreSQL connections per database per process, shared by the stores of every workspace (schema) the
// process opens. A pool per workspace made connections grow with processes × workspaces: seven processes of a
// deployment with three workspaces and the default one asked for up to 224 connections of a server that allows 100 by
// default, and under load the web processes answered 503 ("too many clients already"). Here a connection serves any
// workspace: it is switched to the workspace's schema (search_path) when a checkout needs another one than it last
// served, one round trip only then. Prepared statements stay correct across the switch: PostgreSQL re-parses a
// prepared statement whose search_path changed since it was planned.
import pg from 'pg';
import { quoteSchema } from './pg-migrate.ts';

interface Shared {
  pool: pg.Pool;
  members: Set<SchemaPool>;
}

const shared = new Map<string, Shared>();
/** The schema each connection's search_path is set to now. */
const schemaOf = new WeakMap<pg.PoolClient, string>();

/**
 * A workspace's view of its process's pool on the database: a pg.Pool to drizzle and to the store's own raw queries
 * (so transactions take a connection of their own as before), whose connections are in the workspace's schema.
 */
export class SchemaPool extends pg.Pool {
  private closed = false;

  /** The schema as `SET search_path` takes it (quoted; a name PostgreSQL cannot take is refused here). */
  private readonly quoted: string;

  constructor(
    private readonly base: Shared,
    readonly schema: string,
  ) {
    // The inherited pool is never used: every connection comes from the shared one.
    super({ max: 1 });
    this.quoted = quoteSchema(schema);
  }

  override connect(...args: any[]): any {
    if (args.length) throw new Error('SchemaPool.connect takes no callback');
    return this.checkout();
  }

  private async checkout(): Promise<pg.PoolClient> {
    if (this.closed) throw new Error(`the pool of schema ${this.schema} is closed`);
    const client = await this.base.pool.connect();
    if (schemaOf.get(client) !== this.schema) {
      try {
        await client.query(`SET search_path TO ${this.quoted}`);
      } catch (e) {
        client.release(e as Error);
        throw e;
      }
      schemaOf.set(client, this.schema);
    }
    // As pg.Pool does on a checkout: listeners of this workspace's pool (instrumentation, tests) see its clients.
    this.emit('acquire', client);
    return client;
  }

  override query(...args: any[]): any {
    if (typeof args[args.length - 1] === 'function') throw new Error('SchemaPool.query takes no callback');
    return (async () => {
      const client = await this.checkout();
      try {
        const r = await (client.query as (...a: any[]) => Promise<unknown>)(...args);
        client.release();
        return r;
      } catch (e) {
        // An error the server reported leaves the connection usable (autocommit: nothing is left open); any other
        // (a broken connection) takes it out of the pool.
        client.release((e as { severity?: string }).severity ? undefined : (e as Error));
        throw e;
      }
    })();
  }

  /** This workspace is done with the pool; the last one to leave closes the connections. */
  override end(...args: any[]): any {
    if (args.length) throw new Error('SchemaPool.end takes no callback');
    return (async () => {
      if (this.closed) return;
      this.closed = true;
      this.base.members.delete(this);
      if (this.base.members.size) return;
      for (const [k, v] of shared) if (v === this.base) shared.delete(k);
      await this.base.pool.end();
    })();
  }
}

/**
 * The workspace's view of this process's pool on the database at `url` (created by the first view; `max` is its size
 * then). An idle connection that fails is reported to every view's `error` listeners.
 */
export function sharedSchemaPool(url: string, schema: string, max: number): SchemaPool {
  let base = shared.get(url);
  if (!base) {
    const pool = new pg.Pool({ connectionString: url, max });
    const members = new Set<SchemaPool>();
    pool.on('error', (e) => {
      for (const m of members) m.emit('error', e);
    });
    base = { pool, members };
    shared.set(url, base);
  }
  const view = new SchemaPool(base, schema);
  base.members.add(view);
  return view;
}

/** Connections the process holds to the database at `url` (open: idle or in use). */
export const sharedPoolSize = (url: string) => shared.get(url)?.pool.totalCount ?? 0;
