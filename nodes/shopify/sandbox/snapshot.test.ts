// The sandbox shop's state survives JSON: a restored shop answers as the one it was taken from, indexes included.
import { describe, expect, it } from 'vitest';
import { SandboxState, defaultScenario, type SandboxSnapshot } from './state.ts';

describe('sandbox shop snapshot', () => {
  it('restores variants, stock, orders and ids from its JSON', () => {
    const a = new SandboxState().load(defaultScenario());
    a.newId('Fulfillment');
    const snap = JSON.parse(JSON.stringify(a.snapshot())) as SandboxSnapshot;
    const b = new SandboxState().restore(snap);
    expect(b.snapshot()).toEqual(a.snapshot());
    // The indexes a 100,000-variant shop answers by are rebuilt, not left empty.
    const sku = [...a.bySku.keys()][0]!;
    expect(b.bySku.get(sku)?.map((v) => v.id)).toEqual(a.bySku.get(sku)?.map((v) => v.id));
    const item = [...a.levelsByItem.keys()][0]!;
    expect(b.levelsByItem.get(item)).toEqual(a.levelsByItem.get(item));
    expect(b.byItem.get(item)?.id).toBe(a.byItem.get(item)?.id);
    expect(a.orders.size).toBeGreaterThan(0);
    // New records do not reuse an id the restored shop handed out.
    expect(b.newId('Fulfillment')).toBe(a.newId('Fulfillment'));
  });

  it('keeps the payments taken after an order was placed (an invoice on net terms paid later), and reads snapshots from before them', () => {
    const a = new SandboxState().load(defaultScenario());
    const o = [...a.orders.values()][0]!;
    const unpaid = { ...o, financialStatus: 'PENDING' };
    expect(a.paymentsOf(unpaid)).toEqual([]);
    a.takePayment(unpaid, { ...o, financialStatus: 'PAID' }, '2026-04-01T10:00:00Z');
    const b = new SandboxState().restore(JSON.parse(JSON.stringify(a.snapshot())) as SandboxSnapshot);
    expect(b.paymentsOf(o)).toEqual([expect.objectContaining({ amount: o.total.shop.amount, processedAt: '2026-04-01T10:00:00Z' })]);
    const { payments: _none, ...older } = a.snapshot();
    expect(new SandboxState().restore(JSON.parse(JSON.stringify(older)) as SandboxSnapshot).payments.size).toBe(0);
  });

  it('refuses a snapshot of another version by name', () => {
    const snap = { ...new SandboxState().load(defaultScenario()).snapshot(), version: 2 } as unknown as SandboxSnapshot;
    expect(() => new SandboxState().restore(snap)).toThrow('sandbox shop snapshot: version 2 is not one this build reads (1)');
  });
});
