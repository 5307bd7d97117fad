import { describe, expect, it } from 'vitest';
import { createSandboxErp } from '../sandbox/index.ts';
import { upsertCustomerNode } from './upsert-customer.ts';
import { run } from './test-context.ts';

describe('erp.upsert-customer', () => {
  const erp = createSandboxErp();
  it('creates then updates by external id', async () => {
    const a = await run(upsertCustomerNode, { connection: 'erp-main' }, erp, {
      externalId: '115310627314723954',
      name: 'Bob Norman',
      email: 'bob@example.com',
    });
    expect(a).toMatchObject({ created: true, externalId: '115310627314723954', email: 'bob@example.com' });
    const b = await run(upsertCustomerNode, { connection: 'erp-main' }, erp, { externalId: '115310627314723954', name: 'Robert Norman' });
    expect(b).toMatchObject({ created: false, id: a.id, name: 'Robert Norman', email: 'bob@example.com' });
  });
  it('names the bad field', async () => {
    await expect(run(upsertCustomerNode, { connection: 'erp-main' }, erp, { externalId: '1', name: '', email: 'not-an-email' })).rejects.toThrow(
      /name.*email|email.*name/s,
    );
  });
});
