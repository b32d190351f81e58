import type { Db } from '../connection';

/** How each import file was read (migration 0011), kept apart from the importer's own statements. */
export function importFileQueries(db: Db) {
  const set = db.prepare<[string, number]>('UPDATE import_batches SET read_as = ? WHERE id = ?');
  const get = db.prepare<[number], { read_as: string | null }>('SELECT read_as FROM import_batches WHERE id = ?');
  return {
    setReadAs: (batchId: number, readAs: object): void => void set.run(JSON.stringify(readAs), batchId),
    /** The stored description, parsed; null for a batch staged before it was kept. */
    getReadAs: (batchId: number): unknown => {
      const raw = get.get(batchId)?.read_as;
      return raw ? (JSON.parse(raw) as unknown) : null;
    },
  };
}
