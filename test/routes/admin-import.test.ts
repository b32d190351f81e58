import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';
import { staff } from '../helpers/staff';

async function setup() {
  const t = createTestApp();
  const ada = await staff(t, 'ada', 'admin');
  const exported = (await request(t.app).get('/export/figures.csv?location=RU-BEL&indicator=civilian_deaths,civilian_injuries').expect(200)).text;
  return { t, ada, exported };
}

function countFigures(t: ReturnType<typeof createTestApp>): number {
  return t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figures').get()?.n ?? 0;
}

describe('/admin/import', () => {
  test('upload → preview (nothing written) → commit writes drafts and an audit entry', async () => {
    const { t, ada, exported } = await setup();
    // Without figure_id the rows are matched by what they state: a new day makes them new figures.
    const csv = exported.replace(/2023-12-30,2023-12-30/g, '2023-12-31,2023-12-31').replace(/^\d+,/gm, ',');
    const before = countFigures(t);
    const upload = await ada.agent.post('/admin/import').field('_csrf', ada.csrf).attach('file', Buffer.from(csv), 'belgorod.csv').expect(303);
    const previewUrl = upload.headers.location as string;
    expect(previewUrl).toMatch(/^\/admin\/import\/\d+$/);
    expect(countFigures(t)).toBe(before);
    const preview = await ada.agent.get(previewUrl).expect(200);
    expect(preview.text).toContain('preview: nothing written yet');
    expect(preview.text).toMatch(/<dt>New figures<\/dt><dd>2<\/dd>/);
    expect(preview.text).toContain('Import 2 figures');

    await ada.agent.post(`${previewUrl}/commit`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect(countFigures(t)).toBe(before + 2);
    const drafts = t.db.prepare<[], { status: string; submitted: number }>("SELECT status, submitted_at IS NOT NULL AS submitted FROM figures WHERE reference_period_start = '2023-12-31'").all();
    expect(drafts).toEqual([{ status: 'draft', submitted: 1 }, { status: 'draft', submitted: 1 }]);
    const done = await ada.agent.get(previewUrl).expect(200);
    expect(done.text).toContain('Imported: 2 new and 0 changed figures, submitted for review');
    // Imported drafts reach the review queue.
    expect((await ada.agent.get('/admin').expect(200)).text).toMatch(/Awaiting review \(2\)/);
    const audit = await ada.agent.get('/admin/audit').expect(200);
    expect(audit.text).toContain('import');
    // A second commit of the same import is refused and writes nothing.
    await ada.agent.post(`${previewUrl}/commit`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect(countFigures(t)).toBe(before + 2);
  });

  test('a bad file shows what to fix and writes nothing; it cannot be committed', async () => {
    const { t, ada, exported } = await setup();
    const rows = parseCsv(exported);
    const bad = exported.replace(',RU-BEL,', ',RU-XXX,');
    expect(rows.length).toBe(3);
    const upload = await ada.agent.post('/admin/import').field('_csrf', ada.csrf).attach('file', Buffer.from(bad), 'bad.csv').expect(303);
    const preview = await ada.agent.get(upload.headers.location as string).expect(200);
    expect(preview.text).toMatch(/<td class="num">2<\/td><td>location_code<\/td><td><code>RU-XXX<\/code><\/td><td>unknown location code &#34;RU-XXX&#34;<\/td>/);
    expect(preview.text).not.toContain('Import 1 figures');
    const before = countFigures(t);
    await ada.agent.post(`${upload.headers.location as string}/commit`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect(countFigures(t)).toBe(before);
    const after = await ada.agent.get(upload.headers.location as string).expect(200);
    expect(after.text).toContain('Nothing was imported');

    const semicolons = await ada.agent.post('/admin/import').field('_csrf', ada.csrf).attach('file', Buffer.from('a;b\n1;2\n'), 'x.csv').expect(303);
    const failed = await ada.agent.get(semicolons.headers.location as string).expect(200);
    // Semicolons are read (as a European Excel writes them): the file is refused for what it lacks, and the page says how it was read.
    expect(failed.text).toContain('File read as: <strong id="read-as">CSV, UTF-8 text, semicolon-separated, decimal point</strong>.');
    expect(failed.text).toContain('This file cannot be imported.');
  });

  test('without a CSRF token, as an editor, or anonymously, an upload is refused', async () => {
    const { t, ada, exported } = await setup();
    const erin = await staff(t, 'erin', 'editor');
    await ada.agent.post('/admin/import').attach('file', Buffer.from(exported), 'a.csv').expect(403);
    await erin.agent.post('/admin/import').field('_csrf', erin.csrf).attach('file', Buffer.from(exported), 'a.csv').expect(403);
    const anonymous = await request(t.app).post('/admin/import').attach('file', Buffer.from(exported), 'a.csv');
    expect([302, 303, 403]).toContain(anonymous.status);
    expect(t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM import_batches').get()?.n).toBe(0);
  });

  test('a file over 50 MB gets a 413 page', async () => {
    const { ada } = await setup();
    const big = Buffer.alloc(50 * 1024 * 1024 + 10, 'a');
    const res = await ada.agent.post('/admin/import').field('_csrf', ada.csrf).attach('file', big, 'big.csv').expect(413);
    expect(res.text).toContain('The file is larger than 50 MB');
  });

  test('a form over 1 MB gets a 413 page', async () => {
    const { ada } = await setup();
    const res = await ada.agent.post('/admin/sources').type('form').send({ _csrf: ada.csrf, title: 'x'.repeat(1_100_000) }).expect(413);
    expect(res.text).toContain('The form is larger than 1 MB');
  });
});
