// Opens the embedded SQLite store under a data dir: WAL, migrations, and the checkpoint that keeps the WAL bounded.
// It also keeps the store's identity. A store that is deleted or overwritten under a running server must be
// noticed (an unlinked file keeps taking writes that no restart will ever see), and a restart must never quietly
// start a new empty store where one existed: a marker file beside the database remembers which store lived here.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import * as schema from './schema.ts';
import { migrateStore } from './migrate.ts';
import type { SqlStore } from './sql-store.ts';
import { holdWrites, sqliteExclusive, sqliteSqlStore } from './sqlite-sql-store.ts';
import { type Checkpointer, type CheckpointerOptions, startCheckpointer } from './checkpointer.ts';

export type RuntimeDb = BetterSQLite3Database<typeof schema>;

export type StoreHealth = { ok: true } | { ok: false; problem: string; since: number };

export interface Store {
  readonly dialect: 'sqlite';
  sqlite: Database.Database;
  db: RuntimeDb;
  path: string;
  /** Random id of this store, kept in the database header (application_id) and in the marker file beside it. */
  storeId: number;
  /**
   * Is the file at `path` still the store this process opened (same file, same identity)? Cheap (a stat and a
   * 100-byte read); `deep` also runs SQLite's quick_check. Once a problem is found it stays: only a restart,
   * with a human looking at the data dir, clears it.
   */
  check(opts?: { deep?: boolean }): StoreHealth;
  /**
   * The store as an asynchronous SQL database over these tables (the SQLite declarations; a PostgreSQL store gives
   * their pg-core forms): how code that runs on either store reads and writes. See ./sql-store.ts.
   */
  sql<T extends Record<string, unknown>>(tables: T): SqlStore<T>;
  /**
   * Runs `fn` (synchronous better-sqlite3 work on `sqlite`: a hot path's raw prepared statements) as one IMMEDIATE
   * transaction, once no `SqlStore` transaction of this file is open: raw statements run while one is open would run
   * inside it. Inside such a transaction (the caller's own), it is a savepoint of it.
   */
  exclusive<R>(fn: () => R): Promise<R>;
  /**
   * Moves WAL checkpoints off this connection's commits to a worker thread (checkpointer.ts), for a process whose
   * commits are on its request path (the server ingesting webhooks). Idempotent; `close()` stops it.
   */
  checkpointInBackground?(o?: CheckpointerOptions): Checkpointer;
  close(): void;
}

/** A store that cannot be opened, with a message that says which path and what to do (no stack needed). */
export class StoreOpenError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

export const STORE_FILE = 'ledgerline.db';
export const MARKER_FILE = 'ledgerline.store-id';
const SQLITE_MAGIC = 'SQLite format 3\0';

interface Marker {
  storeId: number;
  createdAt: string;
}

function readMarker(path: string): Marker | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Marker;
    if (Number.isInteger(m.storeId) && m.storeId !== 0) return m;
  } catch {
    // unreadable: treated as present but unknown below
  }
  return { storeId: 0, createdAt: 'unknown' };
}

/** The first 100 bytes of the file: SQLite's header (magic, and application_id at offset 68). */
function readHeader(path: string): { magic: boolean; appId: number } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(100);
    if (readSync(fd, b, 0, 100, 0) < 100) return { magic: false, appId: 0 };
    return { magic: b.toString('latin1', 0, 16) === SQLITE_MAGIC, appId: b.readInt32BE(68) };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Best effort on an existing store: a file owned by someone else may refuse, and that is no reason not to start. */
function tighten(path: string): void {
  try {
    chmodSync(path, 0o600);
  } catch {
    // left as it was
  }
}

function cannot(path: string, e: unknown, what: string): StoreOpenError {
  const code = (e as { code?: string }).code ?? '';
  const uid = process.getuid?.();
  if (/EACCES|EPERM|EROFS|CANTOPEN|READONLY/.test(code + ' ' + String((e as Error).message))) {
    return new StoreOpenError(
      `cannot ${what} ${path} (${code || (e as Error).message}): the data dir must be writable by this user${uid === undefined ? '' : ` (uid ${uid})`}. Fix its permissions, or set LEDGERLINE_DATA_DIR to a writable directory.`,
    );
  }
  if (/CORRUPT|NOTADB/.test(code)) {
    return new StoreOpenError(
      `the store ${path} is damaged (${code}): it is not the database Ledgerline wrote. Restore ${STORE_FILE} (and ${STORE_FILE}-wal if the backup has one) from a backup; do not delete it to start over unless losing its data is intended.`,
    );
  }
  return new StoreOpenError(`cannot ${what} ${path}: ${(e as Error).message}`);
}

export function openStore(dataDir: string, opts: { migrate?: boolean } = {}): Store {
  const path = join(dataDir, STORE_FILE);
  const markerPath = join(dataDir, MARKER_FILE);
  try {
    // 0700: the store holds password hashes, credentials (encrypted) and customers' personal data.
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw cannot(dataDir, e, 'create the data dir');
  }
  const marker = readMarker(markerPath);
  const existed = existsSync(path);
  if (!existed && marker) {
    throw new StoreOpenError(
      `the store ${path} is missing, but ${markerPath} says a store (id ${marker.storeId}, created ${marker.createdAt}) lived here. ` +
        `Refusing to start a new empty store in its place: restore ${STORE_FILE} from a backup, or, to start empty on purpose, delete ${markerPath}.`,
    );
  }
  let sqlite: Database.Database;
  let storeId: number;
  try {
    // SQLite gives the -wal and -shm files the database file's permissions: creating it 0600 covers all three.
    if (!existed) closeSync(openSync(path, 'a', 0o600));
    else tighten(path);
    sqlite = new Database(path);
    immediateTransactions(sqlite);
    sqlite.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a process crash (kill -9); only an OS crash can lose the last commits.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Sorts and DISTINCTs that no index serves build a temporary b-tree: kept on "disk" (SQLite's default), each one
    // set up a pager of its own, ≈ 150 µs even for four rows (the lookup snapshot's query ran twice per order:
    // bench/README.md "Order to ERP"); in memory ≈ 12 µs. Our sorts are of small sets (the large reads follow indexes).
    sqlite.pragma('temp_store = MEMORY');
    storeId = sqlite.pragma('application_id', { simple: true }) as number;
    if (storeId === 0) {
      storeId = randomInt(1, 2 ** 31 - 1);
      sqlite.pragma(`application_id = ${storeId}`);
      // Into the file itself, where check() reads it (in WAL mode the new header page waits in the WAL).
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
    }
  } catch (e) {
    throw cannot(path, e, 'open the store');
  }
  if (marker && marker.storeId !== 0 && marker.storeId !== storeId) {
    sqlite.close();
    throw new StoreOpenError(
      `${path} is not the store that lived here: its id is ${storeId}, ${markerPath} says ${marker.storeId} (created ${marker.createdAt}). ` +
        `It was replaced. Put the right ${STORE_FILE} back (from a backup), or, if this one is meant to take over, delete ${markerPath}.`,
    );
  }
  if (!marker || marker.storeId === 0) {
    try {
      writeFileSync(markerPath, JSON.stringify({ storeId, createdAt: new Date().toISOString() }) + '\n', { mode: 0o600 });
    } catch (e) {
      sqlite.close();
      throw cannot(markerPath, e, 'write');
    }
  }
  const db = drizzle(sqlite, { schema });
  if (opts.migrate !== false) {
    try {
      migrateStore(db);
    } catch (e) {
      sqlite.close();
      throw cannot(path, e, 'migrate the store');
    }
  }
  const opened = statSync(path);
  let problem: StoreHealth = { ok: true };
  const fail = (p: string): StoreHealth => (problem = { ok: false, problem: p, since: Date.now() });
  const check = (o: { deep?: boolean } = {}): StoreHealth => {
    if (!problem.ok || !sqlite.open) return problem;
    let now;
    try {
      now = statSync(path);
    } catch {
      return fail(`the store file ${path} was deleted while the server was running`);
    }
    if (now.ino !== opened.ino || now.dev !== opened.dev) return fail(`the store file ${path} was replaced by another file while the server was running`);
    const h = readHeader(path);
    if (!h?.magic) return fail(`the store file ${path} was overwritten: it is no longer an SQLite database`);
    if (h.appId !== storeId) return fail(`the store file ${path} was overwritten with another database (id ${h.appId}, expected ${storeId})`);
    if (o.deep) {
      try {
        const r = sqlite.pragma('quick_check(1)', { simple: true });
        if (r !== 'ok') return fail(`the store ${path} failed its integrity check: ${String(r)}`);
      } catch (e) {
        return fail(`the store ${path} failed its integrity check: ${(e as Error).message}`);
      }
    }
    return problem;
  };
  // Closing checkpoints the WAL into the file: into a file that is no longer ours, that would write over whatever
  // now lies there (the evidence, or a restored backup). A lost store's handle is left for process exit instead.
  let checkpointer: Checkpointer | undefined;
  const checkpointInBackground = (o?: CheckpointerOptions) =>
    (checkpointer ??= startCheckpointer({ sqlite, path, storeId, check }, { hold: (work) => holdWrites(sqlite, work), ...o }));
  const close = () => {
    checkpointer?.stop();
    if (problem.ok && sqlite.open) sqlite.close();
  };
  return {
    dialect: 'sqlite',
    sqlite,
    db,
    path,
    storeId,
    check,
    sql: (tables) => sqliteSqlStore(sqlite, tables),
    exclusive: (fn) => sqliteExclusive(sqlite, fn),
    checkpointInBackground,
    close,
  };
}

export { migrateStore };

/** SQLite errors that mean the file under us is not what we wrote (worth an immediate deep check). */
export const isStoreDamageError = (e: unknown) => /^SQLITE_(CORRUPT|NOTADB|IOERR|READONLY_DBMOVED|CANTOPEN)/.test(String((e as { code?: string })?.code ?? ''));

/**
 * Makes `sqlite.transaction(fn)()` begin IMMEDIATE (take the write lock at BEGIN, waiting out busy_timeout) instead
 * of DEFERRED. Several processes write one store (`serve --role`): a deferred transaction that reads before it writes
 * cannot upgrade to a writer once another process has committed since its read, and SQLite then fails it at once
 * with SQLITE_BUSY instead of waiting. `.deferred()` stays available where a read-only transaction wants it.
 */
export function immediateTransactions(sqlite: Database.Database): void {
  const make = sqlite.transaction.bind(sqlite);
  sqlite.transaction = ((fn: (...args: never[]) => unknown) => make(fn).immediate) as typeof sqlite.transaction;
}
