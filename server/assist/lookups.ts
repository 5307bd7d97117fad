// Lookup rows proposed from the ERP's own lists for an exception whose run found no row (unmapped tax rate,
// unmapped location, unmapped gateway), and accepting one: the row is written as a new table version and the
// exception's waiting runs are retried.
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import { proposePaymentMethods, proposeTaxCodes, proposeWarehouses, toRate, type Proposal } from '../../nodes/core/assist/lookup-proposals.ts';
import type { ExceptionRecord, ExceptionService } from '../exceptions/store/index.ts';
import { keyCellLikeTable, type LookupService } from '../lookups/store/index.ts';

export interface LookupAssistDeps {
  lookups: LookupService;
  exceptions: ExceptionService;
  /** The ERP connector the exception's flow posts to, or null. */
  erpFor(flowId: string | undefined): Promise<ErpConnector | null>;
}

export interface MissingRowProposal {
  /** The key the run looked up, by key column. */
  key: Record<string, unknown>;
  /** The row accepting the first proposal writes (key columns the table requires, plus the value column). */
  rows: Array<{ row: Record<string, string>; proposal: Proposal }>;
}

export interface LookupProposals {
  table: string;
  scope: string;
  valueColumn: string;
  /** Where the candidates came from, e.g. "ERP tax codes (listTaxCodes)". */
  from: string;
  missing: MissingRowProposal[];
  /** Why nothing could be proposed, when so. */
  note?: string;
}

type Missing = { key: Record<string, unknown> };

function lookupError(e: ExceptionRecord): { table: string; scope?: string; missing: Missing[]; stepType: string } | null {
  const data = (e.data ?? {}) as { error?: { code?: string; details?: Record<string, unknown> }; stepType?: string };
  if (data.error?.code !== 'LOOKUP_MISSING') return null;
  const d = data.error.details ?? {};
  const missing = Array.isArray(d.missing) ? (d.missing as Missing[]).filter((m) => m && typeof m.key === 'object') : [];
  return { table: String(d.table ?? ''), scope: typeof d.scope === 'string' ? d.scope : undefined, missing, stepType: data.stepType ?? '' };
}

/** The lookup table an exception is missing a row in, or null when it is not about a missing row. */
export function missingRowTable(e: ExceptionRecord): string | null {
  return lookupError(e)?.table || null;
}

export async function proposalsFor(e: ExceptionRecord, deps: LookupAssistDeps): Promise<LookupProposals | null> {
  const le = lookupError(e);
  if (!le?.table) return null;
  const snap = await deps.lookups.snapshot(le.table, { flowId: e.links.flowId });
  const valueColumn = snap.valueColumns[0];
  if (!valueColumn) return null; // a table without a value column has nothing to propose
  // Required key columns, and amounts (a tax rate): what the row is about. Optional scoping columns (country,
  // province) stay empty, so the row matches wherever that title and rate occur; a person can narrow it.
  const required = snap.keyColumns.filter((k) => !k.optional || k.match === 'decimal').map((k) => k.name);
  const base: LookupProposals = { table: snap.name, scope: snap.scope, valueColumn, from: '', missing: [] };
  const isTax = e.type === 'unmapped-tax-code' || le.stepType === 'lookup.tax-code';
  const isLocation = e.type === 'unmapped-location' || le.stepType === 'lookup.location';
  const isGateway = /gateway|payment/i.test(`${le.table} ${valueColumn} ${required.join(' ')}`);
  let propose: (key: Record<string, unknown>) => Proposal[];
  if (isTax || isLocation) {
    let erp: ErpConnector | null;
    try {
      erp = await deps.erpFor(e.links.flowId);
    } catch (err) {
      return { ...base, note: `the ERP connection could not be opened: ${(err as Error).message}` };
    }
    if (!erp) return { ...base, note: 'the flow posts to no ERP connection to read lists from' };
    try {
      if (isTax) {
        if (!erp.capabilities.taxCodes) return { ...base, note: `the ${erp.kind} connector cannot list tax codes` };
        const codes = await erp.listTaxCodes();
        base.from = `${codes.length} ERP tax codes (${erp.kind})`;
        propose = (k) => proposeTaxCodes(k, codes);
      } else {
        if (!erp.capabilities.warehouses) return { ...base, note: `the ${erp.kind} connector cannot list warehouses` };
        const whs = await erp.listWarehouses();
        base.from = `${whs.length} ERP warehouses (${erp.kind})`;
        propose = (k) => proposeWarehouses({ location: k.location, name: typeof k.name === 'string' ? k.name : null }, whs);
      }
    } catch (err) {
      return { ...base, note: `the ERP did not give its list: ${(err as Error).message}` };
    }
  } else if (isGateway) {
    // The ERP contract has no payment-method list; the methods the table already uses are the ERP's own codes.
    const methods = (await deps.lookups.rows({ name: snap.name, scope: snap.scope })).rows.map((r) => r[valueColumn]).filter((v): v is string => !!v);
    base.from = `${new Set(methods).size} payment methods already in ${snap.name}`;
    propose = (k) => proposePaymentMethods(String(Object.values(k)[0] ?? ''), methods);
  } else {
    return { ...base, note: `no proposals for table ${snap.name}` };
  }
  const saved = (await deps.lookups.rows({ name: snap.name, scope: snap.scope })).rows;
  base.missing = le.missing.map((m) => ({
    key: m.key,
    rows: propose(m.key).map((proposal) => {
      const row: Record<string, string> = {};
      for (const c of snap.keyColumns)
        if (required.includes(c.name) && m.key[c.name] !== undefined && m.key[c.name] !== null) row[c.name] = keyCellLikeTable(c, m.key[c.name], saved);
      row[valueColumn] = proposal.value;
      return { row, proposal };
    }),
  }));
  return base;
}

export class AcceptError extends Error {}

/** Writes the rows as one new table version, then retries the exception's waiting runs. */
export async function acceptRows(exceptionId: string, rows: Array<Record<string, string>>, deps: LookupAssistDeps, actor: string) {
  const e = await deps.exceptions.get(exceptionId);
  const le = lookupError(e);
  if (!le) throw new AcceptError(`exception "${exceptionId}" is not about a missing lookup row`);
  if (!rows.length) throw new AcceptError('give at least one row');
  // Accepting is narrower than editing the table (operators may accept, not edit): each row must be for a key this
  // exception found missing. Key columns a row leaves out widen it (a rate row for every country), as in the proposals.
  const same = (a: unknown, b: unknown) => {
    const x = String(a ?? '').trim();
    const y = String(b ?? '').trim();
    if (x === y) return true;
    const dx = toRate(x);
    const dy = toRate(y);
    return !!dx && !!dy && dx.equals(dy);
  };
  rows.forEach((row, i) => {
    const fits = le.missing.some((m) => {
      const shared = Object.keys(m.key).filter((k) => row[k] !== undefined && row[k] !== '');
      return shared.length > 0 && shared.every((k) => m.key[k] === null || m.key[k] === undefined || same(row[k], m.key[k]));
    });
    if (!fits) {
      throw new AcceptError(
        `rows[${i}] (${JSON.stringify(row)}) is not for a key this exception found missing in ${le.table} (${le.missing.map((m) => JSON.stringify(m.key)).join(', ') || 'none recorded'}); other rows are edited in the lookup editor`,
      );
    }
  });
  const snap = await deps.lookups.snapshot(le.table, { flowId: e.links.flowId });
  const version = await deps.lookups.upsertRows({ name: snap.name, scope: snap.scope }, rows, { by: actor, message: `accepted from exception ${exceptionId}` });
  // The row is in; a run that cannot be retried (already replaying, resolved) does not undo it.
  try {
    return { table: snap.name, scope: snap.scope, version, retried: await deps.exceptions.retry(exceptionId, actor), retryNote: null };
  } catch (err) {
    return { table: snap.name, scope: snap.scope, version, retried: null, retryNote: (err as Error).message };
  }
}
