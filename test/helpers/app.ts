import type { Express } from 'express';
import { openDb, type Db } from '../../db/connection';
import { createQueries, type Queries } from '../../db';
import { migrate } from '../../db/migrate';
import { seedIfEmpty } from '../../db/seed/load';
import { createApp } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import { createLogger } from '../../server/logger';
import { migrationsDir } from '../../server/paths';

export interface TestApp {
  app: Express;
  db: Db;
  q: Queries;
  config: Config;
}

/** A fresh in-memory database, migrated and migrated only. */
export function createTestDb(): Db {
  const db = openDb(':memory:');
  migrate(db, migrationsDir);
  return db;
}

/** An app on its own fresh in-memory database; seeded with the demo dataset unless told otherwise. */
export function createTestApp(options: { seed?: boolean; env?: NodeJS.ProcessEnv } = {}): TestApp {
  const db = createTestDb();
  if (options.seed !== false) seedIfEmpty(db);
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_PATH: ':memory:', ...options.env }),
    sessionSecret: 'test-session-secret-of-at-least-32-characters',
  };
  const app = createApp({ db, config, logger: createLogger(config) });
  return { app, db, q: createQueries(db), config };
}
