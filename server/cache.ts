/**
 * Keeps what a page computed from the data (its charts, headlines, lists),
 * keyed by the page's normalised query and the data version. Any publish,
 * edit, retire or import moves the version (triggers in the database), so an
 * entry can never be served after the data it came from has changed.
 * Least recently used entries go first.
 */
export class DataVersionCache {
  private readonly entries = new Map<string, { version: number; value: unknown }>();

  constructor(private readonly maxEntries = 64) {}

  get<T>(key: string, version: number, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      // Move to the back: most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as T;
    }
    const value = compute();
    this.entries.delete(key);
    this.entries.set(key, { version, value });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
