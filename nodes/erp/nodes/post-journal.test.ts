import { describe, expect, it } from 'vitest';
import { createSandboxErp } from '../sandbox/index.ts';
import { postJournalNode } from './post-journal.ts';
import { run } from './test-context.ts';

describe('erp.post-journal', () => {
  const erp = createSandboxErp();
  const input = {
    externalId: '623721858',
    date: '2026-11-27',
    description: 'Shopify payout 623721858',
    lines: [
      { account: '1000', debit: '41.90' },
      { account: '6100', debit: '2.10' },
      { account: '1190', credit: '44.00' },
    ],
  };
  it('posts once by payout id', async () => {
    const a = await run(postJournalNode, { connection: 'erp-main' }, erp, input);
    expect(a).toMatchObject({ created: true, totals: { debit: '44.00', credit: '44.00' }, posted: true });
    expect(await run(postJournalNode, { connection: 'erp-main' }, erp, input)).toEqual({ ...a, created: false });
  });
  it('refuses an unbalanced journal with the variance', async () => {
    await expect(
      run(postJournalNode, { connection: 'erp-main' }, erp, {
        ...input,
        externalId: 'p2',
        lines: [
          { account: '1000', debit: '41.90' },
          { account: '1190', credit: '44.00' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'UNBALANCED_JOURNAL', details: { debit: '41.90', credit: '44.00' } });
  });
  it('posts a list of journals (a backlog of payouts) in order, each once', async () => {
    const j = (id: string) => ({ ...input, externalId: id });
    const first = await run(postJournalNode, { connection: 'erp-main' }, erp, { journals: [j('b1'), j('b2')] });
    expect(first).toMatchObject({
      created: 2,
      existing: 0,
      journals: [
        { externalId: 'b1', created: true },
        { externalId: 'b2', created: true },
      ],
    });
    expect(await run(postJournalNode, { connection: 'erp-main' }, erp, { journals: [j('b1'), j('b2'), j('b3')] })).toMatchObject({ created: 1, existing: 2 });
    await expect(run(postJournalNode, { connection: 'erp-main' }, erp, { journals: 'b4' } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
