/**
 * The full export's lines are built by SQLite (db/queries/export.ts,
 * figureLines). The file must be byte for byte what the JavaScript writer
 * (server/export/csv.ts, writeCsv over the figures' cells) gives, hostile
 * cells included.
 */
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { writeCsv } from '../../server/export/csv';
import { createTestApp } from '../helpers/app';

type App = ReturnType<typeof createTestApp>;

/** The export as the JavaScript writer builds it from each figure's cells. */
async function javascriptExport(t: App, options: { hxl: boolean; bom: boolean }): Promise<string> {
  const filter = { indicatorIds: [], locationIds: [], verifications: [], originators: [], sourceId: null, from: null, to: null, updatedSince: null };
  const window = { asOf: t.q.exports.feedPosition().position, since: null };
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeCsv(out, (after) => t.q.exports.figureCells(filter, window, after, 7, true), t.q.exports.lookups, options);
  return Buffer.concat(chunks).toString('utf8');
}

function hostile(t: App): void {
  const quirks = [
    '=SUM(A1:A9)', '+44 20', '-minus', '@mention', '\tleading tab', '\rleading return', 'a "quoted" word', 'comma, inside',
    'two\nlines', 'crlf\r\nlines', '=formula, with "quotes"', 'ünïcode — “smart” ✓', "'already apostrophe",
  ];
  const ids = t.db.prepare<[], { id: number }>("SELECT id FROM figures WHERE status = 'published' ORDER BY id").all().map((r) => r.id);
  const set = t.db.prepare('UPDATE figures SET notes = ?, claimed_by = ?, attributed_to = ?, disputed_by = ?, source_quote = ? WHERE id = ?');
  ids.forEach((id, n) => {
    const q = (k: number): string | null => (n % 5 === 4 && k === 0 ? null : (quirks[(n + k) % quirks.length] ?? ''));
    set.run(q(0), q(1), q(2), q(3), `"${q(4) ?? ''}" said the source`, id);
  });
  t.db.prepare("UPDATE sources SET title = '=HYPERLINK(\"x\"), a title', publisher = '-dash, publisher', url = NULL WHERE id = (SELECT MIN(id) FROM sources)").run();
  t.db.prepare("UPDATE locations SET name = '@place, \"named\"' WHERE id = (SELECT MIN(location_id) FROM figures)").run();
  t.db.prepare("UPDATE indicators SET name = 'Deaths\nand \"injuries\"' WHERE id = (SELECT MIN(indicator_id) FROM figures)").run();
}

describe('export lines built by SQLite', () => {
  test.each([
    { hxl: false, bom: false },
    { hxl: true, bom: true },
  ])('the full export is byte for byte the JavaScript writer’s, hostile cells included (%o)', async (options) => {
    const t = createTestApp();
    hostile(t);
    const query = [options.hxl ? 'hxl=1' : '', options.bom ? 'bom=1' : ''].filter(Boolean).join('&');
    const res = await request(t.app).get(`/export/figures.csv${query ? `?${query}` : ''}`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
    });
    expect(res.status).toBe(200);
    const expected = await javascriptExport(t, options);
    expect(expected.split('\r\n').length).toBeGreaterThan(20);
    expect(expected).toContain('"\'=formula, with ""quotes"""');
    expect(res.body).toBe(expected);
  });

  test('after a document, place or indicator is renamed, the next export carries the new name, byte for byte the JavaScript writer’s again', async () => {
    const t = createTestApp();
    const csv = async (): Promise<string> =>
      (await request(t.app).get('/export/figures.csv').buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
      })).body as string;
    expect(await csv()).toBe(await javascriptExport(t, { hxl: false, bom: false }));
    // The catalogue's cells are kept between exports: each rename must reach the next one.
    hostile(t);
    const after = await csv();
    expect(after).toContain(`"'=HYPERLINK(""x""), a title"`);
    expect(after).toContain('"\'@place, ""named"""');
    expect(after).toContain('"Deaths\nand ""injuries"""');
    expect(after).toBe(await javascriptExport(t, { hxl: false, bom: false }));
  });
});
