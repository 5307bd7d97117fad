import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../api/types.ts';
import { nodeRunStatus } from './node-run-status.ts';

describe('a node’s status after a test run', () => {
  it('is "skipped" on the node that ended the run skipped, as the step before it ran and succeeded', () => {
    // As the API gives it: the skipping step is stored succeeded, its output the skip.
    const run = {
      status: 'skipped',
      skipped: { code: 'NOT_PAID', message: 'order #9999 is voided, not paid', nodeId: 'receipt' },
      steps: [
        { nodeId: 'shopify', type: 'shopify.trigger', status: 'succeeded' },
        { nodeId: 'receipt', type: 'finance.manual-payment-receipt', status: 'succeeded', output: { skipped: true, code: 'NOT_PAID' } },
      ],
    } as unknown as RunRecord;
    expect(nodeRunStatus(run, 'receipt')).toBe('skipped');
    expect(nodeRunStatus(run, 'shopify')).toBe('succeeded');
    expect(nodeRunStatus(run, 'post')).toBe('');
    expect(nodeRunStatus({ ...run, status: 'failed', skipped: undefined } as RunRecord, 'receipt')).toBe('succeeded');
    expect(nodeRunStatus(null, 'receipt')).toBe('');
  });
});
