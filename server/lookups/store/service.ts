// The lookup-table store: versioned tables in the workspace's store, on either dialect (SQLite file or PostgreSQL
// schema). Hosts pass one instance to the runtime as `services: { lookups }`; nodes reach it as `ctx.lookups` through
// the LookupSource interface, whose reads are asynchronous (a PostgreSQL read cannot be anything else).
import type { Statement } from 'better-sqlite3';
import { and, desc, eq, lte, notInArray, sql } from 'drizzle-orm';
import type { Store } from '../../../runtime/store/db.ts';
import type { SqlDb, SqlStore } from '../../../runtime/store/sql-store.ts';
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
type TableHead = { id: number; scope: string; name: string; current_version: number };
type VersionRow = typeof lookupVersions.$inferSelect;
type LookupTables = { lookupTables: typeof lookupTables; lookupVersions: typeof lookupVersions; lookupUses: typeof lookupUses };

/** What the lookup service needs of the store: its tables, in either dialect. */
export type LookupStore = Pick<Store, 'sql'>;

export class LookupService implements LookupSource {
  private readonly store: SqlStore<LookupTables>;
  private now: () => number;
  private keepVersions: number;
  /**
   * The snapshot last built per table. A published version never changes, so a hit is exact as long as its version is
   * the table's current one, which every `snapshot` call reads first.
   */
  private cache = new Map<number, LookupSnapshot>();
  /** The raw connection on SQLite, for `recordUsesInCommit` (statements inside the runtime's transaction). */
  private readonly sqlite?: Store['sqlite'];
  private useSt?: Statement;
  /** `snapshot`'s two reads on SQLite (the same text as the PostgreSQL path renders). */
  private readonly tableQueries?: { shared: Statement; flow: Statement };

  /**
   * Opens on the runtime's store (`runtime.store`, either dialect; its migrations created the tables). `keepVersions`
   * (default 200) bounds the history per table; versions a recorded run used are kept until that run is pruned.
   */
  constructor(store: LookupStore, opts: { now?: () => number; keepVersions?: number } = {}) {
    this.store = store.sql({ lookupTables, lookupVersions, lookupUses });
    if ((store as Partial<Store>).dialect === 'sqlite') {
      this.sqlite = (store as Store).sqlite;
      const cols = 'SELECT id, scope, name, current_version FROM lookup_tables';
      this.tableQueries = {
        shared: this.sqlite.prepare(`${cols} WHERE scope = ? AND name = ?`),
        flow: this.sqlite.prepare(
          `${cols} WHERE scope = ? AND name = ? UNION ALL ${cols} WHERE scope = ? AND name = ? AND NOT EXISTS (SELECT 1 FROM lookup_tables WHERE scope = ? AND name = ?)`,
        ),
      };
    }
    this.now = opts.now ?? Date.now;
    this.keepVersions = Math.max(1, opts.keepVersions ?? 200);
  }

  private get t() {
    return this.store.tables;
  }

  // ---- LookupSource (the node side) ------------------------------------------------------------------------

  async snapshot(name: string, opts: { flowId?: string } = {}): Promise<LookupSnapshot> {
    // One indexed read per call (the flow's table before the shared one), so edits made by another process are seen
    // by the next lookup. Two index probes that yield one row at most: the shared table only when the flow has none.
    // Choosing by ORDER BY made SQLite sort in a temporary b-tree, ≈ 20 µs a lookup (two per order) against ≈ 3. On
    // SQLite the statements are prepared once (constructor): rendering the query text each call cost as much again.
    const flowId = opts.flowId === undefined || opts.flowId === SHARED ? undefined : opts.flowId;
    const q = this.tableQueries;
    let t: TableHead | undefined;
    if (q) t = (flowId === undefined ? q.shared.get(SHARED, name) : q.flow.get(flowId, name, SHARED, name, flowId, name)) as TableHead | undefined;
    else {
      const cols = sql`SELECT id, scope, name, current_version FROM lookup_tables`;
      const shared = sql`${cols} WHERE scope = ${SHARED} AND name = ${name}`;
      [t] = await this.store.rows<TableHead>(
        flowId === undefined
          ? shared
          : sql`${cols} WHERE scope = ${flowId} AND name = ${name} UNION ALL ${shared}
            AND NOT EXISTS (SELECT 1 FROM lookup_tables WHERE scope = ${flowId} AND name = ${name})`,
      );
    }
    if (!t) throw new LookupNotFoundError(`lookup table "${name}" does not exist${opts.flowId ? ` (neither for flow "${opts.flowId}" nor shared)` : ''}`);
    const version = Number(t.current_version);
    const id = Number(t.id);
    const hit = this.cache.get(id);
    if (hit && hit.version === version) return hit;
    const v = await this.versionOf(this.store.db, id, version);
    if (!v) throw new LookupNotFoundError(`lookup table "${t.name}" has no version ${version}`);
    const snap = buildSnapshot({ id, name: t.name, scope: t.scope, version }, JSON.parse(v.columns) as Columns, JSON.parse(v.rows) as LookupRow[]);
    this.cache.set(id, snap);
    return snap;
  }

  async recordUse(u: LookupUse): Promise<void> {
    const { lookupUses: lu } = this.t;
    await this.store.db
      .insert(lu)
      .values({ runId: u.runId, nodeId: u.nodeId, tableId: u.tableId, version: u.version, usedAt: this.now() })
      .onConflictDoUpdate({ target: [lu.runId, lu.nodeId, lu.tableId], set: { version: sql`excluded.version`, usedAt: sql`excluded.used_at` } });
  }

  /** `recordUse` inside a step's commit (the runtime's); on SQLite one prepared statement, run synchronously. */
  readonly recordUsesInCommit: NonNullable<LookupSource['recordUsesInCommit']> = {
    sqlite: (uses) => {
      if (!uses.length) return;
      const st = this.usesStatement();
      const at = this.now();
      for (const u of uses) st.run(u.runId, u.nodeId, u.tableId, u.version, at);
    },
    pg: async (uses) => {
      for (const u of uses) await this.recordUse(u);
    },
  };

  private usesStatement(): Statement {
    if (!this.sqlite) throw new Error('recordUsesInCommit.sqlite is for the SQLite store');
    return (this.useSt ??= this.sqlite.prepare(
      `INSERT INTO lookup_uses (run_id, node_id, table_id, version, used_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, node_id, table_id) DO UPDATE SET version = excluded.version, used_at = excluded.used_at`,
    ));
  }

  async currentVersion(tableId: number): Promise<number | undefined> {
    const { lookupTables: lt } = this.t;
    const [r] = await this.store.db.select({ v: lt.currentVersion }).from(lt).where(eq(lt.id, tableId));
    return r?.v;
  }

  /** Which table versions each step of a run used. */
  async usesOfRun(runId: string): Promise<Array<{ nodeId: string; tableId: number; scope: string | null; name: string | null; version: number }>> {
    const { lookupTables: lt, lookupUses: lu } = this.t;
    return this.store.db
      .select({ nodeId: lu.nodeId, tableId: lu.tableId, scope: lt.scope, name: lt.name, version: lu.version })
      .from(lu)
      .leftJoin(lt, eq(lt.id, lu.tableId))
      .where(eq(lu.runId, runId))
      .orderBy(lu.nodeId, lt.name);
  }

  // ---- tables ---------------------------------------------------------------------------------------------

  async list(opts: { scope?: string } = {}): Promise<TableSummary[]> {
    const { lookupTables: lt, lookupVersions: lv } = this.t;
    const rows = await this.store.db
      .select({ t: lt, rowCount: lv.rowCount, columns: lv.columns })
      .from(lt)
      .innerJoin(lv, and(eq(lv.tableId, lt.id), eq(lv.version, lt.currentVersion)))
      .where(opts.scope === undefined ? undefined : eq(lt.scope, opts.scope))
      .orderBy(lt.scope, lt.name);
    return rows.map((r) => summary(r.t, JSON.parse(r.columns) as Columns, r.rowCount));
  }

  async get(ref: TableRef): Promise<TableSummary> {
    const t = await this.table(this.store.db, ref);
    const v = await this.versionRow(this.store.db, t, t.currentVersion);
    return summary(t, JSON.parse(v.columns) as Columns, v.rowCount);
  }

  async create(def: TableDefinition, rows: Array<Record<string, unknown>> = [], opts: Omit<WriteOptions, 'expectedVersion'> = {}): Promise<TableSummary> {
    const scope = def.scope ?? SHARED;
    const cols = checkColumns(def.keyColumns, def.valueColumns);
    const clean = checkRows(cols, rows);
    const now = this.now();
    const { lookupTables: lt, lookupVersions: lv } = this.t;
    await this.store.tx(async (tx) => {
      // Two creates at once (PostgreSQL): the second meets the first's row in the unique (scope, name) index.
      const [made] = await tx
        .insert(lt)
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
        .onConflictDoNothing({ target: [lt.scope, lt.name] })
        .returning({ id: lt.id });
      if (!made) throw new LookupConflictError(`lookup table "${def.name}" already exists in scope "${scope}"`);
      await tx.insert(lv).values({
        tableId: made.id,
        version: 1,
        columns: JSON.stringify(cols),
        rows: JSON.stringify(clean),
        rowCount: clean.length,
        message: opts.message ?? 'created',
        createdBy: opts.by ?? null,
        createdAt: now,
      });
    });
    return this.get({ scope, name: def.name });
  }

  /** Title and description only; they are not versioned (they do not change what a run sees). */
  async describe(ref: TableRef, patch: { title?: string; description?: string }): Promise<TableSummary> {
    const t = await this.table(this.store.db, ref);
    const { lookupTables: lt } = this.t;
    await this.store.db
      .update(lt)
      .set({ title: patch.title ?? t.title, description: patch.description ?? t.description, updatedAt: this.now() })
      .where(eq(lt.id, t.id));
    return this.get(ref);
  }

  async delete(ref: TableRef): Promise<void> {
    const t = await this.table(this.store.db, ref);
    const { lookupTables: lt } = this.t;
    await this.store.db.delete(lt).where(eq(lt.id, t.id));
    this.cache.delete(t.id);
  }

  // ---- rows and versions ----------------------------------------------------------------------------------

  async rows(ref: TableRef, version?: number): Promise<{ version: number; rows: LookupRow[] }> {
    const t = await this.table(this.store.db, ref);
    const v = await this.versionRow(this.store.db, t, version ?? t.currentVersion);
    return { version: v.version, rows: JSON.parse(v.rows) as LookupRow[] };
  }

  async versions(ref: TableRef): Promise<VersionInfo[]> {
    const t = await this.table(this.store.db, ref);
    const { lookupVersions: lv } = this.t;
    return this.store.db
      .select({ version: lv.version, rowCount: lv.rowCount, message: lv.message, createdBy: lv.createdBy, createdAt: lv.createdAt })
      .from(lv)
      .where(eq(lv.tableId, t.id))
      .orderBy(desc(lv.version));
  }

  /** Replaces every row: a new version. */
  putRows(ref: TableRef, rows: Array<Record<string, unknown>>, opts: WriteOptions = {}): Promise<VersionInfo> {
    return this.write(ref, opts, (cols) => checkRows(cols, rows), 'rows replaced');
  }

  /** Adds rows, replacing those with the same key: a new version. */
  upsertRows(ref: TableRef, rows: Array<Record<string, unknown>>, opts: WriteOptions = {}): Promise<VersionInfo> {
    return this.write(ref, opts, (cols, current) => merge(cols, current, checkRows(cols, rows)), `${rows.length} row(s) added or changed`);
  }

  /** Removes the rows with these exact keys (key column → value): a new version. Unknown keys are an error. */
  deleteRows(ref: TableRef, keys: Array<Record<string, unknown>>, opts: WriteOptions = {}): Promise<VersionInfo> {
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
  async restore(ref: TableRef, version: number, opts: WriteOptions = {}): Promise<VersionInfo> {
    const old = (await this.rows(ref, version)).rows;
    return this.write(ref, opts, (cols) => checkRows(cols, old), `restored version ${version}`);
  }

  importCsv(ref: TableRef, csv: string, opts: WriteOptions & { mode?: 'replace' | 'merge' } = {}): Promise<VersionInfo> {
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

  async exportCsv(ref: TableRef, version?: number): Promise<string> {
    const t = await this.table(this.store.db, ref);
    const v = await this.versionRow(this.store.db, t, version ?? t.currentVersion);
    return rowsToCsv(JSON.parse(v.columns) as Columns, JSON.parse(v.rows) as LookupRow[]);
  }

  private write(ref: TableRef, opts: WriteOptions, next: (cols: Columns, current: LookupRow[]) => LookupRow[], defaultMessage: string): Promise<VersionInfo> {
    const now = this.now();
    const { lookupTables: lt, lookupVersions: lv, lookupUses: lu } = this.t;
    return this.store.tx(async (tx) => {
      // Locked: two edits at once (PostgreSQL) write versions one after the other, the second on top of the first.
      const t = await this.table(tx, ref, true);
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== t.currentVersion) {
        throw new LookupConflictError(
          `lookup table "${t.name}" is at version ${t.currentVersion}, not ${opts.expectedVersion}: reload and apply the change again`,
          t.currentVersion,
        );
      }
      const cur = await this.versionRow(tx, t, t.currentVersion);
      const cols = JSON.parse(cur.columns) as Columns;
      const rows = next(cols, JSON.parse(cur.rows) as LookupRow[]);
      const version = t.currentVersion + 1;
      const message = opts.message ?? defaultMessage;
      await tx.insert(lv).values({
        tableId: t.id,
        version,
        columns: cur.columns,
        rows: JSON.stringify(rows),
        rowCount: rows.length,
        message,
        createdBy: opts.by ?? null,
        createdAt: now,
      });
      await tx.update(lt).set({ currentVersion: version, updatedAt: now }).where(eq(lt.id, t.id));
      if (version > this.keepVersions) {
        const used = tx.select({ version: lu.version }).from(lu).where(eq(lu.tableId, t.id));
        await tx.delete(lv).where(and(eq(lv.tableId, t.id), lte(lv.version, version - this.keepVersions), notInArray(lv.version, used)));
      }
      return { version, rowCount: rows.length, message, createdBy: opts.by ?? null, createdAt: now };
    });
  }

  private async table(db: SqlDb, ref: TableRef, lock = false): Promise<TableRow> {
    const scope = ref.scope ?? SHARED;
    const { lookupTables: lt } = this.t;
    const q = db
      .select()
      .from(lt)
      .where(and(eq(lt.scope, scope), eq(lt.name, ref.name)));
    const [t] = await (lock ? this.store.forUpdate(q) : q);
    if (!t) throw new LookupNotFoundError(`lookup table "${ref.name}" does not exist in scope "${scope}"`);
    return t;
  }

  private async versionRow(db: SqlDb, t: TableRow, version: number): Promise<VersionRow> {
    const v = await this.versionOf(db, t.id, version);
    if (!v) throw new LookupNotFoundError(`lookup table "${t.name}" has no version ${version}`);
    return v;
  }

  private async versionOf(db: SqlDb, tableId: number, version: number): Promise<VersionRow | undefined> {
    const { lookupVersions: lv } = this.t;
    const [v] = await db
      .select()
      .from(lv)
      .where(and(eq(lv.tableId, tableId), eq(lv.version, version)));
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
    version: t.currentVersion,
    rowCount,
    keyColumns: cols.keyColumns,
    valueColumns: cols.valueColumns,
    updatedAt: t.updatedAt,
  };
}
