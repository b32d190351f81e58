import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';
import { staff, type Staff } from '../helpers/staff';

const cell = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const toCsv = (rows: string[][]): string => rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

function upload(who: Staff, csv: string, fields: Record<string, string> = {}) {
  let req = who.agent.post('/admin/import').field('_csrf', who.csrf);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req.attach('file', Buffer.from(csv), 'figures.csv');
}

function batches(t: TestApp): number {
  return t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM import_batches').get()?.n ?? 0;
}

describe('the import preview', () => {
  test('publishing at once is an admin\'s choice with a reason, kept with the import and in the audit log', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const csv = (await request(t.app).get('/export/figures.csv?location=RU-BEL').expect(200)).text;
    const refused = await upload(ada, csv, { publish: '1' }).expect(400);
    expect(refused.text).toContain('Required to publish at once: say why these figures skip review');
    expect(refused.text).toMatch(/name="publish" value="1" checked/);
    expect(batches(t)).toBe(0);

    const staged = await upload(ada, csv, { publish: '1', publish_reason: 'Re-import of our own export after the restore' }).expect(303);
    const preview = await ada.agent.get(staged.headers.location as string).expect(200);
    expect(preview.text).toContain('<dt>Why at once</dt><dd id="publish-reason">Re-import of our own export after the restore</dd>');
    const audit = t.db.prepare("SELECT action, details FROM audit_log WHERE entity_type = 'import'").all();
    expect(audit).toContainEqual({ action: 'publish_at_once', details: JSON.stringify({ reason: 'Re-import of our own export after the restore' }) });
  });

  test('rows with errors and errors are counted apart', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const [header, ...rows] = parseCsv((await request(t.app).get('/export/figures.csv?location=RU-BEL').expect(200)).text);
    if (!header || rows.length < 2) throw new Error('seed rows missing');
    const col = (n: string): number => header.indexOf(n);
    // Row 2: two errors (place and value); row 3: one (indicator).
    rows[0]![col('location_code')] = 'RU-XXX';
    rows[0]![col('value')] = 'many';
    rows[1]![col('indicator_code')] = 'no_such_indicator';
    const staged = await upload(ada, toCsv([header, ...rows])).expect(303);
    const preview = await ada.agent.get(staged.headers.location as string).expect(200);
    expect(preview.text).toContain('<dt>Rows with errors</dt><dd id="error-rows">2</dd>');
    expect(preview.text).toMatch(/<dt>Errors<\/dt><dd id="error-count">[3-9]<\/dd>/);
  });

  test('the before → after table of changed figures is paged, 50 figures a page', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const clone = t.db.prepare(`INSERT INTO figures (indicator_id, location_id, reference_period_start, reference_period_end, measure, value, qualifier, verification, reported_by, source_id, source_quote, status)
      SELECT indicator_id, location_id, date(reference_period_start, '-' || ? || ' years'), date(reference_period_end, '-' || ? || ' years'), measure, value, qualifier, verification, reported_by, source_id, source_quote, status FROM figures WHERE id = 1`);
    for (let i = 1; i <= 30; i++) clone.run(i, i);
    const [header, ...rows] = parseCsv((await request(t.app).get('/export/figures.csv').expect(200)).text);
    if (!header) throw new Error('no export');
    for (const r of rows) r[header.indexOf('notes')] = 'Checked again in November';
    expect(rows.length).toBeGreaterThan(50);
    const staged = await upload(ada, toCsv([header, ...rows])).expect(303);
    const url = staged.headers.location as string;
    const first = await ada.agent.get(url).expect(200);
    expect(first.text).toContain(`Figures 1–50 of ${rows.length} · Page 1 of 2`);
    expect(first.text).toContain(`href="${url}?changes_page=2#changes" rel="next"`);
    expect((first.text.match(/<th scope="row">notes<\/th>/g) ?? []).length).toBe(50);
    const second = await ada.agent.get(`${url}?changes_page=2`).expect(200);
    expect(second.text).toContain(`Figures 51–${rows.length} of ${rows.length} · Page 2 of 2`);
    expect((second.text.match(/<th scope="row">notes<\/th>/g) ?? []).length).toBe(rows.length - 50);
  });
});
