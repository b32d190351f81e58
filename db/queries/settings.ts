import type { Db } from '../connection';

export function settingQueries(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const insert = db.prepare<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?)');
  return {
    get: (key: string): string | undefined => get.get(key)?.value,
    /** Keeps the first value ever stored under key and returns it (safe when two processes race). */
    getOrCreate(key: string, make: () => string): string {
      return db.transaction(() => {
        const existing = get.get(key);
        if (existing) return existing.value;
        const value = make();
        insert.run(key, value);
        return value;
      }).immediate();
    },
  };
}
