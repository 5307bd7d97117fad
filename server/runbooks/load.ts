// Finds the flow a runbook is for (its published version in the data dir, else the shipped template of that id)
// and reads its lookup tables' rows.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FlowStore } from '../../runtime/flow-store.ts';
import type { LookupService } from '../lookups/store/index.ts';
import type { FlowDoc } from './runbook.ts';

const TEMPLATES = fileURLToPath(new URL('../../flows/templates/', import.meta.url));

export async function loadFlowDoc(flows: FlowStore | null, flowId: string): Promise<FlowDoc | null> {
  if (flows) {
    try {
      const f = await flows.get(flowId);
      const v = f.activeVersion ?? f.latestVersion;
      if (v != null) return { ...((await flows.version(flowId, v)).definition as unknown as FlowDoc), id: flowId };
    } catch {
      /* not in the store: try the templates */
    }
  }
  if (!/^[A-Za-z0-9_.:-]+$/.test(flowId)) return null;
  const file = `${TEMPLATES}${flowId}.json`;
  return existsSync(file) ? { ...(JSON.parse(readFileSync(file, 'utf8')) as FlowDoc), id: flowId } : null;
}

/**
 * The rows of the tables a runbook of this flow may show (its own tables, then the shared ones), read beforehand:
 * the runbook is built synchronously. Lookup tables are small (hundreds to a few thousand rows).
 */
export async function tableRowsFrom(
  lookups: LookupService | null,
  flowId: string,
): Promise<(table: string, flowId: string) => Array<Record<string, string>> | null> {
  if (!lookups) return () => null;
  const rows = new Map<string, Array<Record<string, string>>>();
  for (const scope of [flowId, 'shared']) {
    for (const t of await lookups.list({ scope })) {
      if (rows.has(t.name)) continue;
      try {
        rows.set(t.name, (await lookups.rows({ name: t.name, scope })).rows);
      } catch {
        /* deleted meanwhile */
      }
    }
  }
  return (table, forFlow) => (forFlow === flowId ? (rows.get(table) ?? null) : null);
}
