import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpConnector } from '../contract.ts';
import { erpContractSuite, order } from '../contract-suite.ts';
import { createSandboxErpClient } from './http-client.ts';
import { serveSandboxErp, type SandboxErpServer } from './http-server.ts';
import { createSandboxErp, type SandboxErp } from './index.ts';

const erp = createSandboxErp();
let served: SandboxErpServer;
let client: ErpConnector;
beforeAll(async () => {
  served = await serveSandboxErp(erp);
  client = createSandboxErpClient({ url: served.url });
});
afterAll(async () => {
  await client.close();
  await served.close();
  await erp.close();
});

// The same behavioural suite as the in-process sandbox ERP, through HTTP.
erpContractSuite('sandbox ERP over HTTP', () => client);

describe('sandbox ERP over HTTP', () => {
  it('claims exactly the in-process sandbox ERP capabilities and limits', () => {
    expect(client.capabilities).toEqual(erp.capabilities);
    expect(client.limits).toEqual(erp.limits);
  });

  it('answers what the in-process connector answers, documents and errors alike', async () => {
    const input = order();
    const posted = await client.createSalesOrder(input);
    expect(posted.created).toBe(true);
    expect(await client.getSalesOrder(input.externalId)).toEqual(await erp.getSalesOrder(input.externalId));
    const viaHttp = await client
      .createSalesOrder({ ...input, lines: [{ sku: 'NO-SUCH', quantity: '1', unitPrice: '1.00' }], externalId: `${input.externalId}9` })
      .catch((e) => e);
    const direct = await erp
      .createSalesOrder({ ...input, lines: [{ sku: 'NO-SUCH', quantity: '1', unitPrice: '1.00' }], externalId: `${input.externalId}9` })
      .catch((e) => e);
    expect(viaHttp).toMatchObject({ name: 'NodeError', message: direct.message, errorClass: direct.errorClass, code: direct.code, details: direct.details });
  });

  it('reads the ledger as compact rows as the in-process connector does', async () => {
    const input = order();
    await client.createSalesOrder(input);
    await client.postJournal({
      externalId: `j-${input.externalId}`,
      date: input.date,
      description: 'rows',
      lines: [
        { account: '1100', debit: '3.10' },
        { account: '1190', credit: '3.10' },
      ],
    });
    const q = { from: '2000-01-01', to: '2999-12-31', accounts: ['1100', '1190'] };
    const rows = await client.listLedgerRows!(q);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(await erp.listLedgerRows!(q));
  });

  it('keeps the outage classes: down is transient, a lost answer after a write is ambiguous', async () => {
    const input = order();
    (erp as SandboxErp).admin.simulateOutage('down');
    await expect(client.createSalesOrder(input)).rejects.toMatchObject({ errorClass: 'transient', code: 'ERP_UNAVAILABLE' });
    erp.admin.simulateOutage('timeout');
    await expect(client.createSalesOrder(input)).rejects.toMatchObject({ errorClass: 'ambiguous', code: 'ERP_TIMEOUT' });
    erp.admin.simulateOutage(null);
    expect((await client.createSalesOrder(input)).created).toBe(false);
  });

  it('an ERP process that is not there is transient (nothing was sent)', async () => {
    const gone = await serveSandboxErp(createSandboxErp({ seed: false }));
    await gone.close();
    const c = createSandboxErpClient({ url: gone.url });
    await expect(c.listWarehouses()).rejects.toMatchObject({ errorClass: 'transient', code: 'ERP_UNAVAILABLE' });
    await c.close();
  });

  it('runs in its own process (http-main.ts) on a data file, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-erp-http-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'http-main.ts'), '--file', join(dir, 'erp.sqlite'), '--currency', 'GBP'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const url = await new Promise<string>((ok) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          const m = /"url":"([^"]+)"/.exec(out);
          if (m?.[1]) ok(m[1]);
        });
      });
      const c = createSandboxErpClient({ url });
      expect(await c.companyCurrency!()).toBe('GBP');
      expect((await c.listWarehouses()).map((w) => w.code)).toEqual(['WH', 'WH2']);
      await c.close();
    } finally {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
