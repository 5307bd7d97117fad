// The shared lookup tables the template flows use, seeded from flows/templates/lookups/<table>.csv for the sandbox
// scenario (sandbox store + sandbox ERP). The tables are the flow room's data; seeding them into the store is the
// server's job (at start and for `ledgerline run`), so flows/ depends on nothing. Idempotent: a table that already exists is left exactly as it is, so a
// merchant's own rows are never overwritten; only missing tables are created (version 1, by "system").
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LookupService } from './store/service.ts';
import { TABLE_PRESETS } from './store/presets.ts';
import { rowsFromCsv } from './store/csv.ts';
import { checkColumns } from './store/rows.ts';

export const SEED_DIR = fileURLToPath(new URL('../../flows/templates/lookups/', import.meta.url));

type PresetName = keyof typeof TABLE_PRESETS;

/** Creates every seed table that does not exist yet in the shared scope; returns the names it created. */
export async function installSandboxLookups(lookups: LookupService, dir = SEED_DIR): Promise<string[]> {
  const existing = new Set((await lookups.list({ scope: 'shared' })).map((t) => t.name));
  const created: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    const name = basename(file, '.csv');
    if (existing.has(name)) continue;
    const preset = TABLE_PRESETS[name as PresetName];
    if (!preset) throw new Error(`flows/templates/lookups/${file}: no table preset "${name}" (presets: ${Object.keys(TABLE_PRESETS).join(', ')})`);
    const rows = rowsFromCsv(checkColumns(preset.keyColumns, preset.valueColumns), readFileSync(`${dir}${file}`, 'utf8'));
    try {
      await lookups.create({ name, ...preset }, rows, { by: 'system', message: `seeded from flows/templates/lookups/${file}` });
      created.push(name);
    } catch (e) {
      // Another process created it between our list and create: theirs stands.
      if ((e as Error).name !== 'LookupConflictError') throw e;
    }
  }
  return created;
}
