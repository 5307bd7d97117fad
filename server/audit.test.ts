// The audit log on every dialect: entries come back newest first, within the limit, with secrets redacted before
// they were written (the stored text never holds them).
import { afterAll, describe, expect, it } from 'vitest';
import { testStores, type TestStore } from '../runtime/testing/stores.ts';
import { Audit, redact } from './audit.ts';
import { audit } from './db/schema.ts';

describe('redact', () => {
  it('replaces every secret-looking field at any depth, and nothing else', () => {
    expect(redact({ name: 'ERP', secrets: { password: 'p' }, list: [{ apiKey: 'k', url: 'u' }], accessToken: 't' })).toEqual({
      name: 'ERP',
      secrets: '[redacted]',
      list: [{ apiKey: '[redacted]', url: 'u' }],
      accessToken: '[redacted]',
    });
  });
});

describe.each(testStores())('audit log on $name', (kind) => {
  const opened: TestStore[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  it('lists entries newest first within the limit, secrets redacted in what is stored', async () => {
    const store = await kind.open();
    opened.push(store);
    let now = 1_000;
    const log = new Audit(store, () => now++);
    await log.record('owner@shop.test', 'connection.create', 'connection:erp', { after: { name: 'ERP', password: 'hunter2-secret' } });
    await log.record('owner@shop.test', 'flow.publish', 'flow:orders@1');
    for (let i = 0; i < 3; i++) await log.record('system', 'flow.run-now', `flow:f${i}`, { i });
    const all = await log.list();
    expect(all.map((e) => e.target)).toEqual(['flow:f2', 'flow:f1', 'flow:f0', 'flow:orders@1', 'connection:erp']);
    expect(all[4]).toEqual({
      at: 1_000,
      actor: 'owner@shop.test',
      action: 'connection.create',
      target: 'connection:erp',
      details: { after: { name: 'ERP', password: '[redacted]' } },
    });
    expect(all[3]!.details).toBeNull();
    expect((await log.list(2)).map((e) => e.target)).toEqual(['flow:f2', 'flow:f1']);
    expect(await log.list(0)).toHaveLength(1); // at least one
    const { db, tables } = store.sql({ audit });
    expect(JSON.stringify(await db.select().from(tables.audit))).not.toContain('hunter2-secret');
  });
});
