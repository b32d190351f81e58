import { Readable } from 'node:stream';
import request from 'supertest';
import { createQueries } from '../../db';
import { DEMO_DATASET_PATH, loadDataset, readDataset } from '../../db/seed/load';
import { EXPORT_COLUMNS_V1, type Actor } from '../../server/domain/figure';
import { stageImport } from '../../server/import/figures-import';
import { commitImport as commitWith } from '../../server/workflow/imports';
import { createTestApp, createTestDb } from '../helpers/app';
import { parseCsv } from '../helpers/csv';

/** A database with the demo indicators and places but no sources or figures. */
function referenceOnlyApp() {
  const target = createTestApp({ seed: false });
  loadDataset(target.db, { ...readDataset(DEMO_DATASET_PATH), sources: [], figures: [] });
  return target;
}

async function stage(q: ReturnType<typeof createQueries>, text: string | Buffer, publish = false, match: 'id' | 'natural' = 'id') {
  return stageImport(Readable.from([typeof text === 'string' ? Buffer.from(text, 'utf8') : text]), q, { fileName: 'test.csv', userId: null, publish, match });
}

/** The command line's actor: whoever holds the database file. */
const CLI: Actor = { id: null, role: 'system' };
const commitImport = (_db: unknown, q: ReturnType<typeof createQueries>, batchId: number) => commitWith(q, CLI, batchId);

function countFigures(db: ReturnType<typeof createTestDb>): number {
  return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figures').get()?.n ?? 0;
}

async function exportCsv(app: ReturnType<typeof createTestApp>['app'], query = ''): Promise<string> {
  return (await request(app).get(`/export/figures.csv${query}`).expect(200)).text;
}

/** Blanks figure_id, updated_at and source_id: the columns that are one Tally's own ids and times. */
function withoutIdsAndTimes(csv: string): string[][] {
  return parseCsv(csv).map((r, i) => (i === 0 ? r : r.map((cell, c) => (c === 0 || c === 23 || c === 25 ? '' : cell))));
}

describe('CSV import', () => {
  test('round trip: export → import into a fresh database → export gives the same file but for figure_id, updated_at and source_id', async () => {
    const source = createTestApp();
    source.db.prepare('UPDATE figures SET notes = ?, value_low = 90, value_high = 110, value = 98 WHERE id = 1').run('=looks like a formula, "quoted", ünïcode\nsecond line');
    const first = await exportCsv(source.app, '?hxl=1');
    const target = referenceOnlyApp();
    const batch = await stage(target.q, first, true);
    expect(batch).toMatchObject({ state: 'previewed', row_count: 35, new_count: 35, error_count: 0 });
    commitImport(target.db, target.q, batch.id);
    const second = await exportCsv(target.app, '?hxl=1');
    expect(withoutIdsAndTimes(second)).toEqual(withoutIdsAndTimes(first));
    const notes = parseCsv(second)[2];
    expect(notes).toBeDefined();
  });

  test('imported figures are drafts unless publishing, each with an import revision', async () => {
    const csv = await exportCsv(createTestApp().app, '?location=RU-BEL&indicator=civilian_deaths,civilian_injuries');
    const target = referenceOnlyApp();
    const batch = await stage(target.q, csv);
    const done = commitImport(target.db, target.q, batch.id);
    expect(done).toMatchObject({ state: 'committed', new_count: 2 });
    const rows = target.db.prepare<[], { id: number; status: string }>('SELECT id, status FROM figures').all();
    expect(rows.map((r) => r.status)).toEqual(['draft', 'draft']);
    expect(parseCsv(await exportCsv(target.app))).toHaveLength(1);
    const revisions = target.q.figures.revisions(rows[0]?.id ?? 0);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ action: 'import', note: `Imported from test.csv (import ${batch.id}), submitted for review` });
    expect(target.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sources').get()?.n).toBe(1);
  });

  test('the preview counts new, changed and unchanged rows and writes nothing', async () => {
    const app = createTestApp();
    const csv = parseCsv(await exportCsv(app.app, '?location=RU-BEL&indicator=civilian_deaths,civilian_injuries'));
    const valueColumn = (csv[0] as string[]).indexOf('value');
    (csv[1] as string[])[valueColumn] = '25';
    const text = csv.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
    const extra = text.replace(/\r\n.*$/s, '') + '\r\n' + text.split('\r\n')[2]?.replace('2023-12-30,2023-12-30', '2023-12-31,2023-12-31').replace(/^\d+,/, ',');
    const before = countFigures(app.db);
    const batch = await stage(app.q, `${text}\r\n${extra.split('\r\n')[1]}`, true);
    expect(batch).toMatchObject({ row_count: 3, new_count: 1, changed_count: 1, unchanged_count: 1, error_count: 0 });
    expect(countFigures(app.db)).toBe(before);
    commitImport(app.db, app.q, batch.id);
    expect(countFigures(app.db)).toBe(before + 1);
    const changed = app.db.prepare<[], { value: number; version: number }>("SELECT value, version FROM figures WHERE id = (SELECT f.id FROM figures f JOIN locations l ON l.id = f.location_id WHERE l.code = 'RU-BEL' ORDER BY f.id LIMIT 1)").get();
    expect(changed).toEqual({ value: 25, version: 2 });
  });

  test('a change to a published figure without publishing becomes a submitted pending change, listed field by field', async () => {
    const app = createTestApp();
    const csv = (await exportCsv(app.app, '?location=RU-BEL&indicator=civilian_deaths,civilian_injuries')).replace(',24,', ',25,');
    const batch = await stage(app.q, csv, false);
    expect(batch).toMatchObject({ error_count: 0, changed_count: 1, unchanged_count: 1 });
    const [change] = JSON.parse(batch.changes) as { figure_id: number; becomes: string; fields: unknown[] }[];
    expect(change).toMatchObject({ becomes: 'pending change', fields: [{ field: 'value', before: '24', after: '25' }] });
    commitImport(app.db, app.q, batch.id);
    const id = change?.figure_id ?? 0;
    expect(app.q.figureEdits.getRow(id)?.value).toBe(24);
    expect(app.q.figureEdits.getPending(id)).toMatchObject({ value: 25, submitted_at: expect.any(String) as unknown });
    expect(parseCsv(await exportCsv(app.app, '?location=RU-BEL&indicator=civilian_deaths,civilian_injuries')).map((r) => r[9])).toContain('24');
  });

  test('export → edit one title → import → export keeps every figure id and adds no figure', async () => {
    const app = createTestApp();
    const before = parseCsv(await exportCsv(app.app));
    const header = before[0] as string[];
    const edited = before.map((r, i) => (i === 3 ? r.map((c, j) => (header[j] === 'source_title' ? `${c} (corrected)` : c)) : r));
    const text = edited.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
    const figures = countFigures(app.db);
    const batch = await stage(app.q, text, true);
    expect(batch).toMatchObject({ error_count: 0, new_count: 0, changed_count: 1, unchanged_count: before.length - 2 });
    commitImport(app.db, app.q, batch.id);
    const after = parseCsv(await exportCsv(app.app));
    expect(countFigures(app.db)).toBe(figures);
    expect(after.map((r) => r[0])).toEqual(before.map((r) => r[0]));
    expect(after[3]?.[header.indexOf('source_title')]).toMatch(/\(corrected\)$/);
  });

  test('an id naming another indicator or place is flagged; --match natural ignores ids; pandas-style 12.0 is a whole number', async () => {
    const app = createTestApp();
    const rows = parseCsv(await exportCsv(app.app, '?location=RU-BEL&indicator=civilian_deaths,civilian_injuries'));
    const header = rows[0] as string[];
    const other = app.db.prepare<[], { id: number }>("SELECT f.id FROM figures f JOIN locations l ON l.id = f.location_id WHERE l.code = 'UKR' LIMIT 1").get()?.id;
    const moved = rows.map((r, i) => (i === 2 ? [String(other), ...r.slice(1)] : r));
    moved[2]![header.indexOf('value')] = '100.0';
    const text = moved.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
    const byId = await stage(app.q, text, true);
    expect(byId.error_count).toBe(0);
    expect(JSON.parse(byId.warnings)).toEqual([expect.objectContaining({ row: 3, column: 'figure_id', message: expect.stringContaining('counts another indicator or place') as unknown })]);
    const natural = await stage(app.q, text, true, 'natural');
    expect(natural).toMatchObject({ error_count: 0, warning_count: 0, new_count: 0, changed_count: 0, unchanged_count: 2 });
  });

  test('a file without the measure column is read as before: new figures get the migration\'s rule once, and the preview says so', async () => {
    const target = referenceOnlyApp();
    const v1 = parseCsv(await exportCsv(createTestApp().app)).map((r) => r.slice(0, EXPORT_COLUMNS_V1.length));
    const text = v1.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
    const batch = await stage(target.q, text, true);
    expect(batch).toMatchObject({ error_count: 0, new_count: 35, inferred_measure_count: 26 });
    commitImport(target.db, target.q, batch.id);
    const measures = target.db.prepare<[], { value: number; measure: string }>('SELECT value, measure FROM figures').all();
    expect(measures).toEqual(expect.arrayContaining([{ value: 10382, measure: 'running_total' }, { value: 98, measure: 'period_count' }, { value: 14_600_000, measure: 'level' }]));
  });

  test('the import audit entry is written in the transaction of its rows: when it fails, nothing is written', async () => {
    const app = createTestApp();
    const csv = (await exportCsv(app.app, '?location=RU-BEL&indicator=civilian_deaths,civilian_injuries')).replace(/^\d+,/gm, ',').replace(/2023-12-30,2023-12-30/g, '2023-12-31,2023-12-31');
    const batch = await stage(app.q, csv, true);
    const figures = countFigures(app.db);
    app.db.exec("CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END");
    expect(() => commitImport(app.db, app.q, batch.id)).toThrow('audit refused');
    expect(countFigures(app.db)).toBe(figures);
    app.db.exec('DROP TRIGGER refuse_audit');
    commitImport(app.db, app.q, batch.id);
    expect(countFigures(app.db)).toBe(figures + 2);
    const audit = app.db.prepare<[], { action: string; entity_type: string; details: string }>("SELECT action, entity_type, details FROM audit_log WHERE action = 'import'").all();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ file: 'test.csv', new: 2, changed: 0, unchanged: 0, published: true, match: 'id' });
  });

  test('every row error names the row, column and value, and nothing is written', async () => {
    const target = referenceOnlyApp();
    // A file of contract version 1 (no measure column) is still read.
    const header = EXPORT_COLUMNS_V1.join(',');
    const good = ',civilian_deaths,x,people,UKR,x,0,2024-01-01,2024-01-31,10,,,exact,reported,UN OCHA,,Title,Publisher,,2024-02-01,quote,,published,';
    const rows = [
      good,
      good.replace('civilian_deaths', 'civilian_deths'),
      good.replace('UKR', 'XXX'),
      good.replace('2024-01-31', '2023-12-31'),
      good.replace('2024-01-01', '2024-02-30'),
      good.replace(',10,,,', ',-5,,,'),
      good.replace(',10,,,', ',10,11,,'),
      good.replace(',10,,,', ',10,,9,'),
      good.replace('exact', 'roughly'),
      good.replace('reported,UN OCHA,', 'claimed,UN OCHA,'),
      good.replace(',,Title', ',,Title').replace('Publisher,,', 'Publisher,ftp://x,'),
      good.replace(',quote,', ',,'),
      good.replace('UN OCHA', ''),
      good + ',extra',
      good.replace('published', 'retired'),
      good,
    ];
    const batch = await stage(target.q, [header, ...rows].join('\r\n'));
    const errors = JSON.parse(batch.errors) as { row: number; column: string; value: string; message: string }[];
    const byRow = (row: number) => errors.filter((e) => e.row === row).map((e) => [e.column, e.value, e.message]);
    expect(byRow(2)).toEqual([]);
    expect(byRow(3)).toEqual([['indicator_code', 'civilian_deths', 'unknown indicator code "civilian_deths"']]);
    expect(byRow(4)).toEqual([['location_code', 'XXX', 'unknown location code "XXX"']]);
    // The messages are the domain schema's, the same the figure form shows, prefixed with the column.
    expect(byRow(5)).toEqual([['reference_period_end', '2023-12-31', 'reference_period_end: Must be on or after the start date (2024-01-01).']]);
    expect(byRow(6)).toEqual([['reference_period_start', '2024-02-30', 'reference_period_start: 2024-02-30 is impossible: February 2024 has 29 days. Must be a real date written YYYY-MM-DD, e.g. 2024-02-07.']]);
    expect(byRow(7)[0]?.slice(0, 2)).toEqual(['value', '-5']);
    expect(byRow(8)).toEqual([['value_low', '11', 'value_low: Must not be more than the value (10).']]);
    expect(byRow(9)).toEqual([['value_high', '9', 'value_high: Must not be less than the value (10).']]);
    expect(byRow(10)[0]?.slice(0, 2)).toEqual(['qualifier', 'roughly']);
    expect(byRow(11)).toEqual([['claimed_by', '', 'claimed_by: Required when the figure is a claim: name the party that claims it.']]);
    expect(byRow(12)).toEqual([['source_url', 'ftp://x', 'source_url: Must be a web address starting with http:// or https:// (at most 2000 characters).']]);
    expect(byRow(13)).toEqual([['source_quote', '', 'source_quote: Required.']]);
    expect(byRow(14)).toEqual([['reported_by', '', 'reported_by: Required.']]);
    expect(byRow(15)).toEqual([['', '', 'the row has 25 cells but the header has 24']]);
    expect(byRow(16)[0]?.slice(0, 2)).toEqual(['status', 'retired']);
    expect(byRow(17)).toEqual([['', '', 'the same figure (indicator, place, period, originator and source) as row 2']]);
    expect(batch.error_count).toBe(15);
    expect(() => commitImport(target.db, target.q, batch.id)).toThrow(`import ${batch.id} has 15 error(s): fix the file and upload it again`);
    expect(countFigures(target.db)).toBe(0);
    expect(target.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sources').get()?.n).toBe(0);
  });

  test.each([
    ['an empty file', '', 'the file is empty'],
    ['a header without rows', 'figure_id,indicator_code\r\n', 'missing column(s): indicator_name'],
    ['missing headers', 'indicator_code,location_code,value\r\nx,y,1\r\n', 'missing column(s): indicator_name, unit, location_name'],
    ['unknown headers', null, 'unknown column(s): vaule'],
    ['a semicolon-separated file', 'indicator_code;location_code;value\r\ncivilian_deaths;UKR;1\r\n', 'the file is separated by ";", not commas'],
    ['a tab-separated file', 'indicator_code\tlocation_code\tvalue\r\ncivilian_deaths\tUKR\t1\r\n', 'the file is separated by tabs, not commas'],
    ['an unterminated quote', null, 'is never closed: check for a stray double quote'],
    ['a stray quote', null, 'is not doubled: inside a quoted cell, write "" for each quote'],
    ['non-UTF-8 bytes', null, 'the file is not UTF-8 text'],
    ['only a header', null, 'the file has a header but no rows of figures'],
  ])('%s gets a clear message and writes nothing', async (_name, text, message) => {
    const app = createTestApp();
    const exported = await exportCsv(app.app, '?location=RU-BEL&indicator=civilian_deaths,civilian_injuries');
    const [header = '', first = ''] = exported.split('\r\n');
    let body: string | Buffer = text ?? '';
    if (_name === 'unknown headers') body = `${header.replace(',value,', ',vaule,')}\r\n${first}\r\n`;
    if (_name === 'an unterminated quote') body = `${header}\r\n${first}\r\n${first.replace(/,[^,]*$/, ',"2024-01-01')}\r\n`;
    if (_name === 'a stray quote') body = `${header}\r\n${first.replace(',UN DPPA,', ',"UN" DPPA,')}\r\n`;
    if (_name === 'non-UTF-8 bytes') body = Buffer.concat([Buffer.from(`${header}\r\n`), Buffer.from(first.replace('UN DPPA', 'UN D\u00e9PPA'), 'latin1')]);
    if (_name === 'only a header') body = `${header}\r\n`;
    const figuresBefore = countFigures(app.db);
    const batch = await stage(app.q, body, true);
    expect(batch.state).toBe('failed');
    expect(batch.file_error).toContain(message);
    expect(countFigures(app.db)).toBe(figuresBefore);
    expect(app.db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM import_rows WHERE batch_id = ?').get(batch.id)?.n).toBe(0);
  });

  test('a formula-neutralised cell is imported without the apostrophe', async () => {
    const source = createTestApp();
    source.db.prepare("UPDATE figures SET notes = '=1+1' WHERE id = 1").run();
    const csv = await exportCsv(source.app, '?indicator=civilian_deaths');
    expect(csv).toContain("'=1+1");
    const target = referenceOnlyApp();
    const batch = await stage(target.q, csv, true);
    commitImport(target.db, target.q, batch.id);
    expect(target.db.prepare<[], { notes: string }>("SELECT notes FROM figures WHERE notes LIKE '%1+1'").get()?.notes).toBe('=1+1');
  });

  test('a large file is staged in pages and committed in one transaction', async () => {
    const target = referenceOnlyApp();
    const header = EXPORT_COLUMNS_V1.join(',');
    const lines = [header];
    for (let i = 0; i < 10_000; i++) {
      const day = new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      lines.push(`,civilian_deaths,x,people,UA14,x,1,${day},${day},${i % 50},,,exact,reported,UN OCHA,,Daily report,OCHA,https://example.org/r/${i % 100},,"quote, ${i}",,,`);
    }
    const batch = await stage(target.q, lines.join('\r\n'), true);
    expect(batch).toMatchObject({ row_count: 10_000, new_count: 10_000, error_count: 0 });
    commitImport(target.db, target.q, batch.id);
    expect(countFigures(target.db)).toBe(10_000);
    expect(target.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sources').get()?.n).toBe(100);
  });

  test('a row whose quote disagrees with its value or qualifier, or breaks a relation, is imported with a warning in the preview', async () => {
    const app = createTestApp();
    const rows = parseCsv(await exportCsv(app.app, '?location=RU-BEL&indicator=civilian_deaths'));
    const header = rows[0] as string[];
    const row = [...(rows[1] as string[])];
    row[0] = '';
    row[header.indexOf('reference_period_start')] = '2024-01-05';
    row[header.indexOf('reference_period_end')] = '2024-01-05';
    row[header.indexOf('value')] = '30';
    row[header.indexOf('qualifier')] = 'exact';
    const text = [header, row].map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
    const batch = await stage(app.q, text, true);
    expect(batch).toMatchObject({ error_count: 0, new_count: 1 });
    expect((JSON.parse(batch.warnings) as { message: string }[]).map((w) => w.message)).toEqual(['The quote states 24, 100, not 30.']);
  });
});
