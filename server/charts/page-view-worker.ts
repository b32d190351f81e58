/**
 * The worker thread of PageViews: computes chart page views on its own
 * connection, each inside one read transaction, so a view is of one data
 * version (WAL readers see a snapshot) and the server's event loop never waits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createQueries } from '../../db';
import { openDb } from '../../db/connection';
import type { Language } from '../i18n';
import { computePageView } from './page-views';
import type { PageName } from './pages';
import { drawCharts, translatedNames } from './prerender';
import { refreshRollups } from './rollups';
import { startBackfills } from '../workflow/feed-backfill';

const { databasePath, cacheTemplates, runBackfills } = workerData as { databasePath: string; cacheTemplates: boolean; runBackfills: boolean };
const db = openDb(databasePath);
const q = createQueries(db);

const nameOf = translatedNames(q);

// Bring the chart rollups up to date at start (after a restart, or the first time over an existing database), before any page asks.
// A failure here is met again, and reported with its page, by the first view computed.
try {
  refreshRollups(q);
} catch {
  // reported by computePageView
}

// The server's own connection leaves WAL checkpoints to this thread (server/app.ts): copying the
// log back into the database never holds the event loop. PASSIVE: it never waits for a reader or writer.
const CHECKPOINT_EVERY_MS = 1000;
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy: the next one will do it
  }
}, CHECKPOINT_EVERY_MS).unref();

// Renames of entries many figures name move those figures in the change feed a chunk at a time (migration 0019):
// here, between views, so a chunk's commit (and its fsync) never holds the server's event loop. An unfinished
// backfill resumes when the worker starts.
if (runBackfills) {
  startBackfills(q, (err) => parentPort?.postMessage({ warning: `a change-feed backfill step failed; it is tried again: ${err instanceof Error ? err.message : String(err)}` }));
}

parentPort?.on('message', (message: { name: PageName; args: unknown; langs: Language[] }) => {
  try {
    const { version, value } = computePageView(q, message.name, message.args as never);
    // The charts as HTML in the languages readers asked this page in: the server writes them out as they are.
    drawCharts(value, message.langs, nameOf, cacheTemplates);
    parentPort?.postMessage({ version, value });
  } catch (err) {
    parentPort?.postMessage({ version: 0, error: err instanceof Error ? err.message : String(err) });
  }
});
