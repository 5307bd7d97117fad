import { describe, expect, it } from 'vitest';
import { flowFileName, flowFileText, readFlowFile } from './flow-file.ts';

const flow = { schemaVersion: 1, id: 'orders-to-erp', name: 'Orders to ERP', nodes: [{ id: 't', type: 'shopify.trigger' }], edges: [] };

describe('a flow as a file', () => {
  it('reads back what an export wrote, a byte-order mark included', () => {
    expect(readFlowFile('f.json', flowFileText(flow))).toEqual({ ok: true, flow });
    expect(readFlowFile('f.json', `\uFEFF${flowFileText(flow)}`)).toEqual({ ok: true, flow });
  });

  it('names the file and what is wrong with it', () => {
    expect(readFlowFile('orders.json', '{"id": "x", nodes: []}')).toEqual({ ok: false, error: expect.stringMatching(/^orders\.json is not JSON: /) });
    expect(readFlowFile('list.json', '[]')).toEqual({ ok: false, error: 'list.json holds no flow: a flow is a JSON object' });
    expect(readFlowFile('a.json', '{"nodes": []}')).toEqual({ ok: false, error: 'a.json: the flow has no id ($.id)' });
    expect(readFlowFile('b.json', '{"id": "b"}')).toEqual({ ok: false, error: 'b.json: flow "b" has no node list ($.nodes)' });
    expect(readFlowFile('c.json', '{"id": "c", "nodes": [], "edges": {}}')).toEqual({
      ok: false,
      error: 'c.json: flow "c" has edges that are not a list ($.edges)',
    });
  });

  it('saves under the flow id, and the version when exporting one', () => {
    expect(flowFileName('orders-to-erp')).toBe('orders-to-erp.json');
    expect(flowFileName('orders-to-erp', 3)).toBe('orders-to-erp.v3.json');
    expect(flowFileName('a/b c')).toBe('a-b-c.json');
  });
});
