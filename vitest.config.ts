import { defineConfig } from 'vitest/config';

// isolated-vm needs --no-node-snapshot, which worker_threads refuse: hence forks.
export default defineConfig({
  test: {
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    include: ['{runtime,nodes,flows,server,designer,bench,scripts}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Shared Shopify conversions are deep-frozen (nodes/shopify/shared-conversion.ts): a node writing into its input fails.
    env: { LEDGERLINE_FREEZE_INPUTS: '1' },
  },
});
