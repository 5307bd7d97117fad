// `ledgerline runbook FLOW_ID [--data-dir DIR] [--format md|html]`: the operational runbook of a published flow
// (or of the shipped template with that id). Exit: 0 printed, 1 no such flow, 2 usage error.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { getNodeType } from '../../nodes/registry.ts';
import { FlowStore } from '../../runtime/flow-store.ts';
import { LookupService } from '../lookups/store/index.ts';
import { openCliStore } from './cli-store.ts';
import { loadFlowDoc, tableRowsFrom } from '../runbooks/load.ts';
import { buildRunbook, runbookHtml, runbookMarkdown } from '../runbooks/runbook.ts';

export const RUNBOOK_USAGE = 'ledgerline runbook FLOW_ID [--data-dir DIR] [--format md|html]';

export async function runbookCommand(argv: string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, format: { type: 'string', default: 'md' } }, allowPositionals: true });
  } catch (e) {
    err(`ledgerline runbook: ${(e as Error).message}\nusage: ${RUNBOOK_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    err(`ledgerline runbook: give exactly one FLOW_ID\nusage: ${RUNBOOK_USAGE}`);
    return 2;
  }
  if (values.format !== 'md' && values.format !== 'html') {
    err(`ledgerline runbook: --format must be md or html (got ${values.format})`);
    return 2;
  }
  const store = await openCliStore(resolve(values['data-dir'] ?? process.env.LEDGERLINE_DATA_DIR ?? './data'), process.env);
  try {
    const flow = await loadFlowDoc(new FlowStore(store, getNodeType), positionals[0]!);
    if (!flow) {
      err(`ledgerline runbook: no flow "${positionals[0]}" in the data dir and no template of that name`);
      return 1;
    }
    const rb = buildRunbook(flow, { describeType: (t) => getNodeType(t)?.description, tableRows: await tableRowsFrom(new LookupService(store), flow.id) });
    out(values.format === 'html' ? runbookHtml(rb) : runbookMarkdown(rb));
    return 0;
  } finally {
    await store.close();
  }
}
