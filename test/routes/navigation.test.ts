import request from 'supertest';
import { createTestApp } from '../helpers/app';

describe('navigation without dead ends', () => {
  test('/locations lists places by level with their published figure counts; places without figures are collapsed', async () => {
    const { app, q } = createTestApp();
    const res = await request(app).get('/locations').expect(200);
    expect(res.text).toContain('<h2 id="level-0">Countries</h2>');
    const ukr = q.locations.listWithCounts().find((l) => l.code === 'UKR');
    expect(ukr?.figure_count).toBeGreaterThan(0);
    expect(res.text).toContain(`<a href="/locations/UKR">Ukraine</a> <span class="code">UKR</span> — ${ukr?.figure_count} published figures`);
    const empty = q.locations.listWithCounts().filter((l) => l.figure_count === 0);
    if (empty.length > 0) {
      expect(res.text).toMatch(/<details class="quiet">\s*<summary>\d+ places? without published figures<\/summary>/);
      const first = empty[0];
      expect(res.text).toContain(`<a href="/locations/${first?.code}">`);
    }
    expect(res.text).toContain('<a href="/locations" aria-current="page">Places</a>');
  });

  test('every source listed links to its own page', async () => {
    const { app, q } = createTestApp();
    const res = await request(app).get('/sources').expect(200);
    for (const s of q.sources.listWithCounts()) expect(res.text).toContain(`<a href="/sources/${s.id}">`);
  });

  test("a figure's page links to its indicator, place and source", async () => {
    const { app, q } = createTestApp();
    const f = q.charts.listLatest(1)[0];
    if (!f) throw new Error('the demo data has published figures');
    const res = await request(app).get(`/figures/${f.id}`).expect(200);
    expect(res.text).toContain(`<a href="/indicators/${f.indicator_code}">`);
    expect(res.text).toContain(`<a href="/locations/${f.location_code}">`);
    expect(res.text).toContain(`<a href="/sources/${f.source_id}">`);
  });

  test('/figures offers its figures as CSV with the same filters, and the link downloads them', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/figures?indicator=civilian_deaths&verification=verified').expect(200);
    const href = '/export/figures.csv?indicator=civilian_deaths&verification=verified';
    expect(res.text).toContain(`<a href="${href.replace(/&/g, '&amp;')}">Download these figures (CSV)</a>`);
    const csv = await request(app).get(href).expect(200);
    const lines = csv.text.trim().split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toContain(',civilian_deaths,');
  });
});

describe('/compare says what it did', () => {
  test('offers source documents and honours source=', async () => {
    const { app, q } = createTestApp();
    const rows = q.charts.listFigures({ indicatorCodes: ['civilian_deaths'] });
    const sourceId = rows[0]?.source_id as number;
    const fromSource = rows.filter((r) => r.source_id === sourceId).length;
    const res = await request(app).get(`/compare?indicator=civilian_deaths&source=${sourceId}`).expect(200);
    expect(res.text).toContain(`<option value="${sourceId}" selected>`);
    expect(res.text).toContain(`Only figures from <a href="/sources/${sourceId}">`);
    const drawn = [...res.text.matchAll(/<tr>\s*<td data-label="Series">[^<]*<\/td>\s*<td class="period"/g)].length;
    expect(drawn).toBe(fromSource);
    expect(res.text).toContain(`source=${sourceId}`);
    await request(app).get('/compare?indicator=civilian_deaths&source=999999').expect(400);
  });

  test('groups the pickers and names chosen indicators that have no data', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/compare?indicator=civilian_deaths&indicator=pow_deaths&to=2023-12-31').expect(200);
    expect(res.text).toContain('<optgroup label="People">');
    expect(res.text).toContain('<optgroup label="Countries">');
    expect(res.text).toMatch(/No published figures for [^<]*Prisoner[^<]* under these filters/i);
  });

  test('names parameters it did not understand, and ignores tracking parameters quietly', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/compare?indicator=civilian_deaths&indicatr=people_in_need&utm_source=newsletter&fbclid=abc').expect(200);
    expect(res.text).toContain('Not understood, so not applied: “indicatr”.');
    expect(res.text).not.toContain('utm_source');
    const clean = await request(app).get('/compare?indicator=civilian_deaths&utm_source=newsletter').expect(200);
    expect(clean.text).not.toContain('Not understood');
    // The warning is not kept in the page cache for the same address without the unknown parameter.
    const again = await request(app).get('/compare?indicator=civilian_deaths').expect(200);
    expect(again.text).not.toContain('Not understood');
  });
});
