/**
 * Run under strace by fsync.test.ts: opens a database file with Tally's own
 * openDb, makes COMMITS commits of the kind a request acknowledges (one row in
 * its own transaction, as every acknowledged change is), and brackets them with two mkdir calls
 * that strace sees, so only the syncs of those commits are counted.
 * argv: DB_PATH MARKER_DIR COMMITS [SYNCHRONOUS to lower it to, for the control run]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createQueries } from '../../db';
import { openDb } from '../../db/connection';
import { migrate } from '../../db/migrate';
import { migrationsDir } from '../../server/paths';

const [dbPath = '', markerDir = '', commitsArg = '0', lowered] = process.argv.slice(2);
const db = openDb(dbPath);
migrate(db, migrationsDir);
if (lowered) db.pragma(`synchronous = ${lowered}`);
const q = createQueries(db);

fs.mkdirSync(path.join(markerDir, 'begin'));
for (let i = 0; i < Number(commitsArg); i++) {
  q.transaction(() => {
    q.audit.record({ userId: null, action: 'fsync-test', entityType: 'test', entityId: null, details: { commit: i } });
  });
  // The commit has returned: this is the moment a request would be answered.
}
fs.mkdirSync(path.join(markerDir, 'end'));
db.close();
