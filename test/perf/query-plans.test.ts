import request from 'supertest';
import { computingPageView } from '../../server/charts/page-views';
import { createTestApp } from '../helpers/app';

interface Seen {
  args: unknown[];
  /** Run while a chart page's view was computed: in production on the page-view worker thread, never on a request. */
  background: boolean;
  urls: Set<string>;
}

/** Every distinct SQL statement the app runs while answering these requests, with the URLs that ran it. */
async function statementsFor(urls: (t: ReturnType<typeof createTestApp>) => string[]) {
  const t = createTestApp();
  const proto = Object.getPrototypeOf(t.db.prepare('SELECT 1')) as Record<'all' | 'get' | 'iterate' | 'run', (...args: unknown[]) => unknown>;
  const seen = new Map<string, Seen>();
  let current = '';
  const spies = (['all', 'get', 'iterate', 'run'] as const).map((method) => {
    const original = proto[method];
    return jest.spyOn(proto, method).mockImplementation(function (this: { source: string }, ...args: unknown[]) {
      const entry = seen.get(this.source) ?? { args, background: computingPageView(), urls: new Set<string>() };
      // A statement counts as background only if it never runs on a request itself.
      entry.background &&= computingPageView();
      entry.urls.add(current);
      seen.set(this.source, entry);
      return original.apply(this, args);
    });
  });
  try {
    for (const url of urls(t)) {
      current = url;
      const res = await request(t.app).get(url);
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
    }
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return { t, statements: [...seen.entries()] };
}

/** Every public page, the API and the export, with and without filters. */
function publicUrls(t: ReturnType<typeof createTestApp>): string[] {
  const topic = t.q.topics.list()[0]?.slug;
  const originator = t.q.charts.listOriginators().find((o) => !o.includes(','));
  if (!topic || !originator) throw new Error('the demo data has no topic or no originator');
  return [
    '/',
    '/healthz',
    '/indicators',
    '/indicators/civilian_deaths',
    '/indicators/civilian_deaths?location=UKR&from=2023-01-01&by=location',
    '/compare',
    '/compare?indicator=civilian_deaths&indicator=civilian_injuries&location=UA14&from=2023-01-01&to=2024-12-31',
    `/compare?indicator=civilian_deaths&originator=${encodeURIComponent(originator)}&verification=verified`,
    '/figures',
    '/figures?indicator=civilian_deaths&page=1',
    '/figures?location=UKR&verification=verified',
    '/figures/1',
    '/figures/1/history',
    '/sources',
    '/sources/1',
    '/locations',
    '/locations/UKR',
    '/topics',
    '/?lang=uk',
    '/embed/dashboard/casualties',
    '/embed/compare?indicator=civilian_deaths&location=UKR',
    '/embed/indicators/civilian_deaths?panel=1',
    '/embed/locations/UKR',
    '/embed/sources/1',
    `/embed/topics/${topic}`,
    `/topics/${topic}`,
    '/export/figures.csv',
    '/export/figures.csv?indicator=civilian_deaths&location=UKR&include_children=1&from=2023-01-01&updated_since=2020-01-01T00:00:00Z',
    '/api/v1/figures?limit=1000',
    '/api/v1/figures?indicator=civilian_deaths&verification=reported',
    '/api/v1/figures/1',
    '/api/v1/indicators',
    '/api/v1/locations',
    '/api/v1/sources',
  ];
}

/**
 * The paged list and export a reader asked for: their pages walk figures by
 * id or by a filtered index, and their totals count the matches. Their cost
 * grows with what was asked for, which the issue allows; every other
 * statement a request runs must not read figures beyond an index seek.
 */
const PAGED = [
  /^\/export\/figures\.csv/,
  /^\/api\/v1\/figures(\?|$)/,
  /^\/figures(\?|$)/,
];

const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim().slice(0, 200);

describe('query plans', () => {
  test('no statement a public request runs scans or sorts the figures table, except the paged list and export it asked for', async () => {
    const { t, statements } = await statementsFor(publicUrls);
    const onFigures = statements.filter(([sql]) => /\bfigures\b/.test(sql) && !/^\s*(INSERT|UPDATE|DELETE)/i.test(sql));
    expect(onFigures.length).toBeGreaterThan(8);
    const problems: string[] = [];
    for (const [sql, seen] of onFigures) {
      if (seen.background) continue;
      const paged = [...seen.urls].every((url) => PAGED.some((p) => p.test(url)));
      const plan = t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...seen.args) as { id: number; parent: number; detail: string }[];
      // A temporary B-tree sorts figures when figures are read at its level of the query (not in a subquery of it).
      const readsFiguresAt = (parent: number): boolean => plan.some((p) => p.parent === parent && /^(SCAN|SEARCH) (f|figures)\b/.test(p.detail));
      for (const { detail, parent } of plan) {
        // A SCAN of figures, even through an index, reads every row or every entry of it.
        const scan = /^SCAN (f|figures)\b/.test(detail);
        const fullScan = scan && !/USING (COVERING )?INDEX/.test(detail);
        if (fullScan || (scan && !paged)) problems.push(`${detail}  ←  [${[...seen.urls].join(' ')}] ${oneLine(sql)}`);
        // Keyset pages (export, API) of a broad filter must walk figures in id order, never sort all
        // matches for every page; a narrow filter (at most 20,000 matches) may seek by index and sort.
        const narrow = /[^+]f\.(indicator_id|location_id|reported_by) IN|[^+]f\.source_id = \?/.test(sql);
        if (/TEMP B-TREE/.test(detail) && readsFiguresAt(parent) && (!paged || (/ORDER BY f\.id LIMIT/.test(sql) && !narrow))) {
          problems.push(`${detail}  ←  [${[...seen.urls].join(' ')}] ${oneLine(sql)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test.each([
    {
      what: 'an indicator and a place seeks both',
      urls: ['/export/figures.csv?indicator=civilian_deaths&location=UKR', '/api/v1/figures?indicator=civilian_deaths&location=UKR'],
      seek: /^SEARCH f USING INDEX figures_natural_key \(indicator_id=\? AND location_id=\?\)/,
    },
    {
      what: "a place and a date window seeks the place's figures by period",
      urls: ['/export/figures.csv?location=UKR&from=2023-01-01&to=2023-06-30', '/api/v1/figures?location=UKR&to=2023-06-30'],
      seek: /^SEARCH f USING INDEX figures_location_period \(location_id=\?/,
    },
  ])('a narrow export or API page of $what, rather than walking every figure of the place', async ({ urls, seek }) => {
    const { t, statements } = await statementsFor(() => urls);
    const pages = statements.filter(([sql]) => /\bfigures f\b/.test(sql) && /ORDER BY f\.id LIMIT/.test(sql));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const [sql, seen] of pages) {
      const plan = (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...seen.args) as { detail: string }[]).map((p) => p.detail);
      expect(plan).toContainEqual(expect.stringMatching(seek));
    }
  });

  test('a page of /figures skips the figures before it through the index alone, and reads only its own rows', async () => {
    const { t, statements } = await statementsFor(() => ['/figures']);
    const list = statements.filter(([sql]) => /OFFSET \?/.test(sql) && /\bfigures f\b/.test(sql));
    expect(list).toHaveLength(1);
    const [sql, seen] = list[0] as [string, Seen];
    const plan = (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...seen.args) as { detail: string }[]).map((p) => p.detail);
    expect(plan).toContainEqual(expect.stringMatching(/^SCAN f USING COVERING INDEX figures_published_period/));
    expect(plan).toContainEqual('SEARCH f USING INTEGER PRIMARY KEY (rowid=?)');
  });

  test('chart pages compute their views away from the request: the statements that read every figure of a chart run only there', async () => {
    const { statements } = await statementsFor(publicUrls);
    const background = statements.filter(([, seen]) => seen.background).map(([sql]) => oneLine(sql));
    // The chart rows of the dashboard, indicator, compare, source, place and topic pages.
    expect(background.some((sql) => /^SELECT f\.id, f\.indicator_id, f\.location_id/.test(sql))).toBe(true);
  });
});
