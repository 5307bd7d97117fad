// Payout settlement in the sandbox ERP's ledger: one entry per payout moves what Shopify paid from the clearing
// account to the customer receivable, and the receivable lines of each invoice / credit memo that net to zero are
// reconciled together (a line's `reconciled` holds its reconciliation number). Chargebacks reopen the invoice.
import type { ErpSettlement, InvoicePaymentStatus, Posted, SettlementInput } from '../contract.ts';
import { Decimal, money, sum } from '../shared/money.ts';
import type { Db } from './db.ts';
import { accountExists, postEntry, type EntryLine } from './ledger.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS settlements (id INTEGER PRIMARY KEY, payout TEXT NOT NULL, kind TEXT NOT NULL, doc_key TEXT NOT NULL,
  amount TEXT NOT NULL, line_id INTEGER, document TEXT);
CREATE INDEX IF NOT EXISTS settlements_doc ON settlements(doc_key);`;

const legacyId = (id: string) => String(id).split('/').pop()!;
const gidOf = (kind: 'Order' | 'Refund', id: string) => `gid://shopify/${kind}/${legacyId(id)}`;
const marker = (payout: string) => `settle:${payout}`;

interface Line {
  id: number;
  debit: string;
  credit: string;
  reconciled: number;
}

/** The receivable lines of one order (its invoices and every settlement line booked for it) or one refund. */
function docLines(db: Db, receivable: string, key: { kind: 'order' | 'refund'; id: string }): { lines: Line[]; number: string | null } {
  const ids = [legacyId(key.id), gidOf(key.kind === 'order' ? 'Order' : 'Refund', key.id)];
  const type = key.kind === 'order' ? 'invoice' : 'credit-memo';
  const doc = db
    .prepare(`SELECT l.id, l.debit, l.credit, l.reconciled, e.source_number FROM ledger_lines l JOIN journal_entries e ON e.id = l.entry_id
    WHERE e.source_type = ? AND e.source_external_id IN (?, ?) AND l.account = ? ORDER BY l.id`)
    .all(type, ids[0], ids[1], receivable) as Array<Line & { source_number: string | null }>;
  const settled = db
    .prepare(`SELECT l.id, l.debit, l.credit, l.reconciled FROM settlements s JOIN ledger_lines l ON l.id = s.line_id WHERE s.doc_key = ? ORDER BY l.id`)
    .all(`${key.kind}:${legacyId(key.id)}`) as Line[];
  return { lines: [...doc, ...settled], number: doc[0]?.source_number ?? null };
}

const balance = (lines: Line[]) => sum(lines.map((l) => new Decimal(l.debit).minus(l.credit)));

/** Reconciles the open lines when they net to zero (a new reconciliation number); true when nothing is left open. */
function reconcileOpen(db: Db, lines: Line[]): boolean {
  const open = lines.filter((l) => !l.reconciled);
  if (!open.length) return true;
  if (!balance(open).isZero()) return false;
  const next = (db.prepare('SELECT COALESCE(MAX(reconciled), 0) + 1 AS n FROM ledger_lines').get() as { n: number }).n;
  const upd = db.prepare('UPDATE ledger_lines SET reconciled = ? WHERE id = ?');
  for (const l of open) upd.run(next, l.id);
  return true;
}

function status(db: Db, receivable: string, key: { kind: 'order' | 'refund'; id: string }): InvoicePaymentStatus | null {
  const { lines } = docLines(db, receivable, key);
  if (!lines.length) return null;
  if (key.kind === 'order') {
    const last = db
      .prepare("SELECT kind FROM settlements WHERE doc_key = ? AND kind IN ('chargeback', 'chargeback-reversal') ORDER BY id DESC LIMIT 1")
      .get(`order:${legacyId(key.id)}`) as { kind: string } | undefined;
    if (last?.kind === 'chargeback') return 'disputed';
  }
  return lines.every((l) => l.reconciled) ? 'paid' : 'open';
}

export function settleReceivables(db: Db, input: SettlementInput): Posted<ErpSettlement> {
  db.exec(SCHEMA);
  const { receivable, clearing, disputes } = input.accounts;
  for (const a of [receivable, clearing, disputes]) accountExists(db, a);
  const keyOf = (kind: string, id: string) => ({ kind: kind === 'credit-memo' ? ('refund' as const) : ('order' as const), id });
  const existing = db.prepare("SELECT id, number FROM journal_entries WHERE external_id = ? AND source_type = 'settlement'").get(marker(input.externalId)) as
    | { id: number; number: string }
    | undefined;
  if (existing) {
    const rows = db.prepare('SELECT kind, doc_key, amount, document, line_id FROM settlements WHERE payout = ? ORDER BY id').all(input.externalId) as Array<{
      kind: string;
      doc_key: string;
      amount: string;
      document: string | null;
      line_id: number | null;
    }>;
    return {
      created: false,
      document: {
        externalId: input.externalId,
        entryNumber: existing.number,
        items: input.items.map((i) => {
          const r = rows.find((x) => x.kind === i.kind && x.doc_key === `${keyOf(i.kind, i.externalId).kind}:${legacyId(i.externalId)}`);
          return {
            ...i,
            status: r ? ('already-settled' as const) : ('not-found' as const),
            document: r?.document ?? null,
            settledAmount: r ? r.amount : null,
            invoiceStatus: status(db, receivable, keyOf(i.kind, i.externalId)),
          };
        }),
      },
    };
  }

  const result: ErpSettlement = { externalId: input.externalId, entryNumber: null, items: [] };
  db.transaction(() => {
    const plan: Array<{ item: SettlementInput['items'][number]; key: ReturnType<typeof keyOf>; amount: Decimal; lines: EntryLine[]; document: string | null }> =
      [];
    for (const item of input.items) {
      const key = keyOf(item.kind, item.externalId);
      const { lines, number } = docLines(db, receivable, key);
      if (!lines.length) {
        result.items.push({ ...item, status: 'not-found', document: null, settledAmount: null, invoiceStatus: null });
        continue;
      }
      const open = balance(lines.filter((l) => !l.reconciled));
      const desc = `${item.kind} ${legacyId(item.externalId)}${number ? ` (${number})` : ''}`;
      if (item.kind === 'invoice' || item.kind === 'credit-memo') {
        // The document's open receivable (what the ERP booked), not Shopify's figure: the reconciliation already
        // tied the two; gift cards sold or redeemed on the order sit on clearing through their own journal.
        if (open.isZero()) {
          result.items.push({ ...item, status: 'already-settled', document: number, settledAmount: null, invoiceStatus: status(db, receivable, key) });
          continue;
        }
        plan.push({
          item,
          key,
          amount: open.abs(),
          document: number,
          lines: open.gt(0)
            ? [
                { account: clearing, debit: open, credit: 0, description: `Shopify paid ${desc}` },
                { account: receivable, debit: 0, credit: open, description: `Settles ${desc}` },
              ]
            : [
                { account: receivable, debit: open.neg(), credit: 0, description: `Settles ${desc}` },
                { account: clearing, debit: 0, credit: open.neg(), description: `Shopify refunded ${desc}` },
              ],
        });
      } else {
        const a = new Decimal(item.amount);
        plan.push({
          item,
          key,
          amount: a,
          document: number,
          lines:
            item.kind === 'chargeback'
              ? [
                  { account: receivable, debit: a, credit: 0, description: `Chargeback reopens ${desc}` },
                  { account: disputes, debit: 0, credit: a, description: `Chargeback of ${desc}` },
                ]
              : [
                  { account: disputes, debit: a, credit: 0, description: `Dispute won: ${desc}` },
                  { account: receivable, debit: 0, credit: a, description: `Dispute won settles ${desc}` },
                ],
        });
      }
    }
    if (!plan.length) return;
    const entryId = postEntry(db, {
      externalId: marker(input.externalId),
      date: input.date,
      description: input.description,
      sourceType: 'settlement',
      sourceExternalId: marker(input.externalId),
      sourceNumber: null,
      lines: plan.flatMap((p) => p.lines),
    });
    result.entryNumber = (db.prepare('SELECT number FROM journal_entries WHERE id = ?').get(entryId) as { number: string }).number;
    const recvLines = db.prepare('SELECT id FROM ledger_lines WHERE entry_id = ? AND account = ? ORDER BY id').all(entryId, receivable) as Array<{
      id: number;
    }>;
    const ins = db.prepare('INSERT INTO settlements (payout, kind, doc_key, amount, line_id, document) VALUES (?, ?, ?, ?, ?, ?)');
    plan.forEach((p, i) => {
      // Each planned item books one receivable line, in plan order.
      const recv = recvLines[i];
      if (!recv) throw new Error(`settlement ${input.externalId}: entry ${entryId} has no receivable line for ${p.item.kind} ${p.item.externalId}`);
      ins.run(input.externalId, p.item.kind, `${p.key.kind}:${legacyId(p.key.id)}`, money(p.amount), recv.id, p.document);
      if (p.item.kind === 'chargeback') {
        // The payment is taken back: the invoice is open again until the dispute is won (or written off).
        const { lines } = docLines(db, receivable, p.key);
        const groups = [...new Set(lines.map((l) => l.reconciled).filter((g) => g))];
        for (const g of groups) db.prepare('UPDATE ledger_lines SET reconciled = 0 WHERE reconciled = ?').run(g);
      }
      const { lines } = docLines(db, receivable, p.key);
      // A chargeback line stays open with the invoice; anything else reconciles once the document nets to zero.
      if (p.item.kind !== 'chargeback') reconcileOpen(db, lines);
      result.items.push({ ...p.item, status: 'settled', document: p.document, settledAmount: money(p.amount), invoiceStatus: status(db, receivable, p.key) });
    });
  })();
  // Keep the caller's order.
  result.items.sort(
    (a, b) =>
      input.items.indexOf(input.items.find((x) => x.kind === a.kind && x.externalId === a.externalId)!) -
      input.items.indexOf(input.items.find((x) => x.kind === b.kind && x.externalId === b.externalId)!),
  );
  return { created: result.entryNumber !== null, document: result };
}
