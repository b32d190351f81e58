import { writeWithoutWaiting, type Db } from './connection';
import { auditQueries } from './queries/audit';
import { catalogueChangeQueries } from './queries/catalogue-changes';
import { changeQueries } from './queries/changes';
import { checkQueries } from './queries/checks';
import { chartQueries } from './queries/charts';
import { exportQueries } from './queries/export';
import { feedBackfillQueries } from './queries/feed-backfills';
import { figureEditQueries } from './queries/figure-edits';
import { figureQueries } from './queries/figures';
import { importFileQueries } from './queries/import-files';
import { bulkFigureQueries, importBatchQueries, importQueries } from './queries/imports';
import { indicatorQueries } from './queries/indicators';
import { locationQueries } from './queries/locations';
import { rollupQueries } from './queries/rollups';
import { settingQueries } from './queries/settings';
import { sourceQueries } from './queries/sources';
import { staffFigureQueries } from './queries/staff-figures';
import { topicQueries } from './queries/topics';
import { translatedNameQueries } from './queries/translated-names';
import { userQueries } from './queries/users';

/** Runs of a transaction whose read snapshot another connection's commit made stale, before its error stands. */
const SNAPSHOT_ATTEMPTS = 3;
const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);

/** Every query module, prepared once against one connection. */
export function createQueries(db: Db) {
  const version = db.prepare<[], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  let bulk: ReturnType<typeof bulkFigureQueries> | undefined;
  const rollups = rollupQueries(db);
  return {
    audit: auditQueries(db),
    catalogueChanges: catalogueChangeQueries(db),
    changes: changeQueries(db),
    checks: checkQueries(db),
    charts: chartQueries(db),
    exports: exportQueries(db, rollups),
    feedBackfills: feedBackfillQueries(db),
    figures: figureQueries(db),
    figureEdits: figureEditQueries(db),
    imports: importQueries(db),
    /** An import's set-wise figure writes; prepared on first use (it creates a temporary table). */
    bulkFigures: (): ReturnType<typeof bulkFigureQueries> => (bulk ??= bulkFigureQueries(db)),
    importBatches: importBatchQueries(db),
    importFiles: importFileQueries(db),
    indicators: indicatorQueries(db),
    locations: locationQueries(db),
    rollups,
    sources: sourceQueries(db),
    staffFigures: staffFigureQueries(db),
    topics: topicQueries(db),
    translatedNames: translatedNameQueries(db),
    settings: settingQueries(db),
    users: userQueries(db),
    schemaVersion: (): number => version.get()?.version ?? 0,
    /**
     * Runs fn in one transaction (nested calls become savepoints); fn must not be async and must
     * only touch the database: a transaction that read before another connection committed
     * cannot write (SQLite answers SQLITE_BUSY at once, whatever the busy timeout), and is then
     * rolled back and run again from the start, taking the write lock first (BEGIN IMMEDIATE,
     * which waits for another writer within the busy timeout), so no snapshot can go stale again.
     */
    transaction: <T>(fn: () => T): T => {
      const outermost = !db.inTransaction;
      for (let attempt = 1; ; attempt++) {
        try {
          return attempt === 1 ? db.transaction(fn)() : db.transaction(fn).immediate();
        } catch (err) {
          if (!outermost || attempt >= SNAPSHOT_ATTEMPTS || !BUSY.has(String((err as { code?: unknown }).code))) throw err;
        }
      }
    },
    /**
     * Runs fn, which only reads, in one read transaction (BEGIN DEFERRED, never upgraded, never run
     * again: fn may keep what it reads in JavaScript): its reads see one snapshot, and the locks a
     * statement outside a transaction takes and drops are taken once.
     */
    readTransaction: <T>(fn: () => T): T => db.transaction(fn).deferred(),
    /** As transaction, taking the write lock at once (BEGIN IMMEDIATE): for long writes that read first. */
    immediateTransaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    /** As immediateTransaction, but failing at once (SQLITE_BUSY) if another process holds the write lock: for background work tried again later. */
    transactionWithoutWaiting: <T>(fn: () => T): T => writeWithoutWaiting(db, fn),
  };
}

export type Queries = ReturnType<typeof createQueries>;
