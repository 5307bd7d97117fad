// `ledgerline backup` and `ledgerline restore`: a consistent copy of a data dir while the server runs, and putting
// one back. SQLite files are copied with `VACUUM INTO` (one read transaction: a snapshot even while a server
// writes, and the header keeps the store's id, so the restored store is recognised as the one that lived there).
// Nothing is ever deleted by a restore: what it replaces is moved aside.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pgSchemaOf, redactUrl } from '../../runtime/store/pg-store.ts';
import { cliStoreTarget, describeStore } from './cli-store.ts';
import Database from 'better-sqlite3';
import { MARKER_FILE, STORE_FILE } from '../../runtime/store/db.ts';
import { keyFilePath } from '../vault/vault.ts';

export const BACKUP_USAGE = `ledgerline backup --to DIR [--data-dir DIR]
  ledgerline restore --from DIR [--data-dir DIR] [--force]   (stop the server first)`;

const MANIFEST = 'ledgerline-backup.json';
const SANDBOX_ERP_FILE = 'sandbox-erp.sqlite';
const KEY_FILE = 'vault.keys';
// Written whole and renamed into place by the server (server/sandbox/kept-shop.ts): a plain copy is a consistent one.
const SANDBOX_SHOP_FILE = 'sandbox-shop.json';

interface Io {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
  now(): Date;
}

interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

interface Manifest {
  format: 1;
  createdAt: string;
  from: string;
  storeId: number;
  files: ManifestFile[];
  /** False when the master key came from LEDGERLINE_MASTER_KEY only: it must be kept with the backup separately. */
  masterKeyIncluded: boolean;
}

class Refused extends Error {}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const describe = (dir: string, name: string): ManifestFile => ({ name, bytes: statSync(join(dir, name)).size, sha256: sha256(join(dir, name)) });

function snapshot(from: string, to: string): number {
  const db = new Database(from, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    // VACUUM INTO writes through the destination's default mode; tighten it at once (it holds personal data).
    // Raw: VACUUM INTO is no query over a table, so drizzle has no builder for it.
    db.prepare('VACUUM INTO ?').run(to);
    chmodSync(to, 0o600);
    return db.pragma('application_id', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function checkSqlite(path: string, name: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const r = db.pragma('quick_check(1)', { simple: true });
    if (r !== 'ok') throw new Refused(`${name} in the backup fails SQLite's integrity check: ${String(r)}`);
    return db.pragma('application_id', { simple: true }) as number;
  } catch (e) {
    if (e instanceof Refused) throw e;
    throw new Refused(`${name} in the backup is not a readable SQLite database: ${(e as Error).message}`);
  } finally {
    db.close();
  }
}

export function backup(dataDir: string, to: string, env: NodeJS.ProcessEnv, now = new Date()): Manifest {
  const store = join(dataDir, STORE_FILE);
  if (!existsSync(store)) throw new Refused(`${dataDir} has no store (${STORE_FILE}): nothing to back up`);
  if (existsSync(to) && readdirSync(to).length) throw new Refused(`${to} is not empty: back up into a new directory`);
  mkdirSync(to, { recursive: true, mode: 0o700 });
  chmodSync(to, 0o700);
  const storeId = snapshot(store, join(to, STORE_FILE));
  const names = [STORE_FILE];
  if (existsSync(join(dataDir, SANDBOX_ERP_FILE))) {
    snapshot(join(dataDir, SANDBOX_ERP_FILE), join(to, SANDBOX_ERP_FILE));
    names.push(SANDBOX_ERP_FILE);
  }
  if (existsSync(join(dataDir, SANDBOX_SHOP_FILE))) {
    copyFileSync(join(dataDir, SANDBOX_SHOP_FILE), join(to, SANDBOX_SHOP_FILE));
    chmodSync(join(to, SANDBOX_SHOP_FILE), 0o600);
    names.push(SANDBOX_SHOP_FILE);
  }
  const keyFile = keyFilePath(dataDir);
  if (existsSync(keyFile)) {
    copyFileSync(keyFile, join(to, KEY_FILE));
    chmodSync(join(to, KEY_FILE), 0o600);
    names.push(KEY_FILE);
  }
  const manifest: Manifest = {
    format: 1,
    createdAt: now.toISOString(),
    from: dataDir,
    storeId,
    files: names.map((n) => describe(to, n)),
    masterKeyIncluded: existsSync(keyFile) && !env.LEDGERLINE_MASTER_KEY,
  };
  writeFileSync(join(to, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

function readManifest(from: string): Manifest {
  const path = join(from, MANIFEST);
  if (!existsSync(path)) throw new Refused(`${from} is not a Ledgerline backup (no ${MANIFEST})`);
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new Refused(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (m.format !== 1 || !Array.isArray(m.files) || !m.files.some((f) => f.name === STORE_FILE))
    throw new Refused(`${path} is not a backup this version can restore (format ${String(m.format)})`);
  return m;
}

/** Verifies every file against the manifest before anything in the data dir is touched. */
function verify(from: string, m: Manifest): void {
  for (const f of m.files) {
    if (![STORE_FILE, SANDBOX_ERP_FILE, SANDBOX_SHOP_FILE, KEY_FILE].includes(f.name))
      throw new Refused(`the manifest names an unexpected file ${JSON.stringify(f.name)}`);
    const p = join(from, f.name);
    if (!existsSync(p)) throw new Refused(`${f.name} is missing from the backup`);
    if (sha256(p) !== f.sha256) throw new Refused(`${f.name} in the backup does not match its checksum in ${MANIFEST}: the copy is damaged`);
  }
  const id = checkSqlite(join(from, STORE_FILE), STORE_FILE);
  if (id !== m.storeId) throw new Refused(`${STORE_FILE} in the backup has store id ${id}, the manifest says ${m.storeId}`);
  if (m.files.some((f) => f.name === SANDBOX_ERP_FILE)) checkSqlite(join(from, SANDBOX_ERP_FILE), SANDBOX_ERP_FILE);
}

export function restore(from: string, dataDir: string, o: { force: boolean; now: Date }): { manifest: Manifest; movedAside?: string } {
  const m = readManifest(from);
  verify(from, m);
  const present = [
    STORE_FILE,
    `${STORE_FILE}-wal`,
    `${STORE_FILE}-shm`,
    MARKER_FILE,
    SANDBOX_ERP_FILE,
    `${SANDBOX_ERP_FILE}-wal`,
    `${SANDBOX_ERP_FILE}-shm`,
    SANDBOX_SHOP_FILE,
    KEY_FILE,
  ].filter((n) => existsSync(join(dataDir, n)));
  if (present.includes(STORE_FILE) && !o.force) {
    throw new Refused(`${dataDir} already holds a store: stop the server, then restore with --force (what is there now is moved aside, not deleted)`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let movedAside: string | undefined;
  // The key file stays unless the backup brings one: keys in it may be the only way to read the current secrets.
  const aside = present.filter((n) => n !== KEY_FILE || m.files.some((f) => f.name === KEY_FILE));
  if (aside.length) {
    movedAside = join(dataDir, `replaced-${o.now.toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(movedAside, { mode: 0o700 });
    for (const n of aside) renameSync(join(dataDir, n), join(movedAside, n));
  }
  for (const f of m.files) {
    copyFileSync(join(from, f.name), join(dataDir, f.name));
    chmodSync(join(dataDir, f.name), 0o600);
  }
  writeFileSync(join(dataDir, MARKER_FILE), JSON.stringify({ storeId: m.storeId, createdAt: m.createdAt, restoredAt: o.now.toISOString() }) + '\n', {
    mode: 0o600,
  });
  return { manifest: m, movedAside };
}

const defaultIo: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n'), env: process.env, now: () => new Date() };

/** Exit codes: 0 done, 1 refused (nothing changed), 2 usage error. */
export async function backupCommand(command: 'backup' | 'restore', argv: string[], io: Partial<Io> = {}): Promise<number> {
  const o = { ...defaultIo, ...io };
  const usage = (msg: string) => (o.err(`ledgerline: ${msg}\nusage:\n  ${BACKUP_USAGE}`), 2);
  let values: { to?: string; from?: string; 'data-dir'?: string; force?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { to: { type: 'string' }, from: { type: 'string' }, 'data-dir': { type: 'string' }, force: { type: 'boolean' } },
      allowPositionals: false,
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  const dataDir = resolve(values['data-dir'] ?? o.env.LEDGERLINE_DATA_DIR ?? './data');
  const onPg = pgRefusal(command, dataDir, o.env);
  if (onPg) {
    o.err(`ledgerline ${command}: ${onPg}`);
    return 1;
  }
  try {
    if (command === 'backup') {
      if (!values.to) return usage('backup needs --to DIR');
      const to = resolve(values.to);
      const m = backup(dataDir, to, o.env, o.now());
      o.out(`backed up ${dataDir} (store id ${m.storeId}) to ${to}: ${m.files.map((f) => `${f.name} ${f.bytes} bytes`).join(', ')}`);
      if (!m.masterKeyIncluded)
        o.out(
          'the master key is NOT in this backup (it comes from LEDGERLINE_MASTER_KEY): keep that key with the backup, or the stored credentials cannot be read after a restore',
        );
      else o.out(`${KEY_FILE} holds the master key: keep this backup as secret as the credentials it protects`);
      return 0;
    }
    if (!values.from) return usage('restore needs --from DIR');
    const r = restore(resolve(values.from), dataDir, { force: values.force === true, now: o.now() });
    o.out(
      `restored the backup of ${r.manifest.createdAt} (store id ${r.manifest.storeId}) into ${dataDir}${r.movedAside ? `; what was there is in ${r.movedAside}` : ''}. Start the server: it resumes the runs that were in flight when the backup was taken.`,
    );
    return 0;
  } catch (e) {
    if (e instanceof Refused) {
      o.err(`ledgerline ${command}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/**
 * Backup and restore copy the SQLite store's files; a PostgreSQL store is the database's to back up. With
 * LEDGERLINE_DATABASE_URL set, why not and what to do instead (the vault key file stays in the data dir either way).
 */
export function pgRefusal(command: 'backup' | 'restore', dataDir: string, env: NodeJS.ProcessEnv): string | undefined {
  const t = cliStoreTarget(dataDir, env);
  if (!t.databaseUrl) return undefined;
  const schema = pgSchemaOf(t.workspace);
  const url = redactUrl(t.databaseUrl);
  const key = env.LEDGERLINE_MASTER_KEY ? 'LEDGERLINE_MASTER_KEY' : join(dataDir, KEY_FILE);
  return command === 'backup'
    ? `the store is ${describeStore(t)} (LEDGERLINE_DATABASE_URL), not a file this command can copy. Back up the schema with PostgreSQL's tools, e.g. \`pg_dump --format=custom --schema=${schema} --file=${schema}.dump '${url}'\` (or the database's own backups), and keep the vault's master key (${key}) with it.`
    : `the store is ${describeStore(t)} (LEDGERLINE_DATABASE_URL), not a file this command can restore. Stop the servers, then restore the schema with PostgreSQL's tools, e.g. \`pg_restore --clean --if-exists --schema=${schema} --dbname='${url}' ${schema}.dump\`, with the master key it was taken with (${key}).`;
}
