/**
 * The worker thread of PageViews: computes chart page views on its own
 * connection, each inside one read transaction, so a view is of one data
 * version (WAL readers see a snapshot) and the server's event loop never waits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createQueries } from '../../db';
import { openDb } from '../../db/connection';
import { PAGE_BUILDERS, type PageName } from './pages';

const db = openDb((workerData as { databasePath: string }).databasePath);
const q = createQueries(db);

parentPort?.on('message', (message: { name: PageName; args: unknown }) => {
  try {
    const build = PAGE_BUILDERS[message.name] as (queries: typeof q, args: unknown) => unknown;
    let version = 0;
    let value: unknown;
    db.transaction(() => {
      version = q.exports.dataVersion().version;
      value = build(q, message.args);
    })();
    parentPort?.postMessage({ version, value });
  } catch (err) {
    parentPort?.postMessage({ version: 0, error: err instanceof Error ? err.message : String(err) });
  }
});
