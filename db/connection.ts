import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Owner read and write only: the database holds password hashes and the audit log. */
export const PRIVATE_FILE_MODE = 0o600;

export class FileModeError extends Error {}

/**
 * Creates the file readable and writable by its owner only when it is missing,
 * and takes group and other access away from an existing one. SQLite gives
 * the -wal, -shm and journal files the mode of their database, so those
 * follow.
 *
 * An existing database file is never opened here, only stat'ed and chmod'ed:
 * closing any descriptor of a file drops every POSIX lock the process holds on
 * it, so opening and closing it while another connection of this process is
 * open (the page-view worker opens its own after the main one) would take
 * away that connection's SQLite lock without SQLite knowing. Another process
 * could then believe it is the database's last connection when it closes: the
 * SQLite bundled with better-sqlite3 (3.53) double-checks with the -shm file's
 * locks and does not, but Debian's sqlite3 shell (3.40) then checkpoints and
 * deletes the -wal and -shm files under the server, which goes on with its
 * own copies while the next writer starts new ones: its reads then mix its
 * stale copies with pages the others have since changed ("database disk image
 * is malformed"), and its own writes go to a file no one else reads.
 */
export function makePrivate(filename: string): void {
  try {
    // O_EXCL: created here, so no connection of this process has it open.
    fs.closeSync(fs.openSync(filename, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_RDWR, PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
    let mode: number;
    try {
      mode = fs.statSync(file).mode & 0o777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // no -wal or -shm yet
      throw err;
    }
    if ((mode & 0o077) === 0) continue;
    try {
      fs.chmodSync(file, mode & 0o700);
    } catch (err) {
      throw new FileModeError(`${file} can be read by other users and cannot be made private (${err instanceof Error ? err.message : String(err)}): run chmod 600 on it`);
    }
  }
}

/** How long a write waits for another process's write lock before it fails. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Runs fn in a write transaction that does not wait for the lock: it fails at
 * once (SQLITE_BUSY) if another connection holds it. For background work that
 * is tried again later, such as a chunk of a change-feed backfill, so the
 * event loop never blocks on another process's write for it. (Its commit is
 * synced like any other: a mirror may read it at once.)
 */
export function writeWithoutWaiting<T>(db: Db, fn: () => T): T {
  db.pragma('busy_timeout = 0');
  try {
    return db.transaction(fn).immediate();
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** The page cache of each connection to a database file, in MB (`npm run import` sets its own, larger). */
const PAGE_CACHE_MB = 32;

/**
 * Opens the SQLite database with the settings Tally relies on: WAL so readers
 * never wait for the writer, foreign keys enforced, FULL sync so an
 * acknowledged write survives a power cut, a busy timeout so several
 * processes can share one file, temporary structures in memory, and a
 * 32 MB page cache per connection to a file. A file database is private to
 * its owner (0600).
 */
export function openDb(filename: string): Db {
  if (filename !== ':memory:') {
    fs.mkdirSync(path.dirname(filename), { recursive: true, mode: 0o700 });
    makePrivate(filename);
  }
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Statement journals and sorts stay in memory: with triggers on figures,
  // every write statement opens a statement journal, and as a temporary file
  // that costs more than the write itself.
  db.pragma('temp_store = MEMORY');
  // Each connection keeps up to PAGE_CACHE_MB of pages (taken as pages are read, not at open): with SQLite's
  // 2 MB, a reader of a 100 MB database read most pages from the OS again, one system call each (the load
  // test answered 20 % more requests with 32 MB; decision 0021).
  if (filename !== ':memory:') db.pragma(`cache_size = ${-PAGE_CACHE_MB * 1024}`);
  return db;
}
