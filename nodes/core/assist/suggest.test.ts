import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { suggestMapping } from './suggest.ts';
import { tokens } from './tokens.ts';
import { targetFields, TargetSchemaError } from './target-schema.ts';
import { mapFieldsFromSuggestions } from './to-map-config.ts';
import { evaluate, labelledSet } from './evaluate.ts';
import { defaultOrderSample } from './sample.ts';
import { previewMap } from '../mapping/index.ts';
import { salesOrderSchema } from '../../erp/shared/schemas.ts';

const fixture = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8'));
const top = (r: ReturnType<typeof suggestMapping>, target: string) => r.targets.find((t) => t.target === target)!.candidates;
const best = (r: ReturnType<typeof suggestMapping>, target: string) => {
  const c = top(r, target)[0];
  if (!c) throw new Error(`no candidate for ${target}`);
  return c;
};

describe('tokens', () => {
  it('splits camelCase, snake_case and paths and expands ERP abbreviations', () => {
    expect(tokens('unit_price')).toEqual(['unit', 'price']);
    expect(tokens('QtyOrdered')).toEqual(['quantity', 'ordered']);
    expect(tokens('shipToAddr2')).toEqual(['shipping', 'address', '2']);
    expect(tokens('extRef')).toEqual(['external', 'reference']);
    expect(tokens('totalAmt')).toEqual(['total', 'amount']);
    expect(tokens('partner_invoice_id.country_code')).toEqual(['customer', 'billing', 'id', 'country', 'code']);
    expect(tokens('sellToPostCode')).toEqual(['customer', 'zip']);
  });
});

describe('suggestMapping (offline)', () => {
  it('gives a target that must be a currency code the currency, not a name', () => {
    const r = suggestMapping({ type: 'object', properties: { code: { type: 'string', pattern: '^[A-Z]{3}$', description: 'Code of the document' } } });
    expect(best(r, 'code').path).toBe('order.currency');
    expect(best(r, 'code').reason).toMatch(/fits \^\[A-Z\]\{3\}\$/);
    expect(top(r, 'code').map((x) => x.path)).not.toContain('order.name');
  });

  it('ranks by meaning across naming styles, with a reason and a decreasing confidence', () => {
    const r = suggestMapping({
      type: 'object',
      properties: {
        ext_ref: { type: 'string', description: 'External reference of the order in the shop' },
        cust_email: { type: 'string', format: 'email' },
        order_dt: { type: 'string', format: 'date' },
        ship_addr: { type: 'object', properties: { postcode: { type: 'string' }, ctry: { type: 'string', pattern: '^[A-Z]{2}$' } } },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: { item_no: { type: 'string' }, qty: { type: 'number' }, unit_amt: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' } },
          },
        },
      },
    });
    expect(best(r, 'cust_email').path).toMatch(/^order\.(customer\.)?email$/);
    expect(best(r, 'order_dt')).toMatchObject({ path: 'order.createdAt', transforms: [{ op: 'date', format: 'yyyy-MM-dd', timeZone: 'UTC' }] });
    expect(best(r, 'ship_addr.postcode').path).toBe('order.shippingAddress.zip');
    expect(best(r, 'ship_addr.ctry').path).toBe('order.shippingAddress.countryCode');
    expect(best(r, 'items[].item_no').path).toBe('order.lineItems[].sku');
    expect(best(r, 'items[].qty').path).toBe('order.lineItems[].quantity');
    expect(best(r, 'items[].unit_amt').path).toBe('order.lineItems[].unitPrice.shop.amount');
    expect(r.lists).toEqual({ items: 'order.lineItems' });
    for (const t of r.targets) {
      expect(t.candidates).toHaveLength(3);
      let previous = 1;
      for (const c of t.candidates) {
        expect(c.confidence).toBeGreaterThanOrEqual(0);
        expect(c.confidence).toBeLessThanOrEqual(previous);
        expect(c.reason.length).toBeGreaterThan(3);
        previous = c.confidence;
      }
    }
  });

  it("never ticks a price as a discount: the shipping line's discounted price mapped as its discount zeroed the charge", () => {
    const r = suggestMapping(fixture('sandbox-sales-order.schema.json'));
    // Shopify's shipping line has no discount amount of its own (price − discountedPrice is one): nothing is ticked
    // (the mapper ticks from 0.2), and each candidate says why it is not one.
    for (const c of top(r, 'shipping[].discount')) {
      expect(c.confidence, c.path).toBeLessThan(0.2);
      expect(c.reason, c.path).toMatch(/not the discount|not a discount|whole order's amount/);
    }
    expect(top(r, 'shipping[].discount').map((c) => c.path)).toContain('order.shippingLines[].discountedPrice.shop.amount');
    // A line's own discount is still found, and the order's total is not offered ticked for it.
    expect(best(r, 'lines[].discount')).toMatchObject({ path: 'order.lineItems[].totalDiscount.shop.amount' });
    expect(best(r, 'lines[].discount').confidence).toBeGreaterThanOrEqual(0.5);
    for (const c of top(r, 'lines[].discount').filter((x) => !x.path.startsWith('order.lineItems[]'))) expect(c.confidence, c.path).toBeLessThan(0.2);
  });

  it('is deterministic', () => {
    const schema = fixture('netsuite-sales-order.schema.json');
    expect(JSON.stringify(suggestMapping(schema))).toBe(JSON.stringify(suggestMapping(schema)));
  });

  it('uses the sample: a value that breaks the target pattern pushes a candidate down', () => {
    const schema = { type: 'object', properties: { orderNumber: { type: 'string', pattern: '^#\\d+$', description: 'Order number' } } };
    const order = structuredClone(defaultOrderSample());
    const withHash = best(suggestMapping(schema, { sample: { ...order, name: '#1001' } }), 'orderNumber');
    const without = top(suggestMapping(schema, { sample: { ...order, name: 'ORDER-A' } }), 'orderNumber');
    expect(withHash.path).toBe('order.name');
    expect(withHash.reason).toContain('sample "#1001" fits');
    expect(without.find((c) => c.path === 'order.name')?.score ?? -Infinity).toBeLessThan(withHash.score);
  });

  it('refuses a schema it cannot read, naming where', () => {
    expect(() => targetFields({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } })).toThrow(TargetSchemaError);
    expect(() => targetFields({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } })).toThrow(
      /target schema a: \$ref #\/\$defs\/missing does not resolve/,
    );
    expect(() => targetFields([])).toThrow(/must be a JSON Schema object/);
  });

  it('reaches the accuracy floor on every labelled ERP target (top-1 >= 85 %, top-3 >= 95 %)', () => {
    for (const set of labelledSet()) {
      const a = evaluate(set);
      expect({ erp: a.erp, top1: a.top1 / a.n >= 0.85, top3: a.top3 / a.n >= 0.95 }).toEqual({ erp: a.erp, top1: true, top3: true });
    }
  });
});

describe('mapFieldsFromSuggestions', () => {
  it('turns the first suggestions for the sandbox ERP into a map whose preview is a valid sales order', async () => {
    const schema = fixture('sandbox-sales-order.schema.json');
    const r = suggestMapping(schema);
    const accepted = r.targets.flatMap((t) => {
      const c = t.candidates[0];
      return c && c.confidence >= 0.2 ? [{ target: t.target, path: c.path, transforms: c.transforms, required: t.required }] : [];
    });
    const built = mapFieldsFromSuggestions(accepted, { sourceRoot: 'order' });
    expect(built.skipped).toEqual([]);
    const lines = built.fields.find((f) => f.target === 'lines')!;
    expect(lines.source).toMatchObject({ kind: 'each', path: 'order.lineItems' });
    // What the lookup nodes add before the map in a sales-order flow.
    const order = structuredClone(defaultOrderSample()) as unknown as Record<string, any>;
    order.warehouse = 'WH-WEB';
    for (const li of order.lineItems) li.taxCodes = ['US-KY'];
    for (const s of order.shippingLines) s.taxCodes = ['US-KY'];
    const preview = await previewMap({ fields: built.fields }, { order });
    expect(preview.configProblems).toEqual([]);
    expect(preview.problems).toEqual([]);
    const parsed = salesOrderSchema.safeParse(preview.output);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(preview.output).toMatchObject({ externalId: order.id, reference: order.name, currency: order.currency, warehouse: 'WH-WEB' });
  });

  it('re-roots paths and reads order-level values on lines through $root', () => {
    const b = mapFieldsFromSuggestions(
      [
        { target: 'lines[].sku', path: 'order.lineItems[].sku' },
        { target: 'lines[].warehouse', path: 'order.warehouse' },
        { target: 'currency', path: 'order.currency' },
        { target: 'total', path: 'order.lineItems[].quantity' },
      ],
      { sourceRoot: 'shopify.order' },
    );
    expect(b.fields).toEqual([
      { target: 'currency', source: { kind: 'path', path: 'shopify.order.currency' } },
      {
        target: 'lines',
        source: {
          kind: 'each',
          path: 'shopify.order.lineItems',
          fields: [
            { target: 'sku', source: { kind: 'path', path: 'sku' } },
            { target: 'warehouse', source: { kind: 'path', path: '$root.shopify.order.warehouse' } },
          ],
        },
      },
    ]);
    expect(b.skipped).toEqual([{ target: 'total', reason: 'order.lineItems[].quantity is a list; total takes one value' }]);
  });
});
