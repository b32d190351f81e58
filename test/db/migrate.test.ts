import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../db/connection';
import { migrate, readMigrations, schemaVersion } from '../../db/migrate';
import { migrationsDir } from '../../server/paths';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tally-migrate-'));
}

describe('migrations', () => {
  const latest = readMigrations(migrationsDir).at(-1)?.version ?? 0;

  test('a fresh database reaches the latest version', () => {
    const db = openDb(':memory:');
    const result = migrate(db, migrationsDir);
    expect(result.version).toBe(latest);
    expect(result.applied.length).toBe(readMigrations(migrationsDir).length);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['indicators', 'locations', 'sources', 'figures', 'figure_revisions', 'users', 'sessions', 'audit_log']));
  });

  test('a second run changes nothing', () => {
    const db = openDb(':memory:');
    migrate(db, migrationsDir);
    const before = db.prepare('SELECT sql FROM sqlite_master ORDER BY name').all();
    const second = migrate(db, migrationsDir);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(latest);
    expect(db.prepare('SELECT sql FROM sqlite_master ORDER BY name').all()).toEqual(before);
    expect(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM schema_migrations').get()?.n).toBe(readMigrations(migrationsDir).length);
  });

  test('a database newer than the code is refused with a clear message', () => {
    const db = openDb(':memory:');
    migrate(db, migrationsDir);
    db.prepare("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, 'from_the_future', 'x')").run(latest + 1);
    expect(() => migrate(db, migrationsDir)).toThrow(
      `the database is at schema version ${latest + 1} but this version of Tally knows only up to ${latest}`,
    );
  });

  test('an applied migration that was edited afterwards is refused', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '0001_first.sql'), 'CREATE TABLE a (x INTEGER);');
    const db = openDb(':memory:');
    migrate(db, dir);
    fs.writeFileSync(path.join(dir, '0001_first.sql'), 'CREATE TABLE a (x INTEGER, y INTEGER);');
    expect(() => migrate(db, dir)).toThrow('migration 0001_first was edited after it was applied');
  });

  test('a failing migration leaves nothing half-applied', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '0001_first.sql'), 'CREATE TABLE a (x INTEGER);');
    fs.writeFileSync(path.join(dir, '0002_broken.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);');
    const db = openDb(':memory:');
    expect(() => migrate(db, dir)).toThrow('no such table: nowhere');
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
  });

  test('a file database is opened in WAL mode with foreign keys on and full sync', () => {
    const file = path.join(tempDir(), 'tally.db');
    const db = openDb(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
    db.close();
  });
});
