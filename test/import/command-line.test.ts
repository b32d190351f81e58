/**
 * `npm run import` as staff run it: the command's exit code and what it
 * prints, and what it leaves in the database. Run from the TypeScript source
 * through tsx (the compiled command runs the same file).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { openDb } from '../../db/connection';
import { migrate } from '../../db/migrate';
import { DEMO_DATASET_PATH, loadDataset, readDataset } from '../../db/seed/load';
import { csvLine } from '../../server/export/csv';
import { migrationsDir, projectRoot } from '../../server/paths';
import { createTestApp } from '../helpers/app';

jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-import-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A database holding the demo catalogue and no figure. */
function catalogueOnly(): string {
  const file = path.join(dir, 'tally.db');
  const db = openDb(file);
  migrate(db, migrationsDir);
  loadDataset(db, { ...readDataset(DEMO_DATASET_PATH), sources: [], figures: [] });
  db.close();
  return file;
}

function runImport(databasePath: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/import.ts'), ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, DATABASE_PATH: databasePath },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `count` daily figures in the export's columns, copied from one demo period count with ids this database never gave. */
async function dailyFigures(count: number, change: (cells: Record<string, string>, i: number) => void = () => undefined): Promise<string> {
  const csv = (await request(createTestApp().app).get('/export/figures.csv').expect(200)).text;
  const table: string[][] = parse(csv, { bom: true });
  const [header, ...rows] = table;
  const columns = header as string[];
  const at = (name: string): number => columns.indexOf(name);
  const model = rows.find((r) => r[at('measure')] === 'period_count' && r[at('value_low')] === '' && r[at('qualifier')] === 'exact');
  if (!model) throw new Error('the demo data has no exact period count');
  const lines = [csvLine(columns)];
  for (let i = 0; i < count; i++) {
    const day = new Date(Date.UTC(2021, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const cells = Object.fromEntries(columns.map((c, k) => [c, model[k] ?? '']));
    Object.assign(cells, { figure_id: String(900_000 + i), reference_period_start: day, reference_period_end: day });
    change(cells, i);
    lines.push(csvLine(columns.map((c) => cells[c] ?? '')));
  }
  const file = path.join(dir, 'figures.csv');
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

describe('npm run import', () => {
  test('a file from another Tally is published whole; its 60 warnings are shown as 50 and a count, with the option that fits it', async () => {
    const database = catalogueOnly();
    const file = await dailyFigures(60);
    const run = runImport(database, [file, '--publish']);
    expect(run.stderr).not.toContain('Error');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Imported figures\.csv in \d+\.\ds: 60 new, 0 changed, 0 unchanged \(published\)\.\n$/);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning: row '));
    expect(warnings).toHaveLength(50);
    expect(warnings[0]).toBe('warning: row 2, figure_id: there is no figure 900000 in this Tally: the row is matched by what it states');
    expect(run.stderr).toContain('… and 10 more warnings\n');
    expect(run.stderr).toContain('--match natural matches every row by what it states');

    const db = openDb(database);
    expect(db.prepare("SELECT COUNT(*) AS n FROM figures WHERE status = 'published'").get()).toEqual({ n: 60 });
    // The staged copy of the file lived in a temporary table: nothing of it is left in the database.
    expect(db.prepare('SELECT COUNT(*) AS n FROM import_rows').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT state, new_count FROM import_batches').all()).toEqual([{ state: 'committed', new_count: 60 }]);
    db.close();

    // Matched by what rows state, the same file again changes nothing and warns of nothing.
    const again = runImport(database, [file, '--publish', '--match', 'natural']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/: 0 new, 0 changed, 60 unchanged \(published\)\.\n$/);
    expect(again.stderr).not.toContain('warning:');
  });

  test('a file with a bad row writes nothing and says which row and what to fix', async () => {
    const database = catalogueOnly();
    const file = await dailyFigures(3, (cells, i) => {
      if (i === 1) cells.location_code = 'ATLANTIS';
    });
    const run = runImport(database, [file, '--publish']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('row 3, location_code ("ATLANTIS"): unknown location code "ATLANTIS"\n');
    expect(run.stderr).toContain('3 rows: 2 new, 0 changed, 0 unchanged, 1 with errors\nNothing was imported: fix the rows above and run the import again.\n');
    expect(run.stdout).toBe('');
    const db = openDb(database);
    expect(db.prepare('SELECT COUNT(*) AS n FROM figures').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT state FROM import_batches').all()).toEqual([{ state: 'discarded' }]);
    db.close();
  });
});
