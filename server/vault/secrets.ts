// Named server secrets (per-flow webhook secrets, the sandbox shop's webhook secret), vault-encrypted at rest.
import { eq } from 'drizzle-orm';
import type { Store } from '../../runtime/store/db.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
import { secrets } from '../db/schema.ts';
import type { Vault } from './vault.ts';

type SecretTables = { secrets: typeof secrets };

export class SecretStore {
  private cache = new Map<string, string | null>();
  private readonly store: SqlStore<SecretTables>;
  private listeners: Array<() => Promise<void>> = [];
  // Moved at the start and end of every write, so a read that overlapped one does not cache what it read.
  private writes = 0;
  generation = 0;

  constructor(
    store: Pick<Store, 'sql'>,
    private vault: Vault,
    private now: () => number = Date.now,
  ) {
    this.store = store.sql({ secrets });
  }

  /**
   * `fn` runs after every change that adds a secret value, and the change is not done until it has: the output
   * scrubber reloads there, so no value can leave the server before the scrubber knows it.
   */
  onChange(fn: () => Promise<void>): void {
    this.listeners.push(fn);
  }

  async get(name: string): Promise<string | undefined> {
    if (this.cache.has(name)) return this.cache.get(name) ?? undefined;
    const { secrets: s } = this.store.tables;
    const before = this.writes;
    const [r] = await this.store.db.select().from(s).where(eq(s.name, name));
    const v = r ? this.vault.decrypt(r.value) : null;
    if (this.writes === before) this.cache.set(name, v);
    return v ?? undefined;
  }

  async set(name: string, value: string): Promise<void> {
    const { secrets: s } = this.store.tables;
    const blob = this.vault.encrypt(value);
    this.writes++;
    await this.store.db
      .insert(s)
      .values({ name, value: blob, updatedAt: this.now() })
      .onConflictDoUpdate({ target: s.name, set: { value: blob, updatedAt: this.now() } });
    this.writes++;
    this.cache.set(name, value);
    this.generation++;
    for (const fn of this.listeners) await fn();
  }

  async delete(name: string): Promise<void> {
    const { secrets: s } = this.store.tables;
    this.writes++;
    await this.store.db.delete(s).where(eq(s.name, name));
    this.writes++;
    this.cache.delete(name);
  }

  /** All values, for scrubbing outputs. */
  async values(): Promise<string[]> {
    const { secrets: s } = this.store.tables;
    const rows = await this.store.db.select().from(s);
    return rows.map((r) => this.vault.decrypt(r.value));
  }

  /** Forgets cached plaintexts (after a vault rotation). */
  reset() {
    this.cache.clear();
  }
}
