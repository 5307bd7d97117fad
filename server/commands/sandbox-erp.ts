// `ledgerline sandbox-erp dump --data-dir DIR [--json]`: prints the sandbox ERP's documents, to check by eye (or by
// script) what the flows posted.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SANDBOX_ERP_USAGE = 'ledgerline sandbox-erp dump [--data-dir DIR] [--json]';

export async function sandboxErpCommand(argv: string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  const [sub, ...rest] = argv;
  let values: { 'data-dir'?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } }));
  } catch (e) {
    err(`ledgerline: ${(e as Error).message}\nusage: ${SANDBOX_ERP_USAGE}`);
    return 2;
  }
  if (sub !== 'dump') {
    err(`ledgerline: unknown sandbox-erp command "${sub ?? ''}"\nusage: ${SANDBOX_ERP_USAGE}`);
    return 2;
  }
  const dir = resolve(values['data-dir'] ?? process.env.LEDGERLINE_DATA_DIR ?? './data');
  const file = join(dir, 'sandbox-erp.sqlite');
  if (!existsSync(file)) {
    err(`ledgerline: no sandbox ERP in ${dir} (expected ${file}; it appears once a flow has used sandbox-erp)`);
    return 1;
  }
  const { createSandboxErp } = await import('../../nodes/erp/sandbox/index.ts');
  const erp = createSandboxErp({ file, seed: false });
  try {
    const dump = erp.admin.dump();
    if (values.json) out(JSON.stringify(dump, null, 2));
    else {
      for (const [kind, docs] of Object.entries(dump)) out(`${kind}: ${docs.length}`);
      for (const o of (dump.salesOrders ?? []) as Array<{
        number?: string;
        externalId?: string;
        status?: string;
        totals?: { gross?: string };
        currency?: string;
      }>) {
        out(`  ${o.number ?? '?'}  ${o.externalId ?? ''}  ${o.status ?? ''}  ${o.totals?.gross ?? ''} ${o.currency ?? ''}`);
      }
    }
    return 0;
  } finally {
    await erp.close();
  }
}
