// The templates out of the box: `ledgerline run` on a fresh data dir with Shopify's published orders/paid example,
// and a fresh server in sandbox mode that installs them published and active, seeds the lookup tables, and turns a
// signed orders/paid webhook into an ERP sales order.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../server/app.ts';
import { signWebhook } from '../../nodes/shopify/index.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { passDatabaseUrl } from '../../runtime/testing/pass.ts';
import { installSandboxLookups } from '../../server/lookups/seed.ts';
import { writeFileSync } from 'node:fs';
import { FIXTURES, asPaidOrder } from './testing/harness.ts';

const exec = promisify(execFile);
const bin = new URL('../../bin/ledgerline.js', import.meta.url).pathname;
const tmp = tempDir('ledgerline-templates-install-');
afterAll(() => tmp.cleanup());
const EXAMPLE = `${FIXTURES}webhook-2026-04.orders.paid.json`;
// Shopify's example is a voided, cancelled test order: the payment gate skips it. The same payload, paid, posts.
const PAID = `${tmp.dir}/orders-paid.paid.json`;
writeFileSync(PAID, asPaidOrder(readFileSync(EXAMPLE, 'utf8')));

describe('ledgerline run flows/templates/order-to-erp.json', () => {
  it("skips Shopify's published orders/paid example (a voided, cancelled test order) with the reason, exit code 0", async () => {
    const r = await exec(process.execPath, [bin, 'run', new URL('./order-to-erp.json', import.meta.url).pathname, '--event', EXAMPLE, '--json'], {
      encoding: 'utf8',
    });
    const rec = JSON.parse(r.stdout);
    expect(rec).toMatchObject({ status: 'skipped', skipped: { nodeId: 'gate', code: 'TEST_ORDER' } });
    expect(rec.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['shopify', 'gate']);
  }, 60_000);

  it('posts the published orders/paid example, paid, out of the box; the last step is the ERP sales order read back', async () => {
    const r = await exec(process.execPath, [bin, 'run', new URL('./order-to-erp.json', import.meta.url).pathname, '--event', PAID, '--json'], {
      encoding: 'utf8',
    });
    const rec = JSON.parse(r.stdout);
    expect(rec.status).toBe('succeeded');
    const last = rec.steps.at(-1);
    expect(last.nodeId).toBe('read-back');
    expect(last.output).toMatchObject({
      externalId: 'gid://shopify/Order/820982911946154508',
      reference: '#9999',
      status: 'open',
      currency: 'USD',
      totals: { net: '404.95', tax: '0.00', gross: '404.95' },
      verified: { gross: '404.95' },
    });
  }, 60_000);
});

describe('a fresh server in sandbox mode', () => {
  it('installs the templates published and active, seeds the lookups once, and runs order-to-erp from a signed webhook', async () => {
    const secret = 'shpss_template_test_secret';
    // A new store, on either pass: sandbox mode installs the templates into a new store only.
    const databaseUrl = await passDatabaseUrl(tmp.dir, { unmigrated: true });
    const server = await createServer({
      dataDir: tmp.dir,
      ...(databaseUrl ? { databaseUrl } : {}),
      log: pino({ level: 'silent' }),
      worker: { pollMs: 5 },
      env: { LEDGERLINE_SANDBOX_WEBHOOK_SECRET: secret, LEDGERLINE_ADMIN_PASSWORD: 'template-test-pw', LEDGERLINE_MASTER_KEY: 'a'.repeat(64) },
    });
    try {
      for (const id of [
        'order-to-erp',
        'inventory-to-shopify',
        'fulfilment-to-shopify',
        'refund-to-credit-memo',
        'order-cancelled-to-erp',
        'order-edited-to-erp',
      ]) {
        const f = await server.runtime.flows.get(id);
        expect(f.activeVersion, id).toBe(1);
      }
      // Booking receipts of manual payments is finance's choice (they may book them from the bank statement): published, not active.
      expect(await server.runtime.flows.get('manual-payments-to-erp')).toMatchObject({ active: false, activeVersion: null, latestVersion: 1 });
      const lookups = server.deps.lookups;
      expect((await lookups.list({ scope: 'shared' })).map((t) => t.name).sort()).toEqual(['locations', 'payment-methods', 'sku-overrides', 'tax-codes']);
      await lookups.upsertRows({ name: 'locations' }, [{ location: 'Somewhere', warehouse: 'WH2' }]);
      expect(await installSandboxLookups(lookups)).toEqual([]);
      expect((await lookups.get({ name: 'locations' })).version).toBe(2);

      const body = readFileSync(PAID, 'utf8');
      const res = await server.app.request('/webhooks/shopify/sandbox-shop', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-shopify-hmac-sha256': signWebhook(secret, body),
          'x-shopify-topic': 'orders/paid',
          'x-shopify-shop-domain': 'ledgerline-sandbox.myshopify.com',
          'x-shopify-api-version': '2026-04',
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-event-id': randomUUID(),
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      });
      expect(res.status).toBe(200);
      const json = (await res.json()) as { runs: number };
      expect(json.runs).toBe(2); // order-to-erp, and gift-card-liability (which has nothing to book for this order)
      await server.runtime.drain(30_000);
      const gifts = await server.runtime.runs.list({ flowId: 'gift-card-liability' });
      expect(gifts).toHaveLength(1);
      const gift = await server.runtime.runs.get(gifts[0]!.runId);
      expect([gift.status, gift.steps.find((s) => s.nodeId === 'post-journal')?.status ?? 'skipped']).toEqual(['succeeded', 'skipped']);
      const list = await server.runtime.runs.list({ flowId: 'order-to-erp' });
      expect(list.length).toBe(1);
      const run = await server.runtime.runs.get(list[0]!.runId);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(run.steps.at(-1)!.output).toMatchObject({ reference: '#9999', totals: { gross: '404.95' } });
    } finally {
      await server.close();
    }
  }, 60_000);
});
