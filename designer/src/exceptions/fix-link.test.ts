import { describe, expect, it } from 'vitest';
import { fixLink, fixRows, missingKeys } from './fix-link.ts';

const lookupMissing = {
  id: 'exc_1',
  type: 'unmapped-tax-code',
  state: 'open' as const,
  data: {
    error: {
      code: 'LOOKUP_MISSING',
      details: { table: 'tax-codes', scope: 'shared', missing: [{ key: { title: 'Ohio Resort Tax', rate: '0.07', country: 'US', province: null } }] },
    },
  },
};

describe('fix links of exceptions', () => {
  it('a missing lookup row opens the editor of its table in fix mode, with the missing key', () => {
    expect(fixLink(lookupMissing)).toEqual({ label: 'Add row to tax-codes', to: '/lookups/shared/tax-codes?fix=exc_1' });
    expect(missingKeys(lookupMissing)).toEqual([{ title: 'Ohio Resort Tax', rate: '0.07', country: 'US', province: '' }]);
  });
  it('a mapping missing rows of one table links to that table with each distinct key once', () => {
    const mapped = {
      id: 'exc_2',
      type: 'unmapped-tax-code',
      state: 'open' as const,
      data: {
        error: {
          code: 'LOOKUP_MISSING',
          details: {
            problems: [
              { code: 'lookup', table: 'tax-codes', scope: 'f1', key: { title: 'VAT', rate: 0.05 } },
              { code: 'lookup', table: 'tax-codes', scope: 'f1', key: { title: 'VAT', rate: 0.05 } },
            ],
          },
        },
      },
    };
    expect(fixLink(mapped)).toEqual({ label: 'Add row to tax-codes', to: '/lookups/f1/tax-codes?fix=exc_2' });
    expect(missingKeys(mapped)).toEqual([{ title: 'VAT', rate: '0.05' }]);
    const twoTables = {
      ...mapped,
      data: {
        error: {
          code: 'LOOKUP_MISSING',
          details: {
            problems: [
              { table: 'a', scope: 'f1', key: {} },
              { table: 'b', scope: 'f1', key: {} },
            ],
          },
        },
      },
    };
    expect(fixLink(twoTables)).toBeNull();
  });
  it('a flow-scoped table, an unknown SKU and an ERP outage each point where they are fixed; resolved ones nowhere', () => {
    const scoped = { ...lookupMissing, data: { error: { code: 'LOOKUP_MISSING', details: { table: 'my table', scope: 'order-to-erp', missing: [] } } } };
    expect(fixLink(scoped)!.to).toBe('/lookups/order-to-erp/my%20table?fix=exc_1');
    const sku = {
      id: 'e',
      type: 'sku-missing-in-erp',
      state: 'open' as const,
      data: { error: { code: 'SKU_NOT_FOUND', details: { skus: ['NOT-IN-ERP-1', 'NOT-IN-ERP-2'] } } },
    };
    expect(fixLink(sku)).toEqual({ label: 'Map SKU NOT-IN-ERP-1 to an ERP item in sku-overrides', to: '/lookups/shared/sku-overrides?fix=e' });
    expect(missingKeys(sku)).toEqual([{ sku: 'NOT-IN-ERP-1' }, { sku: 'NOT-IN-ERP-2' }]);
    expect(fixLink({ id: 'e', type: 'erp-unreachable', state: 'open', data: null })).toEqual({
      label: 'Check the ERP connection',
      to: '/settings/connections',
    });
    expect(fixLink({ ...lookupMissing, state: 'resolved' })).toBeNull();
    expect(fixLink({ id: 'e', type: 'payout-variance', state: 'open', data: null })).toBeNull();
  });

  it('an unknown SKU an override row sent is fixed in that row; one no row sends gets a new row; other keys are new rows', () => {
    const sku = (skus: string[]) => ({ data: { error: { code: 'SKU_NOT_FOUND', details: { skus } } } });
    const table = [
      { sku: 'SHOP-MUG', erpSku: 'MUG-RETIRED' },
      { sku: 'SHOP-MUG-2', erpSku: 'MUG-RETIRED' },
      { sku: 'SHOP-TEE', erpSku: 'TSHIRT-RED-M' },
    ];
    expect(fixRows(sku(['MUG-RETIRED', 'NOT-IN-ERP-1']), table)).toEqual([
      { key: { sku: 'SHOP-MUG' }, sends: 'MUG-RETIRED' },
      { key: { sku: 'SHOP-MUG-2' }, sends: 'MUG-RETIRED' },
      { key: { sku: 'NOT-IN-ERP-1' } },
    ]);
    expect(fixRows(sku(['NOT-IN-ERP-1']), [])).toEqual([{ key: { sku: 'NOT-IN-ERP-1' } }]);
    expect(fixRows(lookupMissing, table)).toEqual([{ key: { title: 'Ohio Resort Tax', rate: '0.07', country: 'US', province: '' } }]);
  });

  it("a missing rate is shown as the table writes rates: a percentage where its rows give percentages, Shopify's fraction otherwise", () => {
    const cols = [
      { name: 'title', match: 'ci' },
      { name: 'rate', match: 'decimal' },
      { name: 'country', match: 'ci' },
      { name: 'province', match: 'ci' },
    ];
    const key = (rate: string) => ({ data: { error: { code: 'LOOKUP_MISSING', details: { table: 'tax-codes', missing: [{ key: { title: 'T', rate } }] } } } });
    const percent = [
      { title: 'VAT', rate: '20%' },
      { title: 'State Tax', rate: '6.25%' },
    ];
    expect(fixRows(key('0.07'), percent, cols)[0]!.key.rate).toBe('7%');
    expect(fixRows(key('0.0725'), percent, cols)[0]!.key.rate).toBe('7.25%');
    expect(fixRows(key('0.2'), percent, cols)[0]!.key.rate).toBe('20%');
    expect(fixRows(key('1'), percent, cols)[0]!.key.rate).toBe('100%');
    expect(fixRows(key('7%'), percent, cols)[0]!.key.rate).toBe('7%');
    expect(fixRows(key('0.07'), [{ title: 'VAT', rate: '0.2' }], cols)[0]!.key.rate).toBe('0.07');
    expect(fixRows(key('0.07'), [], cols)[0]!.key.rate).toBe('0.07');
  });
});
