import type { Db } from '../connection';

/** How each import file was read (migration 0011), kept apart from the importer's own statements. */
export function importFileQueries(db: Db) {
  const set = db.prepare<[string, number]>('UPDATE import_batches SET read_as = ? WHERE id = ?');
  const get = db.prepare<[number], { read_as: string | null }>('SELECT read_as FROM import_batches WHERE id = ?');
  const setReason = db.prepare<[string, number]>('UPDATE import_batches SET publish_reason = ? WHERE id = ?');
  const getReason = db.prepare<[number], { publish_reason: string | null }>('SELECT publish_reason FROM import_batches WHERE id = ?');
  return {
    setPublishReason: (batchId: number, reason: string): void => void setReason.run(reason, batchId),
    getPublishReason: (batchId: number): string | null => getReason.get(batchId)?.publish_reason ?? null,
    setReadAs: (batchId: number, readAs: object): void => void set.run(JSON.stringify(readAs), batchId),
    /** The stored description, parsed; null for a batch staged before it was kept. */
    getReadAs: (batchId: number): unknown => {
      const raw = get.get(batchId)?.read_as;
      return raw ? (JSON.parse(raw) as unknown) : null;
    },
  };
}
