// The store a CLI command acts on: the SQLite file of its data dir, or, with LEDGERLINE_DATABASE_URL set (as the
// server has it), the workspace's schema of that PostgreSQL database, the store the server itself uses. The
// workspace is the one `--workspace` named (server/cli.ts puts it in LEDGERLINE_WORKSPACE), else the default one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { openStore } from '../../runtime/store/db.ts';
import { pgSchemaMigrated } from '../../runtime/store/pg-migrate.ts';
import { openPgStore, pgSchemaOf, redactUrl } from '../../runtime/store/pg-store.ts';
import { DEFAULT_WORKSPACE } from '../workspaces/directory.ts';

/** Where the store is, for messages: the SQLite file, or the schema and the database without its password. */
export interface CliStoreTarget {
  /** Set when the store is PostgreSQL. */
  databaseUrl?: string;
  workspace: string;
  dataDir: string;
}

export const cliStoreTarget = (dataDir: string, env: NodeJS.ProcessEnv): CliStoreTarget => ({
  databaseUrl: env.LEDGERLINE_DATABASE_URL || undefined,
  workspace: env.LEDGERLINE_WORKSPACE || DEFAULT_WORKSPACE,
  dataDir,
});

export function describeStore(t: CliStoreTarget): string {
  return t.databaseUrl ? `PostgreSQL schema ${pgSchemaOf(t.workspace)} at ${redactUrl(t.databaseUrl)}` : join(t.dataDir, 'ledgerline.db');
}

/** Opens (and migrates) the store; close it with `closeStore`. */
export async function openCliStore(dataDir: string, env: NodeJS.ProcessEnv): Promise<AnyStore> {
  const t = cliStoreTarget(dataDir, env);
  return t.databaseUrl ? openPgStore({ url: t.databaseUrl, workspace: t.workspace, max: 2 }) : openStore(dataDir);
}

/** Whether the store has been created (a server ran here): the SQLite file exists, or the schema was migrated. */
export async function storeExists(dataDir: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const t = cliStoreTarget(dataDir, env);
  if (!t.databaseUrl) return existsSync(join(dataDir, 'ledgerline.db'));
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    return await pgSchemaMigrated(client, pgSchemaOf(t.workspace));
  } finally {
    await client.end();
  }
}
