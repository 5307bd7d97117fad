// The lookup-table store: versioned tables in the runtime's SQLite file. Hosts pass one instance to the runtime as
// `services: { lookups }`; nodes reach it as `ctx.lookups` through the LookupSource interface.
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { LookupRow, LookupSnapshot, LookupSource, LookupUse, LookupKeyColumn } from '../../../runtime/node-api/lookups.ts';
import { buildSnapshot, type Columns } from './keys.ts';
import { checkColumns, checkRows, rowKeyId, type KeyColumnInput } from './rows.ts';
import { rowsFromCsv, rowsToCsv } from './csv.ts';
import { LookupConflictError, LookupNotFoundError } from './errors.ts';

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

interface TableRow {
  id: number;
  scope: string;
  name: string;
  title: string;
  description: string;
  kind: string;
  current_version: number;
  updated_at: number;
}

interface VersionRow {
  version: number;
  columns: string;
  rows: string;
  row_count: number;
  message: string;
  created_by: string | null;
  created_at: number;
}

export class LookupService implements LookupSource {
  private sqlite: Database.Database;
  private now: () => number;
  private keepVersions: number;
  private cache = new Map<number, LookupSnapshot>();
  /** Named statements; the key list makes a misspelt `this.q.x` a compile error. */
  private q: Record<
    | 'resolve'
    | 'byRef'
    | 'currentVersion'
    | 'list'
    | 'version'
    | 'versions'
    | 'insertTable'
    | 'insertVersion'
    | 'bump'
    | 'meta'
    | 'drop'
    | 'pruneVersions'
    | 'use'
    | 'uses',
    Database.Statement
  >;

  /**
   * Opens on the runtime's store (`runtime.store`; openStore created the tables). `keepVersions` (default 200)
   * bounds the history per table; versions a recorded run used are kept until that run is pruned.
   */
  constructor(store: { sqlite: Database.Database; db: BetterSQLite3Database<any> }, opts: { now?: () => number; keepVersions?: number } = {}) {
    this.sqlite = store.sqlite;
    this.now = opts.now ?? Date.now;
    this.keepVersions = Math.max(1, opts.keepVersions ?? 200);
    const s = this.sqlite;
    this.q = {
      // Raw statements kept: resolve, currentVersion and use run in every lookup step (bench/order-to-erp.ts, bench/README.md "Order to ERP").
      resolve: s.prepare(
        `SELECT id, scope, name, current_version FROM lookup_tables WHERE name = ? AND scope IN (?, '${SHARED}') ORDER BY scope = '${SHARED}' LIMIT 1`,
      ),
      byRef: s.prepare(`SELECT * FROM lookup_tables WHERE scope = ? AND name = ?`),
      currentVersion: s.prepare(`SELECT current_version FROM lookup_tables WHERE id = ?`),
      list: s.prepare(
        `SELECT t.*, v.row_count, v.columns FROM lookup_tables t JOIN lookup_versions v ON v.table_id = t.id AND v.version = t.current_version ORDER BY t.scope, t.name`,
      ),
      version: s.prepare(`SELECT * FROM lookup_versions WHERE table_id = ? AND version = ?`),
      versions: s.prepare(`SELECT version, row_count, message, created_by, created_at FROM lookup_versions WHERE table_id = ? ORDER BY version DESC`),
      insertTable: s.prepare(
        `INSERT INTO lookup_tables (scope, name, title, description, kind, current_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
      ),
      insertVersion: s.prepare(
        `INSERT INTO lookup_versions (table_id, version, columns, rows, row_count, message, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      bump: s.prepare(`UPDATE lookup_tables SET current_version = ?, updated_at = ? WHERE id = ?`),
      meta: s.prepare(`UPDATE lookup_tables SET title = ?, description = ?, updated_at = ? WHERE id = ?`),
      drop: s.prepare(`DELETE FROM lookup_tables WHERE id = ?`),
      pruneVersions: s.prepare(
        `DELETE FROM lookup_versions WHERE table_id = ? AND version <= ? AND version NOT IN (SELECT version FROM lookup_uses WHERE table_id = ?)`,
      ),
      use: s.prepare(`INSERT OR REPLACE INTO lookup_uses (run_id, node_id, table_id, version, used_at) VALUES (?, ?, ?, ?, ?)`),
      uses: s.prepare(
        `SELECT u.node_id, u.table_id, u.version, t.scope, t.name FROM lookup_uses u LEFT JOIN lookup_tables t ON t.id = u.table_id WHERE u.run_id = ? ORDER BY u.node_id, t.name`,
      ),
    };
  }

  // ---- LookupSource (the node side) ------------------------------------------------------------------------

  snapshot(name: string, opts: { flowId?: string } = {}): LookupSnapshot {
    const t = this.q.resolve.get(name, opts.flowId ?? SHARED) as Pick<TableRow, 'id' | 'scope' | 'name' | 'current_version'> | undefined;
    if (!t) throw new LookupNotFoundError(`lookup table "${name}" does not exist${opts.flowId ? ` (neither for flow "${opts.flowId}" nor shared)` : ''}`);
    const hit = this.cache.get(t.id);
    // The version check is one indexed read per call, so edits made by another process are seen at once.
    if (hit && hit.version === t.current_version) return hit;
    const v = this.q.version.get(t.id, t.current_version) as VersionRow;
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
    return (this.q.uses.all(runId) as Array<{ node_id: string; table_id: number; version: number; scope: string | null; name: string | null }>).map((r) => ({
      nodeId: r.node_id,
      tableId: r.table_id,
      scope: r.scope,
      name: r.name,
      version: r.version,
    }));
  }

  // ---- tables ---------------------------------------------------------------------------------------------

  list(opts: { scope?: string } = {}): TableSummary[] {
    const rows = this.q.list.all() as Array<TableRow & { row_count: number; columns: string }>;
    return rows.filter((r) => opts.scope === undefined || r.scope === opts.scope).map((r) => summary(r, JSON.parse(r.columns) as Columns, r.row_count));
  }

  get(ref: TableRef): TableSummary {
    const t = this.table(ref);
    const v = this.versionRow(t, t.current_version);
    return summary(t, JSON.parse(v.columns) as Columns, v.row_count);
  }

  create(def: TableDefinition, rows: Array<Record<string, unknown>> = [], opts: Omit<WriteOptions, 'expectedVersion'> = {}): TableSummary {
    const scope = def.scope ?? SHARED;
    const cols = checkColumns(def.keyColumns, def.valueColumns);
    const clean = checkRows(cols, rows);
    const now = this.now();
    this.sqlite
      .transaction(() => {
        if (this.q.byRef.get(scope, def.name)) throw new LookupConflictError(`lookup table "${def.name}" already exists in scope "${scope}"`);
        const id = Number(this.q.insertTable.run(scope, def.name, def.title ?? '', def.description ?? '', def.kind ?? 'generic', now, now).lastInsertRowid);
        this.q.insertVersion.run(id, 1, JSON.stringify(cols), JSON.stringify(clean), clean.length, opts.message ?? 'created', opts.by ?? null, now);
      })
      .immediate();
    return this.get({ scope, name: def.name });
  }

  /** Title and description only; they are not versioned (they do not change what a run sees). */
  describe(ref: TableRef, patch: { title?: string; description?: string }): TableSummary {
    const t = this.table(ref);
    this.q.meta.run(patch.title ?? t.title, patch.description ?? t.description, this.now(), t.id);
    return this.get(ref);
  }

  delete(ref: TableRef): void {
    const t = this.table(ref);
    this.q.drop.run(t.id);
    this.cache.delete(t.id);
  }

  // ---- rows and versions ----------------------------------------------------------------------------------

  rows(ref: TableRef, version?: number): { version: number; rows: LookupRow[] } {
    const t = this.table(ref);
    const v = this.versionRow(t, version ?? t.current_version);
    return { version: v.version, rows: JSON.parse(v.rows) as LookupRow[] };
  }

  versions(ref: TableRef): VersionInfo[] {
    const t = this.table(ref);
    return (this.q.versions.all(t.id) as VersionRow[]).map((v) => ({
      version: v.version,
      rowCount: v.row_count,
      message: v.message,
      createdBy: v.created_by,
      createdAt: v.created_at,
    }));
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
    const v = this.versionRow(t, version ?? t.current_version);
    return rowsToCsv(JSON.parse(v.columns) as Columns, JSON.parse(v.rows) as LookupRow[]);
  }

  private write(ref: TableRef, opts: WriteOptions, next: (cols: Columns, current: LookupRow[]) => LookupRow[], defaultMessage: string): VersionInfo {
    const now = this.now();
    return this.sqlite
      .transaction(() => {
        const t = this.table(ref);
        if (opts.expectedVersion !== undefined && opts.expectedVersion !== t.current_version) {
          throw new LookupConflictError(
            `lookup table "${t.name}" is at version ${t.current_version}, not ${opts.expectedVersion}: reload and apply the change again`,
            t.current_version,
          );
        }
        const cur = this.versionRow(t, t.current_version);
        const cols = JSON.parse(cur.columns) as Columns;
        const rows = next(cols, JSON.parse(cur.rows) as LookupRow[]);
        const version = t.current_version + 1;
        const message = opts.message ?? defaultMessage;
        this.q.insertVersion.run(t.id, version, cur.columns, JSON.stringify(rows), rows.length, message, opts.by ?? null, now);
        this.q.bump.run(version, now, t.id);
        if (version > this.keepVersions) this.q.pruneVersions.run(t.id, version - this.keepVersions, t.id);
        return { version, rowCount: rows.length, message, createdBy: opts.by ?? null, createdAt: now };
      })
      .immediate();
  }

  private table(ref: TableRef): TableRow {
    const scope = ref.scope ?? SHARED;
    const t = this.q.byRef.get(scope, ref.name) as TableRow | undefined;
    if (!t) throw new LookupNotFoundError(`lookup table "${ref.name}" does not exist in scope "${scope}"`);
    return t;
  }

  private versionRow(t: TableRow, version: number): VersionRow {
    const v = this.q.version.get(t.id, version) as VersionRow | undefined;
    if (!v) throw new LookupNotFoundError(`lookup table "${t.name}" has no version ${version}`);
    return v;
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
    version: t.current_version,
    rowCount,
    keyColumns: cols.keyColumns,
    valueColumns: cols.valueColumns,
    updatedAt: t.updated_at,
  };
}
