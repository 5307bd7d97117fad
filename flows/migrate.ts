// Upgrades flow documents written by older Ledgerline versions to the current schemaVersion, one step at a time.
import { CURRENT_SCHEMA_VERSION } from './schema.ts';

export interface FlowMigration {
  from: number;
  /** Returns the document at version `from + 1`. Must not mutate its argument. */
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

/** Append a migration here whenever CURRENT_SCHEMA_VERSION is raised. Version 1 is the first released format. */
export const flowMigrations: FlowMigration[] = [];

export type MigrateResult = { ok: true; doc: unknown; from: number } | { ok: false; message: string };

export function migrateFlow(input: unknown, migrations = flowMigrations, current = CURRENT_SCHEMA_VERSION): MigrateResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, message: 'a flow must be a JSON object' };
  const from = (input as Record<string, unknown>).schemaVersion;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    return { ok: false, message: `schemaVersion must be an integer >= 1 (this Ledgerline writes ${current})` };
  }
  if (from > current) return { ok: false, message: `schemaVersion ${from} is newer than this Ledgerline supports (${current}); upgrade Ledgerline` };
  let doc = input as Record<string, unknown>;
  for (let v = from; v < current; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) return { ok: false, message: `no migration from schemaVersion ${v} to ${v + 1}` };
    doc = { ...step.up(doc), schemaVersion: v + 1 };
  }
  return { ok: true, doc, from };
}
