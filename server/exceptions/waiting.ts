// Runs waiting on a lookup row: the unresolved exceptions of failed lookup steps (LOOKUP_MISSING naming a table) whose
// missing keys the table now has. Saving the row retries them in bulk (each exception's failed runs, replayed from the
// failed step); the outcome of those replays is read back as a summary (n retried, n succeeded, n still failing, why).
import type { ExceptionRecord, ExceptionService } from './store/index.ts';
import type { LookupService } from '../lookups/store/index.ts';
import type { Runs } from '../../runtime/runs.ts';
import type { LookupRow } from '../../runtime/node-api/lookups.ts';

export const SKU_OVERRIDES = 'sku-overrides';

export interface MissingLookup {
  table: string;
  scope: string;
  /** The keys the failed step looked for, as the step reported them (key column → value). */
  keys: Array<Record<string, unknown>>;
}

export interface RetryBatch {
  /** Exceptions whose runs were retried. */
  exceptions: string[];
  runs: Array<{ runId: string; newRunId: string }>;
  skipped: Array<{ runId: string; reason: string }>;
}

/**
 * What lookup row an exception waits for, or null when it is not a missing lookup row: a lookup node names its table
 * and keys; a mapping names them per field (only when every problem is a missing row of one table); an unknown SKU
 * waits on the SKU overrides.
 */
export function missingLookup(e: Pick<ExceptionRecord, 'data'>): MissingLookup | null {
  const err = (e.data as { error?: { code?: string; details?: Record<string, unknown> } } | null)?.error;
  // An SKU the ERP does not know waits on the SKU overrides the templates map every line through (missing rows keep
  // Shopify's SKU): a row naming the ERP's item for it is the fix a client can make without code.
  if (err?.code === 'SKU_NOT_FOUND') {
    const skus = Array.isArray(err.details?.skus) ? (err.details.skus as unknown[]).map(String).filter(Boolean) : [];
    return skus.length ? { table: SKU_OVERRIDES, scope: 'shared', keys: skus.map((sku) => ({ sku })) } : null;
  }
  if (err?.code !== 'LOOKUP_MISSING') return null;
  const d = err.details ?? {};
  const isKey = (k: unknown): k is Record<string, unknown> => !!k && typeof k === 'object';
  if (typeof d.table === 'string') {
    const missing = Array.isArray(d.missing) ? (d.missing as Array<{ key?: unknown }>) : [];
    return { table: d.table, scope: typeof d.scope === 'string' ? d.scope : 'shared', keys: missing.map((m) => m.key).filter(isKey) };
  }
  const problems = Array.isArray(d.problems) ? (d.problems as Array<{ table?: unknown; scope?: unknown; key?: unknown }>) : [];
  const tables = new Set(problems.map((p) => `${String(p.scope)}/${String(p.table)}`));
  const first = problems[0];
  if (tables.size !== 1 || typeof first?.table !== 'string' || typeof first.scope !== 'string' || !problems.every((p) => isKey(p.key))) return null;
  const seen = new Set<string>();
  const keys = problems.map((p) => p.key as Record<string, unknown>).filter((k) => !seen.has(JSON.stringify(k)) && !!seen.add(JSON.stringify(k)));
  return { table: first.table, scope: first.scope, keys };
}

/**
 * The keys of the SKU-override rows that fix an unknown SKU. The ERP code a run sent is Shopify's SKU when no row maps
 * it, and the fix adds a row keyed by it; when a row's erpSku is that code (a typo, an item the ERP retired), the fix
 * is that row's value: a row keyed by the ERP's code would never be read, since the overrides apply once.
 */
export function skuOverrideKeys(keys: Array<Record<string, unknown>>, rows: LookupRow[]): Array<Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const k of keys) {
    const code = String(k.sku ?? '');
    const senders = rows.filter((r) => (r.erpSku ?? '').trim() === code && code !== '');
    for (const key of senders.length ? senders.map((r) => ({ sku: r.sku })) : [k]) out.set(String(key.sku), key);
  }
  return [...out.values()];
}

/**
 * Retries the runs of every unresolved exception that waits on `table` (in `scope`) and whose missing keys the table
 * now resolves, as the flow of the failed run would see it. Exceptions still missing a key are left alone.
 */
export async function retryWaitingOnLookup(
  exceptions: ExceptionService,
  lookups: LookupService,
  ref: { scope: string; name: string },
  actor: string,
): Promise<RetryBatch> {
  const batch: RetryBatch = { exceptions: [], runs: [], skipped: [] };
  const open = (await exceptions.list({ state: 'unresolved', limit: 500 })).items;
  for (const e of open) {
    const m = missingLookup(e);
    if (!m || m.table !== ref.name || m.scope !== ref.scope || !m.keys.length) continue;
    let resolved: boolean;
    try {
      const snap = await lookups.snapshot(m.table, { flowId: e.links.flowId });
      resolved = snap.scope === ref.scope && m.keys.every((k) => snap.find(k) !== undefined);
    } catch {
      resolved = false;
    }
    if (!resolved) continue;
    try {
      const r = await exceptions.retry(e.id, actor);
      batch.exceptions.push(e.id);
      batch.runs.push(...r.replayed);
      batch.skipped.push(...r.skipped);
    } catch {
      // Nothing failed to retry (its runs are already replaying): the exception resolves on its own.
    }
  }
  return batch;
}

export interface RetryOutcome {
  total: number;
  succeeded: number;
  pending: number;
  /** Ended skipped (e.g. the order was cancelled meanwhile): nothing left to do. */
  skipped: number;
  failed: Array<{ runId: string; replayOf: string | null; nodeId: string | null; message: string }>;
}

/** How a set of runs (the replays of a bulk retry) ended so far. Unknown run ids count as failed, named. */
export async function outcomeOf(runs: Runs, runIds: string[]): Promise<RetryOutcome> {
  const out: RetryOutcome = { total: runIds.length, succeeded: 0, pending: 0, skipped: 0, failed: [] };
  for (const id of runIds) {
    let r;
    try {
      r = await runs.get(id);
    } catch {
      out.failed.push({ runId: id, replayOf: null, nodeId: null, message: `run "${id}" does not exist (pruned?)` });
      continue;
    }
    if (r.status === 'succeeded') out.succeeded++;
    else if (r.status === 'skipped') out.skipped++;
    else if (r.status === 'queued' || r.status === 'running') out.pending++;
    else {
      const err = r.error as { message?: string; nodeId?: string } | null;
      out.failed.push({ runId: id, replayOf: r.replayOf, nodeId: err?.nodeId ?? null, message: err?.message ?? r.status });
    }
  }
  return out;
}
