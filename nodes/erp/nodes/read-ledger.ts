// erp.read-ledger: posted ledger lines in a date range, with per-account totals, for reconciliation.
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import type { LedgerLine } from '../contract.ts';
import { money, sum } from '../shared/money.ts';
import { sampleLedgerLine } from './samples.ts';
import { connectionField, erpConnection, withNode } from './util.ts';

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const config = z
  .object({
    connection: connectionField,
    accounts: z.array(z.string().min(1)).default([]),
    /** Days back from today when the input has no { from, to }. */
    days: z.number().int().min(1).max(366).default(31),
  })
  .strict();

export interface ReadLedgerOutput {
  from: string;
  to: string;
  lines: LedgerLine[];
  accounts: Record<string, { debit: string; credit: string; balance: string }>;
}

export const readLedgerNode = defineNode<z.infer<typeof config>, { from?: string; to?: string; accounts?: string[] } | undefined, ReadLedgerOutput>({
  type: 'erp.read-ledger',
  version: 1,
  title: 'Read ERP ledger',
  category: 'erp',
  description:
    'Lists posted ledger lines between two dates (input { from, to } or the last `days` days), optionally for some account codes, ' +
    'each with its source document and Shopify id, plus debit/credit/balance per account, for payout reconciliation.',
  config,
  inputs: [{ id: 'in', dataType: '{ from?, to?, accounts? }' }],
  outputs: [{ id: 'out', dataType: 'ErpLedger' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {
    from: '2026-11-01',
    to: '2026-11-30',
    lines: [sampleLedgerLine],
    accounts: { '1190': { debit: '0.00', credit: '44.00', balance: '-44.00' } },
  },
  async execute(ctx, input) {
    const to = input?.to ?? ctx.now().toISOString().slice(0, 10);
    const from = input?.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - (ctx.config.days - 1) * 86_400_000).toISOString().slice(0, 10);
    for (const [k, v] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!isoDate.test(v))
        throw permanentError(`node ${ctx.nodeId}: input.${k} must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`, {
          code: 'INVALID_INPUT',
          details: { field: k, value: v },
        });
    }
    const accounts = input?.accounts?.length ? input.accounts : ctx.config.accounts;
    const erp = await erpConnection(ctx, ['ledger']);
    const lines = await withNode(ctx, () => erp.listLedger({ from, to, accounts: accounts.length ? accounts : undefined }));
    const per: ReadLedgerOutput['accounts'] = {};
    for (const code of [...new Set(lines.map((l) => l.account))].sort()) {
      const ls = lines.filter((l) => l.account === code);
      const d = sum(ls.map((l) => l.debit));
      const c = sum(ls.map((l) => l.credit));
      per[code] = { debit: money(d), credit: money(c), balance: money(d.minus(c)) };
    }
    return { from, to, lines, accounts: per };
  },
});
