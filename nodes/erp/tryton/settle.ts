// Payout settlement in Tryton 6.0: one account.move per payout ("[settle:<payout>] ..." in the cash journal) moves
// what Shopify paid from the clearing account to the customer's receivable, then the invoice's lines to pay and
// the settlement line are reconciled (Tryton then marks the invoice paid). A chargeback unreconciles the invoice
// (it reads "posted", i.e. open, again) and books the reversal on the receivable; a won dispute pays it again.
// Every receivable line the settlement books says which document it belongs to: "(order <id>)" / "(refund <id>)".
import type { ErpSettlement, InvoicePaymentStatus, Posted, SettlementInput, SettlementItemInput } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { Decimal, money, sum } from '../shared/money.ts';
import type { TrytonRefs } from './refs.ts';
import { D, tDate, type TrytonRpc } from './rpc.ts';

const marker = (payout: string) => `[settle:${payout}] `;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const legacyId = (id: string) => String(id).split('/').pop()!;

interface Invoice {
  id: number;
  number: string | null;
  state: string;
  party: number;
  lines_to_pay: number[];
}
interface MoveLine {
  id: number;
  account: number;
  party: number | null;
  debit: string;
  credit: string;
  reconciliation: number | null;
  description: string | null;
  move: number;
}
const LINE_FIELDS = ['account', 'party', 'debit', 'credit', 'reconciliation', 'description', 'move'];

const tag = (i: SettlementItemInput) => (i.kind === 'credit-memo' ? `(refund ${legacyId(i.externalId)})` : `(order ${legacyId(i.externalId)})`);

async function findInvoice(rpc: TrytonRpc, item: SettlementItemInput): Promise<Invoice | null> {
  const fields = ['number', 'state', 'party', 'lines_to_pay'];
  const id = legacyId(item.externalId);
  if (item.kind === 'credit-memo') {
    const refs = [`refund:${id}`, `refund:gid://shopify/Refund/${id}`];
    const rows = await rpc.model<Invoice[]>('account.invoice', 'search_read', [
      [
        ['reference', 'in', refs],
        ['type', '=', 'out'],
        ['state', 'in', ['posted', 'paid']],
      ],
      0,
      1,
      [['id', 'ASC']],
      fields,
    ]);
    return rows[0] ?? null;
  }
  const sales = await rpc.model<Array<{ id: number; invoices: number[] }>>('sale.sale', 'search_read', [
    [['reference', 'in', [id, `gid://shopify/Order/${id}`]]],
    0,
    5,
    [['id', 'ASC']],
    ['invoices'],
  ]);
  const ids = sales.flatMap((s) => s.invoices);
  if (!ids.length) return null;
  const rows = await rpc.model<Array<Invoice & { total_amount: string }>>('account.invoice', 'read', [ids, [...fields, 'total_amount']]);
  return rows.find((r) => (r.state === 'posted' || r.state === 'paid') && new Decimal(r.total_amount).gt(0)) ?? null;
}

/** The invoice's lines to pay plus every settlement line booked for the same document. */
async function docLines(rpc: TrytonRpc, inv: Invoice, item: SettlementItemInput, receivable: number): Promise<MoveLine[]> {
  const own = inv.lines_to_pay.length ? await rpc.model<MoveLine[]>('account.move.line', 'read', [inv.lines_to_pay, LINE_FIELDS]) : [];
  const tagged = await rpc.model<MoveLine[]>('account.move.line', 'search_read', [
    [
      ['account', '=', receivable],
      ['party', '=', inv.party],
      ['description', 'like', `%${likeEscape(tag(item))}%`],
      ['move.description', 'like', '[settle:%'],
    ],
    0,
    null,
    [['id', 'ASC']],
    LINE_FIELDS,
  ]);
  const seen = new Set(own.map((l) => l.id));
  return [...own, ...tagged.filter((l) => !seen.has(l.id))];
}

const balance = (lines: MoveLine[]) => sum(lines.map((l) => new Decimal(l.debit).minus(l.credit)));

async function wizard(rpc: TrytonRpc, name: string, lineIds: number[], state: string): Promise<void> {
  const ctx = { active_model: 'account.move.line', active_id: lineIds[0], active_ids: lineIds };
  const [sid] = await rpc.call<[number, string, string]>(`wizard.${name}.create`, [], ctx);
  try {
    const r = await rpc.call<{ view?: unknown }>(`wizard.${name}.execute`, [sid, {}, state], ctx);
    if (r && (r as { view?: unknown }).view)
      throw erpError('tryton', `${name}: lines ${lineIds.join(', ')} do not balance`, { errorClass: 'permanent', code: 'ERP_STATE' });
  } finally {
    await rpc.call(`wizard.${name}.delete`, [sid], ctx).catch(() => undefined);
  }
}

/** Reconciles the document's open lines when they net to zero. */
async function reconcileOpen(rpc: TrytonRpc, lines: MoveLine[]): Promise<void> {
  const open = lines.filter((l) => l.reconciliation == null);
  if (open.length < 2 || !balance(open).isZero()) return;
  await wizard(
    rpc,
    'account.move.reconcile_lines',
    open.map((l) => l.id),
    'start',
  );
}

async function statusOf(rpc: TrytonRpc, inv: Invoice, item: SettlementItemInput, receivable: number): Promise<InvoicePaymentStatus> {
  const now = await rpc.readOne<Invoice>('account.invoice', inv.id, ['state']);
  if (now.state === 'paid') return 'paid';
  if (item.kind !== 'credit-memo') {
    const lines = await docLines(rpc, inv, item, receivable);
    if (lines.some((l) => l.reconciliation == null && (l.description ?? '').startsWith('Chargeback'))) return 'disputed';
  }
  return 'open';
}

export async function settleReceivables(rpc: TrytonRpc, refs: TrytonRefs, input: SettlementInput): Promise<Posted<ErpSettlement>> {
  const [receivable, clearing, disputes] = await Promise.all([
    refs.account(input.accounts.receivable),
    refs.account(input.accounts.clearing),
    refs.account(input.accounts.disputes),
  ]);
  const existing = (
    await rpc.model<Array<{ id: number; state: string; number: string | null; post_number: string | null }>>('account.move', 'search_read', [
      [['description', 'like', `${likeEscape(marker(input.externalId))}%`]],
      0,
      1,
      [['id', 'ASC']],
      ['state', 'number', 'post_number'],
    ])
  )[0];

  const found: Array<{ item: SettlementItemInput; inv: Invoice | null }> = [];
  for (const item of input.items) found.push({ item, inv: await findInvoice(rpc, item) });

  const result: ErpSettlement = { externalId: input.externalId, entryNumber: null, items: [] };
  const settledAmount = new Map<SettlementItemInput, string>();
  let moveId = existing?.id;
  if (!moveId) {
    const lines: Array<Record<string, unknown>> = [];
    for (const { item, inv } of found) {
      if (!inv) continue;
      const all = await docLines(rpc, inv, item, receivable);
      const open = balance(all.filter((l) => l.reconciliation == null));
      const what = `${item.kind === 'credit-memo' ? 'credit note' : 'invoice'} ${inv.number ?? inv.id} ${tag(item)}`;
      const rl = (debit: Decimal, credit: Decimal, description: string) => ({
        account: receivable,
        party: inv.party,
        debit: D(money(debit)),
        credit: D(money(credit)),
        description,
      });
      const ol = (account: number, debit: Decimal, credit: Decimal, description: string) => ({
        account,
        debit: D(money(debit)),
        credit: D(money(credit)),
        description,
      });
      const zero = new Decimal(0);
      if (item.kind === 'invoice' || item.kind === 'credit-memo') {
        // The document's open receivable as Tryton booked it: the reconciliation has already tied it to Shopify's figure.
        if (open.isZero()) continue;
        if (open.gt(0)) lines.push(ol(clearing, open, zero, `Shopify paid ${what}`), rl(zero, open, `Settles ${what}`));
        else lines.push(rl(open.neg(), zero, `Settles ${what}`), ol(clearing, zero, open.neg(), `Shopify refunded ${what}`));
        settledAmount.set(item, money(open.abs()));
      } else {
        const a = new Decimal(item.amount);
        if (item.kind === 'chargeback') lines.push(rl(a, zero, `Chargeback reopens ${what}`), ol(disputes, zero, a, `Chargeback of ${what}`));
        else lines.push(ol(disputes, a, zero, `Dispute won: ${what}`), rl(zero, a, `Dispute won settles ${what}`));
        settledAmount.set(item, money(a));
      }
    }
    if (lines.length) {
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
      if (!periods.length)
        throw erpError('tryton', `no open accounting period covers ${input.date}`, {
          errorClass: 'permanent',
          code: 'PERIOD_CLOSED',
          details: { field: 'date', value: input.date },
        });
      moveId = await rpc.createOne('account.move', {
        journal: await refs.journal(refs.opts.journal ?? 'CASH'),
        period: periods[0],
        date: tDate(input.date),
        description: `${marker(input.externalId)}${input.description}`,
        lines: [['create', lines]],
      });
    }
  }
  if (moveId) {
    await rpc.model('account.move', 'post', [[moveId]]);
    const mv = await rpc.readOne<{ number: string | null; post_number: string | null; state: string }>('account.move', moveId, [
      'number',
      'post_number',
      'state',
    ]);
    if (mv.state !== 'posted')
      throw erpError('tryton', `settlement of payout ${input.externalId} is ${mv.state} after post`, { errorClass: 'permanent', code: 'ERP_STATE' });
    result.entryNumber = mv.post_number ?? mv.number;
  }
  // Reconciliation is idempotent (only open lines that net to zero), so a retry after a crash finishes the job.
  for (const { item, inv } of found) {
    if (!inv) {
      result.items.push({ ...item, status: 'not-found', document: null, settledAmount: null, invoiceStatus: null });
      continue;
    }
    if (item.kind === 'chargeback') {
      // The payment is taken back: unreconcile the invoice so Tryton shows it open again.
      const lines = await docLines(rpc, inv, item, receivable);
      const reconciled = lines.filter((l) => l.reconciliation != null).map((l) => l.id);
      if (reconciled.length) await wizard(rpc, 'account.move.unreconcile_lines', reconciled, 'unreconcile');
    } else {
      await reconcileOpen(rpc, await docLines(rpc, inv, item, receivable));
    }
    const fresh = settledAmount.get(item);
    result.items.push({
      ...item,
      status: fresh ? 'settled' : 'already-settled',
      document: inv.number,
      settledAmount: fresh ?? null,
      invoiceStatus: await statusOf(rpc, inv, item, receivable),
    });
  }
  return { created: !existing && moveId != null, document: result };
}
