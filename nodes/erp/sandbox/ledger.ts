// The sandbox ERP's small double-entry ledger: invoices and credit memos post automatically, payouts by journal.
import type { ErpJournalEntry, JournalInput, LedgerLine, LedgerQuery, LedgerRow } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { Decimal, money, sum } from '../shared/money.ts';
import { nextNumber, type Db } from './db.ts';

export interface EntryLine {
  account: string;
  debit: Decimal.Value;
  credit: Decimal.Value;
  description?: string | null;
}

export function accountExists(db: Db, code: string): void {
  if (!db.prepare('SELECT 1 FROM accounts WHERE code = ?').get(code)) {
    const known = (db.prepare('SELECT code FROM accounts ORDER BY code').all() as Array<{ code: string }>).map((a) => a.code);
    throw erpError('sandbox', `GL account ${JSON.stringify(code)} does not exist (known: ${known.join(', ')})`, {
      errorClass: 'permanent',
      code: 'ACCOUNT_NOT_FOUND',
      details: { value: code, known },
    });
  }
}

export function postEntry(
  db: Db,
  e: {
    externalId: string | null;
    date: string;
    description: string;
    sourceType: string;
    sourceExternalId: string | null;
    sourceNumber: string | null;
    lines: EntryLine[];
  },
): number {
  const debit = sum(e.lines.map((l) => l.debit));
  const credit = sum(e.lines.map((l) => l.credit));
  if (!debit.eq(credit)) {
    throw erpError('sandbox', `entry "${e.description}" does not balance: debit ${money(debit)} vs credit ${money(credit)}`, {
      errorClass: 'permanent',
      code: 'UNBALANCED_JOURNAL',
      details: { externalId: e.externalId, debit: money(debit), credit: money(credit) },
    });
  }
  for (const l of e.lines) accountExists(db, l.account);
  const number = nextNumber(db, 'journal', 'JE');
  const id = Number(
    db
      .prepare(
        'INSERT INTO journal_entries (external_id, number, date, description, source_type, source_external_id, source_number) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(e.externalId, number, e.date, e.description, e.sourceType, e.sourceExternalId, e.sourceNumber).lastInsertRowid,
  );
  const ins = db.prepare('INSERT INTO ledger_lines (entry_id, account, debit, credit, description) VALUES (?, ?, ?, ?, ?)');
  for (const l of e.lines) {
    if (new Decimal(l.debit).isZero() && new Decimal(l.credit).isZero()) continue;
    ins.run(id, l.account, money(l.debit), money(l.credit), l.description ?? null);
  }
  return id;
}

/** Invoice (sign 1) or credit memo (sign -1): receivable against revenue and tax. */
export function invoiceLines(gross: Decimal.Value, net: Decimal.Value, tax: Decimal.Value, sign: 1 | -1): EntryLine[] {
  const side = (amount: Decimal.Value, debitWhenInvoice: boolean): Pick<EntryLine, 'debit' | 'credit'> =>
    debitWhenInvoice === (sign === 1) ? { debit: amount, credit: 0 } : { debit: 0, credit: amount };
  return [
    { account: '1100', ...side(gross, true), description: 'Receivable' },
    { account: '4000', ...side(net, false), description: 'Revenue' },
    { account: '2100', ...side(tax, false), description: 'Tax' },
  ];
}

interface EntryRow {
  id: number;
  external_id: string | null;
  number: string;
  date: string;
  description: string;
  source_type: string;
  source_external_id: string | null;
  source_number: string | null;
}

export function readEntry(db: Db, externalId: string): ErpJournalEntry | null {
  const e = db.prepare("SELECT * FROM journal_entries WHERE external_id = ? AND source_type = 'journal'").get(externalId) as EntryRow | undefined;
  if (!e) return null;
  const lines = db.prepare('SELECT account, debit, credit, description FROM ledger_lines WHERE entry_id = ? ORDER BY id').all(e.id) as Array<{
    account: string;
    debit: string;
    credit: string;
    description: string | null;
  }>;
  return {
    id: String(e.id),
    externalId,
    number: e.number,
    date: e.date,
    description: e.description,
    posted: true,
    lines,
    totals: { debit: money(sum(lines.map((l) => l.debit))), credit: money(sum(lines.map((l) => l.credit))) },
  };
}

export function postJournal(db: Db, input: JournalInput): { created: boolean; document: ErpJournalEntry } {
  const existing = readEntry(db, input.externalId);
  if (existing) return { created: false, document: existing };
  db.transaction(() =>
    postEntry(db, {
      externalId: input.externalId,
      date: input.date,
      description: input.description,
      sourceType: 'journal',
      sourceExternalId: input.externalId,
      sourceNumber: null,
      lines: input.lines.map((l) => ({ account: l.account, debit: l.debit ?? '0', credit: l.credit ?? '0', description: l.description })),
    }),
  )();
  return { created: true, document: readEntry(db, input.externalId)! };
}

/**
 * listLedger's lines as compact rows: the rows SQLite gives (`raw`), one array per line, with no row object, no
 * LedgerLine and no string made of a number (a reconciliation reads a million of them). Entries come in date order,
 * each entry's lines together in line order: the order the date index reads them in, where line order would sort a
 * whole window's rows first (a quarter of the read); the reader puts documents back in ledger order.
 */
export function listLedgerRows(db: Db, q: LedgerQuery): LedgerRow[] {
  const accounts = q.accounts ?? [];
  for (const a of accounts) accountExists(db, a);
  return db
    .prepare(`SELECT l.id, l.entry_id, e.number, e.date, l.account, l.debit, l.credit,
      CASE e.source_type WHEN 'settlement' THEN 'journal' ELSE e.source_type END, e.source_external_id, COALESCE(e.source_number, e.number)
    FROM ledger_lines l JOIN journal_entries e ON e.id = l.entry_id
    WHERE e.date >= ? AND e.date <= ? ${accounts.length ? `AND l.account IN (${accounts.map(() => '?').join(',')})` : ''} ORDER BY e.date, e.id, l.id`)
    .raw()
    .all(q.from, q.to, ...accounts) as LedgerRow[];
}

export function listLedger(db: Db, q: LedgerQuery): LedgerLine[] {
  const accounts = q.accounts ?? [];
  for (const a of accounts) accountExists(db, a);
  const rows = db
    .prepare(`SELECT l.id, l.entry_id, e.number, e.date, l.account, l.debit, l.credit, l.description, l.reconciled, e.description AS entry_description,
      e.source_type, e.source_external_id, e.source_number
    FROM ledger_lines l JOIN journal_entries e ON e.id = l.entry_id
    WHERE e.date >= ? AND e.date <= ? ${accounts.length ? `AND l.account IN (${accounts.map(() => '?').join(',')})` : ''} ORDER BY l.id`)
    .all(q.from, q.to, ...accounts) as Array<Record<string, string | number | null>>;
  return rows.map((r) => ({
    id: String(r.id),
    entryId: String(r.entry_id),
    entryNumber: String(r.number),
    date: String(r.date),
    account: String(r.account),
    debit: String(r.debit),
    credit: String(r.credit),
    description: (r.description ?? r.entry_description) as string | null,
    // A payout settlement reads as a journal keyed "settle:<payout id>" (the ERP-neutral shape of the contract).
    source: {
      type: (r.source_type === 'settlement' ? 'journal' : r.source_type) as LedgerLine['source']['type'],
      externalId: r.source_external_id as string | null,
      number: (r.source_number ?? r.number) as string | null,
    },
    reconciled: Number(r.reconciled) !== 0,
  }));
}
