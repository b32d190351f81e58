import crypto from 'node:crypto';
import type { Db } from '../connection';

/** Where the feed stands: the last position handed out, and which database it belongs to. */
export interface FeedPosition {
  position: number;
  databaseId: string;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * The change feed (migration 0006): one ordered position per change to what
 * published rows say, recorded on each figure it touched as sync_seq. Call
 * the writers inside the transaction that makes the change, so a position
 * never names a change that did not commit.
 */
export function changeQueries(db: Db) {
  const current = db.prepare<[], { position: number; database_id: string }>('SELECT position, database_id FROM change_feed WHERE id = 1');
  const advance = db.prepare<[], { position: number }>(
    `UPDATE change_feed SET position = position + 1, changed_at = ${NOW} WHERE id = 1 RETURNING position`,
  );
  // A rename changes every public row that names the thing: each moves to the
  // new position, and its updated_at moves too, so `updated_since` pulls see it.
  // Drafts were never public (sync_seq IS NULL) and are left alone.
  const renamed = (column: string) =>
    db.prepare<[number, number]>(
      `UPDATE figures SET sync_seq = ?, updated_at = ${NOW} WHERE ${column} = ? AND sync_seq IS NOT NULL`,
    );
  const markIndicator = renamed('indicator_id');
  const markLocation = renamed('location_id');
  const markSource = renamed('source_id');
  const setIdentity = db.prepare<[string]>('UPDATE change_feed SET database_id = ? WHERE id = 1');

  function next(): number {
    const row = advance.get();
    if (!row) throw new Error('change_feed row is missing');
    return row.position;
  }

  return {
    current(): FeedPosition {
      const row = current.get();
      if (!row) throw new Error('change_feed row is missing');
      return { position: row.position, databaseId: row.database_id };
    },

    /** Every public row naming the indicator, place or source changed with its name. Returns how many. */
    recordRename(kind: 'indicator' | 'location' | 'source', id: number): number {
      const position = next();
      const stmt = kind === 'indicator' ? markIndicator : kind === 'location' ? markLocation : markSource;
      return stmt.run(position, id).changes;
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
