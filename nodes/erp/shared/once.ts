/**
 * Loads each reference list (warehouses, tax codes, accounts...) once per connector and shares the promise with
 * concurrent callers; a failed load is forgotten so the next call tries again.
 */
export class OnceCache {
  private cache = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }

  /** Reads `key` afresh at its next use (a list that may have grown since). */
  forget(key: string): void {
    this.cache.delete(key);
  }

  clear(): void {
    this.cache.clear();
  }
}
