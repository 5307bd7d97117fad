// A runtime per test on a fresh data dir, of the given node types, closed and removed after each test: what the
// engine's own test files would otherwise each set up and tear down by hand.
import { afterEach } from 'vitest';
import type { Runtime, RuntimeOptions } from '../index.ts';
import type { NodeType } from '../node-api.ts';
import type { AnyStore } from '../store/any-store.ts';
import { noSandbox, tempDir } from './fixtures.ts';
import { testRuntime } from './runtime.ts';

type BootOptions = Partial<Omit<RuntimeOptions<AnyStore>, 'store' | 'dataDir' | 'lookup'>> & {
  /** Start the worker (default); false leaves `start()` to the test, to instrument the store first. */
  start?: boolean;
};

/** Call at a test file's top level; each call of the returned function boots one runtime for the current test. */
export function bootRuntimes(): (types: readonly NodeType[], o?: BootOptions) => Promise<Runtime> {
  const open: Array<{ dir: ReturnType<typeof tempDir>; rt?: Runtime }> = [];
  afterEach(async () => {
    for (const x of open.splice(0)) {
      await x.rt?.close();
      x.dir.cleanup();
    }
  });
  return async (types, { start = true, ...o } = {}) => {
    const entry: (typeof open)[number] = { dir: tempDir() };
    open.push(entry);
    const rt = await testRuntime({
      dataDir: entry.dir.dir,
      lookup: (t) => types.find((x) => x.type === t),
      sandbox: noSandbox,
      worker: { pollMs: 5 },
      ...o,
    });
    entry.rt = rt;
    if (start) rt.start();
    return rt;
  };
}
