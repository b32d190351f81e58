import type { Db } from '../connection';

export type BackfillKind = 'source' | 'indicator' | 'location' | 'location_tree';

export interface BackfillRow {
  id: number;
  entity_type: BackfillKind;
  entity_id: number;
  after_figure_id: number;
  queued_at: string;
  done_at: string | null;
}

/** One chunk of a backfill: how many figures took the new position, and whether the backfill is done. */
export interface BackfillStep {
  backfill: BackfillRow;
  position: number;
  moved: number;
  done: boolean;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * Figures of one backfill, in id order from `after` within a window of ids,
 * at most `limit`. The "+" keeps SQLite walking the table in id order (a
 * bounded range of the primary key) instead of collecting every figure of
 * the entry through its index and sorting them.
 */
const MATCH: Record<BackfillKind, string> = {
  source: '+source_id = @entity',
  indicator: '+indicator_id = @entity',
  location: '+location_id = @entity',
  location_tree:
    '+location_id IN (WITH RECURSIVE tree(id) AS (SELECT @entity UNION SELECT l.id FROM locations l JOIN tree t ON l.parent_id = t.id) SELECT id FROM tree)',
};

/**
 * Backfills of the change feed (migration 0019): the public figures of an
 * entry renamed while more than 1,000 of them name it, moved to new
 * positions a chunk at a time.
 */
export function feedBackfillQueries(db: Db) {
  const next = db.prepare<[], BackfillRow>('SELECT * FROM feed_backfills WHERE done_at IS NULL ORDER BY id LIMIT 1');
  const advance = db.prepare<[], { position: number }>(`UPDATE change_feed SET position = position + 1, changed_at = ${NOW} WHERE id = 1 RETURNING position`);
  const current = db.prepare<[], { position: number }>('SELECT position FROM change_feed WHERE id = 1');
  const moves = Object.fromEntries(
    (Object.keys(MATCH) as BackfillKind[]).map((kind) => [
      kind,
      db.prepare<{ entity: number; after: number; until: number; limit: number; position: number }, { id: number }>(
        `UPDATE figures SET sync_seq = @position, updated_at = ${NOW}
         WHERE id IN (SELECT id FROM figures WHERE id > @after AND id <= @until AND ${MATCH[kind]} AND sync_seq IS NOT NULL ORDER BY id LIMIT @limit)
         RETURNING id`,
      ),
    ]),
  ) as Record<BackfillKind, ReturnType<typeof db.prepare<{ entity: number; after: number; until: number; limit: number; position: number }, { id: number }>>>;
  const lastFigure = db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM figures');
  const progress = db.prepare<[number, number]>('UPDATE feed_backfills SET after_figure_id = ? WHERE id = ?');
  const finish = db.prepare<[number, number]>(`UPDATE feed_backfills SET after_figure_id = ?, done_at = ${NOW} WHERE id = ?`);
  const pending = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM feed_backfills WHERE done_at IS NULL');

  return {
    pending(): number {
      return pending.get()?.n ?? 0;
    },

    /**
     * Moves the next chunk of the oldest waiting backfill: at most `limit`
     * figures among the next `window` ids take one new position. Call inside
     * a write transaction. Null when nothing waits.
     */
    step(limit: number, window: number): BackfillStep | null {
      const backfill = next.get();
      if (!backfill) return null;
      const feed = current.get()?.position;
      if (feed === undefined) throw new Error('change_feed row is missing');
      // The chunk's figures take the next position, which is handed out only if any moved.
      const position = feed + 1;
      const last = lastFigure.get()?.id ?? 0;
      const until = Math.min(last, backfill.after_figure_id + window);
      const moved = moves[backfill.entity_type].all({ entity: backfill.entity_id, after: backfill.after_figure_id, until, limit, position });
      if (moved.length > 0 && advance.get()?.position !== position) throw new Error('the change feed moved during a backfill step');
      // A full chunk stops at its last figure; a short one has seen the whole window.
      const reached = moved.length === limit ? Math.max(...moved.map((r) => r.id)) : until;
      const done = reached >= last;
      if (done) finish.run(reached, backfill.id);
      else progress.run(reached, backfill.id);
      return { backfill, position, moved: moved.length, done };
    },
  };
}

export type FeedBackfillQueries = ReturnType<typeof feedBackfillQueries>;
