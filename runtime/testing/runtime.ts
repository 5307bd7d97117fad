// A runtime for tests on this pass's store (./pass.ts): SQLite under `dataDir`, or the throwaway PostgreSQL
// database of `dataDir`. Tests that build a runtime take it from here, so the PostgreSQL pass runs them there too.
import { createRuntime, type Runtime, type RuntimeOptions } from '../index.ts';
import type { AnyStore } from '../store/any-store.ts';
import { openPgStore } from '../store/pg-store.ts';
import { passDatabaseUrl } from './pass.ts';
import { BARE_WORKSPACE } from './pg.ts';

export async function testRuntime(o: Omit<RuntimeOptions<AnyStore>, 'store'>): Promise<Runtime> {
  const url = await passDatabaseUrl(o.dataDir);
  if (!url) return createRuntime(o);
  return createRuntime<AnyStore>({ ...o, store: await openPgStore({ url, workspace: BARE_WORKSPACE, max: 8 }) });
}
