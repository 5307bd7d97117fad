// Run inspection and the stored step rows of order-to-erp are what they were before issue 15's engine shortcuts: the
// payment gate (passing its input on) and the lookups (their input with codes written in) stored by reference
// (runtime/stored-output.ts) instead of another copy of the order, the trigger's converted order made again from the
// event when read back, a join's value made of its upstream values, lookups copying only what they write, a node's settings parsed
// once per flow version. The reference was recorded with the engine as it was (commit 4e04732,
// `LEDGERLINE_RECORD_INSPECTION=1`); only times and ids that change between runs are left out, and a row stored by
// reference is compared as the text it stands for (its upstream's row).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoredReference } from '../../runtime/stored-output.ts';
import type { RunRecord } from '../../runtime/runs.ts';
import { FIXTURES, asPaidOrder, startHarness, type Harness } from './testing/harness.ts';
import { rawRows } from '../../runtime/testing/raw.ts';

const REFERENCE = new URL('./testing/order-to-erp.inspection.json', import.meta.url);
// The flow's and the nodes' names are read from the flow version when shown, nothing the engine stores: the run detail
// gained them after the reference was recorded.
const VOLATILE = new Set(['runId', 'eventId', 'replayOf', 'createdAt', 'startedAt', 'finishedAt', 'durationMs', 'flowName', 'name']);
/** A digest of a value as the API serialises it (key order included): the reference stays small, the comparison exact. */
const digest = (v: unknown) => (v === undefined ? undefined : createHash('sha256').update(JSON.stringify(v)).digest('base64url').slice(0, 22));
const digestText = (t: string | null) => (t === null ? null : createHash('sha256').update(t).digest('base64url').slice(0, 22));

/** What the API's run detail shows and what the steps table holds, with per-run times and ids left out. */
async function inspected(h: Harness, run: RunRecord) {
  // Quoted aliases: PostgreSQL folds unquoted ones to lower case.
  const rows = await rawRows<{ nodeId: string; output: string | null; reusedFrom: string | null }>(
    h.rt.store,
    `SELECT node_id AS "nodeId", status, attempts, port, output, error, reads, reused_from AS "reusedFrom" FROM steps WHERE run_id = ? ORDER BY node_id`,
    run.runId,
  );
  // A row stored by reference stands for the text the engine stored before: its output as the run detail rebuilds it.
  const text = (r: { nodeId: string; output: string | null }) =>
    isStoredReference(r.output) ? JSON.stringify(run.steps.find((s) => s.nodeId === r.nodeId)?.output) : r.output;
  const strip = (o: object) => Object.fromEntries(Object.entries(o).filter(([k]) => !VOLATILE.has(k)));
  return {
    run: {
      ...strip(run),
      steps: run.steps.map((s) => ({
        ...strip(s),
        input: digest(s.input),
        output: digest(s.output),
        ...(s.reusedFrom ? { reusedFrom: 'the replayed run' } : {}),
      })),
    },
    rows: rows.map((r) => ({ ...r, output: digestText(text(r)), reusedFrom: r.reusedFrom ? 'the replayed run' : null })),
    byReference: rows.filter((r) => isStoredReference(r.output)).map((r) => r.nodeId),
  };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.install('order-to-erp');
}, 60_000);
afterAll(async () => h?.close());

describe('order-to-erp run inspection', () => {
  it('is what it was before the engine shortcuts: the run detail step by step, and each stored step row byte for byte, for a run and its replay', async () => {
    const order = asPaidOrder(readFileSync(`${FIXTURES}webhook-2026-04.orders.paid.json`, 'utf8'));
    const run = await h.run('order-to-erp', order);
    expect(run.status).toBe('succeeded');
    // From the sales order mapping: the trigger, gate, join and lookups are reused (their rows copied), the rest re-run.
    const replayId = (await h.rt.runs.replay(run.runId, { from: { step: 'sales-order-fields' } })).runId;
    await h.rt.drain(60_000);
    const replay = await h.rt.runs.get(replayId);
    expect(replay.status).toBe('succeeded');
    const now = { run: await inspected(h, run), replay: await inspected(h, replay) };
    if (process.env.LEDGERLINE_RECORD_INSPECTION === '1') writeFileSync(REFERENCE, `${JSON.stringify(now, null, 1)}\n`);
    const before = JSON.parse(readFileSync(REFERENCE, 'utf8'));
    expect(now.run.run).toEqual(before.run.run);
    expect(now.run.rows).toEqual(before.run.rows);
    expect(now.replay.run).toEqual(before.replay.run);
    expect(now.replay.rows).toEqual(before.replay.rows);
    // The gate's and the lookups' rows hold references, not the order again, and the trigger's row none of the order
    // (it is made again from the stored event, rebuild-output.ts); the replay reused them and holds their text (their
    // upstream could have re-run).
    expect(now.run.byReference).toEqual(['gate', 'shopify', 'tax-codes', 'warehouse']);
    expect(now.replay.byReference).toEqual([]);
  });
});
