import request from 'supertest';
import { createTestApp } from '../helpers/app';

function figureIdWhere(db: ReturnType<typeof createTestApp>['db'], where: string): number {
  const row = db.prepare<[], { id: number }>(`SELECT f.id FROM figures f JOIN indicators i ON i.id = f.indicator_id JOIN locations l ON l.id = f.location_id WHERE ${where}`).get();
  if (!row) throw new Error(`no figure where ${where}`);
  return row.id;
}

describe('GET /figures', () => {
  test('lists the seeded figures with qualifier, period, verification, originator and source', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/figures').expect(200).expect('Content-Type', /html/);
    expect(res.text).toContain('Showing 1–35 of 35 figures');
    expect(res.text).toContain('≥ 24');
    expect(res.text).toContain('&gt; 100');
    expect(res.text).toContain('10,382');
    expect(res.text).toContain('2022-02-24 – 2024-02-07');
    expect(res.text).toContain('Claimed by a party');
    expect(res.text).toContain('by Russian Federation');
    expect(res.text).toContain('UN OCHA');
    expect(res.text).toContain('UPI</a>, 2024-02-07');
    expect(res.text).toContain('2022-02-24 – 2024-02-07<br><span class="hint">Running total</span>');
    expect(res.text).toContain('2023-12-30<br><span class="hint">Count for the period</span>');
  });

  test('filters by indicator, place and verification', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/figures?indicator=civilian_deaths&location=RU-BEL').expect(200);
    expect(res.text).toContain('Showing 1–1 of 1 figures');
    expect(res.text).toContain('≥ 24');
    const claims = await request(app).get('/figures?verification=claimed').expect(200);
    expect(claims.text).toContain('Showing 1–5 of 5 figures');
    expect(claims.text).toContain('Luhanska');
    const both = await request(app).get('/figures?verification=claimed&verification=verified').expect(200);
    expect(both.text).toContain('Showing 1–9 of 9 figures');
  });

  test('paginates at 50 rows with links that keep the filters', async () => {
    const { app, db } = createTestApp();
    const clone = db.prepare('INSERT INTO figures (indicator_id, location_id, reference_period_start, reference_period_end, value, qualifier, verification, reported_by, source_id, source_quote, status) SELECT indicator_id, location_id, reference_period_start, reference_period_end, value + ?, qualifier, verification, reported_by, source_id, source_quote, status FROM figures WHERE id = 1');
    for (let i = 1; i <= 60; i++) clone.run(i);
    const first = await request(app).get('/figures?indicator=civilian_deaths').expect(200);
    expect(first.text).toContain('Showing 1–50 of 66 figures');
    expect(first.text).toContain('href="/figures?indicator=civilian_deaths&amp;page=2"');
    const second = await request(app).get('/figures?indicator=civilian_deaths&page=2').expect(200);
    expect(second.text).toContain('Showing 51–66 of 66 figures');
    expect(second.text).toContain('Page 2 of 2');
    await request(app).get('/figures?indicator=civilian_deaths&page=3').expect(404);
  });

  test('past 10,000 matches the list stops counting: "more than 10,000", with a next page as deep as a reader goes', async () => {
    const { app, db } = createTestApp();
    const clone = db.prepare('INSERT INTO figures (indicator_id, location_id, reference_period_start, reference_period_end, value, qualifier, verification, reported_by, source_id, source_quote, status) SELECT indicator_id, location_id, reference_period_start, reference_period_end, value + ?, qualifier, verification, reported_by, source_id, source_quote, status FROM figures WHERE id = 1');
    db.transaction(() => {
      for (let i = 1; i <= 10_100; i++) clone.run(i);
    })();
    const first = await request(app).get('/figures?indicator=civilian_deaths').expect(200);
    expect(first.text).toContain('Showing 1–50 of more than 10,000 figures');
    expect(first.text).toContain('Page 1 of more than 200');
    const deep = await request(app).get('/figures?indicator=civilian_deaths&page=200').expect(200);
    expect(deep.text).toContain('Showing 9,951–10,000 of more than 10,000 figures');
    expect(deep.text).toContain('href="/figures?indicator=civilian_deaths&amp;page=201"');
    // Beyond the count the pages go on, and the last one is exact.
    const last = await request(app).get('/figures?indicator=civilian_deaths&page=203').expect(200);
    expect(last.text).toContain('Showing 10,101–10,106 of 10,106 figures');
    expect(last.text).not.toContain('page=204');
    await request(app).get('/figures?indicator=civilian_deaths&page=204').expect(404);
  });

  test('an empty database shows an empty state, not an error', async () => {
    const { app } = createTestApp({ seed: false });
    const res = await request(app).get('/figures').expect(200);
    expect(res.text).toContain('No published figures match these filters.');
  });

  test.each([
    ['/figures?indicator=no_such_thing', 'unknown indicator &#34;no_such_thing&#34;'],
    ['/figures?location=XX', 'unknown location &#34;XX&#34;'],
    ['/figures?verification=rumoured', 'unknown verification &#34;rumoured&#34; (expected one of: verified, reported, claimed, disputed)'],
    ['/figures?page=0', 'page must be a whole number'],
    ['/figures?page=abc', 'page must be a whole number'],
  ])('%s is a 400 that says what is wrong', async (url, message) => {
    const { app } = createTestApp();
    const res = await request(app).get(url).expect(400);
    expect(res.text).toContain(message);
  });

  test('drafts never appear', async () => {
    const { app, db } = createTestApp();
    db.prepare("UPDATE figures SET status = 'draft' WHERE value = 10382").run();
    const res = await request(app).get('/figures').expect(200);
    expect(res.text).toContain('of 34 figures');
    expect(res.text).not.toContain('10,382');
  });
});

describe('GET /figures/:id', () => {
  test('shows everything about one figure: source, quote, qualifier, range, verification, status', async () => {
    const { app, db } = createTestApp();
    const id = figureIdWhere(db, "l.code = 'RU-BEL' AND i.code = 'civilian_deaths'");
    const res = await request(app).get(`/figures/${id}`).expect(200);
    expect(res.text).toContain('Civilian deaths — Belgorod Oblast');
    expect(res.text).toContain('≥ 24');
    expect(res.text).toContain('<dt>Qualifier</dt><dd>at least</dd>');
    expect(res.text).toContain('<dt>Range</dt><dd>none given</dd>');
    expect(res.text).toContain('Reported');
    expect(res.text).toContain('UN DPPA');
    expect(res.text).toContain('at least 24 civilians were reportedly killed and more than 100 others injured');
    expect(res.text).toContain('US and allies accuse Russia of using North Korean missiles against Ukraine');
    expect(res.text).toContain('The Independent (Associated Press)');
    expect(res.text).toContain('<dt>Status</dt><dd>published</dd>');
    expect(res.text).toContain('<dt>Measure</dt><dd>Count for the period</dd>');
  });

  test('says what the number is: a running total since its start date, or a level', async () => {
    const { app, db } = createTestApp();
    const total = figureIdWhere(db, "i.code = 'civilian_deaths' AND f.value = 10382");
    expect((await request(app).get(`/figures/${total}`).expect(200)).text).toContain(
      '<dt>Measure</dt><dd>Running total since 24 Feb 2022, as of 7 Feb 2024</dd>',
    );
    const level = figureIdWhere(db, "i.code = 'people_in_need'");
    expect((await request(app).get(`/figures/${level}`).expect(200)).text).toContain('<dt>Measure</dt><dd>Level</dd>');
  });

  test('shows a range when the source gives one', async () => {
    const { app, db } = createTestApp();
    db.prepare("UPDATE figures SET value = 25, value_low = 20, value_high = 30, qualifier = 'about' WHERE id = 1").run();
    const res = await request(app).get('/figures/1').expect(200);
    expect(res.text).toContain('<dt>Range</dt><dd>20 – 30</dd>');
  });

  test('a retired figure stays viewable and says it is retired', async () => {
    const { app, db } = createTestApp();
    db.prepare("UPDATE figures SET status = 'retired', retired_reason = 'Superseded by the OHCHR update' WHERE id = 1").run();
    const res = await request(app).get('/figures/1').expect(200);
    expect(res.text).toContain('Retired.');
    expect(res.text).toContain('Superseded by the OHCHR update');
  });

  test('an unknown id is 404, a draft is 404, a non-numeric id is 400', async () => {
    const { app, db } = createTestApp();
    await request(app).get('/figures/99999').expect(404);
    db.prepare("UPDATE figures SET status = 'draft' WHERE id = 2").run();
    await request(app).get('/figures/2').expect(404);
    const res = await request(app).get('/figures/abc').expect(400);
    expect(res.text).toContain('figure id must be a positive whole number');
    await request(app).get('/figures/1.5').expect(400);
    await request(app).get('/figures/-1').expect(400);
  });

  test('a hostile source title and quote are rendered escaped', async () => {
    const { app, db } = createTestApp();
    db.prepare("UPDATE sources SET title = '<script>alert(1)</script>' WHERE id = 1").run();
    db.prepare(`UPDATE figures SET source_quote = '"><img src=x onerror=alert(1)>' WHERE id = 1`).run();
    const res = await request(app).get('/figures/1').expect(200);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('errors and health', () => {
  test('an unknown page is an HTML 404; under /api it is JSON', async () => {
    const { app } = createTestApp();
    const html = await request(app).get('/no/such/page').expect(404).expect('Content-Type', /html/);
    expect(html.text).toContain('Not found');
    const json = await request(app).get('/api/v1/nothing').expect(404).expect('Content-Type', /json/);
    expect(json.body).toEqual({ error: { status: 404, message: 'There is nothing at /api/v1/nothing.' } });
  });

  test('a failing handler gives a 500 page without a stack trace outside development', async () => {
    const { app, db } = createTestApp();
    db.close();
    const res = await request(app).get('/figures').expect(500);
    expect(res.text).toContain('Something went wrong on our side.');
    expect(res.text).not.toMatch(/\.(ts|js):\d+:\d+/);
    expect(res.text).not.toContain('database connection is not open');
  });

  test('GET /healthz answers with the schema version', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/healthz').expect(200);
    const body = res.body as { status: string; schemaVersion: number };
    expect(body.status).toBe('ok');
    expect(body.schemaVersion).toBeGreaterThanOrEqual(1);
  });

  test('/ is the dashboard', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/').expect(200);
    expect(res.text).toContain('<a href="/" aria-current="page">Dashboard</a>');
  });

  test('pages carry a strict CSP and no X-Powered-By', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/figures').expect(200);
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
