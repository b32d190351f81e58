import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupDatabase, restoreDatabase } from '../../db/backup';
import { openDb } from '../../db/connection';
import { migrate } from '../../db/migrate';
import { seedIfEmpty } from '../../db/seed/load';
import { migrationsDir } from '../../server/paths';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tally-backup-'));
}

function dump(file: string): { figures: unknown[]; revisions: unknown[] } {
  const db = openDb(file);
  try {
    return {
      figures: db.prepare('SELECT * FROM figures ORDER BY id').all(),
      revisions: db.prepare('SELECT * FROM figure_revisions ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

describe('backup and restore', () => {
  test('a backup taken under write load is consistent, and restores into a fresh directory identically', async () => {
    const dir = tempDir();
    const live = path.join(dir, 'tally.db');
    const db = openDb(live);
    migrate(db, migrationsDir);
    seedIfEmpty(db);
    const clone = db.prepare(`INSERT INTO figures (indicator_id, location_id, reference_period_start, reference_period_end, value, qualifier, verification, reported_by, source_id, source_quote, status)
      SELECT indicator_id, location_id, reference_period_start, reference_period_end, value + ?, qualifier, verification, reported_by, source_id, source_quote, 'published' FROM figures WHERE id = 1`);
    const revise = db.prepare(`INSERT INTO figure_revisions (figure_id, version, action, full_snapshot) SELECT id, 1, 'create', json_object('id', id, 'value', value) FROM figures WHERE id = ?`);
    const write = (i: number): void => {
      db.transaction(() => {
        const id = Number(clone.run(i).lastInsertRowid);
        revise.run(id);
      })();
    };
    for (let i = 0; i < 3000; i++) write(i);

    // A second connection keeps writing figure + revision pairs while the backup runs.
    let n = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        write(10_000 + n++);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const backupFile = path.join(tempDir(), 'backup.db');
    const summary = await backupDatabase(live, backupFile);
    writing = false;
    await writer;
    expect(n).toBeGreaterThan(0);

    const copy = dump(backupFile);
    const now = dump(live);
    expect(summary.figures).toBe(copy.figures.length);
    // Consistent: every figure in the backup has its revision, and the backup is exactly the live data up to its last figure.
    const lastId = (copy.figures.at(-1) as { id: number }).id;
    expect(copy.figures).toEqual(now.figures.filter((f) => (f as { id: number }).id <= lastId));
    const lastRevision = (copy.revisions.at(-1) as { id: number }).id;
    expect(copy.revisions).toEqual(now.revisions.filter((r) => (r as { id: number }).id <= lastRevision));
    const revised = new Set(copy.revisions.map((r) => (r as { figure_id: number }).figure_id));
    expect(copy.figures.every((f) => revised.has((f as { id: number }).id))).toBe(true);
    db.close();

    const restoredFile = path.join(tempDir(), 'data', 'tally.db');
    fs.mkdirSync(path.dirname(restoredFile));
    const restored = await restoreDatabase(backupFile, restoredFile, migrationsDir);
    expect(restored).toEqual(summary);
    expect(dump(restoredFile)).toEqual(copy);
    // A restored database has an identity of its own: sync tokens of the original are refused (410).
    const identity = (file: string): string | undefined => {
      const handle = new Database(file, { readonly: true });
      try {
        return handle.prepare<[], { database_id: string }>('SELECT database_id FROM change_feed').get()?.database_id;
      } finally {
        handle.close();
      }
    };
    expect(identity(restoredFile)).toMatch(/^[0-9a-f]{32}$/);
    expect(identity(restoredFile)).not.toBe(identity(backupFile));
    // Seconds of writes on a file: a loaded CI machine needs more than jest's default 5 s.
  }, 30_000);

  test('restore refuses a database that a running server still has open', async () => {
    const dir = tempDir();
    const live = path.join(dir, 'tally.db');
    const db = openDb(live);
    migrate(db, migrationsDir);
    const backupFile = path.join(dir, 'backup.db');
    await backupDatabase(live, backupFile);
    db.prepare('SELECT 1').get();
    await expect(restoreDatabase(backupFile, live, migrationsDir)).rejects.toThrow('stop Tally before restoring');
    db.close();
    await expect(restoreDatabase(backupFile, live, migrationsDir)).resolves.toMatchObject({ figures: 0 });
  });

  test('restore refuses a backup whose schema is newer than this Tally', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'future.db');
    const db = openDb(file);
    migrate(db, migrationsDir);
    db.prepare("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')").run();
    db.close();
    await expect(restoreDatabase(file, path.join(dir, 'tally.db'), migrationsDir)).rejects.toThrow('the backup is at schema version 9999');
    expect(fs.existsSync(path.join(dir, 'tally.db'))).toBe(false);
  });

  test('a backup never overwrites an existing file', async () => {
    const dir = tempDir();
    const live = path.join(dir, 'tally.db');
    const db = openDb(live);
    migrate(db, migrationsDir);
    db.close();
    fs.writeFileSync(path.join(dir, 'taken.db'), 'precious');
    await expect(backupDatabase(live, path.join(dir, 'taken.db'))).rejects.toThrow('already exists');
    expect(fs.readFileSync(path.join(dir, 'taken.db'), 'utf8')).toBe('precious');
  });
});
