// openServerCore builds what the runtime is handed at creation, on one store: a generated vault key is reported once,
// the scrubber knows the secrets of connections stored through it, and the lookup tables live in the same file.
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../runtime/testing/fixtures.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pgUnavailable, throwawayDatabase } from '../runtime/testing/pg.ts';
import { openServerCore } from './core.ts';
import { sqliteOf } from './testing.ts';

const pgSkip = await pgUnavailable();
const MASTER_KEY = Buffer.alloc(32, 3).toString('base64');
const dirs: Array<{ cleanup(): void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

async function open(masterKey?: string) {
  const tmp = tempDir('ll-core-');
  dirs.push(tmp);
  const warnings: string[] = [];
  const core = await openServerCore({
    dataDir: tmp.dir,
    workspaceId: 'default',
    masterKey,
    log: { warn: (_o, msg) => warnings.push(msg ?? '') },
    now: () => 1_700_000_000_000,
  });
  return { core, warnings, dir: tmp.dir };
}

describe('openServerCore', () => {
  it('says once that it generated a vault key, and not when one is given', async () => {
    const gen = await open();
    expect(gen.warnings.filter((w) => w.startsWith('GENERATED A NEW MASTER KEY'))).toHaveLength(1);
    gen.core.store.close();
    const given = await open(MASTER_KEY);
    expect(given.warnings).toEqual([]);
    given.core.store.close();
  });

  it('scrubs the secret of a connection stored through it, in values and in JSON text', async () => {
    const { core } = await open(MASTER_KEY);
    await core.connections.create({
      id: 'erp-1',
      kind: 'erp',
      provider: 'tryton',
      name: 'ERP',
      config: { url: 'http://erp' },
      secrets: { password: 'tryton-password-123' },
    });
    expect(core.scrub({ error: 'login failed for tryton-password-123' })).toEqual({ error: 'login failed for [redacted]' });
    expect(core.scrub.text('{"e":"tryton-password-123"}')).not.toContain('tryton-password-123');
    core.store.close();
  });

  it('keeps the lookup tables in the runtime store it opened', async () => {
    const { core } = await open(MASTER_KEY);
    await core.lookups.create({ name: 'tax-codes', keyColumns: [{ name: 'title' }], valueColumns: ['taxCode'] }, [{ title: 'VAT', taxCode: 'GB-20' }], {
      by: 'test',
    });
    const row = sqliteOf(core).prepare(`SELECT name FROM lookup_tables`).get() as { name: string };
    expect(row.name).toBe('tax-codes');
    core.store.close();
  });

  it.skipIf(pgSkip)('on PostgreSQL, creates the data dir for the vault key file when it does not exist yet', async () => {
    // No SQLite file is opened there first to create it: `ledgerline serve` on a fresh data dir failed writing vault.keys.
    const tmp = tempDir('ll-core-pg-');
    dirs.push(tmp);
    const dataDir = join(tmp.dir, 'not', 'yet');
    const db = await throwawayDatabase();
    try {
      const core = await openServerCore({ dataDir, databaseUrl: db.url, workspaceId: 'w1', log: { warn: () => {} }, now: Date.now });
      expect(core.store.dialect).toBe('postgres');
      expect(existsSync(join(dataDir, 'vault.keys'))).toBe(true);
      await core.store.close();
    } finally {
      await db.drop();
    }
  });
});
