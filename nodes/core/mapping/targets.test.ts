import { describe, expect, it } from 'vitest';
import { postSalesOrderNode as salesOrderNode } from '../../erp/nodes/post-sales-order.ts';
import { targetFields, unfilledRequired } from './targets.ts';
import { inputJsonSchema } from './input-schema.ts';
import type { FieldInput } from './config.ts';
import { validateFlow } from '../../../flows/validate.ts';
import { nodeTypes } from '../../registry.ts';

const schema = inputJsonSchema(salesOrderNode)!;
const path = (target: string, p: string): FieldInput => ({ target, source: { kind: 'path', path: p } });
const full: FieldInput[] = [
  path('externalId', 'order.id'),
  path('reference', 'order.name'),
  path('currency', 'order.currency'),
  path('date', 'order.createdAt'),
  path('warehouse', 'order.warehouse'),
  path('customer.externalId', 'order.customer.id'),
  path('customer.name', 'order.customer.name'),
  {
    target: 'lines',
    source: { kind: 'each', path: 'order.lineItems', fields: [path('sku', 'sku'), path('quantity', 'quantity'), path('unitPrice', 'price')] },
  },
];

describe('mapping targets from the next node’s input schema', () => {
  it('lists every field with its path, type, required mark and description', () => {
    const t = targetFields(schema);
    expect(t.find((f) => f.path === 'externalId')).toMatchObject({
      required: true,
      type: 'string | integer',
      description: 'The Shopify order id: the idempotency key of the ERP document',
    });
    expect(t.find((f) => f.path === 'customer.email')).toMatchObject({ required: false, depth: 1 });
    expect(t.find((f) => f.path === 'lines')).toMatchObject({ required: true, type: 'list of object' });
    expect(t.find((f) => f.path === 'lines[].sku')).toMatchObject({ required: true, depth: 1, description: 'SKU of the ERP item' });
    expect(t.find((f) => f.path === 'pricesIncludeTax')).toMatchObject({ required: false, type: 'boolean' });
  });

  it('finds the required targets a mapping leaves unfilled, inside objects and lists too', () => {
    expect(unfilledRequired(full, schema)).toEqual([]);
    expect(
      unfilledRequired(
        full.filter((f) => !['date', 'warehouse'].includes(f.target)),
        schema,
      ),
    ).toEqual(['date', 'warehouse']);
    expect(
      unfilledRequired(
        full.filter((f) => !f.target.startsWith('customer.')),
        schema,
      ),
    ).toEqual(['customer']);
    expect(
      unfilledRequired(
        full.filter((f) => f.target !== 'customer.name'),
        schema,
      ),
    ).toEqual(['customer.name']);
    const noSku = full.map((f) =>
      f.target === 'lines' && f.source.kind === 'each' ? { ...f, source: { ...f.source, fields: f.source.fields.filter((x) => x.target !== 'sku') } } : f,
    );
    expect(unfilledRequired(noSku, schema)).toEqual(['lines[].sku']);
    // A whole object mapped from one source fills its children.
    expect(unfilledRequired([...full.filter((f) => !f.target.startsWith('customer.')), path('customer', 'customer')], schema)).toEqual([]);
  });

  it('makes validation report an unfilled required target on the map node', () => {
    const lookup = (t: string) => nodeTypes.find((n) => n.type === t);
    const doc = {
      schemaVersion: 1,
      id: 'f',
      name: 'f',
      nodes: [
        { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
        { id: 'map', type: 'core.map', position: { x: 0, y: 0 }, config: { fields: full.filter((f) => f.target !== 'externalId') } },
        { id: 'post', type: 'erp.post-sales-order', position: { x: 0, y: 0 }, config: { connection: 'erp' } },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'map' },
        { id: 'e2', source: 'map', target: 'post' },
      ],
    };
    const r = validateFlow(doc, lookup);
    expect(r.problems).toEqual([
      { where: 'map', path: '$.nodes[1].config.fields', message: 'The mapping does not fill "externalId", which Post ERP sales order (post) requires' },
    ]);
    doc.nodes[1]!.config.fields = full;
    expect(validateFlow(doc, lookup).ok).toBe(true);
  });
});
