/** npm run seed: load the demo dataset into an empty database (DATABASE_PATH or data/tally.db). */
import { openDb } from '../db/connection';
import { migrate } from '../db/migrate';
import { DEMO_DATASET_PATH, isEmpty, loadDataset, readDataset } from '../db/seed/load';
import { ConfigError, loadConfig } from '../server/config';
import { migrationsDir } from '../server/paths';

function run(): number {
  const config = loadConfig();
  const db = openDb(config.databasePath);
  try {
    migrate(db, migrationsDir);
    if (!isEmpty(db)) {
      process.stderr.write(
        `${config.databasePath} already holds data; the demo dataset loads only into an empty database. ` +
          'Point DATABASE_PATH at a new file to load it there.\n',
      );
      return 1;
    }
    const n = loadDataset(db, readDataset(DEMO_DATASET_PATH));
    process.stdout.write(`Loaded the demo dataset into ${config.databasePath}: ${n} figures.\n`);
    return 0;
  } finally {
    db.close();
  }
}

try {
  process.exitCode = run();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
