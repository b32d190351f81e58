import request from 'supertest';
import { createTestApp } from '../helpers/app';

/** Every distinct SQL statement the app runs while answering these requests. */
async function statementsFor(urls: string[]) {
  const t = createTestApp();
  const proto = Object.getPrototypeOf(t.db.prepare('SELECT 1')) as Record<'all' | 'get' | 'iterate' | 'run', (...args: unknown[]) => unknown>;
  const seen = new Map<string, unknown[]>();
  const spies = (['all', 'get', 'iterate', 'run'] as const).map((method) => {
    const original = proto[method];
    return jest.spyOn(proto, method).mockImplementation(function (this: { source: string }, ...args: unknown[]) {
      if (!seen.has(this.source)) seen.set(this.source, args);
      return original.apply(this, args);
    });
  });
  try {
    for (const url of urls) await request(t.app).get(url).expect(200);
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return { t, statements: [...seen.entries()] };
}

const PUBLIC_URLS = [
  '/',
  '/indicators/civilian_deaths',
  '/indicators/civilian_deaths?location=UKR&from=2023-01-01',
  '/compare?indicator=civilian_deaths&indicator=civilian_injuries&location=UA14&from=2023-01-01&to=2024-12-31',
  '/figures?indicator=civilian_deaths&page=1',
  '/figures?location=UKR&verification=verified',
  '/figures/1',
  '/sources/1',
  '/locations/UKR',
  '/export/figures.csv',
  '/export/figures.csv?indicator=civilian_deaths&location=UKR&include_children=1&from=2023-01-01&updated_since=2020-01-01T00:00:00Z',
  '/api/v1/figures?limit=1000',
  '/api/v1/figures?indicator=civilian_deaths&verification=reported',
];

describe('query plans', () => {
  test('no query behind a public page, the API or the export reads the figures table without an index', async () => {
    const { t, statements } = await statementsFor(PUBLIC_URLS);
    const onFigures = statements.filter(([sql]) => /\bfigures\b/.test(sql) && !/^\s*(INSERT|UPDATE|DELETE)/i.test(sql));
    expect(onFigures.length).toBeGreaterThan(8);
    const problems: string[] = [];
    for (const [sql, args] of onFigures) {
      const plan = t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[];
      for (const { detail } of plan) {
        // "SCAN f" alone reads every row of the table; a SEARCH (or a scan of a partial index) reads only what it needs.
        if (/^SCAN (f|figures)\b/.test(detail) && !/USING (COVERING )?INDEX/.test(detail)) problems.push(`${detail}  ←  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
        // Keyset pages (export, API) of a broad filter must walk figures in id order, never sort all
        // matches for every page; a narrow filter (at most 20,000 matches) may seek by index and sort.
        const narrow = /[^+]f\.(indicator_id|location_id|reported_by) IN|[^+]f\.source_id = \?/.test(sql);
        if (/ORDER BY f\.id LIMIT/.test(sql) && !narrow && /TEMP B-TREE/.test(detail)) problems.push(`${detail}  ←  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
