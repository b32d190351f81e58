import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './connection';

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: number[];
  version: number;
}

export class MigrationError extends Error {}

/** Reads migrations/NNNN_name.sql in version order; a malformed name or a repeated number is an error. */
export function readMigrations(dir: string): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new MigrationError(`migration file ${file} must be named NNNN_name.sql`);
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2] ?? '',
        sql,
        checksum: crypto.createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]?.version === m.version) {
      throw new MigrationError(`two migrations share version ${m.version}`);
    }
  });
  return migrations;
}

function ensureMigrationsTable(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) STRICT`);
}

/** The schema version of an open database: the highest migration applied, 0 when none. */
export function schemaVersion(db: Db): number {
  ensureMigrationsTable(db);
  const row = db.prepare<[], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations').get();
  return row?.version ?? 0;
}

/**
 * Applies every migration not yet recorded, each in its own transaction.
 * Refuses a database whose schema is newer than these migrations, and one
 * whose applied migration files have since been edited.
 */
export function migrate(db: Db, dir: string): MigrationResult {
  const migrations = readMigrations(dir);
  ensureMigrationsTable(db);
  const known = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > known) {
    throw new MigrationError(
      `the database is at schema version ${current} but this version of Tally knows only up to ${known}: ` +
        'run a newer Tally or restore a backup made by this version',
    );
  }
  const applied = new Map(
    db
      .prepare<[], { version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')
      .all()
      .map((row) => [row.version, row.checksum]),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new MigrationError(
          `migration ${String(migration.version).padStart(4, '0')}_${migration.name} was edited after it was applied: ` +
            'add a new migration instead of changing an applied one',
        );
      }
      continue;
    }
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, migration.checksum);
    })();
    done.push(migration.version);
  }
  return { applied: done, version: schemaVersion(db) };
}
