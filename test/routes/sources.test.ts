import request from 'supertest';
import { DOCUMENT_CHART_FIGURES } from '../../server/charts/pages';
import { createTestApp } from '../helpers/app';

describe('GET /sources', () => {
  test('lists each source document with its publisher, date and published figure count', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/sources').expect(200);
    expect(res.text).toContain('Russia has launched North Korean missiles at least 9 times in Ukraine: U.S. diplomat');
    expect(res.text).toMatch(/<td data-label="Publisher">UPI<\/td>\s*<td class="period" data-label="Published">2024-02-07<\/td>\s*<td class="num" data-label="Published figures">7<\/td>/);
    expect(res.text).toMatch(/<td data-label="Publisher">Unattributed news site<\/td>\s*<td class="period" data-label="Published">not stated<\/td>/);
  });

  test('an empty database shows an empty state', async () => {
    const { app } = createTestApp({ seed: false });
    const res = await request(app).get('/sources').expect(200);
    expect(res.text).toContain('No sources yet.');
  });
});

describe('GET /sources is paged', () => {
  test('50 documents a page, in the same order as the whole list, with links between pages', async () => {
    const { app, db, q } = createTestApp();
    // The demo has fewer than 50 sources: add enough public ones (cited by a published figure) for three pages.
    const before = q.sources.countPublic();
    for (let i = 0; i < 120 - before; i++) {
      const id = q.sources.create({ title: `Paging report ${String(i).padStart(3, '0')}`, publisher: 'Paging desk', url: null, published_on: null, accessed_on: null, notes: null }, null);
      db.prepare("UPDATE sources SET public_since = '2026-01-01T00:00:00.000Z' WHERE id = ?").run(id);
    }
    const all = q.sources.listPublicWithCounts();
    expect(all).toHaveLength(120);
    const first = await request(app).get('/sources').expect(200);
    expect(first.text).toContain('Page 1 of 3 (120 documents)');
    expect(first.text).toContain('href="/sources?page=2" rel="next"');
    expect(first.text).not.toContain('rel="prev"');
    const third = await request(app).get('/sources?page=3').expect(200);
    expect(third.text).toContain('Page 3 of 3');
    expect(third.text).toContain('href="/sources?page=2" rel="prev"');
    // Each document's title links to its page.
    const titles = (html: string): string[] => [...html.matchAll(/<td data-label="Document"><a href="\/sources\/\d+">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
    const second = await request(app).get('/sources?page=2').expect(200);
    const shown = [...titles(first.text), ...titles(second.text), ...titles(third.text)];
    expect(shown).toHaveLength(120);
    expect(new Set(shown).size).toBe(120);
    expect(titles(first.text)).toHaveLength(50);
    // Page 1 starts where the whole list starts; the paging desk's undated reports come last.
    expect(titles(third.text).at(-1)).toBe(all.at(-1)?.title);
    await request(app).get('/sources?page=4').expect(404);
  });
});

describe('a document stating more figures than a chart by document reads', () => {
  test('its page lists its first figures and their passages, says why it is not charted, and so do /compare and its embed', async () => {
    const { app, db, q } = createTestApp();
    const indicator = q.indicators.list().find((i) => i.code === 'civilian_deaths');
    const place = q.locations.list()[0];
    if (!indicator || !place) throw new Error('the demo data has no civilian_deaths or place');
    const id = q.sources.create({ title: 'A dataset of daily counts', publisher: 'Data desk', url: null, published_on: null, accessed_on: null, notes: null }, null);
    const day = (n: number): string => new Date(Date.UTC(2020, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
    q.transaction(() => {
      for (let n = 0; n <= DOCUMENT_CHART_FIGURES; n++) {
        q.figures.create(
          {
            indicator_id: indicator.id, location_id: place.id, reference_period_start: day(n), reference_period_end: day(n), measure: 'period_count',
            attributed_to: null, disputed_by: null, value: n % 50, value_low: null, value_high: null, qualifier: 'exact', verification: 'reported',
            reported_by: 'Data desk', claimed_by: null, source_id: id, source_quote: `${n % 50} deaths on day ${n}`, notes: null, status: 'published',
          },
          'create', null, null,
        );
      }
    });
    const total = (DOCUMENT_CHART_FIGURES + 1).toLocaleString('en-GB');
    const page = await request(app).get(`/sources/${id}`).expect(200);
    expect(page.text).toContain(`This document states ${total} published figures, too many to chart from its own page.`);
    expect(page.text).not.toContain('data-chart=');
    expect(page.text).toContain(`The first 100 of ${total} figures from this document.`);
    // The figures as entered: day 0 first; their passages, and no claim of how many passages the whole document has.
    expect(page.text).toContain('0 deaths on day 0');
    expect(page.text).toContain('The passages that state the figures listed below');
    expect(page.text).not.toContain('deaths on day 100<');
    expect(page.text).toContain(`href="/export/figures.csv?source=${id}"`);

    // In Ukrainian, with the plural form of its count (2 001: "одне" form, as 1, 21, 101).
    const ukrainian = await request(app).get(`/sources/${id}?lang=uk`).expect(200);
    expect(ukrainian.text).toContain('Цей документ наводить 2\u00a0001 опубліковане число — забагато');

    const compare = await request(app).get(`/compare?indicator=civilian_deaths&source=${id}`).expect(200);
    expect(compare.text).toContain(`The chosen document states ${total} published figures, too many to chart by document`);
    expect(compare.text).not.toContain('No published figures for');
    expect(compare.text).not.toContain('No published figures match this comparison');

    const embed = await request(app).get(`/embed/sources/${id}`).expect(404);
    expect(embed.text).toContain('too many to chart by document');

    // One figure fewer and the document is charted from its page again.
    db.prepare("UPDATE figures SET status = 'retired', retired_reason = 'a duplicate of another row' WHERE id = ?").run(q.charts.firstOfSource(id, 1)[0]?.id ?? 0);
    const charted = await request(app).get(`/sources/${id}`).expect(200);
    expect(charted.text).toContain('data-chart=');
    expect(charted.text).not.toContain('too many to chart');
  });
});
