// Builds the Tryton test database once and caches it as a SQLite file copy under .cache/tryton/.
// Two levels: the module-initialised base (slow, ~16 s, keyed by package versions) and the company set up on
// top of it by setup.py (~4 s, keyed also by setup.py's hash and the year, since fiscal years are prev/cur/next).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PYTHON, TRYTOND_ADMIN, trytonPackageVersions } from './packages.ts';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
export const CACHE_DIR = process.env.LEDGERLINE_TRYTON_CACHE ?? join(REPO_ROOT, '.cache', 'tryton');
export const SETUP_PY = join(HERE, 'setup.py');
export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'admin';
const DB_NAME = 'ledgerline';

export interface TrytonIds {
  company: number;
  currencies: Record<string, number>;
  accounts: Record<string, { id: number; code: string }>;
  taxes: Record<string, number>;
  warehouses: Record<string, { id: number; storage: number }>;
  products: Record<string, number>;
  journals: { cash: number; revenue: number };
  payment_term: number;
  payment_method: number;
  customer_location: number;
  unit: number;
  fiscalyears: number[];
  categories: Record<string, number>;
}

export interface Snapshot {
  file: string;
  ids: TrytonIds;
  /** What happened: 'cached' (restored), 'setup' (base cached, setup.py ran), 'built' (full build). */
  source: 'cached' | 'setup' | 'built';
  ms: number;
}

/** trytond.conf for a directory holding `db/<name>.sqlite`. */
export function writeTrytondConf(dir: string, port: number): string {
  const passlib = join(dir, 'passlib.ini');
  // bcrypt cost 4: logins in ~50 ms instead of ~300 ms (test passwords only).
  writeFileSync(passlib, '[passlib]\nschemes = bcrypt\nbcrypt__default_rounds = 4\n');
  const conf = join(dir, 'trytond.conf');
  writeFileSync(
    conf,
    [
      '[database]',
      'uri = sqlite://',
      `path = ${join(dir, 'db')}`,
      'language = en',
      '[web]',
      `listen = 127.0.0.1:${port}`,
      // post on invoices/moves needs a "fresh" session: the 300 s default would break long test files.
      '[session]',
      'timeout = 86400',
      'max_attempt = 1000',
      '[password]',
      'length = 4',
      `passlib = ${passlib}`,
      '',
    ].join('\n'),
  );
  return conf;
}

function sha(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = join(CACHE_DIR, `${name}.lock`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      if (owner && !pidAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function buildBase(target: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tryton-base-'));
  try {
    mkdirSync(join(dir, 'db'));
    const conf = writeTrytondConf(dir, 0);
    writeFileSync(join(dir, 'db', `${DB_NAME}.sqlite`), ''); // the sqlite backend refuses a missing file
    writeFileSync(join(dir, 'adminpass'), `${ADMIN_PASSWORD}\n`);
    await run(TRYTOND_ADMIN, ['-c', conf, '-d', DB_NAME, '--all', '-u', 'sale', '--activate-dependencies', '--email', 'admin@example.com', '-p'], {
      env: { ...process.env, TRYTONPASSFILE: join(dir, 'adminpass') },
      maxBuffer: 64 << 20,
    });
    copyFileSync(join(dir, 'db', `${DB_NAME}.sqlite`), `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runSetup(base: string, targetDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tryton-setup-'));
  try {
    mkdirSync(join(dir, 'db'));
    const conf = writeTrytondConf(dir, 0);
    copyFileSync(base, join(dir, 'db', `${DB_NAME}.sqlite`));
    const ids = join(dir, 'ids.json');
    try {
      await run(PYTHON, [SETUP_PY, conf, DB_NAME, ids], { maxBuffer: 64 << 20 });
    } catch (e) {
      const err = e as { stderr?: string };
      throw new Error(`Tryton setup.py failed: ${(err.stderr ?? String(e)).split('\n').slice(-15).join('\n')}`);
    }
    const tmp = `${targetDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    copyFileSync(join(dir, 'db', `${DB_NAME}.sqlite`), join(tmp, 'db.sqlite'));
    copyFileSync(ids, join(tmp, 'ids.json'));
    rmSync(targetDir, { recursive: true, force: true });
    renameSync(tmp, targetDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Returns a ready database file (never modify it: copy it) and the ids of what setup.py created. */
export async function ensureSnapshot(log: (msg: string) => void = () => {}): Promise<Snapshot> {
  const t0 = Date.now();
  const versions = await trytonPackageVersions();
  const baseKey = sha(versions, 'base-v1');
  const fullKey = sha(baseKey, readFileSync(SETUP_PY, 'utf8'), String(new Date().getFullYear()));
  const fullDir = join(CACHE_DIR, `db-${fullKey}`);
  const ready = () => existsSync(join(fullDir, 'ids.json'));
  const load = (source: Snapshot['source']): Snapshot => ({
    file: join(fullDir, 'db.sqlite'),
    ids: JSON.parse(readFileSync(join(fullDir, 'ids.json'), 'utf8')) as TrytonIds,
    source,
    ms: Date.now() - t0,
  });
  if (ready()) return load('cached');
  return withLock('build', async () => {
    if (ready()) return load('cached'); // another process built it while we waited
    const base = join(CACHE_DIR, `base-${baseKey}.sqlite`);
    let source: Snapshot['source'] = 'setup';
    if (!existsSync(base)) {
      log('initialising the Tryton database (trytond-admin --all, ~16 s)');
      await buildBase(base);
      source = 'built';
    }
    log('setting up company, chart, fiscal years, taxes, warehouses and products (~4 s)');
    await runSetup(base, fullDir);
    return load(source);
  });
}
