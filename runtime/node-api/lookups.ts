// The lookup-table contract, part of the node API: what nodes read as `ctx.lookups` (server/lookups/store implements
// it). Declared here so nodes depend on the node API only, and the runtime's store on nothing in nodes/.

export interface LookupKeyColumn {
  name: string;
  /** `text`: exact after trimming; `ci`: case-insensitive; `decimal`: numeric ("0.2" = "0.20"); `id`: Shopify GID or its number. */
  match: 'text' | 'ci' | 'decimal' | 'id';
  /** An optional key column may be left empty in a row: that row then matches any value there (less specific rows lose). */
  optional: boolean;
}

export type LookupRow = Record<string, string>;

/** One version of one table, ready to query. */
export interface LookupSnapshot {
  id: number;
  name: string;
  /** `shared` or the flow id that owns the table. */
  scope: string;
  version: number;
  keyColumns: LookupKeyColumn[];
  valueColumns: string[];
  /** The most specific row matching the key (values by key column name), or undefined. */
  find(key: Record<string, unknown>): LookupRow | undefined;
}

export interface LookupUse {
  runId: string;
  nodeId: string;
  tableId: number;
  version: number;
}

/**
 * Asynchronous: the tables live in the workspace's store, which may be PostgreSQL. A node opens each table once per
 * step (`await snapshot(...)`) and then queries the snapshot synchronously (`find`), as often as it likes.
 */
export interface LookupSource {
  /** The current version of a table; a table of the flow wins over a shared one. No such table: rejects with an Error named `LookupNotFoundError`. */
  snapshot(name: string, opts?: { flowId?: string }): Promise<LookupSnapshot>;
  /** Records which version a run used (so a replay after an edit shows which rows it saw). */
  recordUse?(use: LookupUse): Promise<void>;
  /**
   * The same writes made inside a step's commit transaction: `sqlite` synchronous statements (inside Store.exclusive),
   * `pg` awaited inside the open transaction. Where a source has them, the runtime keeps the uses a step records and
   * writes them with that step's row, when it lands (not for a step that failed), instead of a commit per use.
   */
  recordUsesInCommit?: { sqlite(uses: readonly LookupUse[]): void; pg(uses: readonly LookupUse[]): Promise<void> };
  /** The current version of the table with this id, or undefined when there is none: a replay re-runs steps that read an older one. */
  currentVersion?(tableId: number): Promise<number | undefined>;
}
