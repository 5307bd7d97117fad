import { defineConfig } from 'vitest/config';

// isolated-vm needs --no-node-snapshot, which worker_threads refuse: hence forks.
export default defineConfig({
  test: {
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    include: ['{runtime,nodes,flows,server,designer,bench,scripts}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
