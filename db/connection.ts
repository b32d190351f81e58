import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the SQLite database with the settings Tally relies on: WAL so readers
 * never wait for the writer, foreign keys enforced, FULL sync so an
 * acknowledged write survives a power cut, a busy timeout so several
 * processes can share one file, and temporary structures in memory.
 */
export function openDb(filename: string): Db {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Statement journals and sorts stay in memory: with triggers on figures,
  // every write statement opens a statement journal, and as a temporary file
  // that costs more than the write itself.
  db.pragma('temp_store = MEMORY');
  return db;
}
