import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../../db/connection';
import { migrate } from '../../db/migrate';
import { migrationsDir } from '../../server/paths';

/** Runs the migrations up to and including `version` from a copy of the directory. */
function migrateTo(db: Db, version: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-migrate-'));
  for (const file of fs.readdirSync(migrationsDir)) {
    if (Number(file.slice(0, 4)) <= version) fs.copyFileSync(path.join(migrationsDir, file), path.join(dir, file));
  }
  migrate(db, dir);
}

function world(db: Db): void {
  db.exec(`
    INSERT INTO indicators (id, code, name, unit, aggregation, hxl_hashtag) VALUES
      (1, 'deaths', 'Deaths', 'people', 'flow', '#affected+killed'), (2, 'unused', 'Unused', 'people', 'flow', '#x');
    INSERT INTO locations (id, code, name, admin_level, parent_id) VALUES (1, 'AAA', 'Country', 0, NULL), (2, 'AAA-1', 'Province', 1, 1);
    INSERT INTO sources (id, title, publisher) VALUES (1, 'Cited', 'P'), (2, 'Draft only', 'P'), (3, 'Retired only', 'P'), (4, 'In public history', 'P');`);
}

const insertFigure = (db: Db, id: number, sourceId: number, status: string): void => {
  db.prepare(`INSERT INTO figures (id, indicator_id, location_id, reference_period_start, reference_period_end, value, verification,
      reported_by, source_id, source_quote, status, retired_reason)
    VALUES (?, 1, 2, '2024-01-01', '2024-01-31', 5, 'reported', 'X', ?, 'five', ?, ?)`).run(id, sourceId, status, status === 'retired' ? 'gone' : null);
};

const publicIds = (db: Db, table: string): number[] =>
  db.prepare<[], { id: number }>(`SELECT id FROM ${table} WHERE public_since IS NOT NULL ORDER BY id`).all().map((r) => r.id);

describe('public_since (migration 0009)', () => {
  test('upgrading marks what a public figure or a public revision names, and nothing a draft alone names', () => {
    const db = openDb(':memory:');
    migrateTo(db, 8);
    world(db);
    insertFigure(db, 1, 1, 'published');
    insertFigure(db, 2, 2, 'draft');
    insertFigure(db, 3, 3, 'retired');
    // Figure 1 once cited source 4 in a published revision.
    db.prepare("INSERT INTO figure_revisions (figure_id, version, action, snapshot) VALUES (1, 1, 'publish', json_object('source_id', 4, 'indicator_id', 1, 'location_id', 2))").run();
    migrateTo(db, 9);
    expect(publicIds(db, 'sources')).toEqual([1, 3, 4]);
    expect(publicIds(db, 'indicators')).toEqual([1]);
    expect(publicIds(db, 'locations')).toEqual([2]);
  });

  test('publishing a figure, by any path, makes what it names public; a draft does not, and nothing is ever unmarked', () => {
    const db = openDb(':memory:');
    migrateTo(db, 9);
    world(db);
    insertFigure(db, 1, 2, 'draft');
    expect(publicIds(db, 'sources')).toEqual([]);
    db.prepare("UPDATE figures SET status = 'published' WHERE id = 1").run();
    expect(publicIds(db, 'sources')).toEqual([2]);
    insertFigure(db, 2, 3, 'published');
    expect(publicIds(db, 'sources')).toEqual([2, 3]);
    db.prepare("UPDATE figures SET source_id = 1 WHERE id = 1").run();
    db.prepare("UPDATE figures SET status = 'retired', retired_reason = 'gone' WHERE id = 2").run();
    expect(publicIds(db, 'sources')).toEqual([1, 2, 3]);
  });

  test('a decided catalogue change and every step of one are history: never changed or deleted', () => {
    const db = openDb(':memory:');
    migrateTo(db, 9);
    world(db);
    db.prepare("INSERT INTO catalogue_changes (id, entity_type, entity_id, status, before, after, decided_at) VALUES (1, 'source', 1, 'applied', '{}', '{}', 'now')").run();
    db.prepare("INSERT INTO catalogue_change_events (change_id, action) VALUES (1, 'apply')").run();
    expect(() => db.prepare("UPDATE catalogue_changes SET comment = 'x' WHERE id = 1").run()).toThrow('is history');
    expect(() => db.prepare('DELETE FROM catalogue_changes WHERE id = 1').run()).toThrow('never deleted');
    expect(() => db.prepare('DELETE FROM catalogue_change_events').run()).toThrow('append-only');
    // One open change per entry.
    db.prepare("INSERT INTO catalogue_changes (entity_type, entity_id, status, before, after) VALUES ('source', 2, 'submitted', '{}', '{}')").run();
    expect(() => db.prepare("INSERT INTO catalogue_changes (entity_type, entity_id, status, before, after) VALUES ('source', 2, 'sent_back', '{}', '{}')").run()).toThrow(/UNIQUE/);
  });
});
