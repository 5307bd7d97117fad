// Per-flow key/value state whose writes land together with the step that made them.
import type { Store } from './store/db.ts';
import type { FlowState } from './node-api.ts';

export class StepState implements FlowState {
  private pending = new Map<string, string>();

  constructor(
    private store: Store,
    private flowId: string,
  ) {}

  get<T = unknown>(key: string): T | undefined {
    const staged = this.pending.get(key);
    if (staged !== undefined) return JSON.parse(staged) as T;
    // Raw statements inside the per-step commit transaction: bench/order-to-erp.ts (bench/README.md "Order to ERP", "per-step commit").
    const row = this.store.sqlite.prepare(`SELECT value FROM flow_state WHERE flow_id = ? AND key = ?`).get(this.flowId, key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** The step wrote something that lands with its commit. */
  get staged(): boolean {
    return this.pending.size > 0;
  }

  set(key: string, value: unknown): void {
    this.pending.set(key, JSON.stringify(value ?? null));
  }

  /** Called inside the step's success transaction. */
  commit(): void {
    if (!this.pending.size) return;
    // Raw, as read() above: part of the per-step commit (bench/README.md "Order to ERP", "per-step commit").
    const stmt = this.store.sqlite.prepare(
      `INSERT INTO flow_state (flow_id, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (flow_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    for (const [k, v] of this.pending) stmt.run(this.flowId, k, v, Date.now());
  }
}
