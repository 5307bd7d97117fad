// erp.post-journal: a balanced journal entry (payout clearing) posted idempotently by payout id.
import { z } from 'zod';
import { defineNode } from '../../../runtime/node-api.ts';
import { journalSchema } from '../shared/schemas.ts';
import type { ErpJournalEntry, JournalInput } from '../contract.ts';
import { sampleJournal } from './samples.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z.object({ connection: connectionField }).strict();

export const postJournalNode = defineNode<z.infer<typeof config>, JournalInput, ErpJournalEntry & { created: boolean }>({
  type: 'erp.post-journal',
  version: 1,
  title: 'Post ERP journal',
  category: 'erp',
  description: 'Posts a journal entry to the ERP general ledger, e.g. a Shopify payout: bank debit, fee expense, adjustments and reserves against the '
    + 'Shopify clearing account. Debits must equal credits. Idempotent by the payout id: a second post returns the existing entry.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpJournalInput' }],
  outputs: [{ id: 'out', dataType: 'ErpJournalEntry' }],
  // Declared so the mapping before this node lists these fields as its targets (and validation checks them).
  input: journalSchema,
  idempotent: true,
  sampleOutput: sampleJournal,
  async execute(ctx, input) {
    requireObject(ctx, input, 'a journal');
    const erp = await erpConnection(ctx, ['journals']);
    const r = await withNode(ctx, () => erp.postJournal(input));
    return { ...r.document, created: r.created };
  },
});
