import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { openApiDocument } from '../../server/api/openapi';
import { createTestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';

interface FigurePage {
  data: Record<string, string | number | null>[];
  meta: { count: number; limit: number; next_cursor: string | null };
}

describe('JSON API', () => {
  test('GET /api/v1/figures gives the export rows as objects, numbers as numbers', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/api/v1/figures?location=RU-BEL').expect(200).expect('Content-Type', /json/);
    const body = res.body as FigurePage;
    expect(body.meta).toEqual({ count: 4, limit: 1000, next_cursor: null, sync_token: expect.stringMatching(/^[A-Za-z0-9_-]+$/) as unknown, contract_version: 3 });
    const deaths = body.data.find((f) => f.indicator_code === 'civilian_deaths');
    expect(deaths).toMatchObject({ value: 24, qualifier: 'at_least', verification: 'reported', location_code: 'RU-BEL', value_low: null, admin_level: 1 });
  });

  test('the JSON rows equal the CSV rows', async () => {
    const { app } = createTestApp();
    const json = (await request(app).get('/api/v1/figures').expect(200)).body as FigurePage;
    const csv = parseCsv((await request(app).get('/export/figures.csv').expect(200)).text);
    const header = csv[0] as string[];
    expect(Object.keys(json.data[0] ?? {})).toEqual(header);
    const asText = json.data.map((row) => header.map((c) => (row[c] === null ? '' : String(row[c]))));
    expect(asText).toEqual(csv.slice(1));
  });

  test('pages with limit and cursor until next_cursor is null', async () => {
    const { app } = createTestApp();
    const seen: unknown[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const res = await request(app).get(`/api/v1/figures?limit=5${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      const body = res.body as FigurePage;
      seen.push(...body.data.map((f) => f.figure_id));
      cursor = body.meta.next_cursor;
      pages += 1;
    }
    expect(pages).toBe(7);
    expect(seen).toHaveLength(35);
    expect(new Set(seen).size).toBe(35);
  });

  test.each([
    ['/api/v1/figures?limit=10001', 400, 'limit must be a whole number between 1 and 10000'],
    ['/api/v1/figures?limit=0', 400, 'limit must be a whole number between 1 and 10000'],
    ['/api/v1/figures?cursor=bogus', 400, 'cursor is not one this Tally gave out'],
    ['/api/v1/figures?indicator=x', 400, 'unknown indicator "x"'],
    ['/api/v1/figures/abc', 400, 'figure id must be a positive whole number'],
    ['/api/v1/figures/99999', 404, 'there is no published figure 99999'],
  ])('%s answers %i with a JSON error', async (url, status, message) => {
    const { app } = createTestApp();
    const res = await request(app).get(url).expect(status).expect('Content-Type', /json/);
    expect(res.body).toEqual({ error: { status, message: expect.stringContaining(message) as unknown } });
  });

  test('GET /api/v1/figures/:id gives one figure; a draft is 404', async () => {
    const { app, db } = createTestApp();
    const res = await request(app).get('/api/v1/figures/1').expect(200);
    expect((res.body as { data: { figure_id: number } }).data.figure_id).toBe(1);
    db.prepare("UPDATE figures SET status = 'draft' WHERE id = 1").run();
    await request(app).get('/api/v1/figures/1').expect(404);
    const list = (await request(app).get('/api/v1/figures').expect(200)).body as FigurePage;
    expect(list.data.map((f) => f.figure_id)).not.toContain(1);
  });

  test('indicators, locations and sources are listed', async () => {
    const { app } = createTestApp();
    const indicators = (await request(app).get('/api/v1/indicators').expect(200)).body as { data: { code: string; aggregation: string }[] };
    expect(indicators.data).toHaveLength(20);
    expect(indicators.data.find((i) => i.code === 'people_in_need')?.aggregation).toBe('level');
    const locations = (await request(app).get('/api/v1/locations').expect(200)).body as { data: { code: string; parent_code: string | null }[] };
    expect(locations.data.find((l) => l.code === 'UA14')?.parent_code).toBe('UKR');
    const sources = (await request(app).get('/api/v1/sources').expect(200)).body as { data: { publisher: string; published_figures: number }[] };
    expect(sources.data.find((s) => s.publisher === 'UPI')?.published_figures).toBe(7);
  });

  test('sources come a page at a time: following next_cursor lists every public source once, in id order', async () => {
    const { app, q } = createTestApp();
    const all = q.sources.listPublicWithCounts();
    expect(all.length).toBeGreaterThan(4);
    const seen: { id: number; published_figures: number }[] = [];
    let url: string | null = '/api/v1/sources?limit=2';
    let pages = 0;
    while (url) {
      const res = await request(app).get(url).expect(200);
      const body = res.body as { data: { id: number; published_figures: number }[]; meta: { count: number; limit: number; next_cursor: string | null } };
      expect(body.meta.count).toBe(body.data.length);
      expect(body.meta.limit).toBe(2);
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data);
      pages += 1;
      // The Link header names the same next page as the body.
      const link = res.headers.link;
      url = body.meta.next_cursor === null ? null : `/api/v1/sources?limit=2&cursor=${body.meta.next_cursor}`;
      expect(link ?? null).toBe(url === null ? null : `<${url}>; rel="next"`);
    }
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(seen.map((s) => s.id)).toEqual(all.map((s) => s.id).sort((a, b) => a - b));
    for (const s of all) expect(seen.find((x) => x.id === s.id)?.published_figures).toBe(s.figure_count);
  });

  test('the sources list refuses what it does not understand, saying what to give', async () => {
    const { app } = createTestApp();
    const message = async (url: string): Promise<string> => ((await request(app).get(url).expect(400)).body as { error: { message: string } }).error.message;
    expect(await message('/api/v1/sources?page=2')).toBe('unknown parameter "page" (known: limit, cursor)');
    expect(await message('/api/v1/sources?limit=5000')).toBe('limit must be a whole number between 1 and 1000');
    expect(await message('/api/v1/sources?cursor=abc')).toBe('cursor must be the next_cursor of the previous page, as given');
  });

  test('a matching If-None-Match gets 304', async () => {
    const { app } = createTestApp();
    const first = await request(app).get('/api/v1/figures').expect(200);
    await request(app).get('/api/v1/figures').set('If-None-Match', first.headers.etag as string).expect(304);
  });

  test('the OpenAPI document is valid OpenAPI 3.1 and every documented path answers', async () => {
    const { app } = createTestApp();
    const served = (await request(app).get('/api/openapi.json').expect(200)).body as typeof openApiDocument;
    // validate() checks the document against the OpenAPI 3.1 schema and resolves every $ref; it throws on any error.
    await expect(SwaggerParser.validate(structuredClone(served) as never)).resolves.toBeDefined();
    await expect(SwaggerParser.validate({ ...structuredClone(served), paths: { '/x': { get: { responses: 'nope' } } } } as never)).rejects.toThrow();
    expect(served.openapi).toBe('3.1.0');
    for (const path of Object.keys(served.paths)) {
      const res = await request(app).get(path.replace('{id}', '1'));
      expect([path, res.status]).toEqual([path, 200]);
    }
  });

  test('the /api page describes the API and the CSV columns', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/api').expect(200).expect('Content-Type', /html/);
    expect(res.text).toContain('/export/figures.csv');
    expect(res.text).toContain('#date+start');
    expect(res.text).toContain('updated_since');
  });
});
