import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createErpConnection, erpNodes } from './index.ts';

describe('ERP node registry and connection factory', () => {
  it('exports the node types of issues 5 and 6', () => {
    expect(erpNodes.map((n) => n.type).sort()).toEqual([
      'erp.await-refund',
      'erp.balance-sales-order',
      'erp.cancel-sales-order',
      'erp.check-order-edit',
      'erp.payment-gate',
      'erp.post-credit-memo',
      'erp.post-journal',
      'erp.post-sales-order',
      'erp.read-fulfilments',
      'erp.read-ledger',
      'erp.read-sales-order',
      'erp.read-stock',
      'erp.upsert-customer',
    ]);
  });
  it.each(erpNodes.map((n) => [n.type, n] as const))('%s declares schema, ports and a sample output', (_t, n) => {
    expect(n.category).toBe('erp');
    expect(n.inputs.length).toBeGreaterThan(0);
    expect(n.description.length).toBeGreaterThan(40);
    expect(() => z.toJSONSchema(n.config, { io: 'input', unrepresentable: 'any' })).not.toThrow();
    expect(n.sampleOutput).toBeTruthy();
  });
  it('builds connectors from stored config and rejects bad config without echoing secrets', async () => {
    const erp = createErpConnection({ kind: 'sandbox' });
    expect(erp.kind).toBe('sandbox');
    expect((await erp.listWarehouses()).length).toBe(2);
    await erp.close();
    expect(createErpConnection({ kind: 'tryton', url: 'http://127.0.0.1:8000/', database: 'db', user: 'admin', password: 'pw' }).kind).toBe('tryton');
    expect(
      createErpConnection({
        kind: 'business-central',
        tenantId: 't',
        environment: 'sandbox',
        companyId: '9b1b5a47-4c2a-ef11-8e61-6045bdc8c0a1',
        clientId: 'c',
        clientSecret: 's',
      }).limits,
    ).toEqual({ concurrency: 5, rate: { requests: 6000, windowMs: 300_000 } });
    expect(
      createErpConnection({
        kind: 'netsuite',
        accountId: '1234567_SB1',
        concurrency: 15,
        auth: { type: 'tba', consumerKey: 'a', consumerSecret: 'b', tokenId: 'c', tokenSecret: 'd' },
      }).limits.concurrency,
    ).toBe(15);
    // The server vault's stored shape: { id, provider, config, secrets }.
    const stored = createErpConnection({
      id: 'erp-1',
      provider: 'tryton',
      config: { url: 'http://127.0.0.1:8000/', database: 'db', user: 'admin' },
      secrets: { password: 'pw' },
    });
    expect(stored.kind).toBe('tryton');
    const ns = createErpConnection({
      id: 'ns',
      provider: 'netsuite',
      config: { accountId: '1234567', consumerKey: 'ck', tokenId: 'ti' },
      secrets: { consumerSecret: 'cs', tokenSecret: 'ts' },
    });
    expect(ns.kind).toBe('netsuite');
    let msg = '';
    try {
      createErpConnection({ kind: 'tryton', url: 'not a url', database: 'db', user: 'admin', password: 's3cret-pass' } as never);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/url/);
    expect(msg).not.toContain('s3cret-pass');
  });
});
