/**
 * The worker thread of PageViews: computes chart page views on its own
 * connection, each inside one read transaction, so a view is of one data
 * version (WAL readers see a snapshot) and the server's event loop never waits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createQueries } from '../../db';
import { openDb } from '../../db/connection';
import { computePageView } from './page-views';
import type { PageName } from './pages';
import { refreshRollups } from './rollups';

const db = openDb((workerData as { databasePath: string }).databasePath);
const q = createQueries(db);

// Bring the chart rollups up to date at start (after a restart, or the first time over an existing database), before any page asks.
// A failure here is met again, and reported with its page, by the first view computed.
try {
  refreshRollups(q);
} catch {
  // reported by computePageView
}

parentPort?.on('message', (message: { name: PageName; args: unknown }) => {
  try {
    const { version, value } = computePageView(q, message.name, message.args as never);
    parentPort?.postMessage({ version, value });
  } catch (err) {
    parentPort?.postMessage({ version: 0, error: err instanceof Error ? err.message : String(err) });
  }
});
