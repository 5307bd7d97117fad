import { describe, expect, it } from 'vitest';
import { mayOpen, refusal } from './access.ts';

describe('page access by role', () => {
  it('refuses a client the runs, dashboard and payouts, with the reason', () => {
    expect(refusal('/runs', 'client')?.title).toBe('Runs');
    expect(refusal('/runs/r_123', 'client')?.why).toMatch(/order/);
    expect(mayOpen('/dashboard', 'client')).toBe(false);
    expect(mayOpen('/finance/payouts', 'client')).toBe(false);
    expect(mayOpen('/flows', 'client')).toBe(true);
    expect(mayOpen('/lookups/shared/tax-codes', 'client')).toBe(true);
  });
  it('keeps users and tokens to owners, connections to those who run the integration', () => {
    expect(mayOpen('/settings/users', 'consultant')).toBe(false);
    expect(mayOpen('/settings/users', 'owner')).toBe(true);
    expect(mayOpen('/settings/tokens', 'operator')).toBe(false);
    expect(mayOpen('/settings/connections', 'operator')).toBe(true);
    expect(mayOpen('/settings/connections', 'viewer')).toBe(false);
    expect(mayOpen('/sandbox', 'operator')).toBe(true);
    expect(mayOpen('/sandbox', 'viewer')).toBe(false);
    expect(mayOpen('/runsx', 'client')).toBe(true); // a prefix is a path segment, not a string prefix
    expect(mayOpen('/monitors', 'client')).toBe(false);
    expect(refusal('/monitors', 'client')?.title).toBe('Monitors');
    expect(mayOpen('/monitors', 'viewer')).toBe(true);
  });
});
