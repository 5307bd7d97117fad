// Writing the differences: inventorySetQuantities per call (250 a call) or one bulk mutation, both with
// changeFromQuantity. A compare-and-set conflict (Shopify changed meanwhile, e.g. an order sold stock) re-reads that
// level and re-applies the ERP's change on top of Shopify's newer figure, so a newer sale is never overwritten.
// Every line or call Shopify rejects becomes one named rejection (SKU, location, error).
import { createHash } from 'node:crypto';
import { NodeError } from '../../runtime/node-api.ts';
import type { BulkInventorySetQuantitiesMutation } from './admin-types.generated.ts';
import type { ShopifyClient } from './client.ts';
import { runBulkMutation, type BulkMutationLine } from './bulk-client.ts';
import { BULK_INVENTORY_SET } from './bulk-documents.ts';
import { INVENTORY_SET_QUANTITIES } from './documents.ts';
import type { PushBudget } from './inventory-cost.ts';
import { readLevel, summarise, type Spend } from './inventory-read.ts';

export interface Target {
  sku: string;
  itemId: string;
  locationId: string;
  /** Shopify's figure the change is based on (changeFromQuantity). */
  from: number;
  to: number;
}

export interface Conflict {
  sku: string;
  locationId: string;
  expected: number;
  /** Shopify's newer figure, null when the item is no longer stocked there. */
  found: number | null;
  /** What was written instead (found + the ERP's change), null when nothing was. */
  wrote: number | null;
}

export interface Rejection {
  sku: string;
  locationId: string;
  code: string;
  message: string;
  /** The other targets sent with it (same call or bulk line), for the exception's detail. */
  via: string;
  entries: { sku: string; locationId: string; code: string; message: string }[];
}

export interface WriteResult {
  pushed: Target[];
  conflicts: Conflict[];
  rejections: Rejection[];
  /** Set when a bulk mutation did not complete and the per-call path took over. */
  fallback?: string;
}

export interface WriteContext {
  client: ShopifyClient;
  budget: PushBudget;
  spend: Spend;
  reason: string;
  referenceDocumentUri: string;
  /** Seeds idempotency keys: same run + node + content = same key, so a retried step cannot apply twice. */
  keySeed: string;
  batchSize: number;
  conflictRetries: number;
  signal?: AbortSignal;
}

/** Shopify's userErrors of inventorySetQuantities; `code` is nullable in the schema. */
type UserError = { code: string | null; field: string[] | null; message: string };

const quantitiesOf = (batch: Target[]) =>
  batch.map((t) => ({ inventoryItemId: t.itemId, locationId: t.locationId, quantity: t.to, changeFromQuantity: t.from }));
const keyOf = (seed: string, quantities: unknown) =>
  createHash('sha256')
    .update(`${seed}|${JSON.stringify(quantities)}`)
    .digest('hex')
    .slice(0, 40);

/** The target an error names (`field: ["input", "quantities", "<i>", ...]`). */
function indexOf(e: UserError): number | undefined {
  const i = e.field?.[0] === 'input' && e.field[1] === 'quantities' ? Number(e.field[2]) : NaN;
  return Number.isInteger(i) ? i : undefined;
}

/** Re-reads conflicting levels and rebases them: Shopify's newer figure + the ERP's change. */
async function rebase(w: WriteContext, stale: Target[], conflicts: Conflict[]): Promise<Target[]> {
  const out: Target[] = [];
  for (const t of stale) {
    const found = await readLevel(w.client, t.itemId, t.locationId, w.budget, w.spend, w.signal);
    if (found === null) {
      conflicts.push({ sku: t.sku, locationId: t.locationId, expected: t.from, found, wrote: null });
      continue;
    }
    const to = Math.max(0, found + (t.to - t.from));
    conflicts.push({ sku: t.sku, locationId: t.locationId, expected: t.from, found, wrote: to === found ? null : to });
    if (to !== found) out.push({ ...t, from: found, to });
  }
  return out;
}

function rejectionOf(batch: Target[], errors: UserError[], via: string): Rejection {
  const entries = errors.map((e) => {
    const t = batch[indexOf(e) ?? -1];
    // A userError without a code is still a refusal: it is reported under a code of its own, never dropped.
    return { sku: t?.sku ?? '(whole call)', locationId: t?.locationId ?? '', code: e.code ?? 'USER_ERROR', message: e.message };
  });
  const [first] = entries;
  if (!first) throw new Error(`rejectionOf(${via}): called without userErrors`);
  return { ...first, via, entries };
}

/** inventorySetQuantities per call, `batchSize` (≤ 250) quantities each. `keys` reuses given keys for given batches. */
export async function writePerCall(w: WriteContext, targets: Target[], result: WriteResult, keys?: Map<Target[], string>): Promise<void> {
  const batches: Target[][] = keys ? [...keys.keys()] : [];
  if (!keys) for (let i = 0; i < targets.length; i += w.batchSize) batches.push(targets.slice(i, i + w.batchSize));
  for (let batch of batches) {
    let key = keys?.get(batch);
    for (let attempt = 0; batch.length; attempt++) {
      const quantities = quantitiesOf(batch);
      key ??= keyOf(w.keySeed, quantities);
      const vars = { idempotencyKey: key, input: { name: 'available', reason: w.reason, referenceDocumentUri: w.referenceDocumentUri, quantities } };
      await w.budget.take(10, w.signal);
      const res = await w.client.request(INVENTORY_SET_QUANTITIES, vars, { signal: w.signal });
      w.spend.calls++;
      w.spend.cost += res.cost.actual ?? res.cost.requested;
      const payload = res.data.inventorySetQuantities;
      // No payload and no GraphQL error (the client throws those): Shopify said nothing; the same key makes a retry safe.
      if (!payload)
        throw new NodeError(`shopify inventorySetQuantities returned no payload (idempotency key ${key}); retry the step`, {
          errorClass: 'transient',
          code: 'SHOPIFY_NO_PAYLOAD',
        });
      key = undefined;
      const errors: UserError[] = payload.userErrors;
      if (!errors.length) {
        result.pushed.push(...batch);
        break;
      }
      // Shopify applied none of the call: drop what it rejected (named), rebase what went stale, resend the rest.
      const staleIdx = new Set(
        errors
          .filter((e) => e.code === 'CHANGE_FROM_QUANTITY_STALE')
          .map(indexOf)
          .filter((i): i is number => i !== undefined),
      );
      const rejected = errors.filter((e) => e.code !== 'CHANGE_FROM_QUANTITY_STALE');
      if (rejected.length) result.rejections.push(rejectionOf(batch, rejected, 'inventorySetQuantities'));
      if (rejected.some((e) => indexOf(e) === undefined)) break; // the call as a whole was refused
      const rejectedIdx = new Set(rejected.map(indexOf));
      const stale = batch.filter((_, i) => staleIdx.has(i));
      const rest = batch.filter((_, i) => !staleIdx.has(i) && !rejectedIdx.has(i));
      if (stale.length && attempt >= w.conflictRetries) {
        for (const t of stale)
          result.rejections.push({
            sku: t.sku,
            locationId: t.locationId,
            code: 'CHANGE_FROM_QUANTITY_STALE',
            message: `still changing after ${w.conflictRetries} re-reads`,
            via: 'inventorySetQuantities',
            entries: [],
          });
        batch = rest;
        continue;
      }
      batch = [...rest, ...(await rebase(w, stale, result.conflicts))];
    }
  }
}

/**
 * One bulk mutation, `lineSize` quantities a line, checked line by line. Lines that went stale are re-read and sent
 * per call; lines Shopify rejected become one rejection each (their other quantities are sent per call). If the
 * operation does not complete, the lines it did not report go through the per-call path with their own idempotency
 * keys, so a line it applied without reporting is replayed, not applied twice.
 */
export async function writeBulk(w: WriteContext, targets: Target[], lineSize: number, pollMs: number, result: WriteResult): Promise<void> {
  const batches: Target[][] = [];
  for (let i = 0; i < targets.length; i += lineSize) batches.push(targets.slice(i, i + lineSize));
  const lines = batches.map((b) => {
    const quantities = quantitiesOf(b);
    return {
      idempotencyKey: keyOf(w.keySeed, quantities),
      input: { name: 'available', reason: w.reason, referenceDocumentUri: w.referenceDocumentUri, quantities },
    };
  });
  const o = await runBulkMutation(w.client, BULK_INVENTORY_SET, lines, { pollMs, signal: w.signal, clientIdentifier: w.referenceDocumentUri.slice(0, 255) });
  w.spend.calls += 3 + o.polls;
  w.spend.cost += o.cost;
  w.spend.bulk.push(summarise(o));
  const reported = new Set<number>();
  const retry: Target[] = [];
  const stale: Target[] = [];
  for (const line of o.lines as BulkMutationLine<BulkInventorySetQuantitiesMutation>[]) {
    const n = line.__lineNumber;
    if (typeof n !== 'number' || !batches[n]) continue;
    reported.add(n);
    const batch = batches[n];
    const errors: UserError[] = line.errors?.length
      ? line.errors.map((e) => ({ code: e.extensions?.code ?? 'GRAPHQL_ERROR', field: null, message: e.message }))
      : (line.data?.inventorySetQuantities?.userErrors ?? []);
    if (!errors.length) {
      result.pushed.push(...batch);
      continue;
    }
    const staleIdx = new Set(errors.filter((e) => e.code === 'CHANGE_FROM_QUANTITY_STALE').map(indexOf));
    const rejected = errors.filter((e) => e.code !== 'CHANGE_FROM_QUANTITY_STALE');
    if (rejected.length) result.rejections.push(rejectionOf(batch, rejected, `bulk mutation ${o.id} line ${n}`));
    if (rejected.some((e) => indexOf(e) === undefined)) continue;
    const rejectedIdx = new Set(rejected.map(indexOf));
    batch.forEach((t, i) => {
      if (staleIdx.has(i)) stale.push(t);
      else if (!rejectedIdx.has(i)) retry.push(t);
    });
  }
  if (o.status !== 'COMPLETED') {
    const missing = batches.map((b, i) => [b, i] as const).filter(([, i]) => !reported.has(i));
    result.fallback =
      `bulk mutation ${o.id} ${o.status}${o.errorCode ? ` (${o.errorCode})` : ''} after ${reported.size} of ${batches.length} lines: ` +
      `the other ${missing.length} line(s) went through inventorySetQuantities per call, with the same idempotency keys`;
    // Per-call batches must not exceed 250: bulk lines are at most that.
    // lines is batches mapped one to one: index i of a batch is in range of lines.
    await writePerCall(w, [], result, new Map(missing.map(([b, i]) => [b, lines[i]!.idempotencyKey])));
  }
  const rebased = await rebase(w, stale, result.conflicts);
  if (retry.length || rebased.length) await writePerCall(w, [...retry, ...rebased], result);
}
