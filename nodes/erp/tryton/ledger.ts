// Journal entries (account.move) posted idempotently: the move description starts with "[<externalId>] ".
// Ledger lines are posted account.move.line rows, with the invoice behind them resolved to its Shopify reference.
import type { ErpJournalEntry, JournalInput, LedgerLine, LedgerQuery, Posted } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { dec, money, sum } from '../shared/money.ts';
import type { TrytonRefs } from './refs.ts';
import { D, tDate, type TrytonRpc } from './rpc.ts';

const marker = (externalId: string) => `[${externalId}] `;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

interface MoveRow {
  id: number;
  number: string | null;
  post_number: string | null;
  date: string;
  description: string | null;
  state: string;
  lines: number[];
}
interface LineRow {
  id: number;
  move: number;
  account: number;
  debit: string;
  credit: string;
  description: string | null;
  reconciliation: number | null;
}

export function checkBalanced(input: JournalInput): void {
  const debit = sum(input.lines.map((l, i) => dec(l.debit ?? '0', `lines[${i}].debit`)));
  const credit = sum(input.lines.map((l, i) => dec(l.credit ?? '0', `lines[${i}].credit`)));
  if (!debit.eq(credit)) {
    throw erpError('tryton', `journal ${input.externalId} does not balance: debit ${money(debit)} vs credit ${money(credit)}`, {
      errorClass: 'permanent',
      code: 'UNBALANCED_JOURNAL',
      details: { externalId: input.externalId, debit: money(debit), credit: money(credit) },
    });
  }
}

export async function postJournal(rpc: TrytonRpc, refs: TrytonRefs, input: JournalInput): Promise<Posted<ErpJournalEntry>> {
  checkBalanced(input);
  const existing = await findMove(rpc, input.externalId);
  if (existing && existing.state === 'posted') return { created: false, document: await toEntry(rpc, refs, existing, input.externalId) };
  let id = existing?.id;
  if (!id) {
    const periods = await rpc.model<number[]>('account.period', 'search', [
      [
        ['start_date', '<=', tDate(input.date)],
        ['end_date', '>=', tDate(input.date)],
        ['type', '=', 'standard'],
        ['state', '=', 'open'],
      ],
      0,
      1,
      null,
    ]);
    if (!periods.length) {
      throw erpError('tryton', `no open accounting period covers ${input.date}`, {
        errorClass: 'permanent',
        code: 'PERIOD_CLOSED',
        details: { field: 'date', value: input.date },
      });
    }
    const lines = [];
    for (const l of input.lines) {
      lines.push({
        account: await refs.account(l.account),
        debit: D(money(l.debit ?? '0')),
        credit: D(money(l.credit ?? '0')),
        description: l.description ?? null,
      });
    }
    id = await rpc.createOne('account.move', {
      journal: await refs.journal(refs.opts.journal ?? 'CASH'),
      period: periods[0],
      date: tDate(input.date),
      description: `${marker(input.externalId)}${input.description}`,
      lines: [['create', lines]],
    });
  }
  await rpc.model('account.move', 'post', [[id]]);
  const move = await rpc.readOne<MoveRow>('account.move', id, ['number', 'post_number', 'date', 'description', 'state', 'lines']);
  if (move.state !== 'posted')
    throw erpError('tryton', `journal ${input.externalId} is ${move.state} after post`, { errorClass: 'permanent', code: 'ERP_STATE' });
  return { created: true, document: await toEntry(rpc, refs, move, input.externalId) };
}

async function findMove(rpc: TrytonRpc, externalId: string): Promise<MoveRow | null> {
  const rows = await rpc.model<MoveRow[]>('account.move', 'search_read', [
    [['description', 'like', `${likeEscape(marker(externalId))}%`]],
    0,
    1,
    [['id', 'ASC']],
    ['number', 'post_number', 'date', 'description', 'state', 'lines'],
  ]);
  return rows[0] ?? null;
}

async function toEntry(rpc: TrytonRpc, refs: TrytonRefs, m: MoveRow, externalId: string): Promise<ErpJournalEntry> {
  const lines = await rpc.model<LineRow[]>('account.move.line', 'read', [m.lines, ['account', 'debit', 'credit', 'description']]);
  const out = [];
  for (const l of lines)
    out.push({ account: await refs.accountCode(l.account), debit: money(l.debit), credit: money(l.credit), description: l.description || null });
  return {
    id: String(m.id),
    externalId,
    number: m.post_number ?? m.number ?? '',
    date: m.date,
    description: (m.description ?? '').replace(marker(externalId), ''),
    posted: m.state === 'posted',
    lines: out,
    totals: { debit: money(sum(out.map((l) => l.debit))), credit: money(sum(out.map((l) => l.credit))) },
  };
}

export async function listLedger(rpc: TrytonRpc, refs: TrytonRefs, q: LedgerQuery): Promise<LedgerLine[]> {
  const domain: unknown[] = [
    ['move.date', '>=', tDate(q.from)],
    ['move.date', '<=', tDate(q.to)],
    ['move.state', '=', 'posted'],
  ];
  if (q.accounts?.length) domain.push(['account', 'in', await Promise.all(q.accounts.map((a) => refs.account(a)))]);
  const rows = await rpc.model<
    Array<
      LineRow & { 'move.': { id: number; date: string; number: string | null; post_number: string | null; description: string | null; origin: string | null } }
    >
  >('account.move.line', 'search_read', [
    domain,
    0,
    null,
    [['id', 'ASC']],
    ['move', 'account', 'debit', 'credit', 'description', 'reconciliation', 'move.date', 'move.number', 'move.post_number', 'move.description', 'move.origin'],
  ]);
  const invoiceIds = [
    ...new Set(
      rows
        .map((r) => r['move.'].origin)
        .filter((o): o is string => !!o && o.startsWith('account.invoice,'))
        .map((o) => Number(o.split(',')[1])),
    ),
  ];
  const invoices = invoiceIds.length
    ? await rpc.model<Array<{ id: number; number: string | null; reference: string | null; total_amount: string; lines: number[] }>>(
        'account.invoice',
        'read',
        [invoiceIds, ['number', 'reference', 'total_amount', 'lines']],
      )
    : [];
  const invoiceExternal = await invoiceExternalIds(rpc, invoices);
  const byInvoice = new Map(invoices.map((i) => [i.id, i]));
  const out: LedgerLine[] = [];
  for (const r of rows) {
    const mv = r['move.'];
    let source: LedgerLine['source'] = { type: 'other', externalId: null, number: mv.post_number ?? mv.number };
    const payoutId = mv.description?.match(/^\[([^\]]+)\] /)?.[1];
    if (mv.origin?.startsWith('account.invoice,')) {
      const inv = byInvoice.get(Number(mv.origin.split(',')[1]));
      const credit = inv ? inv.total_amount.startsWith('-') : false;
      source = { type: credit ? 'credit-memo' : 'invoice', externalId: inv ? (invoiceExternal.get(inv.id) ?? null) : null, number: inv?.number ?? null };
    } else if (payoutId !== undefined) {
      source = { type: 'journal', externalId: payoutId, number: mv.post_number ?? mv.number };
    }
    out.push({
      id: String(r.id),
      entryId: String(mv.id),
      entryNumber: mv.post_number ?? mv.number ?? '',
      date: mv.date,
      account: await refs.accountCode(r.account),
      debit: money(r.debit),
      credit: money(r.credit),
      description: r.description || mv.description || null,
      source,
      reconciled: r.reconciliation != null,
    });
  }
  return out;
}

/** Invoices carry the Shopify id: credit notes in `reference` ("refund:<id>"), order invoices via their sale's reference. */
async function invoiceExternalIds(rpc: TrytonRpc, invoices: Array<{ id: number; reference: string | null; lines: number[] }>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const needSale: Array<{ id: number; line: number }> = [];
  for (const i of invoices) {
    const [firstLine] = i.lines;
    if (i.reference?.startsWith('refund:')) out.set(i.id, i.reference.slice('refund:'.length));
    else if (firstLine !== undefined) needSale.push({ id: i.id, line: firstLine });
  }
  if (!needSale.length) return out;
  const lines = await rpc.model<Array<{ id: number; origin: string | null }>>('account.invoice.line', 'read', [needSale.map((n) => n.line), ['origin']]);
  const saleLineIds = lines.map((l) => (l.origin?.startsWith('sale.line,') ? Number(l.origin.split(',')[1]) : null)).filter((x): x is number => x != null);
  const saleLines = saleLineIds.length ? await rpc.model<Array<{ id: number; sale: number }>>('sale.line', 'read', [saleLineIds, ['sale']]) : [];
  const sales = saleLines.length
    ? await rpc.model<Array<{ id: number; reference: string }>>('sale.sale', 'read', [[...new Set(saleLines.map((s) => s.sale))], ['reference']])
    : [];
  const saleRef = new Map(sales.map((s) => [s.id, s.reference]));
  const saleOfLine = new Map(saleLines.map((s) => [s.id, s.sale]));
  const originOfInvLine = new Map(lines.map((l) => [l.id, l.origin]));
  for (const n of needSale) {
    const o = originOfInvLine.get(n.line);
    const sl = o?.startsWith('sale.line,') ? Number(o.split(',')[1]) : null;
    const ref = sl != null ? saleRef.get(saleOfLine.get(sl)!) : undefined;
    if (ref) out.set(n.id, ref.replace(/^refund:/, ''));
  }
  return out;
}
