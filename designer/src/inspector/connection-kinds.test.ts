// The inspector's connection pickers filter by the kind each field declares in the catalogue (`x-connection-kind`),
// not by the node's category: the Shopify trigger (category `trigger`) offers Shopify connections only.
import { describe, expect, it } from 'vitest';
import { catalogFromRegistry } from '../../e2e/catalog.ts';
import { fieldsOf } from './schema-fields.ts';

const catalog = catalogFromRegistry();
const connectionFields = (type: string) => fieldsOf(catalog.find((t) => t.type === type)!.configSchema).filter((f) => f.kind === 'connection');
const sandbox = [
  { id: 'sandbox-shop', kind: 'shopify' },
  { id: 'sandbox-erp', kind: 'erp' },
];
/** What ConnectionPicker offers for a field: the connections of its kind. */
const offered = (kind: string | undefined) => sandbox.filter((c) => !kind || c.kind === kind).map((c) => c.id);

describe('connection pickers in the inspector', () => {
  it('the Shopify trigger offers Shopify connections only', () => {
    const [field, ...more] = connectionFields('shopify.trigger');
    expect(more).toEqual([]);
    expect(field).toMatchObject({ key: 'connection', connectionKind: 'shopify' });
    expect(offered(field?.connectionKind)).toEqual(['sandbox-shop']);
  });

  it('every Shopify node offers Shopify connections and every ERP node ERP ones for its connection', () => {
    const nodes = catalog.filter((t) => t.type.startsWith('shopify.') || t.type.startsWith('erp.'));
    const kinds = nodes.flatMap((t) => connectionFields(t.type).map((f) => [t.type, f.key, f.connectionKind]));
    expect(kinds.length).toBeGreaterThanOrEqual(15);
    for (const [type, key, kind] of kinds) if (key === 'connection') expect(kind, type).toBe(type!.split('.')[0]);
  });
});
