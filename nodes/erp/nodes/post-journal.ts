// erp.post-journal: a balanced journal entry (payout clearing) posted idempotently by payout id; or, given
// `{ journals: [...] }` (finance.reconcile-payouts' `balanced` output), each of them in order, with progress.
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import { journalSchema, parseInput } from '../shared/schemas.ts';
import type { ErpJournalEntry, JournalInput } from '../contract.ts';
import { sampleJournal } from './samples.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z.object({ connection: connectionField }).strict();

type One = ErpJournalEntry & { created: boolean };
/** The output for a list: what each post gave, without repeating every line of every entry. */
export interface PostedJournals {
  journals: Array<{ externalId: string; number: string; id: string; created: boolean; totals: ErpJournalEntry['totals'] }>;
  created: number;
  existing: number;
}

export const postJournalNode = defineNode<z.infer<typeof config>, JournalInput | { journals: JournalInput[] }, One | PostedJournals>({
  type: 'erp.post-journal',
  version: 1,
  title: 'Post ERP journal',
  category: 'erp',
  description:
    'Posts a journal entry to the ERP general ledger, e.g. a Shopify payout: bank debit, fee expense, adjustments and reserves against the ' +
    'Shopify clearing account. Debits must equal credits. Idempotent by the payout id: a second post returns the existing entry. ' +
    'Given { journals: [...] } it posts each of them in order (a backlog of payouts in one run).',
  config,
  inputs: [{ id: 'in', dataType: 'ErpJournalInput | { journals: ErpJournalInput[] }' }],
  outputs: [{ id: 'out', dataType: 'ErpJournalEntry' }],
  // Declared so the mapping before this node lists these fields as its targets (and validation checks them).
  input: journalSchema,
  idempotent: true,
  sampleOutput: sampleJournal,
  async execute(ctx, input) {
    const obj = requireObject(ctx, input, 'a journal');
    const erp = await erpConnection(ctx, ['journals']);
    if (!('journals' in obj)) {
      const r = await withNode(ctx, () => erp.postJournal(input as JournalInput));
      return { ...r.document, created: r.created };
    }
    const list = obj.journals;
    if (!Array.isArray(list))
      throw permanentError(`node ${ctx.nodeId}: input.journals must be a list of journals`, { code: 'INVALID_INPUT', details: { field: 'input.journals' } });
    const out: PostedJournals = { journals: [], created: 0, existing: 0 };
    let reported = Date.now();
    for (const [i, j] of list.entries()) {
      if (!j || typeof j !== 'object')
        throw permanentError(`node ${ctx.nodeId}: input.journals[${i}] must be a journal object`, {
          code: 'INVALID_INPUT',
          details: { field: `input.journals[${i}]` },
        });
      const r = await withNode(ctx, () => erp.postJournal(j as JournalInput));
      out.journals.push({ externalId: r.document.externalId, number: r.document.number, id: r.document.id, created: r.created, totals: r.document.totals });
      if (r.created) out.created++;
      else out.existing++;
      // A backlog can be long: say how far it got every couple of seconds, so a slow ERP is visible while it runs.
      if (Date.now() - reported >= 2000 || i === list.length - 1) {
        reported = Date.now();
        ctx.log.info({ posted: i + 1, of: list.length, created: out.created, existing: out.existing }, 'posting payout journals');
      }
    }
    return out;
  },
  async dryRun(ctx, input) {
    const obj = requireObject(ctx, input, 'a journal');
    await erpConnection(ctx, ['journals']);
    const list = 'journals' in obj ? obj.journals : [obj];
    if (!Array.isArray(list))
      throw permanentError(`node ${ctx.nodeId}: input.journals must be a list of journals`, { code: 'INVALID_INPUT', details: { field: 'input.journals' } });
    const docs = await withNode(ctx, async () => list.map((j, i) => parseInput(journalSchema, j, list.length > 1 ? `journal ${i}` : 'journal')));
    return { writes: docs.map((j) => ({ system: 'erp', action: 'post journal', key: j.externalId, document: j })) };
  },
});
