import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Db } from './connection';
import { PRIVATE_FILE_MODE, openDb } from './connection';
import { MigrationError, readMigrations, schemaVersion } from './migrate';
import { changeQueries } from './queries/changes';

export interface DatabaseSummary {
  schemaVersion: number;
  figures: number;
  revisions: number;
}

export class BackupError extends Error {}

function summarise(db: Db): DatabaseSummary {
  const count = (table: string): number => db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? 0;
  return { schemaVersion: schemaVersion(db), figures: count('figures'), revisions: count('figure_revisions') };
}

function checkIntegrity(db: Db, what: string): void {
  const result = db.pragma('integrity_check', { simple: true });
  if (result !== 'ok') throw new BackupError(`${what} failed its integrity check: ${String(result)}`);
}

/** Creates an empty file only its owner may read, or refuses when one exists: SQLite then writes into it. */
function createPrivate(targetPath: string, what: string): void {
  try {
    fs.closeSync(fs.openSync(targetPath, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${targetPath} already exists: choose a new file name for ${what}`);
    throw err;
  }
}

/**
 * What a backup must not carry: sessions (hashed, but still nobody's business
 * once copied) and a session secret left by an old version. Deleted with
 * secure_delete so their bytes are overwritten, and the copy is left as one
 * self-contained file (rollback journal, no -wal beside it).
 */
function dropSecrets(copy: Db): void {
  copy.pragma('secure_delete = ON');
  const has = (table: string): boolean =>
    copy.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)?.n === 1;
  copy.transaction(() => {
    if (has('sessions')) copy.exec('DELETE FROM sessions');
    if (has('settings')) copy.exec("DELETE FROM settings WHERE key = 'session_secret'");
  })();
  copy.pragma('journal_mode = DELETE');
}

/**
 * Takes an online, consistent copy of a live database with SQLite's backup
 * API: the server may keep serving and writing meanwhile. The copy is private
 * to its owner (0600), holds no session, and is checked before it is reported.
 */
export async function backupDatabase(sourcePath: string, targetPath: string): Promise<DatabaseSummary> {
  if (!fs.existsSync(sourcePath)) throw new BackupError(`there is no database at ${sourcePath}`);
  createPrivate(targetPath, 'the backup');
  const source = openDb(sourcePath);
  try {
    // After a first small step, copy everything that is left in one step: a
    // writer on another connection restarts a backup between steps, so small
    // steps under steady writes might never finish. One step holds only a WAL
    // read snapshot, which never blocks writers.
    await source.backup(targetPath, { progress: ({ totalPages }) => Math.max(totalPages, 1) });
  } finally {
    source.close();
  }
  const copy = new Database(targetPath);
  try {
    dropSecrets(copy);
    checkIntegrity(copy, 'the backup');
    return summarise(copy);
  } finally {
    copy.close();
  }
}

/**
 * Puts a backup in place of the database at targetPath. Refuses a damaged
 * backup, one whose schema is newer than this Tally, and a database that a
 * running server still has open.
 */
export async function restoreDatabase(backupPath: string, targetPath: string, migrationsDir: string): Promise<DatabaseSummary> {
  if (!fs.existsSync(backupPath)) throw new BackupError(`there is no backup at ${backupPath}`);
  const backup = new Database(backupPath, { readonly: true, fileMustExist: true });
  try {
    checkIntegrity(backup, 'the backup');
    const known = readMigrations(migrationsDir).at(-1)?.version ?? 0;
    const version = schemaVersion(backup);
    if (version > known) {
      throw new MigrationError(`the backup is at schema version ${version} but this Tally knows only up to ${known}: restore it with a newer Tally`);
    }
    if (fs.existsSync(targetPath)) {
      // Leaving WAL mode needs every other connection closed: if a server still has the file open, this fails.
      const target = new Database(targetPath, { timeout: 0 });
      try {
        const mode = target.pragma('journal_mode = DELETE', { simple: true });
        if (mode !== 'delete') throw new BackupError('the database is still open in another process');
      } catch (err) {
        throw new BackupError(`${targetPath} is in use (${err instanceof Error ? err.message : String(err)}): stop Tally before restoring`);
      } finally {
        target.close();
      }
    }
    if (!fs.existsSync(targetPath)) createPrivate(targetPath, 'the restored database');
    await backup.backup(targetPath);
  } finally {
    backup.close();
  }
  const restored = openDb(targetPath);
  try {
    checkIntegrity(restored, 'the restored database');
    // The restored file is not the database its backup was taken from (which
    // went on changing): a new identity makes mirrors' sync tokens from the
    // old one answer 410, so they pull in full instead of drifting.
    const hasFeed = restored.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'change_feed'").get()?.n === 1;
    if (hasFeed) changeQueries(restored).renewIdentity();
    return summarise(restored);
  } finally {
    restored.close();
  }
}
