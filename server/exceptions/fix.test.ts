// Fixing the cause of waiting runs on a real server in sandbox mode (templates, isolated-vm, sandbox shop and ERP):
// two orders with an unmapped tax rate fail at the tax-code lookup and wait in one exception; an operator adds the
// missing row from the exception; both runs are retried at once and post the sales order with Shopify's tax under the
// chosen ERP code; the exception resolves itself. A lookup save that resolves nothing retries nothing. An unknown SKU
// is mapped in the SKU overrides to an item the ERP has (a typo is refused first); one an override row sent (an item
// the ERP retired) is fixed in that row.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxServing, until, type SandboxServing } from '../testing/sandbox-serving.ts';

let srv: SandboxServing;
let owner = '';
let operator = '';
let client = '';
const call: SandboxServing['call'] = (...a) => srv.call(...a);

/** Sends the sandbox's unknown-SKU order and waits for its failed runs and the open exception naming `erpCode`. */
async function unknownSkuOrder(erpCode: string) {
  const sent = (await call('POST', '/api/sandbox/events', owner, { scenario: 'unknown-sku' })).body;
  const failed = await until(async () => {
    const { body } = await call('GET', `/api/runs?flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${sent.orderId}`)}`, operator);
    return body.runs.length && body.runs.every((r: any) => r.status === 'failed') ? body.runs : undefined;
  }, 'the failed runs of the unknown-SKU order');
  const exc = await until(async () => {
    const e = (await call('GET', '/api/exceptions?type=sku-missing-in-erp&state=unresolved', operator)).body.items.find((x: any) => x.key === erpCode);
    return e ? (await call('GET', `/api/exceptions/${e.id}`, operator)).body : undefined;
  }, `the exception for ${erpCode}`);
  return { sent, failed, exc };
}

/** How the retried runs a fix answered with ended, once none is pending. */
const retriesFinished = (fix: { body: any }) =>
  until(async () => {
    const { body } = await call('POST', '/api/runs/outcomes', operator, { runIds: fix.body.retried.runs.map((r: any) => r.newRunId) });
    return body.pending === 0 ? body : undefined;
  }, 'the retries to finish');

beforeAll(async () => {
  srv = await sandboxServing('fix-lookup', 'fix-lookup-pw-1', ['operator', 'client']);
  ({ owner, operator, client } = srv.tokens as Record<'owner' | 'operator' | 'client', string>);
}, 120_000);

afterAll(async () => srv?.close());

describe('fixing an unmapped tax rate from its exception', () => {
  it('adds the missing row, retries every waiting run in bulk, and they post with the right tax', async () => {
    const sent = [];
    for (let i = 0; i < 2; i++) {
      const r = await call('POST', '/api/sandbox/events', owner, { scenario: 'unmapped-tax' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      sent.push(r.body);
    }
    // Each order arrives as orders/create and orders/paid: every run of both fails at the lookup.
    const failed: any[] = [];
    for (const o of sent) {
      failed.push(
        ...(await until(async () => {
          const { body } = await call('GET', `/api/runs?flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${o.orderId}`)}`, operator);
          return body.runs.length && body.runs.every((r: any) => r.status === 'failed') ? body.runs : undefined;
        }, `the failed runs of ${o.orderName}`)),
      );
    }
    expect(failed.length).toBeGreaterThanOrEqual(2);
    const exc = await until(async () => {
      const { body } = await call('GET', '/api/exceptions?type=unmapped-tax-code&state=unresolved', operator);
      const e = body.items[0];
      if (!e) return undefined;
      const d = (await call('GET', `/api/exceptions/${e.id}`, operator)).body;
      return d.runs.length === failed.length ? d : undefined;
    }, 'one exception holding every failed run');
    expect(exc.data.error.details).toMatchObject({ table: 'tax-codes', scope: 'shared' });

    // Before the fix: the preview says the lookup re-runs because it failed, and the rest follows it.
    const preview = (await call('POST', `/api/runs/${failed[0].runId}/replay/preview`, operator, {})).body;
    expect(preview.steps.find((x: any) => x.nodeId === 'tax-codes')).toMatchObject({ action: 'rerun', reason: 'it failed' });
    expect(preview.steps.find((x: any) => x.nodeId === 'post')).toMatchObject({ action: 'rerun', reason: 'it did not run' });

    // A client's unrelated row retries nothing: it does not resolve what the runs miss.
    const unrelated = await call('PATCH', '/api/lookups/shared/tax-codes/rows', client, { rows: [{ title: 'Unrelated Tax', rate: '3%', taxCode: 'ZERO' }] });
    expect(unrelated.status, JSON.stringify(unrelated.body)).toBe(200);
    expect(unrelated.body.retried).toEqual({ exceptions: [], runs: [], skipped: [] });
    // An operator may not edit lookup tables freely, only add the row an exception misses.
    expect((await call('PATCH', '/api/lookups/shared/tax-codes/rows', operator, { rows: [{ title: 'X', rate: '1%', taxCode: 'ZERO' }] })).status).toBe(403);
    expect((await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { nope: 'x' } })).status).toBe(400);

    // A tax code the ERP does not have is refused, as in the lookup editor.
    const unknown = await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { taxCode: 'US-OH-NOPE' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toMatch(/US-OH-NOPE/);
    const fix = await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { taxCode: 'US-OH-7' } });
    expect(fix.status, JSON.stringify(fix.body)).toBe(200);
    expect(fix.body.rows).toEqual([{ title: 'Ohio Resort Tax', rate: '7%', country: 'US', province: 'KY', taxCode: 'US-OH-7' }]);
    expect(fix.body.retried.exceptions).toEqual([exc.id]);
    expect(fix.body.retried.runs.map((r: any) => r.runId).sort()).toEqual(failed.map((r) => r.runId).sort());

    const newIds = fix.body.retried.runs.map((r: any) => r.newRunId);
    const outcome = await until(async () => {
      const { body } = await call('POST', '/api/runs/outcomes', operator, { runIds: newIds });
      return body.pending === 0 ? body : undefined;
    }, 'the retries to finish');
    expect(outcome, JSON.stringify(outcome)).toEqual({ total: failed.length, succeeded: failed.length, pending: 0, skipped: 0, failed: [] });

    for (const id of newIds) {
      const run = (await call('GET', `/api/runs/${id}`, operator)).body;
      const so = run.steps.find((x: any) => x.nodeId === 'read-back').output;
      expect(so.totals).toEqual({ net: '12.00', tax: '0.84', gross: '12.84' });
      expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([['MUG-BLACK', 'US-OH-7', '0.84']]);
      expect(run.steps.find((x: any) => x.nodeId === 'tax-codes').reads.lookups[0]).toMatchObject({ table: 'tax-codes', version: fix.body.version });
    }
    const after = (await call('GET', `/api/exceptions/${exc.id}`, operator)).body;
    expect(after).toMatchObject({ state: 'resolved', autoResolved: true });
    expect((await call('POST', '/api/runs/outcomes', operator, { runIds: ['run_nope'] })).body.failed[0].message).toMatch(/does not exist/);
  }, 180_000);

  it('an unknown SKU is fixed by mapping it to an ERP item in sku-overrides: the waiting runs post that item', async () => {
    const { sent, failed, exc } = await unknownSkuOrder('NOT-IN-ERP-1');
    expect(exc.data.error).toMatchObject({ code: 'SKU_NOT_FOUND', details: { skus: ['NOT-IN-ERP-1'] } });
    // A code the ERP does not have is refused before anything is written: no table version, no retry sent to fail again.
    const before = (await call('GET', '/api/lookups/shared/sku-overrides', operator)).body.version;
    const typo = await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { erpSku: 'MUG-BLAK' } });
    expect(typo.status, JSON.stringify(typo.body)).toBe(422);
    expect(typo.body.error.message).toMatch(
      /^table "sku-overrides", row \{"sku":"NOT-IN-ERP-1"\}, column erpSku: "MUG-BLAK" is not an item in ERP connection "sandbox-erp"/,
    );
    expect((await call('GET', '/api/lookups/shared/sku-overrides', operator)).body.version).toBe(before);
    expect((await call('GET', `/api/runs?flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${sent.orderId}`)}`, operator)).body.runs).toHaveLength(
      failed.length,
    );
    const fix = await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { erpSku: 'MUG-BLACK' } });
    expect(fix.status, JSON.stringify(fix.body)).toBe(200);
    expect(fix.body).toMatchObject({ table: 'sku-overrides', scope: 'shared', rows: [{ sku: 'NOT-IN-ERP-1', erpSku: 'MUG-BLACK' }] });
    expect(fix.body.retried.runs.map((r: any) => r.runId).sort()).toEqual(failed.map((r: any) => r.runId).sort());
    const outcome = await retriesFinished(fix);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ succeeded: failed.length, failed: [] });
    const run = (await call('GET', `/api/runs/${fix.body.retried.runs[0].newRunId}`, operator)).body;
    expect(run.steps.find((x: any) => x.nodeId === 'read-back').output.lines.map((l: any) => l.sku)).toContain('MUG-BLACK');
    expect((await call('GET', `/api/exceptions/${exc.id}`, operator)).body.state).toBe('resolved');
  }, 180_000);

  it('an item the ERP retired after an override named it: the fix corrects that override row, not a row keyed by the ERP code', async () => {
    const erp = new Database(join(srv.dir, 'sandbox-erp.sqlite'));
    const active = (sku: string, on: boolean) => erp.prepare('UPDATE items SET active = ? WHERE sku = ?').run(on ? 1 : 0, sku);
    try {
      const mapped = await call('PATCH', '/api/lookups/shared/sku-overrides/rows', owner, { rows: [{ sku: 'NOT-IN-ERP-1', erpSku: 'TSHIRT-RED-M' }] });
      expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
      active('TSHIRT-RED-M', false); // the ERP stops selling the item the override names
      const { failed, exc } = await unknownSkuOrder('TSHIRT-RED-M');
      expect(exc.data.error).toMatchObject({ code: 'SKU_NOT_FOUND', details: { skus: ['TSHIRT-RED-M'] } });
      // Giving the row the value it has (what the runs failed with) is refused, as is another item the ERP does not sell.
      const again = await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { erpSku: 'TSHIRT-RED-M' } });
      expect(again.status).toBe(422);
      expect(again.body.error.message).toBe(
        'table "sku-overrides" already has the row {"sku":"NOT-IN-ERP-1","erpSku":"TSHIRT-RED-M"}, and the runs failed with it: give another value',
      );
      active('CASE-LEATHER-PREM', false);
      const inactive = await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { erpSku: 'CASE-LEATHER-PREM' } });
      active('CASE-LEATHER-PREM', true);
      expect(inactive.status).toBe(422);
      expect(inactive.body.error.message).toMatch(/column erpSku: "CASE-LEATHER-PREM" is an inactive item in ERP connection "sandbox-erp"/);
      const fix = await call('POST', `/api/exceptions/${exc.id}/fix-lookup`, operator, { values: { erpSku: 'MUG-BLACK' } });
      expect(fix.status, JSON.stringify(fix.body)).toBe(200);
      expect(fix.body.rows).toEqual([{ sku: 'NOT-IN-ERP-1', erpSku: 'MUG-BLACK' }]);
      expect(fix.body.retried.runs.map((r: any) => r.runId).sort()).toEqual(failed.map((r: any) => r.runId).sort());
      const table = (await call('GET', '/api/lookups/shared/sku-overrides', operator)).body.rows;
      expect(table.find((r: any) => r.sku === 'TSHIRT-RED-M')).toBeUndefined();
      const outcome = await retriesFinished(fix);
      expect(outcome, JSON.stringify(outcome)).toMatchObject({ succeeded: failed.length, failed: [] });
      expect((await call('GET', `/api/exceptions/${exc.id}`, operator)).body.state).toBe('resolved');
    } finally {
      active('TSHIRT-RED-M', true);
      erp.close();
    }
  }, 180_000);
});
