import { describe, expect, it } from 'vitest';
import { missing, newWebhookSecret, providerSpec, splitValues } from './connection-kinds.ts';

describe('connection forms', () => {
  it('keeps secrets apart from config and leaves empty ones out', () => {
    const spec = providerSpec('erp', 'tryton')!;
    expect(splitValues(spec, { url: ' https://erp ', database: 'db', user: 'u', password: 'pw', journal: '' })).toEqual({
      config: { url: 'https://erp', database: 'db', user: 'u' },
      secrets: { password: 'pw' },
    });
  });
  it('names the required fields still empty; a stored secret counts when editing', () => {
    const spec = providerSpec('erp', 'tryton')!;
    expect(missing(spec, { url: 'x' }, false)).toEqual(['Database', 'User', 'Password']);
    expect(missing(spec, { url: 'x', database: 'd', user: 'u' }, true)).toEqual([]);
  });
  it('generates distinct webhook secrets', () => {
    expect(newWebhookSecret()).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(newWebhookSecret()).not.toBe(newWebhookSecret());
  });
});
