// `ledgerline audit [--data-dir DIR] [--connection shopify=ID] [--connection erp=ID] [--format md|html|json] [--days N]`
// Exit: 0 no high-severity finding, 1 high-severity findings, 2 usage error.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { getNodeType } from '../../nodes/registry.ts';
import { FlowStore } from '../../runtime/flow-store.ts';
import { LookupService } from '../lookups/store/index.ts';
import { openCliStore } from './cli-store.ts';
import { cliConnections, SANDBOX_ERP, SANDBOX_SHOP } from '../cli-connections.ts';
import { auditIntegration } from '../integration-audit/audit.ts';
import { collectAudit } from '../integration-audit/collect.ts';
import { renderAudit } from '../integration-audit/render.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import type { ShopifyClient } from '../../nodes/shopify/index.ts';

export const AUDIT_USAGE = 'ledgerline audit [--data-dir DIR] [--connection shopify=ID] [--connection erp=ID] [--format md|html|json] [--days N]';

export async function auditCommand(argv: string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        connection: { type: 'string', multiple: true },
        format: { type: 'string', default: 'md' },
        days: { type: 'string', default: '30' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    err(`ledgerline audit: ${(e as Error).message}\nusage: ${AUDIT_USAGE}`);
    return 2;
  }
  const format = values.format as string;
  if (!['md', 'html', 'json'].includes(format)) {
    err(`ledgerline audit: --format must be md, html or json (got ${format})\nusage: ${AUDIT_USAGE}`);
    return 2;
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    err(`ledgerline audit: --days must be a whole number of days 1..366 (got ${values.days})`);
    return 2;
  }
  const ids: Record<'shopify' | 'erp', string> = { shopify: SANDBOX_SHOP, erp: SANDBOX_ERP };
  for (const c of values.connection ?? []) {
    const m = /^(shopify|erp)=(.+)$/.exec(c);
    if (!m) {
      err(`ledgerline audit: --connection takes shopify=ID or erp=ID (got ${c})`);
      return 2;
    }
    ids[m[1] as keyof typeof ids] = m[2]!; // both groups always take part
  }
  const dataDir = resolve(values['data-dir'] ?? process.env.LEDGERLINE_DATA_DIR ?? './data');
  const store = await openCliStore(dataDir, process.env);
  const conns = cliConnections(dataDir);
  try {
    const [shopify, erp] = await Promise.all([
      conns.connection('shopify', ids.shopify) as Promise<ShopifyClient>,
      conns.connection('erp', ids.erp) as Promise<ErpConnector>,
    ]).catch((e: Error) => {
      throw Object.assign(e, { usage: true });
    });
    const input = await collectAudit({
      shopify,
      erp,
      flows: new FlowStore(store, getNodeType),
      lookups: new LookupService(store),
      nonIdempotent: (t) => getNodeType(t)?.idempotent === false,
      sinceDays: days,
    });
    const report = auditIntegration(input);
    out(renderAudit(report, format as 'md' | 'html' | 'json'));
    return report.summary.high ? 1 : 0;
  } catch (e) {
    if ((e as { usage?: boolean }).usage) {
      err(`ledgerline audit: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  } finally {
    await conns.close();
    await store.close();
  }
}
