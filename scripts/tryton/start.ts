// startTryton(): a live Tryton ERP for integration tests (one per test file), and a small CLI.
//   npx tsx scripts/tryton/start.ts build   -> install if missing, build/restore the snapshot, print timings
//   npx tsx scripts/tryton/start.ts serve   -> same, then serve on loopback until Ctrl-C
import { ensureTrytonPackages } from './packages.ts';
import { startTrytond } from './server.ts';
import { ADMIN_PASSWORD, ADMIN_USER, ensureSnapshot, type TrytonIds, type Snapshot } from './snapshot.ts';

export interface TrytonTimings {
  packagesMs: number;
  snapshotMs: number;
  snapshotSource: Snapshot['source'];
  startMs: number;
  totalMs: number;
}

export interface StartedTryton {
  /** Base URL of trytond, e.g. http://127.0.0.1:41234/ (the database is addressed as `${url}${database}/`). */
  url: string;
  database: string;
  user: string;
  password: string;
  /** Record ids created by setup.py (company, accounts, taxes, warehouses, products...). */
  ids: TrytonIds;
  timings: TrytonTimings;
  /** What a connection to it takes (`createTrytonConnector({ ...tryton.login, ... })`). */
  login: { url: string; database: string; user: string; password: string };
  stop(): Promise<void>;
}

export async function startTryton(opts: { log?: (msg: string) => void; database?: string } = {}): Promise<StartedTryton> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const packagesMs = await ensureTrytonPackages(log);
  const snap = await ensureSnapshot(log);
  const t1 = Date.now();
  const proc = await startTrytond(snap.file, opts.database ?? 'ledgerline');
  const startMs = Date.now() - t1;
  const login = { url: proc.url, database: proc.database, user: ADMIN_USER, password: ADMIN_PASSWORD };
  return {
    ...login,
    login,
    ids: snap.ids,
    timings: { packagesMs, snapshotMs: snap.ms, snapshotSource: snap.source, startMs, totalMs: Date.now() - t0 },
    stop: () => proc.stop(),
  };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const cmd = process.argv[2] ?? 'build';
  const log = (m: string) => console.error(`[tryton] ${m}`);
  if (cmd === 'build') {
    const t0 = Date.now();
    const packagesMs = await ensureTrytonPackages(log);
    const snap = await ensureSnapshot(log);
    console.log(JSON.stringify({ packagesMs, snapshotMs: snap.ms, source: snap.source, file: snap.file, totalMs: Date.now() - t0 }));
  } else if (cmd === 'serve') {
    const t = await startTryton({ log });
    console.log(JSON.stringify({ url: t.url, database: t.database, user: t.user, timings: t.timings }));
    const stop = async () => {
      await t.stop();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } else {
    console.error('usage: start.ts build|serve');
    process.exit(2);
  }
}
