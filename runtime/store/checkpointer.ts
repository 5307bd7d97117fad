// WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL
// pages: that commit copies the pages into the database file and syncs it twice, on the event loop, while every
// delivery of the batch waits for its answer (bench/README.md, issue 15). Here the main connection's automatic
// checkpoint is off, and a worker thread with its own connection runs PASSIVE checkpoints on a timer, on the other
// core, never blocking a writer.
//
// A PASSIVE checkpoint copies the frames committed before it began; frames committed meanwhile stay in the WAL, and
// the WAL only starts over from its beginning when a writer finds it fully copied. Under sustained writes the
// worker alone never gets there, so once the WAL holds `resetPages`, what the worker's last pass left (the frames of
// one pass, not the whole WAL) is copied while no commit appends, and the next commit starts the WAL over: the WAL
// stays within about `resetPages` plus what arrives during a pass. SQLite's own automatic checkpoint stays on at
// sixteen times that, as the backstop should the worker fall behind.
//
// That last copy syncs the WAL and the database file, and under load a sync waits for everything written since the
// one before: 3–37 ms (bench/README.md). Made by the main connection, it stalled the event loop. Given `hold` (the
// store's transaction gate), the worker makes it while writers through the gate wait their turn without blocking the
// event loop, which goes on receiving and checking deliveries meanwhile; only if a write outside the gate came in
// during it does the main connection finish the copy itself.
//
// The store's identity is checked before every checkpoint, by the store's own check() on the main thread and again
// in the worker right before it writes (same file, same application_id): a checkpoint writes into the database
// file, and into a file that is no longer this store it would overwrite whatever now lies there.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export interface CheckpointerOptions {
  /** How often the worker checkpoints (ms); 0: only when `runOnce()` is called. */
  intervalMs?: number;
  /**
   * WAL frames past which the WAL is made to start over (the worker's last pass with the writers held, or the main
   * connection finishing it); the WAL file is cut back to twice that when it does (journal_size_limit).
   */
  resetPages?: number;
  /** A problem to report (a refused or failed checkpoint); the checkpointer keeps trying on its next tick. */
  onProblem?: (message: string) => void;
  /** Runs `work` while the store's writers wait (asynchronously) for it: the worker's last pass then copies everything. */
  hold?: (work: () => Promise<void>) => Promise<void>;
  /** How long writers may be held for one last pass (ms); past it they go on and the pass ends as an ordinary one. */
  holdMs?: number;
}

export interface CheckpointStats {
  /** Checkpoints the worker ran. */
  background: number;
  /** Checkpoints the main connection ran to finish a pass (each lets the WAL start over). */
  finished: number;
  /** Last passes the worker ran with writers held, and of those, the ones that left nothing to copy. */
  held: number;
  heldComplete: number;
  /** Frames in the WAL and frames copied, after the last checkpoint. */
  lastLog: number;
  lastCheckpointed: number;
}

interface StoreLike {
  sqlite: Database.Database;
  path: string;
  storeId: number;
  check(): { ok: true } | { ok: false; problem: string };
}

type Pass = { log: number; checkpointed: number; busy: number };
type Reply = { ready: true } | Pass | { refused: string } | { error: string };

// The worker: its own connection to the same file, no migrations, no journal-mode change. It checks the file is
// still the store it was given (inode, device, application_id in the header) before opening and before each pass.
const WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(w.sqliteModule);
const same = () => {
  let s;
  try { s = fs.statSync(w.path, { bigint: true }); } catch { return 'the store file is gone'; }
  if (String(s.ino) !== w.ino || String(s.dev) !== w.dev) return 'the store file was replaced';
  const fd = fs.openSync(w.path, 'r');
  try {
    const b = Buffer.alloc(100);
    if (fs.readSync(fd, b, 0, 100, 0) < 100 || b.readInt32BE(68) !== w.storeId) return 'the store file was overwritten';
  } finally { fs.closeSync(fd); }
  return undefined;
};
const bad = same();
let db;
if (!bad) {
  db = new Database(w.path, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  db.pragma('wal_autocheckpoint = 0');
  parentPort.postMessage({ ready: true });
}
parentPort.on('message', () => {
  try {
    const why = db ? same() : bad;
    if (why) return parentPort.postMessage({ refused: why });
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed, busy: r.busy });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
});
`;

/** Starts background checkpoints for the store's WAL; `stop()` gives the main connection its automatic ones back. */
export function startCheckpointer(store: StoreLike, o: CheckpointerOptions = {}) {
  const intervalMs = o.intervalMs ?? 200;
  // 16,000 frames (64 MB of 4 KB pages): each start-over costs a hold of the writers (≈ 10 ms) and two syncs; at 4,000
  // they came twice a second under webhook load and held p99 at 30–37 ms, at 16,000 it is 26–29 ms (bench/README.md).
  const resetPages = o.resetPages ?? 16_000;
  const onProblem = o.onProblem ?? (() => {});
  const stats: CheckpointStats = { background: 0, finished: 0, held: 0, heldComplete: 0, lastLog: 0, lastCheckpointed: 0 };
  const opened = statSync(store.path, { bigint: true });
  const pageSize = store.sqlite.pragma('page_size', { simple: true }) as number;
  // A WAL that grew during a burst is cut back when it starts over, instead of keeping its size on disk for good.
  store.sqlite.pragma(`journal_size_limit = ${2 * resetPages * pageSize}`);
  let worker: Worker | undefined;
  let inFlight = false;
  let stopped = false;
  let chained = 0;
  /** The WAL size at the last finish: an idle store's unchanged WAL is not finished again and again. */
  let finishedAt = -1;
  let settled: (() => void)[] = [];
  /** Takes the answer to the pass made with writers held, instead of `handle`. */
  let heldAnswer: ((m: Reply) => void) | undefined;
  let holding = false;
  const settle = () => {
    inFlight = false;
    const waiting = settled;
    settled = [];
    for (const f of waiting) f();
  };

  const finish = () => {
    if (!store.check().ok || !store.sqlite.open) return;
    const [r] = store.sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    stats.finished++;
    if (r && r.checkpointed < r.log)
      onProblem(`checkpoint left ${r.log - r.checkpointed} WAL frames (a reader holds them): the WAL grows until it lets go (${store.path})`);
  };

  const onReply = (m: Reply) => {
    if ('ready' in m) return handle(m); // not an answer to a checkpoint
    const answer = heldAnswer;
    heldAnswer = undefined;
    try {
      if (answer) answer(m);
      else handle(m);
    } finally {
      settle();
    }
  };

  /** The worker's pass with writers held: what it copies is all there is, unless something wrote outside the gate. */
  const heldPass = (hold: NonNullable<CheckpointerOptions['hold']>) =>
    hold(
      () =>
        new Promise<void>((resolve) => {
          const limit = setTimeout(() => {
            // Writers wait no longer; the pass's answer, when it comes, is handled as an ordinary one.
            if (heldAnswer === answer) heldAnswer = undefined;
            resolve();
          }, o.holdMs ?? 1000);
          const answer = (m: Reply) => {
            clearTimeout(limit);
            resolve();
            if (!('log' in m)) return handle(m);
            stats.held++;
            stats.background++;
            stats.lastLog = m.log;
            stats.lastCheckpointed = m.checkpointed;
            if (m.checkpointed === m.log) stats.heldComplete++;
            else finish(); // a write outside the gate came in meanwhile: copied here, as without a hold
          };
          const go = () => {
            if (stopped || !worker) return answer({ error: 'the checkpoint worker is not running' });
            inFlight = true;
            heldAnswer = answer;
            worker.postMessage('checkpoint');
          };
          // Asked for from within the answer to the pass before, whose end frees the worker.
          if (inFlight) settled.push(go);
          else go();
        }),
    );
  const handle = (m: Reply) => {
    if (stopped) return;
    if ('refused' in m) return onProblem(`background checkpoint refused: ${m.refused} (${store.path})`);
    if ('error' in m) return onProblem(`background checkpoint failed: ${m.error} (${store.path})`);
    if ('ready' in m) {
      // Until now the main connection kept SQLite's automatic checkpoint at its usual 1,000 pages: the WAL was never
      // left without one. From now on it is only the backstop for a worker that falls behind (starved of CPU, or
      // slower than the commits): at sixteen times the limit a commit checkpoints as SQLite always did. Not lower: one
      // large commit (a reconciliation backlog's million claims, ~150 MB) would otherwise copy itself into the database
      // inside its own COMMIT, on the thread that runs the flows (0.7 s there; the worker does it on the other core).
      if (store.sqlite.open) store.sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP * resetPages}`);
      return;
    }
    stats.background++;
    // Frames committed during the previous pass (a pass copies only those committed before it began).
    const grew = m.log >= stats.lastLog ? m.log - stats.lastLog : m.log;
    stats.lastLog = m.log;
    stats.lastCheckpointed = m.checkpointed;
    if (m.log < resetPages || m.log === finishedAt) {
      chained = 0;
      return;
    }
    // Past the limit the WAL must start over, which needs it all copied at a moment no commit is appending to it. The
    // worker's passes are chained, each copying what came in during the one before, until that is little (a MB, or
    // after eight, or once the WAL holds four times the limit: commits outpacing the worker); then the rest is
    // copied while writers wait — by the worker with the writers held, or by the main connection — and the next
    // commit starts the WAL over. A pass's time is mostly its two syncs, so the rest is never nothing; chaining until
    // it is a MB made the wait 10 ms on average instead of 18 (bench/README.md).
    if (grew > CHAINED_UNTIL_FRAMES && chained < 8 && m.log < 4 * resetPages) {
      chained++;
      setImmediate(tick);
      return;
    }
    chained = 0;
    finishedAt = m.log;
    if (!o.hold) finish();
    else if (!holding) {
      // One at a time: while the gate is taken (a long transaction) the hold waits for it, and the ticks meanwhile ask again.
      holding = true;
      heldPass(o.hold)
        .catch((e: unknown) => onProblem(`holding the writers for a checkpoint failed: ${(e as Error).message} (${store.path})`))
        .finally(() => (holding = false));
    }
  };

  /** Asks the worker for a checkpoint; false when none was asked (one in flight, stopped, store lost, WAL tiny). */
  const tick = (): boolean => {
    if (inFlight || stopped) return false;
    const h = store.check();
    if (!h.ok) return false; // the store's own health reports the problem; nothing is written into a file not ours
    if (!worker) {
      // Started on the first need: a server that writes little (tests, a quiet shop) never pays for the thread.
      if (walBytes(store.path) < 64 * 1024) return false;
      worker = new Worker(WORKER, {
        eval: true,
        workerData: {
          path: store.path,
          ino: String(opened.ino),
          dev: String(opened.dev),
          storeId: store.storeId,
          sqliteModule: createRequire(import.meta.url).resolve('better-sqlite3'),
        },
      });
      worker.on('message', onReply);
      worker.unref(); // after the listener: never keeps the process alive
      worker.on('error', (e) => {
        worker = undefined;
        onProblem(`background checkpoint worker failed: ${e.message} (${store.path})`);
        const answer = heldAnswer;
        heldAnswer = undefined;
        answer?.({ error: e.message }); // writers held for it go on
        settle();
      });
    }
    inFlight = true;
    worker.postMessage('checkpoint');
    return true;
  };
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : undefined;
  timer?.unref();

  return {
    stats: (): CheckpointStats => ({ ...stats }),
    /** One checkpoint now (after the one in flight, if any); resolves once its answer has been handled. */
    async runOnce(): Promise<void> {
      if (inFlight) await new Promise<void>((r) => settled.push(r));
      const done = new Promise<void>((r) => settled.push(r));
      if (!tick()) settle();
      await done;
    },
    /** Stops the timer and the worker; the main connection checkpoints automatically again. */
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      void worker?.terminate();
      worker = undefined;
      const answer = heldAnswer;
      heldAnswer = undefined;
      answer?.({ error: 'stopped' });
      settle();
      if (store.sqlite.open) store.sqlite.pragma('wal_autocheckpoint = 1000');
    },
  };
}

export type Checkpointer = ReturnType<typeof startCheckpointer>;

/** Passes are chained while each finds more than this many frames (a MB of 4 KB pages) come in during the one before. */
const CHAINED_UNTIL_FRAMES = 256;

/** The main connection's automatic checkpoint once the worker runs, in multiples of `resetPages`. */
export const BACKSTOP = 16;

function walBytes(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}
