import request from 'supertest';
import { EXPORT_COLUMNS } from '../../db/queries/export';
import { createTestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';

const HEADER = [
  'figure_id', 'indicator_code', 'indicator_name', 'unit', 'location_code', 'location_name', 'admin_level',
  'reference_period_start', 'reference_period_end', 'value', 'value_low', 'value_high', 'qualifier',
  'verification', 'reported_by', 'claimed_by', 'source_title', 'source_publisher', 'source_url',
  'source_published_on', 'source_quote', 'notes', 'status', 'updated_at',
  // Contract version 2 appends, never reorders:
  'measure', 'source_id', 'version',
  'attributed_to', 'disputed_by',
];

function col(name: string): number {
  return HEADER.indexOf(name);
}

async function exportRows(app: ReturnType<typeof createTestApp>['app'], query = ''): Promise<string[][]> {
  const res = await request(app).get(`/export/figures.csv${query}`).expect(200);
  return parseCsv(res.text);
}

describe('GET /export/figures.csv', () => {
  test('has the contract header, in order, and one row per published figure', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/export/figures.csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="tally-figures-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.text.startsWith('figure_id,')).toBe(true);
    expect(res.text).toContain('\r\n');
    expect(res.text.replace(/\r\n/g, '')).not.toContain('\n'.repeat(1) + 'figure_id');
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(HEADER);
    expect([...EXPORT_COLUMNS]).toEqual(HEADER);
    expect(rows).toHaveLength(1 + 35);
    const ids = rows.slice(1).map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  test('keeps qualifier, verification, claimant, source and quote with each value', async () => {
    const { app } = createTestApp();
    const rows = await exportRows(app, '?location=RU-BEL&indicator=civilian_deaths');
    expect(rows).toHaveLength(2);
    const belgorod = rows[1] as string[];
    expect(belgorod[col('value')]).toBe('24');
    expect(belgorod[col('qualifier')]).toBe('at_least');
    expect(belgorod[col('verification')]).toBe('reported');
    expect(belgorod[col('reference_period_start')]).toBe('2023-12-30');
    expect(belgorod[col('source_publisher')]).toBe('The Independent (Associated Press)');
    expect(belgorod[col('source_quote')]).toContain('at least 24 civilians were reportedly killed');
    expect(belgorod[col('status')]).toBe('published');
    expect(belgorod[col('updated_at')]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const claims = await exportRows(app, '?verification=claimed');
    expect(claims[1]?.[col('claimed_by')]).toBe('Russian Federation');
  });

  test('?hxl=1 adds the hashtag row under the header', async () => {
    const { app } = createTestApp();
    const rows = await exportRows(app, '?indicator=civilian_deaths&hxl=1');
    expect(rows[1]?.slice(0, 3)).toEqual(['#meta+id', '#indicator+code', '#indicator+name']);
    expect(rows[1]?.[col('reference_period_start')]).toBe('#date+start');
    expect(rows[1]?.[col('reference_period_end')]).toBe('#date+end');
    expect(rows[1]?.[col('value')]).toBe('#value');
    expect(rows[1]?.every((tag) => tag.startsWith('#'))).toBe(true);
    expect(rows.slice(2).every((r) => r[col('indicator_code')] === 'civilian_deaths')).toBe(true);
  });

  test('?bom=1 starts with a UTF-8 byte order mark; without it there is none', async () => {
    const { app } = createTestApp();
    const withBom = await request(app).get('/export/figures.csv?bom=1').buffer(true).parse(rawBuffer).expect(200);
    expect([...(withBom.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const without = await request(app).get('/export/figures.csv').buffer(true).parse(rawBuffer).expect(200);
    expect((without.body as Buffer).subarray(0, 9).toString('utf8')).toBe('figure_id');
  });

  test('quotes commas, quotes, newlines and unicode; neutralises formulas; leaves numbers alone', async () => {
    const { app, db } = createTestApp();
    db.prepare(`UPDATE figures SET source_quote = ?, notes = ? WHERE id = 1`).run('He said, "98 killed"\r\nand more — Київ ✓', '=HYPERLINK("http://evil")');
    db.prepare(`UPDATE sources SET title = ? WHERE id = 1`).run('@SUM(A1:A2)');
    db.prepare(`UPDATE figures SET reported_by = ? WHERE id = 2`).run('-2+3');
    db.prepare(`UPDATE figures SET claimed_by = ?, verification = 'claimed' WHERE id = 3`).run('\tTab party');
    const res = await request(app).get('/export/figures.csv').expect(200);
    expect(res.text).toContain('"He said, ""98 killed""\r\nand more — Київ ✓"');
    const rows = parseCsv(res.text);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byId.get('1')?.[col('source_quote')]).toBe('He said, "98 killed"\r\nand more — Київ ✓');
    expect(byId.get('1')?.[col('notes')]).toBe(`'=HYPERLINK("http://evil")`);
    expect(byId.get('1')?.[col('source_title')]).toBe(`'@SUM(A1:A2)`);
    expect(byId.get('2')?.[col('reported_by')]).toBe(`'-2+3`);
    expect(byId.get('3')?.[col('claimed_by')]).toBe(`'\tTab party`);
    expect(byId.get('1')?.[col('value')]).toBe('98');
    const funding = rows.find((r) => r[col('indicator_code')] === 'funding_required_usd' && r[col('reference_period_start')] === '2023-01-01');
    expect(funding?.[col('value')]).toBe('3900000000');
  });

  test('filters: from/to overlap, include_children, source, repeated and comma-separated values', async () => {
    const { app, q } = createTestApp();
    const overlap = await exportRows(app, '?from=2023-12-30&to=2023-12-31');
    // The 29 Dec–2 Jan counts, the 30 Dec Belgorod day, the running totals and the 2023 levels overlap; the 29 Dec day does not.
    expect(overlap.slice(1).some((r) => r[col('reference_period_end')] === '2023-12-29')).toBe(false);
    expect(overlap.slice(1).some((r) => r[col('location_code')] === 'RU-BEL')).toBe(true);
    const ukrOnly = await exportRows(app, '?location=UKR');
    const ukrTree = await exportRows(app, '?location=UKR&include_children=1');
    expect(ukrTree.length).toBe(ukrOnly.length + 3); // + Lysychansk (UA44), the Kharkiv missile (UA63), Kherson's warehouses (UA65)
    const upi = q.sources.listWithCounts().find((s) => s.publisher === 'UPI');
    const fromUpi = await exportRows(app, `?source=${upi?.id}`);
    expect(fromUpi).toHaveLength(1 + 7);
    const two = await exportRows(app, '?indicator=civilian_deaths,child_deaths');
    const twoRepeated = await exportRows(app, '?indicator=civilian_deaths&indicator=child_deaths');
    expect(two).toEqual(twoRepeated);
    expect(new Set(two.slice(1).map((r) => r[col('indicator_code')]))).toEqual(new Set(['civilian_deaths', 'child_deaths']));
  });

  test.each([
    ['?indicator=deaths', 'unknown indicator "deaths"'],
    ['?location=XX', 'unknown location "XX"'],
    ['?verification=sure', 'unknown verification "sure"'],
    ['?from=2024-02-30', 'from must be a real date written YYYY-MM-DD (got "2024-02-30")'],
    ['?from=2024-03-01&to=2024-02-01', 'from (2024-03-01) is after to (2024-02-01)'],
    ['?source=9999', 'unknown source "9999"'],
    ['?updated_since=yesterday', 'updated_since must be a real date'],
    ['?hxl=yes', 'hxl must be 1 or 0 (got "yes")'],
    ['?indicators=civilian_deaths', 'unknown parameter "indicators"'],
  ])('%s is a 400 with a plain-text message naming it', async (query, message) => {
    const { app } = createTestApp();
    const res = await request(app).get(`/export/figures.csv${query}`).expect(400).expect('Content-Type', /text\/plain/);
    expect(res.text).toContain(message);
  });

  test('a matching If-None-Match gets 304; the ETag changes after a publish and after a retire', async () => {
    const { app, db } = createTestApp();
    const first = await request(app).get('/export/figures.csv').expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"\d+-[\w-]+"$/);
    expect(first.headers['last-modified']).toBeDefined();
    const again = await request(app).get('/export/figures.csv').set('If-None-Match', etag).expect(304);
    expect(again.text ?? '').toBe('');
    // A different filter is a different resource.
    const filtered = await request(app).get('/export/figures.csv?indicator=civilian_deaths').expect(200);
    expect(filtered.headers.etag).not.toBe(etag);

    db.prepare("UPDATE figures SET status = 'draft' WHERE id = 5").run();
    db.prepare("UPDATE figures SET status = 'published' WHERE id = 5").run(); // a publish
    const afterPublish = await request(app).get('/export/figures.csv').set('If-None-Match', etag).expect(200);
    const etag2 = afterPublish.headers.etag as string;
    expect(etag2).not.toBe(etag);
    db.prepare("UPDATE figures SET status = 'retired', retired_reason = 'duplicate' WHERE id = 5").run();
    const afterRetire = await request(app).get('/export/figures.csv').set('If-None-Match', etag2).expect(200);
    expect(afterRetire.headers.etag).not.toBe(etag2);
    expect(parseCsv(afterRetire.text)).toHaveLength(35);
  });

  test('a 304 does not run the export query', async () => {
    const { app, db } = createTestApp();
    const first = await request(app).get('/export/figures.csv').expect(200);
    // Every statement shares one prototype: record the SQL of each .all() the request runs.
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { all: (...args: unknown[]) => unknown };
    const ran: string[] = [];
    const original = proto.all;
    const spy = jest.spyOn(proto, 'all').mockImplementation(function (this: { source: string }, ...args: unknown[]) {
      ran.push(this.source);
      return original.apply(this, args);
    });
    try {
      await request(app).get('/export/figures.csv').set('If-None-Match', first.headers.etag as string).expect(304);
      expect(ran.some((sql) => sql.includes('FROM figures f'))).toBe(false);
      await request(app).get('/export/figures.csv').expect(200);
      expect(ran.some((sql) => sql.includes('FROM figures f'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  test('updated_since returns figures changed since then, and those retired since then as retired', async () => {
    const { app, db } = createTestApp();
    const all = await exportRows(app);
    const latest = all.slice(1).map((r) => r[col('updated_at')] as string).sort().at(-1) as string;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await exportRows(app, `?updated_since=${encodeURIComponent(since)}`)).toHaveLength(1);
    db.prepare("UPDATE figures SET status = 'retired', retired_reason = 'Superseded' WHERE id = 3").run();
    db.prepare('UPDATE figures SET notes = ? WHERE id = 4').run('Corrected note');
    const changes = await exportRows(app, `?updated_since=${encodeURIComponent(since)}`);
    expect(changes.slice(1).map((r) => [r[0], r[col('status')]])).toEqual([['3', 'retired'], ['4', 'published']]);
    expect(latest < since).toBe(true);
    // Without updated_since, retired figures are gone.
    expect((await exportRows(app)).some((r) => r[0] === '3')).toBe(false);
  });

  test('drafts never appear', async () => {
    const { app, db } = createTestApp();
    db.prepare("UPDATE figures SET status = 'draft' WHERE id IN (1, 2)").run();
    const rows = await exportRows(app);
    expect(rows.slice(1).map((r) => r[0])).not.toContain('1');
    expect(rows).toHaveLength(34);
    const since = await exportRows(app, '?updated_since=2000-01-01T00:00:00Z');
    expect(since.slice(1).map((r) => r[0])).not.toContain('1');
  });

  test('streams thousands of rows page by page', async () => {
    const { app, db } = createTestApp();
    const clone = db.prepare('INSERT INTO figures (indicator_id, location_id, reference_period_start, reference_period_end, value, qualifier, verification, reported_by, source_id, source_quote, status) SELECT indicator_id, location_id, reference_period_start, reference_period_end, value + ?, qualifier, verification, reported_by, source_id, source_quote, status FROM figures WHERE id = 1');
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) clone.run(i);
    })();
    const rows = await exportRows(app);
    expect(rows).toHaveLength(1 + 35 + 5000);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(5035);
  });

  test('answers cross-origin GETs', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/export/figures.csv').set('Origin', 'https://example.org').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const pre = await request(app).options('/export/figures.csv').set('Origin', 'https://example.org').set('Access-Control-Request-Method', 'GET');
    expect(pre.headers['access-control-allow-methods']).toBe('GET,HEAD');
    const page = await request(app).get('/figures').set('Origin', 'https://example.org').expect(200);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });
});

function rawBuffer(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('the originator filter', () => {
  test('keeps only figures from the named originators; an unknown originator is a 400', async () => {
    const { app } = createTestApp();
    const rows = parseCsv((await request(app).get('/export/figures.csv?originator=UN%20DPPA').expect(200)).text);
    expect(rows.slice(1).map((r) => r[col('reported_by')])).toEqual(['UN DPPA', 'UN DPPA', 'UN DPPA']);
    const res = await request(app).get('/export/figures.csv?originator=Nobody').expect(400);
    expect(res.text).toContain('unknown originator "Nobody"');
  });
});

describe('what moves the ETag', () => {
  test('a new or edited draft leaves it alone; publishing it moves it', async () => {
    const { app, db } = createTestApp();
    const etag = (await request(app).get('/export/figures.csv').expect(200)).headers.etag as string;
    db.prepare(`INSERT INTO figures (indicator_id, location_id, reference_period_start, reference_period_end, value, qualifier, verification, reported_by, source_id, source_quote, status)
      SELECT indicator_id, location_id, reference_period_start, reference_period_end, 7, qualifier, verification, reported_by, source_id, source_quote, 'draft' FROM figures WHERE id = 1`).run();
    const draftId = db.prepare<[], { id: number }>("SELECT id FROM figures WHERE status = 'draft'").get()?.id as number;
    db.prepare('UPDATE figures SET value = 8 WHERE id = ?').run(draftId);
    await request(app).get('/export/figures.csv').set('If-None-Match', etag).expect(304);
    db.prepare("UPDATE figures SET status = 'published' WHERE id = ?").run(draftId);
    await request(app).get('/export/figures.csv').set('If-None-Match', etag).expect(200);
  });
});
