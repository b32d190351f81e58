import request from 'supertest';
import { computePageView } from '../../../server/charts/page-views';
import { drawCharts, translatedNames, type DrawnChart } from '../../../server/charts/prerender';
import { createTestApp } from '../../helpers/app';

/**
 * Chart pages are drawn with their charts' HTML from the page-view worker
 * (server/charts/prerender.ts) in the languages readers asked the page in; a
 * language asked for the first time is drawn on the request path. Both must
 * give the reader the same page, byte for byte.
 */
const PAGES = [
  '/',
  '/indicators/civilian_deaths',
  '/compare?indicator=civilian_deaths&indicator=civilian_injuries',
  '/locations/UA44',
  '/sources/1',
  '/topics/north-korean-missiles',
];

describe('charts drawn away from the request path', () => {
  test.each(PAGES)('%s: in English and Ukrainian, the page with charts drawn with its view is the page drawn on the request path', async (page) => {
    const sep = page.includes('?') ? '&' : '?';
    // Two databases seeded a moment apart: the same "last updated" minute in both, so a minute turning between them changes nothing.
    const seeded = (): ReturnType<typeof createTestApp> => {
      const t = createTestApp();
      t.db.prepare("UPDATE data_version SET changed_at = '2026-01-01T00:00:00.000Z' WHERE id = 1").run();
      return t;
    };
    // A: the view is computed for an English reader, so a Ukrainian reader's charts are drawn on the request path.
    const a = seeded();
    const englishA = await request(a.app).get(page).expect(200);
    const ukrainianOnRequest = await request(a.app).get(`${page}${sep}lang=uk`).expect(200);
    // B: the view is computed for a Ukrainian reader first: its charts come drawn in both languages.
    const b = seeded();
    const ukrainianDrawn = await request(b.app).get(`${page}${sep}lang=uk`).expect(200);
    const englishB = await request(b.app).get(page).expect(200);
    expect(ukrainianDrawn.text).toContain('class="chart-card');
    expect(englishA.text).toMatch(/Last updated: 1 Jan 2026\./);
    expect(ukrainianDrawn.text).toBe(ukrainianOnRequest.text);
    expect(englishB.text).toBe(englishA.text);
    expect(ukrainianDrawn.text).not.toBe(englishB.text);
  });
});

describe('drawCharts', () => {
  test('draws each chart of a view in each language asked, as the page writes it out', () => {
    const { q } = createTestApp();
    const { value } = computePageView(q, 'dashboard', {});
    drawCharts(value, ['en', 'uk'], translatedNames(q), true);
    const charts: DrawnChart[] = [value.casualties, value.funding, value.people];
    for (const chart of charts) {
      expect(chart.html?.en).toContain(`<div class="chart" id="${chart.id}"`);
      expect(chart.html?.uk).toContain(`<div class="chart" id="${chart.id}"`);
      // Ukrainian words and number grouping in the Ukrainian drawing only.
      expect(chart.html?.uk).toContain('Таблиця');
      expect(chart.html?.en).not.toContain('Таблиця');
    }
  });
});
