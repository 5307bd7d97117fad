// The dry run of a client's mapping change on a real server in sandbox mode (templates, isolated-vm, sandbox shop and
// ERP): orders go through the signed-webhook path and post to the sandbox ERP; then the draft's change is tried on
// them. Per event it shows the field that would change in the ERP sales order, or that the change would fail, and
// it writes nothing: no run, no exception, the ERP documents as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Serving } from '../main.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import { DryRunReportSchema } from './dry-run-schema.ts';
import { sandboxServing, type SandboxServing } from '../testing/sandbox-serving.ts';

let srv: SandboxServing;
let s: Serving;
let owner = '';
let client = '';

const call = <T = any>(method: string, path: string, body?: unknown, as = owner) => srv.call<T>(method, path, as, body);

async function settled(orderId: string): Promise<any> {
  const until = Date.now() + 60_000;
  for (;;) {
    const { body } = await call<{ runs: any[] }>('GET', `/api/runs?flowId=order-to-erp&key=${encodeURIComponent(`shopifyOrderId:${orderId}`)}`);
    if (body.runs.length && body.runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) return body.runs;
    if (Date.now() > until) throw new Error(`runs of ${orderId} did not finish: ${JSON.stringify(body.runs)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const draft = async () => (await call('GET', '/api/flows/order-to-erp')).body.draft;

/** The draft with one field of the sales-order mapping changed (a client's kind of edit). */
function withField(flow: any, target: string, change: (f: any) => any) {
  const copy = structuredClone(flow);
  const node = copy.nodes.find((n: any) => n.id === 'sales-order-fields');
  const find = (fields: any[]): boolean =>
    fields.some((f, i) => (f.target === target ? ((fields[i] = change(f)), true) : f.source?.kind === 'each' && find(f.source.fields)));
  if (!find(node.config.fields)) throw new Error(`no target ${target}`);
  return copy;
}

const orders: any[] = [];
let failing: any;

beforeAll(async () => {
  srv = await sandboxServing('dry-run', 'dry-run-owner-pw', ['client']);
  s = srv.s;
  ({ owner, client } = srv.tokens as Record<'owner' | 'client', string>);
  for (let i = 0; i < 2; i++) orders.push((await call('POST', '/api/sandbox/events', { scenario: 'paid-order' })).body);
  failing = (await call('POST', '/api/sandbox/events', { scenario: 'unmapped-tax' })).body;
  for (const o of [...orders, failing]) await settled(o.orderId);
}, 180_000);

afterAll(async () => srv?.close());

describe('dry run of a mapping change on the last real orders', () => {
  it('shows per order the field of the ERP sales order that would change, and writes nothing anywhere', async () => {
    const erp = (await s.server.deps.connections.resolve('erp', 'sandbox-erp')) as ErpConnector;
    const posted = await erp.getSalesOrder(orders[0].orderId);
    expect(posted?.lines[0]?.description).toBeTruthy();
    const runsBefore = (await call('GET', '/api/runs?limit=500')).body.runs.length;
    const exceptionsBefore = JSON.stringify((await call('GET', '/api/exceptions')).body);

    const put = await call(
      'PUT',
      '/api/flows/order-to-erp/draft',
      withField(await draft(), 'description', (f) => ({ ...f, source: { kind: 'path', path: 'sku' }, transforms: [] })),
      client,
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const r = await call('POST', '/api/flows/order-to-erp/dry-run', {}, client);
    // What the designer compiles against (the documented schema) is what the route sends.
    expect(() => DryRunReportSchema.parse(r.body)).not.toThrow();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.baseVersion).toBe(1);
    const byLabel = (name: string) => r.body.events.filter((e: any) => e.label === name);
    for (const o of orders) {
      const evs = byLabel(o.orderName);
      // Once per order, though each arrived as orders/create and orders/paid.
      expect(evs.length, JSON.stringify(r.body.events.map((e: any) => e.label))).toBe(1);
      for (const e of evs) {
        expect(e.verdict, JSON.stringify(e)).toBe('changed');
        const doc = e.documents.find((d: any) => d.action === 'create sales order');
        expect(doc.key).toBe(o.orderId);
        const line = doc.after.lines[0];
        expect(doc.fields).toContainEqual({ path: 'lines[0].description', before: doc.before.lines[0].description, after: line.sku });
        expect(doc.fields.every((f: any) => /\.description$/.test(f.path))).toBe(true);
        // The upsert of the customer is a write too, and the same in both.
        expect(e.documents.find((d: any) => d.action === 'create or update customer').fields).toEqual([]);
        expect(e.after.status).toBe('succeeded');
      }
    }
    const bad = byLabel(failing.orderName);
    expect(bad.length).toBe(1);
    expect(r.body.events).toHaveLength(3);
    for (const e of bad) {
      expect(e.verdict).toBe('fails');
      expect(e.after.message).toMatch(/Ohio Resort Tax/);
    }
    expect(r.body.summary.events).toBe(r.body.events.length);
    expect(r.body.summary.changed).toBe(r.body.events.length - bad.length);

    // Nothing written: no run, no exception, the ERP's document as it was.
    expect((await call('GET', '/api/runs?limit=500')).body.runs.length).toBe(runsBefore);
    expect(JSON.stringify((await call('GET', '/api/exceptions')).body)).toBe(exceptionsBefore);
    expect((await erp.getSalesOrder(orders[0]!.orderId))?.lines[0]?.description).toBe(posted?.lines[0]?.description);
  }, 120_000);

  it('reports a change that would break the orders that post today, with the ERP’s reason', async () => {
    const before = await draft();
    await call(
      'PUT',
      '/api/flows/order-to-erp/draft',
      withField(await draft(), 'warehouse', (f) => ({ target: f.target, source: { kind: 'const', value: 'NO-SUCH-WH' } })),
      client,
    );
    const r = await call('POST', '/api/flows/order-to-erp/dry-run', { limit: 3 }, client);
    expect(() => DryRunReportSchema.parse(r.body)).not.toThrow();
    expect(r.status).toBe(200);
    expect(r.body.events).toHaveLength(3);
    const posting = r.body.events.filter((x: any) => x.runStatus === 'succeeded');
    expect(posting.length).toBeGreaterThan(0);
    for (const e of posting) {
      expect(e.verdict).toBe('breaks');
      expect(e.after).toMatchObject({ status: 'failed', nodeId: 'post' });
      expect(e.after.message).toMatch(/warehouse "NO-SUCH-WH" at warehouse does not exist in the sandbox ERP/);
    }
    // A payment term the ERP lacks, named by the mapping (a B2B shop's "Net 31"): caught before it is published.
    await call(
      'PUT',
      '/api/flows/order-to-erp/draft',
      withField(before, 'paymentTerms', (f) => ({ target: f.target, source: { kind: 'const', value: 'Net 31' } })),
      client,
    );
    const terms = await call('POST', '/api/flows/order-to-erp/dry-run', { limit: 3 }, client);
    expect(terms.status).toBe(200);
    const breaking = terms.body.events.filter((x: any) => x.runStatus === 'succeeded');
    expect(breaking.length).toBeGreaterThan(0);
    for (const e of breaking) {
      expect(e.verdict).toBe('breaks');
      expect(e.after).toMatchObject({ status: 'failed', nodeId: 'post' });
      expect(e.after.message).toMatch(/payment term "Net 31" at paymentTerms does not exist in the sandbox ERP \(known: Due on receipt, Net 7, .*Net 30/);
    }
    expect((await call('POST', '/api/flows/order-to-erp/dry-run', { limit: 0 }, client)).status).toBe(400);
    expect((await call('POST', '/api/flows/nope/dry-run', {}, client)).status).toBe(404);
  }, 60_000);
});
