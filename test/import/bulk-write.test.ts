/**
 * An import writes its new figures with one INSERT … SELECT while the per-row
 * triggers for the data version and the catalogue's public_since stand aside
 * (migration 0012); the import does that work once, set-wise. These tests
 * hold the outcome to what the per-row path gives.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { DEMO_DATASET_PATH, loadDataset, readDataset } from '../../db/seed/load';
import type { FigureRow } from '../../db/types';
import type { Actor } from '../../server/domain/figure';
import { csvLine } from '../../server/export/csv';
import { stageImport } from '../../server/import/figures-import';
import { commitImport } from '../../server/workflow/imports';
import { createTestApp } from '../helpers/app';

const CLI: Actor = { id: null, role: 'system' };

function referenceOnlyApp() {
  const target = createTestApp({ seed: false });
  loadDataset(target.db, { ...readDataset(DEMO_DATASET_PATH), sources: [], figures: [] });
  return target;
}

type App = ReturnType<typeof createTestApp>;

async function importCsv(target: App, csv: string, publish: boolean) {
  const batch = await stageImport(Readable.from([Buffer.from(csv, 'utf8')]), target.q, { fileName: 'bulk.csv', userId: null, publish, match: 'id' });
  expect(batch.error_count).toBe(0);
  return commitImport(target.q, CLI, batch.id);
}

const version = (t: App): number => t.db.prepare<[], { version: number }>('SELECT version FROM data_version WHERE id = 1').get()?.version ?? 0;
const bulkActive = (t: App): number => t.db.prepare<[], { active: number }>('SELECT active FROM bulk_mode WHERE id = 1').get()?.active ?? -1;
const publicNames = (t: App) =>
  ['sources', 'indicators', 'locations'].map((table) =>
    t.db.prepare<[], { id: number }>(`SELECT id FROM ${table} WHERE public_since IS NOT NULL ORDER BY id`).all().map((r) => r.id),
  );
const citedNames = (t: App) =>
  ['source_id', 'indicator_id', 'location_id'].map((column) =>
    t.db.prepare<[], { id: number }>(`SELECT DISTINCT ${column} AS id FROM figures WHERE status <> 'draft' ORDER BY ${column}`).all().map((r) => r.id),
  );

describe('bulk import writes', () => {
  test('a published import moves the data version, marks every cited name public, and records one revision per figure equal to its row', async () => {
    const csv = (await request(createTestApp().app).get('/export/figures.csv').expect(200)).text;
    const target = referenceOnlyApp();
    const before = version(target);
    expect(publicNames(target)).toEqual([[], [], []]);
    const done = await importCsv(target, csv, true);
    expect(done.new_count).toBeGreaterThan(10);
    expect(version(target)).toBeGreaterThan(before);
    expect(bulkActive(target)).toBe(0);
    // What the per-row trigger did for each figure: every source, indicator and place a public figure cites is public, no other.
    expect(publicNames(target)).toEqual(citedNames(target));
    // One import revision per figure, in id order, whose snapshot is the row as it stands.
    const mismatches = target.db
      .prepare<[], { id: number }>(
        `SELECT f.id FROM figures f WHERE (SELECT COUNT(*) FROM figure_revisions r WHERE r.figure_id = f.id AND r.action = 'import'
           AND r.version = f.version) <> 1`,
      )
      .all();
    expect(mismatches).toEqual([]);
    const rows = target.db.prepare<[], FigureRow>('SELECT * FROM figures ORDER BY id').all();
    const revisionIds = target.db.prepare<[], { figure_id: number }>('SELECT figure_id FROM figure_revisions ORDER BY id').all();
    expect(revisionIds).toHaveLength(done.new_count);
    expect(revisionIds.map((r) => r.figure_id)).toEqual(rows.map((r) => r.id));
    for (const row of rows) {
      const revisions = target.q.figures.revisions(row.id);
      expect(revisions).toHaveLength(1);
      expect(revisions[0]?.snapshot).toEqual({ ...row });
    }
    // Every figure of the import shares one change-feed position.
    expect(target.db.prepare<[], { n: number }>('SELECT COUNT(DISTINCT sync_seq) AS n FROM figures').get()?.n).toBe(1);
  });

  test('a draft import moves the data version only for the sources it adds, not public_since, and every draft is submitted', async () => {
    const csv = (await request(createTestApp().app).get('/export/figures.csv?location=RU-BEL').expect(200)).text;
    const target = referenceOnlyApp();
    const before = version(target);
    const done = await importCsv(target, csv, false);
    expect(done.new_count).toBeGreaterThan(0);
    const sources = target.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sources').get()?.n ?? 0;
    expect(sources).toBeGreaterThan(0);
    expect(version(target)).toBe(before + sources);
    expect(publicNames(target)).toEqual([[], [], []]);
    const drafts = target.db.prepare<[], { status: string; submitted: number }>('SELECT status, submitted_at IS NOT NULL AS submitted FROM figures').all();
    expect(drafts).toHaveLength(done.new_count);
    expect(drafts.every((d) => d.status === 'draft' && d.submitted === 1)).toBe(true);
  });

  test('after an import the per-row triggers fire again for a figure written one at a time', async () => {
    const csv = (await request(createTestApp().app).get('/export/figures.csv?location=RU-BEL').expect(200)).text;
    const target = referenceOnlyApp();
    await importCsv(target, csv, false);
    const figure = target.db.prepare<[], FigureRow>('SELECT * FROM figures LIMIT 1').get() as FigureRow;
    const before = version(target);
    target.q.figures.create({ ...figure, reference_period_start: '2020-01-01', reference_period_end: '2020-01-01', status: 'published' }, 'create', null, null);
    expect(version(target)).toBeGreaterThan(before);
    expect(publicNames(target)).toEqual(citedNames(target));
  });
});

describe('the re-check after a bulk import', () => {
  test('stores, for each new figure, what re-checking every figure afterwards stores (the quotes checked at staging are reused)', async () => {
    const exported: string[][] = parse((await request(createTestApp().app).get('/export/figures.csv').expect(200)).text);
    const header = exported[0] ?? [];
    const [quote, value, qualifier] = ['source_quote', 'value', 'qualifier'].map((c) => header.indexOf(c)) as [number, number, number];
    // Rows whose quotes disagree with them, in the two ways a quote check finds: another number, another qualifier.
    const lines = exported.map((cells, i) => {
      if (i > 0 && i % 3 === 0) {
        cells[quote] = i % 2 === 0 ? `about ${cells[value]} people` : `${Number(cells[value]) + 1} people`;
        cells[qualifier] = 'exact';
      }
      return csvLine(cells);
    });
    const target = referenceOnlyApp();
    await importCsv(target, lines.join(''), true);
    const stored = () =>
      target.db.prepare<[], { figure_id: number; kind: string; message: string; related: string }>('SELECT figure_id, kind, message, related FROM figure_checks ORDER BY figure_id, id').all();
    const afterImport = stored();
    expect(afterImport.filter((f) => f.kind === 'quote_value').length).toBeGreaterThan(3);
    expect(afterImport.filter((f) => f.kind === 'quote_qualifier').length).toBeGreaterThan(3);
    target.q.transaction(() => target.q.checks.recheckAll());
    expect(stored()).toEqual(afterImport);
  });
});
