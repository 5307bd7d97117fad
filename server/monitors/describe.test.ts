import { describe, expect, it } from 'vitest';
import { describeMonitor } from './describe.ts';

describe('describeMonitor: monitor.orphaned-orders', () => {
  const watches = (c: Record<string, unknown>) =>
    describeMonitor('monitor.orphaned-orders', { shopify: 'shop', erp: 'erp', afterMinutes: 30, lookbackHours: 72, ...c }).watches;

  it('names the unpaid orders it expects in the ERP as well, as its settings say', () => {
    expect(watches({})).toBe('Paid orders of Shopify "shop", and unpaid ones on payment terms, that should be in ERP "erp"');
    expect(watches({ unpaidGateways: ['Cash on Delivery (COD)'] })).toBe(
      'Paid orders of Shopify "shop", and unpaid ones on payment terms or paid by Cash on Delivery (COD), that should be in ERP "erp"',
    );
    expect(watches({ paymentTerms: false })).toBe('Paid orders of Shopify "shop" that should be in ERP "erp"');
  });
});
