/**
 * Migration 0017 turns revisions that each held the whole figure into
 * patches with a full copy every so often (decision 0015), and every revision
 * still reads back exactly as it was. The old form is made from a history
 * built through the workflow: the table as migration 0006 left it, each
 * revision holding the snapshot recorded when it was written, plus snapshots
 * from before later columns existed and text that needs escaping.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createQueries } from '../../db';
import type { Db } from '../../db/connection';
import { seedIfEmpty } from '../../db/seed/load';
import { migrationsDir } from '../../server/paths';
import { createTestApp, createTestDb } from '../helpers/app';
import { buildHistory, recordExpectedSnapshots, type Snapshot } from '../helpers/revision-history';

const MIGRATION = fs.readFileSync(path.join(migrationsDir, '0017_revision_patches.sql'), 'utf8');

/** figure_revisions as migrations 0001 and 0006 made it: one whole snapshot per revision. */
const OLD_TABLE = `
  CREATE TABLE figure_revisions (
    id         INTEGER PRIMARY KEY,
    figure_id  INTEGER NOT NULL REFERENCES figures (id),
    version    INTEGER NOT NULL CHECK (version >= 1),
    action     TEXT NOT NULL
               CHECK (action IN ('seed', 'create', 'edit', 'submit', 'send_back', 'publish', 'retire', 'restore', 'import')),
    snapshot   TEXT NOT NULL CHECK (json_valid(snapshot)),
    note       TEXT CHECK (note IS NULL OR length(note) <= 2000),
    user_id    INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) STRICT;
  CREATE INDEX figure_revisions_figure ON figure_revisions (figure_id, id);
  CREATE TRIGGER figure_revisions_no_update BEFORE UPDATE ON figure_revisions
  BEGIN
    SELECT RAISE(ABORT, 'figure revisions are append-only');
  END;
  CREATE TRIGGER figure_revisions_no_delete BEFORE DELETE ON figure_revisions
  BEGIN
    SELECT RAISE(ABORT, 'figure revisions are append-only');
  END;`;

interface OldRevision {
  id: number;
  figure_id: number;
  version: number;
  action: string;
  snapshot: string;
  note: string | null;
  user_id: number | null;
  created_at: string;
}

/** Puts the revisions back in the old form, each holding `snapshots.get(id)`. */
function toOldForm(db: Db, snapshots: Map<number, string>): void {
  const rows = db.prepare<[], Omit<OldRevision, 'snapshot'>>('SELECT id, figure_id, version, action, note, user_id, created_at FROM figure_revisions ORDER BY id').all();
  db.exec('DROP TABLE figure_revisions');
  db.exec(OLD_TABLE);
  const insert = db.prepare<[OldRevision]>(
    'INSERT INTO figure_revisions (id, figure_id, version, action, snapshot, note, user_id, created_at) VALUES (@id, @figure_id, @version, @action, @snapshot, @note, @user_id, @created_at)',
  );
  for (const r of rows) insert.run({ ...r, snapshot: snapshots.get(r.id) as string });
}

const schemaOf = (db: Db) =>
  db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'figure_revisions' ORDER BY name").all();

function expectEveryRevisionRebuilds(db: Db, want: Map<number, string>): void {
  const q = createQueries(db);
  const figures = db.prepare<[], { id: number }>('SELECT id FROM figures ORDER BY id').all();
  let checked = 0;
  for (const { id } of figures) {
    for (const revision of q.figures.revisions(id)) {
      const exact = JSON.stringify(JSON.parse(want.get(revision.id) as string));
      expect({ id: revision.id, snapshot: JSON.stringify(revision.snapshot) }).toEqual({ id: revision.id, snapshot: exact });
      expect({ id: revision.id, snapshot: JSON.stringify(q.figureEdits.getRevision(id, revision.id)?.snapshot) }).toEqual({ id: revision.id, snapshot: exact });
      checked += 1;
    }
  }
  expect(checked).toBe(want.size);
}

describe('migration 0017: revisions as patches', () => {
  test('every revision stored whole reads back exactly after the migration, and most keep no copy of the figure', async () => {
    const t = createTestApp({ seed: false });
    const expected = recordExpectedSnapshots(t.db);
    seedIfEmpty(t.db);
    await buildHistory(t);
    const want = expected();

    // Snapshots from before later columns existed (no measure, no attribution), with text that needs escaping.
    const legacy = t.db.prepare<[], { id: number }>("SELECT id FROM figure_revisions WHERE action = 'seed' ORDER BY id LIMIT 3").all().map((r) => r.id);
    for (const id of legacy) {
      const { measure: _m, sync_seq: _s, attributed_to: _a, disputed_by: _d, ...old } = JSON.parse(want.get(id) as string) as Snapshot;
      want.set(id, JSON.stringify({ ...old, notes: 'Київ — “quoted”, \\ back\u2028slash\t"\u0001' }));
    }
    const schemaAfter = schemaOf(t.db);
    t.db.exec('DROP TRIGGER temp.expected_snapshot');
    toOldForm(t.db, want);
    expect(t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figure_revisions').get()?.n).toBe(want.size);

    t.db.transaction(() => t.db.exec(MIGRATION))();

    expect(schemaOf(t.db)).toEqual(schemaAfter);
    expect(t.db.pragma('foreign_key_check')).toEqual([]);
    expect(t.db.prepare("SELECT name FROM sqlite_temp_master WHERE name IN ('revision_shapes', 'figure_columns', 'revision_full')").all()).toEqual([]);
    expectEveryRevisionRebuilds(t.db, want);

    // What it stored: a figure never changed (an imported one) keeps only its drifting columns.
    const stored = t.db.prepare<[number], { full_snapshot: string | null; previous_patch: string | null; row_patch: string | null }>(
      'SELECT full_snapshot, previous_patch, row_patch FROM figure_revisions WHERE id = ?',
    );
    const untouched = t.db
      .prepare<[], { id: number }>("SELECT r.id FROM figure_revisions r WHERE (SELECT COUNT(*) FROM figure_revisions o WHERE o.figure_id = r.figure_id) = 1 ORDER BY r.id")
      .all()
      .map((r) => r.id)
      .filter((id) => !legacy.includes(id));
    expect(untouched.length).toBeGreaterThan(0);
    for (const id of untouched) {
      const s = stored.get(id);
      expect(s?.full_snapshot).toBeNull();
      expect(Object.keys(JSON.parse(s?.row_patch ?? 'null') as Snapshot).sort()).toEqual(['submitted_at', 'submitted_by', 'sync_seq', 'updated_at']);
      expect(s?.previous_patch).toBeNull();
    }
    // The legacy snapshots' missing columns are said by a patch's dropped keys.
    expect(t.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM figure_revisions WHERE previous_patch -> '$.\"-\"' IS NOT NULL OR row_patch -> '$.\"-\"' IS NOT NULL").get()?.n).toBeGreaterThan(0);
    const counts = t.db.prepare<[], { all: number; whole: number }>('SELECT COUNT(*) AS "all", COUNT(full_snapshot) AS whole FROM figure_revisions').get();
    expect(counts?.whole).toBeLessThan((counts?.all ?? 0) / 4);
  });

  test('after the migration the workflow writes on, and old and new revisions read back exactly', async () => {
    const t = createTestApp({ seed: false });
    const expected = recordExpectedSnapshots(t.db);
    seedIfEmpty(t.db);
    await buildHistory(t);
    const before = expected();
    t.db.exec('DROP TRIGGER temp.expected_snapshot');
    t.db.exec('DROP TABLE temp.expected_snapshots');
    toOldForm(t.db, before);
    t.db.transaction(() => t.db.exec(MIGRATION))();

    const more = recordExpectedSnapshots(t.db);
    await buildHistory({ ...t, q: createQueries(t.db) }, 'again');
    const want = new Map([...before, ...more()]);
    expectEveryRevisionRebuilds(t.db, want);
  });

  test('a fresh database migrates to the same revisions table', () => {
    const db = createTestDb();
    expect(schemaOf(db).map((s) => s.name)).toEqual(['figure_revisions', 'figure_revisions_figure', 'figure_revisions_no_delete', 'figure_revisions_no_update']);
    expect(db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('figure_revisions') ORDER BY cid").all().map((c) => c.name)).toEqual([
      'id', 'figure_id', 'version', 'action', 'full_snapshot', 'previous_patch', 'row_patch', 'note', 'user_id', 'created_at',
    ]);
  });
});
