import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../../db/connection';

// A connection opened while another of the same process is open (the server's
// page-view worker opens its own after the main one) must leave the first
// one's SQLite locks in place: closing any descriptor of the database file
// drops every POSIX lock the process holds on it.

const made: string[] = [];
const open: Db[] = [];
function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-locks-'));
  made.push(dir);
  return path.join(dir, 'tally.db');
}
function connect(file: string): Db {
  const db = openDb(file);
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** The POSIX locks this process holds on the file, as Linux lists them. */
function ourLocks(file: string): string[] {
  const { ino } = fs.statSync(file);
  // Lines read "1: POSIX  ADVISORY  READ <pid> <major>:<minor>:<inode> <start> <end>".
  return fs
    .readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .filter((line) => line.includes(' POSIX ') && line.includes(` ${process.pid} `) && line.includes(`:${ino} `));
}

const linux = fs.existsSync('/proc/locks');
(linux ? test : test.skip)('opening a second connection keeps the first connection’s lock on the database file', () => {
  const file = tempDb();
  const main = connect(file);
  main.exec('CREATE TABLE t (x INTEGER)');
  const before = ourLocks(file);
  expect(before).not.toEqual([]); // SQLite's shared lock, held as long as a WAL connection is open
  connect(file);
  expect(ourLocks(file)).toEqual(before);
});

// Debian's sqlite3 shell (3.40) trusts that lock alone when it closes: finding
// none, it takes the server for gone, checkpoints, and deletes the -wal and
// -shm files the server still uses. (The benchmark runs it beside the server.)
const shell = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' }).status === 0;
(shell ? test : test.skip)('the sqlite3 shell closing beside two open connections leaves their WAL in place, and they read what another process commits', () => {
  const file = tempDb();
  const main = connect(file);
  main.exec('CREATE TABLE t (x INTEGER)');
  main.prepare('INSERT INTO t VALUES (1)').run();
  connect(file); // as the page-view worker does
  const wal = fs.statSync(`${file}-wal`).ino;
  const shm = fs.statSync(`${file}-shm`).ino;

  expect(execFileSync('sqlite3', [file, 'SELECT count(*) FROM t'], { encoding: 'utf8' }).trim()).toBe('1');
  expect(fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).ino).toBe(wal);
  expect(fs.existsSync(`${file}-shm`) && fs.statSync(`${file}-shm`).ino).toBe(shm);

  // Another process (an import) commits a row: the open connection reads it.
  execFileSync(process.execPath, ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)}); db.prepare('INSERT INTO t VALUES (2)').run(); db.close();`], { cwd: path.join(__dirname, '../..') });
  expect(main.prepare('SELECT group_concat(x) FROM t').pluck().get()).toBe('1,2');
  expect(main.pragma('integrity_check', { simple: true })).toBe('ok');
});
