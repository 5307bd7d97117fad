// Named server secrets (per-flow webhook secrets, the sandbox shop's webhook secret), vault-encrypted at rest.
import { eq } from 'drizzle-orm';
import type { ServerDb } from '../db/db.ts';
import { secrets } from '../db/schema.ts';
import type { Vault } from './vault.ts';

export class SecretStore {
  private cache = new Map<string, string | null>();
  generation = 0;

  constructor(
    private db: ServerDb,
    private vault: Vault,
    private now: () => number = Date.now,
  ) {}

  get(name: string): string | undefined {
    if (this.cache.has(name)) return this.cache.get(name) ?? undefined;
    const r = this.db.select().from(secrets).where(eq(secrets.name, name)).get();
    const v = r ? this.vault.decrypt(r.value) : null;
    this.cache.set(name, v);
    return v ?? undefined;
  }

  set(name: string, value: string): void {
    const blob = this.vault.encrypt(value);
    this.db
      .insert(secrets)
      .values({ name, value: blob, updatedAt: this.now() })
      .onConflictDoUpdate({ target: secrets.name, set: { value: blob, updatedAt: this.now() } })
      .run();
    this.cache.set(name, value);
    this.generation++;
  }

  delete(name: string): void {
    this.db.delete(secrets).where(eq(secrets.name, name)).run();
    this.cache.delete(name);
  }

  /** All values, for scrubbing outputs. */
  values(): string[] {
    return this.db
      .select()
      .from(secrets)
      .all()
      .map((r) => this.vault.decrypt(r.value));
  }

  /** Forgets cached plaintexts (after a vault rotation). */
  reset() {
    this.cache.clear();
  }
}
