import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupDatabase, restoreDatabase } from '../../db/backup';
import { openDb } from '../../db/connection';
import { migrate, readMigrations } from '../../db/migrate';
import { SqliteSessionStore } from '../../db/session-store';
import { seedIfEmpty } from '../../db/seed/load';
import { loadSessionSecret, sessionSecretPath } from '../../server/auth/session-secret';
import { migrationsDir } from '../../server/paths';

const made: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-private-'));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const modeOf = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);

/** A migrated, seeded database file with one signed-in session and an old-style secret in settings. */
function liveDatabase(dir: string): string {
  const file = path.join(dir, 'tally.db');
  const db = openDb(file);
  migrate(db, migrationsDir);
  seedIfEmpty(db);
  const userId = Number(db.prepare("INSERT INTO users (username, password_hash, role) VALUES ('erin', 'x', 'editor')").run().lastInsertRowid);
  new SqliteSessionStore(db, 60_000).set('the-session-id', { cookie: { originalMaxAge: 60_000 }, userId } as never);
  db.prepare("INSERT INTO settings (key, value) VALUES ('session_secret', 'an old secret left by a previous version')").run();
  db.close();
  return file;
}

describe('files only their owner can read', () => {
  test('a new database and its WAL and shared-memory files are created 0600', () => {
    const dir = tempDir();
    const file = path.join(dir, 'sub', 'tally.db');
    const db = openDb(file);
    migrate(db, migrationsDir);
    expect(modeOf(file)).toBe('600');
    expect(modeOf(`${file}-wal`)).toBe('600');
    expect(modeOf(`${file}-shm`)).toBe('600');
    db.close();
  });

  test('an existing world-readable database is made private when opened', () => {
    const dir = tempDir();
    const file = path.join(dir, 'tally.db');
    new Database(file).close();
    fs.chmodSync(file, 0o644);
    openDb(file).close();
    expect(modeOf(file)).toBe('600');
  });

  test('a backup is 0600, one self-contained file, and carries no session and no secret', async () => {
    const dir = tempDir();
    const live = liveDatabase(dir);
    const target = path.join(dir, 'backup.db');
    await backupDatabase(live, target);
    expect(modeOf(target)).toBe('600');
    expect(fs.existsSync(`${target}-wal`)).toBe(false);
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
      expect(copy.prepare("SELECT COUNT(*) AS n FROM settings WHERE key = 'session_secret'").get()).toEqual({ n: 0 });
      expect(copy.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 1 });
    } finally {
      copy.close();
    }
    // Nothing of the session is left in the file's free pages either.
    expect(fs.readFileSync(target).includes('an old secret left by a previous version')).toBe(false);
  });

  test('a database restored into a new place is 0600', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'backup.db');
    await backupDatabase(liveDatabase(dir), target);
    const restored = path.join(dir, 'restored.db');
    await restoreDatabase(target, restored, migrationsDir);
    expect(modeOf(restored)).toBe('600');
  });
});

describe('the session secret', () => {
  test('is generated into a 0600 file beside the database on first start and read back after', () => {
    const dir = tempDir();
    const db = path.join(dir, 'tally.db');
    const first = loadSessionSecret(db);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(sessionSecretPath(db)).toBe(`${db}.session-secret`);
    expect(modeOf(sessionSecretPath(db))).toBe('600');
    expect(loadSessionSecret(db)).toBe(first);
  });

  test('a secret file other users can read stops the start with a message saying what to do', () => {
    const dir = tempDir();
    const db = path.join(dir, 'tally.db');
    loadSessionSecret(db);
    fs.chmodSync(sessionSecretPath(db), 0o644);
    expect(() => loadSessionSecret(db)).toThrow(`can be read by other users (mode 0644): run chmod 600 ${sessionSecretPath(db)}`);
  });

  test('the migration removes a secret an older version kept in the settings table', () => {
    const dir = tempDir();
    const old = path.join(dir, 'migrations');
    fs.mkdirSync(old);
    for (const m of readMigrations(migrationsDir).filter((m) => m.version < 7)) {
      fs.copyFileSync(path.join(migrationsDir, `${String(m.version).padStart(4, '0')}_${m.name}.sql`), path.join(old, `${String(m.version).padStart(4, '0')}_${m.name}.sql`));
    }
    const db = openDb(path.join(dir, 'tally.db'));
    migrate(db, old);
    db.prepare("INSERT INTO settings (key, value) VALUES ('session_secret', 'kept in the table by version 6')").run();
    db.prepare("INSERT INTO sessions (sid, data, expires_at) VALUES ('raw-session-id', '{}', 9999999999999)").run();
    migrate(db, migrationsDir);
    expect(db.prepare("SELECT COUNT(*) AS n FROM settings WHERE key = 'session_secret'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    db.close();
  });
});
