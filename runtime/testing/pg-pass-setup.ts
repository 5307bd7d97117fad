// vitest globalSetup of the PostgreSQL pass (vitest.pg.config.ts): one database migrated for the workspaces the test
// factories open ('default': a test server's; 'test': a test runtime's or bare store's), which every throwaway
// database of the run copies (CREATE DATABASE … TEMPLATE), instead of migrating each one: a migration costs about
// as much again as the copy. Dropped when the run ends.
import type { TestProject } from 'vitest/node';
import { openPgStore } from '../store/pg-store.ts';
import { throwawayDatabase } from './pg.ts';
import { DEFAULT_WORKSPACE } from '../../server/workspaces/directory.ts';
import { BARE_WORKSPACE } from './pg.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated database a PostgreSQL pass copies for each data dir. */
    pgPassTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await throwawayDatabase();
  for (const workspace of [DEFAULT_WORKSPACE, BARE_WORKSPACE]) {
    const store = await openPgStore({ url: db.url, workspace, max: 1 });
    await store.close();
  }
  // A database being copied must have no connections: the throwaway's own pool never connected.
  project.provide('pgPassTemplate', db.name);
  return () => db.drop();
}
