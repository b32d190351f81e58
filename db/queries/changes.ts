import crypto from 'node:crypto';
import type { Db } from '../connection';

/** Where the feed stands: the last position handed out, and which database it belongs to. */
export interface FeedPosition {
  position: number;
  databaseId: string;
}

/**
 * The change feed (migration 0006): one ordered position per change to what
 * published rows say, recorded on each figure it touched as sync_seq by
 * triggers in the transaction that makes the change.
 */
export function changeQueries(db: Db) {
  const current = db.prepare<[], { position: number; database_id: string }>('SELECT position, database_id FROM change_feed WHERE id = 1');
  const setIdentity = db.prepare<[string]>('UPDATE change_feed SET database_id = ? WHERE id = 1');
  const advance = db.prepare<[], { position: number }>(
    "UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1 RETURNING position",
  );

  return {
    current(): FeedPosition {
      const row = current.get();
      if (!row) throw new Error('change_feed row is missing');
      return { position: row.position, databaseId: row.database_id };
    },

    /**
     * Takes the next position for a batch of figures written together (an
     * import inserts them all at it instead of one trigger-taken position each).
     * Call inside the transaction that writes them.
     */
    advance(): number {
      const row = advance.get();
      if (!row) throw new Error('change_feed row is missing');
      return row.position;
    },

    /**
     * Gives the database a new identity: tokens handed out before (by the
     * database this one was restored from) are then refused with 410.
     */
    renewIdentity(): string {
      const id = crypto.randomBytes(16).toString('hex');
      setIdentity.run(id);
      return id;
    },
  };
}

export type ChangeQueries = ReturnType<typeof changeQueries>;
