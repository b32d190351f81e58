/**
 * `npm run import` stages its rows in a temporary table (stageImportsInTemp):
 * nothing of the file is written to the database until the commit, and a
 * batch whose staged rows are gone is refused, never committed empty.
 */
import { Readable } from 'node:stream';
import request from 'supertest';
import { createQueries } from '../../db';
import { stageImportsInTemp } from '../../db/queries/imports';
import { DEMO_DATASET_PATH, loadDataset, readDataset } from '../../db/seed/load';
import { stageImport } from '../../server/import/figures-import';
import { commitImport } from '../../server/workflow/imports';
import { createTestApp } from '../helpers/app';

const SYSTEM = { id: null, role: 'system' } as const;

async function stagedInTemp() {
  const csv = (await request(createTestApp().app).get('/export/figures.csv').expect(200)).text;
  const target = createTestApp({ seed: false });
  loadDataset(target.db, { ...readDataset(DEMO_DATASET_PATH), sources: [], figures: [] });
  stageImportsInTemp(target.db);
  const q = createQueries(target.db);
  const batch = await stageImport(Readable.from([Buffer.from(csv, 'utf8')]), q, { fileName: 'all.csv', userId: null, publish: true });
  const count = (schema: string): number =>
    target.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${schema}.import_rows`).get()?.n ?? -1;
  return { target, q, batch, count, rows: csv.trim().split('\n').length - 1 };
}

describe('staging in a temporary table', () => {
  test('the rows wait in the temporary table, not the database file, and commit as they would from it', async () => {
    const { target, q, batch, count, rows } = await stagedInTemp();
    expect(batch.error_count).toBe(0);
    expect(batch.new_count).toBe(rows);
    expect(count('temp')).toBe(rows);
    expect(count('main')).toBe(0);
    // Beyond its page cache the staged file goes to a temporary file, not memory (1 is FILE).
    expect(target.db.pragma('temp_store', { simple: true })).toBe(1);
    // The temporary table is import_rows as the migrations made it: the same columns, types and key.
    expect(target.db.pragma('temp.table_info(import_rows)')).toEqual(target.db.pragma('main.table_info(import_rows)'));
    const done = commitImport(q, SYSTEM, batch.id);
    expect(done.state).toBe('committed');
    expect(done.new_count).toBe(rows);
    expect(target.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM figures WHERE status = 'published'").get()?.n).toBe(rows);
    expect(count('temp')).toBe(0);
  });

  test('a batch whose staged rows are gone is refused and writes nothing', async () => {
    const { target, q, batch } = await stagedInTemp();
    // What a command that stopped between staging and committing leaves: the batch, without its rows.
    target.db.exec('DELETE FROM temp.import_rows');
    expect(() => commitImport(q, SYSTEM, batch.id)).toThrow(`import ${batch.id} no longer has its staged rows: upload the file again`);
    expect(target.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figures').get()?.n).toBe(0);
    expect(q.importBatches.getById(batch.id)?.state).toBe('previewed');
  });
});
