// The sandbox shop's state in a file of the data dir: read at start, written whole (a temporary file renamed over
// it) whenever it changed, checked every two seconds and at stop. A file this build cannot read is set aside with
// the time in its name, and the shop starts from its seed.
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';

const EVERY_MS = 2_000;

interface Snapshotting {
  /** `changes`, when the state counts them, spares a snapshot of a shop nothing touched. */
  state?: { snapshot(): unknown; changes?: number };
}

export interface KeptShop {
  /** The snapshot the last run left, or undefined (none yet, or set aside as unreadable). */
  load(): Promise<unknown>;
  /** The file could not be restored from: moved aside so the shop starts from its seed. */
  setAside(why: Error): Promise<void>;
  /** Keeps this store's state from now on. */
  watch(store: Snapshotting): void;
  close(): Promise<void>;
}

export function keptShop(file: string, log: Logger): KeptShop {
  let last: string | undefined;
  let seen: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let store: Snapshotting | undefined;
  let writing: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const state = store?.state;
    if (!state || (state.changes !== undefined && state.changes === seen)) return writing;
    seen = state.changes;
    const text = JSON.stringify(state.snapshot());
    if (text === last) return writing;
    last = text;
    writing = writing
      .then(async () => {
        // A name of its own: web processes on one data dir each run a sandbox shop and write this file.
        const tmp = `${file}.${randomUUID()}.tmp`;
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, file);
      })
      .catch((e: Error) => log.warn({ file, err: e.message }, 'sandbox shop state not saved'));
    return writing;
  };
  const setAside = async (why: Error) => {
    const to = `${file}.unreadable-${Date.now()}`;
    await rename(file, to).catch(() => undefined);
    log.warn({ file, movedTo: to, err: why.message.split('\n')[0] }, 'sandbox shop state unreadable: set aside, the shop starts from its seed');
  };
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      try {
        const snapshot: unknown = JSON.parse(text);
        last = text;
        return snapshot;
      } catch (e) {
        await setAside(e as Error);
        return undefined;
      }
    },
    setAside,
    watch(s) {
      store = s;
      timer = setInterval(() => void save(), EVERY_MS);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      await save();
    },
  };
}
