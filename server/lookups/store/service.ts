// The lookup-table store: versioned tables in the runtime's SQLite file. Hosts pass one instance to the runtime as
// `services: { lookups }`; nodes reach it as `ctx.lookups` through the LookupSource interface.
import type Database from 'better-sqlite3';
import { and, desc, eq, lte, notInArray } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { LookupRow, LookupSnapshot, LookupSource, LookupUse, LookupKeyColumn } from '../../../runtime/node-api/lookups.ts';
import { buildSnapshot, type Columns } from './keys.ts';
import { checkColumns, checkRows, rowKeyId, type KeyColumnInput } from './rows.ts';
import { rowsFromCsv, rowsToCsv } from './csv.ts';
import { LookupConflictError, LookupNotFoundError } from './errors.ts';
import { lookupTables, lookupUses, lookupVersions } from './schema.ts';

export const SHARED = 'shared';

export interface TableRef {
  name: string;
  /** `shared` (default) or a flow id. */
  scope?: string;
}

export interface TableDefinition extends TableRef {
  title?: string;
  description?: string;
  kind?: string;
  keyColumns: KeyColumnInput[];
  valueColumns: string[];
}

export interface TableSummary {
  id: number;
  scope: string;
  name: string;
  title: string;
  description: string;
  kind: string;
  version: number;
  rowCount: number;
  keyColumns: LookupKeyColumn[];
  valueColumns: string[];
  updatedAt: number;
}

export interface VersionInfo {
  version: number;
  rowCount: number;
  message: string;
  createdBy: string | null;
  createdAt: number;
}

export interface WriteOptions {
  by?: string;
  message?: string;
  /** Refuse the write (LookupConflictError) unless the table is still at this version: no lost edits. */
  expectedVersion?: number;
}

type TableRow = typeof lookupTables.$inferSelect;
type VersionRow = typeof lookupVersions.$inferSelect;

export class LookupService implements LookupSource {
  private sqlite: Database.Database;
  private db: BetterSQLite3Database<any>;
  private now: () => number;
  private keepVersions: number;
  private cache = new Map<number, LookupSnapshot>();
  /** The statements of every lookup step, prepared once; the rest go through drizzle. */
  private q: Record<'resolve' | 'currentVersion' | 'use', Database.Statement>;

  /**
   * Opens on the runtime's store (`runtime.store`; openStore created the tables). `keepVersions` (default 200)
   * bounds the history per table; versions a recorded run used are kept until that run is pruned.
   */
  constructor(store: { sqlite: Database.Database; db: BetterSQLite3Database<any> }, opts: { now?: () => number; keepVersions?: number } = {}) {
    this.sqlite = store.sqlite;
    this.db = store.db;
    this.now = opts.now ?? Date.now;
    this.keepVersions = Math.max(1, opts.keepVersions ?? 200);
    const s = this.sqlite;
    this.q = {
      // Raw prepared statements on the lookup-step hot path (resolve, currentVersion, use run in every lookup step): bench/order-to-erp.ts (bench/README.md "Order to ERP").
      resolve: s.prepare(
        `SELECT id, scope, name, current_version FROM lookup_tables WHERE name = ? AND scope IN (?, '${SHARED}') ORDER BY scope = '${SHARED}' LIMIT 1`,
      ),
      currentVersion: s.prepare(`SELECT current_version FROM lookup_tables WHERE id = ?`),
      use: s.prepare(`INSERT OR REPLACE INTO lookup_uses (run_id, node_id, table_id, version, used_at) VALUES (?, ?, ?, ?, ?)`),
    };
  }

  // ---- LookupSource (the node side) ------------------------------------------------------------------------

  snapshot(name: string, opts: { flowId?: string } = {}): LookupSnapshot {
    const t = this.q.resolve.get(name, opts.flowId ?? SHARED) as { id: number; scope: string; name: string; current_version: number } | undefined;
    if (!t) throw new LookupNotFoundError(`lookup table "${name}" does not exist${opts.flowId ? ` (neither for flow "${opts.flowId}" nor shared)` : ''}`);
    const hit = this.cache.get(t.id);
    // The version check is one indexed read per call, so edits made by another process are seen at once.
    if (hit && hit.version === t.current_version) return hit;
    const v = this.versionOf(t.id, t.current_version);
    if (!v) throw new LookupNotFoundError(`lookup table "${t.name}" has no version ${t.current_version}`);
    const snap = buildSnapshot(
      { id: t.id, name: t.name, scope: t.scope, version: t.current_version },
      JSON.parse(v.columns) as Columns,
      JSON.parse(v.rows) as LookupRow[],
    );
    this.cache.set(t.id, snap);
    return snap;
  }

  recordUse(u: LookupUse): void {
    this.q.use.run(u.runId, u.nodeId, u.tableId, u.version, this.now());
  }

  currentVersion(tableId: number): number | undefined {
    return (this.q.currentVersion.get(tableId) as { current_version: number } | undefined)?.current_version;
  }

  /** Which table versions each step of a run used. */
  usesOfRun(runId: string): Array<{ nodeId: string; tableId: number; scope: string | null; name: string | null; version: number }> {
    return this.db
      .select({ nodeId: lookupUses.nodeId, tableId: lookupUses.tableId, scope: lookupTables.scope, name: lookupTables.name, version: lookupUses.version })
      .from(lookupUses)
      .leftJoin(lookupTables, eq(lookupTables.id, lookupUses.tableId))
      .where(eq(lookupUses.runId, runId))
      .orderBy(lookupUses.nodeId, lookupTables.name)
      .all();
  }

  // ---- tables ---------------------------------------------------------------------------------------------

  list(opts: { scope?: string } = {}): TableSummary[] {
    const rows = this.db
      .select({ t: lookupTables, rowCount: lookupVersions.rowCount, columns: lookupVersions.columns })
      .from(lookupTables)
      .innerJoin(lookupVersions, and(eq(lookupVersions.tableId, lookupTables.id), eq(lookupVersions.version, lookupTables.currentVersion)))
      .orderBy(lookupTables.scope, lookupTables.name)
      .all();
    return rows.filter((r) => opts.scope === undefined || r.t.scope === opts.scope).map((r) => summary(r.t, JSON.parse(r.columns) as Columns, r.rowCount));
  }

  get(ref: TableRef): TableSummary {
    const t = this.table(ref);
    const v = this.versionRow(t, t.currentVersion);
    return summary(t, JSON.parse(v.columns) as Columns, v.rowCount);
  }

  create(def: TableDefinition, rows: Array<Record<string, unknown>> = [], opts: Omit<WriteOptions, 'expectedVersion'> = {}): TableSummary {
    const scope = def.scope ?? SHARED;
    const cols = checkColumns(def.keyColumns, def.valueColumns);
    const clean = checkRows(cols, rows);
    const now = this.now();
    this.sqlite
      .transaction(() => {
        if (this.byRef(scope, def.name)) throw new LookupConflictError(`lookup table "${def.name}" already exists in scope "${scope}"`);
        const id = Number(
          this.db
            .insert(lookupTables)
            .values({
              scope,
              name: def.name,
              title: def.title ?? '',
              description: def.description ?? '',
              kind: def.kind ?? 'generic',
              currentVersion: 1,
              createdAt: now,
              updatedAt: now,
            })
            .run().lastInsertRowid,
        );
        this.db
          .insert(lookupVersions)
          .values({
            tableId: id,
            version: 1,
            columns: JSON.stringify(cols),
            rows: JSON.stringify(clean),
            rowCount: clean.length,
            message: opts.message ?? 'created',
            createdBy: opts.by ?? null,
            createdAt: now,
          })
          .run();
      })
      .immediate();
    return this.get({ scope, name: def.name });
  }

  /** Title and description only; they are not versioned (they do not change what a run sees). */
  describe(ref: TableRef, patch: { title?: string; description?: string }): TableSummary {
    const t = this.table(ref);
    this.db
      .update(lookupTables)
      .set({ title: patch.title ?? t.title, description: patch.description ?? t.description, updatedAt: this.now() })
      .where(eq(lookupTables.id, t.id))
      .run();
    return this.get(ref);
  }

  delete(ref: TableRef): void {
    const t = this.table(ref);
    this.db.delete(lookupTables).where(eq(lookupTables.id, t.id)).run();
    this.cache.delete(t.id);
  }

  // ---- rows and versions ----------------------------------------------------------------------------------

  rows(ref: TableRef, version?: number): { version: number; rows: LookupRow[] } {
    const t = this.table(ref);
    const v = this.versionRow(t, version ?? t.currentVersion);
    return { version: v.version, rows: JSON.parse(v.rows) as LookupRow[] };
  }

  versions(ref: TableRef): VersionInfo[] {
    const t = this.table(ref);
    return this.db
      .select({
        version: lookupVersions.version,
        rowCount: lookupVersions.rowCount,
        message: lookupVersions.message,
        createdBy: lookupVersions.createdBy,
        createdAt: lookupVersions.createdAt,
      })
      .from(lookupVersions)
      .where(eq(lookupVersions.tableId, t.id))
      .orderBy(desc(lookupVersions.version))
      .all();
  }

  /** Replaces every row: a new version. */
  putRows(ref: TableRef, rows: Array<Record<string, unknown>>, opts: WriteOptions = {}): VersionInfo {
    return this.write(ref, opts, (cols) => checkRows(cols, rows), 'rows replaced');
  }

  /** Adds rows, replacing those with the same key: a new version. */
  upsertRows(ref: TableRef, rows: Array<Record<string, unknown>>, opts: WriteOptions = {}): VersionInfo {
    return this.write(ref, opts, (cols, current) => merge(cols, current, checkRows(cols, rows)), `${rows.length} row(s) added or changed`);
  }

  /** Removes the rows with these exact keys (key column → value): a new version. Unknown keys are an error. */
  deleteRows(ref: TableRef, keys: Array<Record<string, unknown>>, opts: WriteOptions = {}): VersionInfo {
    return this.write(
      ref,
      opts,
      (cols, current) => {
        const drop = new Set(keys.map((k) => rowKeyId(cols, k)));
        const kept = current.filter((r) => !drop.has(rowKeyId(cols, r)));
        if (current.length - kept.length !== drop.size) throw new LookupNotFoundError(`some of the keys to delete are not in table "${ref.name}"`);
        return kept;
      },
      `${keys.length} row(s) deleted`,
    );
  }

  /** Version N's rows again, as a new version. */
  restore(ref: TableRef, version: number, opts: WriteOptions = {}): VersionInfo {
    const old = this.rows(ref, version).rows;
    return this.write(ref, opts, (cols) => checkRows(cols, old), `restored version ${version}`);
  }

  importCsv(ref: TableRef, csv: string, opts: WriteOptions & { mode?: 'replace' | 'merge' } = {}): VersionInfo {
    return this.write(
      ref,
      opts,
      (cols, current) => {
        const rows = checkRows(cols, rowsFromCsv(cols, csv), 2);
        return opts.mode === 'merge' ? merge(cols, current, rows) : rows;
      },
      `imported from CSV (${opts.mode ?? 'replace'})`,
    );
  }

  exportCsv(ref: TableRef, version?: number): string {
    const t = this.table(ref);
    const v = this.versionRow(t, version ?? t.currentVersion);
    return rowsToCsv(JSON.parse(v.columns) as Columns, JSON.parse(v.rows) as LookupRow[]);
  }

  private write(ref: TableRef, opts: WriteOptions, next: (cols: Columns, current: LookupRow[]) => LookupRow[], defaultMessage: string): VersionInfo {
    const now = this.now();
    return this.sqlite
      .transaction(() => {
        const t = this.table(ref);
        if (opts.expectedVersion !== undefined && opts.expectedVersion !== t.currentVersion) {
          throw new LookupConflictError(
            `lookup table "${t.name}" is at version ${t.currentVersion}, not ${opts.expectedVersion}: reload and apply the change again`,
            t.currentVersion,
          );
        }
        const cur = this.versionRow(t, t.currentVersion);
        const cols = JSON.parse(cur.columns) as Columns;
        const rows = next(cols, JSON.parse(cur.rows) as LookupRow[]);
        const version = t.currentVersion + 1;
        const message = opts.message ?? defaultMessage;
        this.db
          .insert(lookupVersions)
          .values({
            tableId: t.id,
            version,
            columns: cur.columns,
            rows: JSON.stringify(rows),
            rowCount: rows.length,
            message,
            createdBy: opts.by ?? null,
            createdAt: now,
          })
          .run();
        this.db.update(lookupTables).set({ currentVersion: version, updatedAt: now }).where(eq(lookupTables.id, t.id)).run();
        if (version > this.keepVersions) {
          const used = this.db.select({ version: lookupUses.version }).from(lookupUses).where(eq(lookupUses.tableId, t.id));
          this.db
            .delete(lookupVersions)
            .where(and(eq(lookupVersions.tableId, t.id), lte(lookupVersions.version, version - this.keepVersions), notInArray(lookupVersions.version, used)))
            .run();
        }
        return { version, rowCount: rows.length, message, createdBy: opts.by ?? null, createdAt: now };
      })
      .immediate();
  }

  private table(ref: TableRef): TableRow {
    const scope = ref.scope ?? SHARED;
    const t = this.byRef(scope, ref.name);
    if (!t) throw new LookupNotFoundError(`lookup table "${ref.name}" does not exist in scope "${scope}"`);
    return t;
  }

  private versionRow(t: TableRow, version: number): VersionRow {
    const v = this.versionOf(t.id, version);
    if (!v) throw new LookupNotFoundError(`lookup table "${t.name}" has no version ${version}`);
    return v;
  }

  private byRef(scope: string, name: string): TableRow | undefined {
    return this.db
      .select()
      .from(lookupTables)
      .where(and(eq(lookupTables.scope, scope), eq(lookupTables.name, name)))
      .get();
  }

  private versionOf(tableId: number, version: number): VersionRow | undefined {
    return this.db
      .select()
      .from(lookupVersions)
      .where(and(eq(lookupVersions.tableId, tableId), eq(lookupVersions.version, version)))
      .get();
  }
}

function merge(cols: Columns, current: LookupRow[], incoming: LookupRow[]): LookupRow[] {
  const byKey = new Map(current.map((r) => [rowKeyId(cols, r), r]));
  for (const r of incoming) byKey.set(rowKeyId(cols, r), r);
  return [...byKey.values()];
}

function summary(t: TableRow, cols: Columns, rowCount: number): TableSummary {
  return {
    id: t.id,
    scope: t.scope,
    name: t.name,
    title: t.title,
    description: t.description,
    kind: t.kind,
    version: t.currentVersion,
    rowCount,
    keyColumns: cols.keyColumns,
    valueColumns: cols.valueColumns,
    updatedAt: t.updatedAt,
  };
}
