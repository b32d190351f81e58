import type { AddressInfo } from 'node:net';
import { openDb, type Db } from '../db/connection';
import { migrate } from '../db/migrate';
import { createQueries } from '../db';
import { seedIfEmpty } from '../db/seed/load';
import { BACKFILLS_ON_WORKER, createApp } from './app';
import { refreshRollups } from './charts/rollups';
import { ensureFirstAdmin } from './auth/accounts';
import { loadSessionSecret } from './auth/session-secret';
import { ConfigError, loadConfig, type Config } from './config';
import { createHttpServer } from './http-server';
import { createLogger, type Logger } from './logger';
import { migrationsDir } from './paths';
import { startBackfills } from './workflow/feed-backfill';

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Tally cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** On first start, the first admin; a generated password is printed once, never logged. */
async function createFirstAdmin(db: Db, config: Config, logger: Logger): Promise<void> {
  const q = createQueries(db);
  let created;
  try {
    created = await ensureFirstAdmin(q, config);
  } catch (err) {
    // Another process sharing the file may have created it at the same moment.
    if (q.users.count() > 0) return;
    throw err;
  }
  if (!created) return;
  if (created.password === null) {
    logger.info(`first start: created admin "${created.username}" with the password from ADMIN_PASSWORD`);
    return;
  }
  process.stdout.write(
    [
      '',
      '================================================================',
      ' Tally first start: an admin account was created.',
      `   username: ${created.username}`,
      `   password: ${created.password}`,
      ' This password is shown only now. Sign in at /login and keep it',
      ' somewhere safe; `npm run user -- reset-password NAME` sets a new one.',
      '================================================================',
      '',
    ].join('\n') + '\n',
  );
}

/** load config → open db → migrate → seed if empty → first admin → createApp → listen */
export function main(): void {
  const config = loadConfigOrExit();
  const logger = createLogger(config);
  const db = openDb(config.databasePath);
  try {
    const migration = migrate(db, migrationsDir);
    if (migration.applied.length > 0) logger.info({ applied: migration.applied }, `database migrated to schema version ${migration.version}`);
    const seeded = seedIfEmpty(db);
    if (seeded > 0) logger.info(`empty database: loaded the demo dataset (${seeded} figures)`);
    // The chart rollups follow the change feed on the page-view worker; figures written while the
    // server was stopped (an import, a restore, the first start after migration 0018) are taken in
    // before the first reader, so no page waits behind building them.
    const rollups = refreshRollups(createQueries(db));
    if (rollups.series > 0) logger.info(`chart rollups brought up to change-feed position ${rollups.position} (${rollups.series} series)`);
  } catch (err) {
    cannotStart(db, err);
  }
  void createFirstAdmin(db, config, logger).then(
    () => listen(db, config, logger),
    (err: unknown) => cannotStart(db, err),
  );
}

function cannotStart(db: Db, err: unknown): never {
  db.close();
  process.stderr.write(`Tally cannot start. ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function listen(db: Db, config: Config, logger: Logger): void {
  // No hard-coded secret, and none in the database: SESSION_SECRET, or one
  // generated on first start into a 0600 file beside the database.
  let sessionSecret: string;
  try {
    sessionSecret = config.sessionSecret ?? loadSessionSecret(config.databasePath);
  } catch (err) {
    cannotStart(db, err);
  }

  const app = createApp({ db, config: { ...config, sessionSecret }, logger, backfills: true });
  const server = createHttpServer(app);
  // Renames of entries many figures name move those figures in the change feed a chunk at a time
  // (migration 0019), on the page-view worker between views; here only where there is no worker.
  // An unfinished backfill resumes at start.
  const backfills = app.get(BACKFILLS_ON_WORKER) ? null : startBackfills(createQueries(db), (err) => logger.warn({ err }, 'a change-feed backfill step failed; it is tried again'));
  server.listen(config.port, config.host, () => {
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    logger.info(`Tally is listening on http://${host}:${port}/ (database ${config.databasePath})`);
  });
  server.on('error', (err) => {
    process.stderr.write(`Tally cannot listen on ${config.host}:${config.port}: ${err.message}\n`);
    db.close();
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    backfills?.stop();
    logger.info(`${signal} received: closing the server and the database`);
    server.close(() => {
      db.close();
      logger.info('stopped cleanly');
      process.exit(0);
    });
    server.closeIdleConnections();
    // Requests still running after 10 s are cut so the process can stop.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) main();
