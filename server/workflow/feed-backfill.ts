/**
 * Backfills of the change feed (migration 0019). A rename of an entry that
 * more than 1,000 public figures name queues a backfill instead of moving
 * them all in the rename's own transaction; this moves them a chunk at a
 * time, each chunk in its own short write transaction at its own new
 * position, and yields to the event loop between chunks, so readers and
 * other writers never wait behind a rename for more than a chunk.
 */
import type { Queries } from '../../db';
import type { BackfillStep } from '../../db/queries/feed-backfills';

/** Figures moved per chunk, and the window of figure ids one chunk looks through. */
export const BACKFILL_CHUNK = { limit: 100, window: 5_000 };

/**
 * Moves one chunk of the oldest waiting backfill; null when none waits. The
 * chunk does not wait for another process's write lock: it fails at once
 * (SQLITE_BUSY) and is tried again.
 */
export function backfillStep(q: Queries, chunk = BACKFILL_CHUNK): BackfillStep | null {
  // A plain read first: the poll that finds nothing waiting never takes the write lock.
  if (q.feedBackfills.pending() === 0) return null;
  return q.transactionWithoutWaiting(() => q.feedBackfills.step(chunk.limit, chunk.window));
}

/** Runs every waiting backfill to its end at once (the command line, and tests). Returns the chunks run. */
export function drainBackfills(q: Queries, chunk = BACKFILL_CHUNK): number {
  let chunks = 0;
  while (backfillStep(q, chunk)) chunks += 1;
  return chunks;
}

export interface BackfillRunner {
  /** Looks for waiting backfills now (after a publish), instead of at the next poll. */
  wake: () => void;
  stop: () => void;
}

/**
 * Runs backfills in the background of a server: one chunk per turn of the
 * event loop while any waits, and a look every `pollMs` for backfills queued
 * by another process or by SQL by hand. The timer does not keep the process alive.
 */
export function startBackfills(q: Queries, onError: (err: unknown) => void, pollMs = 1000, chunk = BACKFILL_CHUNK): BackfillRunner {
  let running = false;
  let stopped = false;
  const turn = (): void => {
    if (stopped) {
      running = false;
      return;
    }
    let step: BackfillStep | null;
    try {
      step = backfillStep(q, chunk);
    } catch (err) {
      // A busy database (another process writing) or a closed one: try again at the next poll.
      running = false;
      onError(err);
      return;
    }
    if (step) setImmediate(turn);
    else running = false;
  };
  const wake = (): void => {
    if (running || stopped) return;
    running = true;
    setImmediate(turn);
  };
  const timer = setInterval(wake, pollMs);
  timer.unref();
  wake();
  return {
    wake,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
