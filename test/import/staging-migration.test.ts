/**
 * Migration 0020 gives staged import rows their outcome and cited document in
 * columns of their own. A batch previewed before it (rows holding only their
 * JSON) still commits after it, to the same figures a batch staged after it
 * writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { DEMO_DATASET_PATH, loadDataset, readDataset } from '../../db/seed/load';
import { stageImport } from '../../server/import/figures-import';
import { migrationsDir } from '../../server/paths';
import { commitImport } from '../../server/workflow/imports';
import { createTestApp } from '../helpers/app';

const MIGRATION = fs.readFileSync(path.join(migrationsDir, '0020_import_rows_outcome_source.sql'), 'utf8');

/** import_rows as migration 0005 made it. */
const OLD_TABLE = `
  CREATE TABLE import_rows (
    batch_id   INTEGER NOT NULL REFERENCES import_batches (id),
    row_number INTEGER NOT NULL,
    data       TEXT NOT NULL CHECK (json_valid(data)),
    PRIMARY KEY (batch_id, row_number)
  ) STRICT, WITHOUT ROWID`;

function referenceOnlyApp() {
  const target = createTestApp({ seed: false });
  loadDataset(target.db, { ...readDataset(DEMO_DATASET_PATH), sources: [], figures: [] });
  return target;
}

type App = ReturnType<typeof createTestApp>;
const figures = (t: App) =>
  t.db
    .prepare<[], Record<string, unknown>>(
      `SELECT f.indicator_id, f.location_id, f.reference_period_start, f.reference_period_end, f.measure, f.value, f.value_low, f.value_high,
         f.qualifier, f.verification, f.reported_by, f.claimed_by, f.source_quote, f.notes, f.status, s.title, s.url
       FROM figures f JOIN sources s ON s.id = f.source_id ORDER BY f.id`,
    )
    .all();

describe('staged import rows across migration 0020', () => {
  test('a batch previewed before the migration commits after it, as one staged after it does', async () => {
    const csv = (await request(createTestApp().app).get('/export/figures.csv').expect(200)).text;
    const stage = (t: App) => stageImport(Readable.from([Buffer.from(csv, 'utf8')]), t.q, { fileName: 'old.csv', userId: null, publish: true, match: 'id' });

    const fresh = referenceOnlyApp();
    commitImport(fresh.q, { id: null, role: 'system' }, (await stage(fresh)).id);

    const old = referenceOnlyApp();
    const batch = await stage(old);
    expect(batch.new_count).toBeGreaterThan(10);
    // The batch as the code before the migration left it: each row's JSON only.
    old.db.exec(`CREATE TEMP TABLE kept AS SELECT batch_id, row_number, data FROM import_rows; DROP TABLE import_rows; ${OLD_TABLE};
      INSERT INTO import_rows SELECT * FROM temp.kept; DROP TABLE temp.kept;`);
    old.db.exec(MIGRATION);
    const outcomes = old.db.prepare<[], { outcome: string; n: number }>('SELECT outcome, COUNT(*) AS n FROM import_rows GROUP BY 1').all();
    expect(outcomes).toEqual([{ outcome: 'new', n: batch.new_count }]);
    const done = commitImport(old.q, { id: null, role: 'system' }, batch.id);
    expect(done.new_count).toBe(batch.new_count);
    expect(figures(old)).toEqual(figures(fresh));
  });
});
