import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { createSandboxErp } from '../../nodes/erp/sandbox/index.ts';
import { order } from '../../nodes/erp/contract-suite.ts';
import { sandboxErpCommand } from './sandbox-erp.ts';

const tmp = tempDir('ledgerline-sandbox-erp-');
afterAll(() => tmp.cleanup());

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await sandboxErpCommand(args, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

describe('ledgerline sandbox-erp dump', () => {
  it('prints the documents a flow posted, as JSON or as a summary', async () => {
    const erp = createSandboxErp({ dataDir: tmp.dir });
    const input = order();
    await erp.createSalesOrder(input);
    await erp.close();
    const json = await run(['dump', '--data-dir', tmp.dir, '--json']);
    expect(json.code).toBe(0);
    const dump = JSON.parse(json.out);
    expect(dump.salesOrders).toHaveLength(1);
    expect(dump.salesOrders[0].externalId).toBe(input.externalId);
    const text = await run(['dump', '--data-dir', tmp.dir]);
    expect(text.out).toContain('salesOrders: 1');
    expect(text.out).toContain(input.externalId);
  });

  it('says so when the data dir has no sandbox ERP, and refuses unknown commands', async () => {
    expect((await run(['dump', '--data-dir', `${tmp.dir}/empty`])).code).toBe(1);
    expect((await run(['wipe'])).code).toBe(2);
  });
});
