import { describe, expect, it } from 'vitest';
import { createSandboxErp } from '../sandbox/index.ts';
import { readLedgerNode } from './read-ledger.ts';
import { run } from './test-context.ts';

describe('erp.read-ledger', () => {
  const erp = createSandboxErp();
  it('lists lines in the range with per-account totals', async () => {
    await erp.postJournal({
      externalId: 'p1',
      date: '2026-11-10',
      description: 'payout 1',
      lines: [
        { account: '1000', debit: '90.00' },
        { account: '6100', debit: '10.00' },
        { account: '1190', credit: '100.00' },
      ],
    });
    await erp.postJournal({
      externalId: 'p2',
      date: '2026-12-02',
      description: 'payout 2',
      lines: [
        { account: '1000', debit: '5.00' },
        { account: '1190', credit: '5.00' },
      ],
    });
    const out = await run(readLedgerNode, { connection: 'erp-main', accounts: ['1190', '1000'] }, erp, { from: '2026-11-01', to: '2026-11-30' });
    expect(out.lines.map((l) => [l.account, l.source.externalId])).toEqual([
      ['1000', 'p1'],
      ['1190', 'p1'],
    ]);
    expect(out.accounts).toEqual({
      '1000': { debit: '90.00', credit: '0.00', balance: '90.00' },
      '1190': { debit: '0.00', credit: '100.00', balance: '-100.00' },
    });
    await expect(run(readLedgerNode, { connection: 'erp-main' }, erp, { from: '1/11/2026' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
