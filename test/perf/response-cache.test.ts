import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp, LOGGED_URL_CHARS } from '../../server/app';
import { responseCache } from '../../server/middleware/response-cache';
import { projectRoot } from '../../server/paths';
import { PAGE_QUERY_PARAMS } from '../../server/validation/page-query';
import { createTestApp } from '../helpers/app';

/** Counts the statements run on figures, to tell a cached answer from a computed one. */
function figureQueries(db: ReturnType<typeof createTestApp>['db']): { count: () => number; restore: () => void } {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { all: (...args: unknown[]) => unknown };
  const original = proto.all;
  let n = 0;
  const spy = jest.spyOn(proto, 'all').mockImplementation(function (this: { source: string }, ...args: unknown[]) {
    if (this.source.includes('FROM figures')) n += 1;
    return original.apply(this, args);
  });
  return { count: () => n, restore: () => spy.mockRestore() };
}

describe('caches keyed by known parameters only', () => {
  test('tracking parameters are ignored on pages: the shared link shows the same page, from the same cache entry', async () => {
    const { app, db } = createTestApp();
    const plain = await request(app).get('/figures?indicator=civilian_deaths').expect(200);
    const queries = figureQueries(db);
    try {
      for (let i = 0; i < 50; i++) {
        const res = await request(app).get(`/figures?utm_source=newsletter-${i}&indicator=civilian_deaths&fbclid=${'x'.repeat(i * 40)}`).expect(200);
        expect(res.text).toBe(plain.text);
      }
      // Parameter order does not matter either.
      await request(app).get('/compare?to=2024-12-31&indicator=civilian_deaths').expect(200);
      const after = queries.count();
      await request(app).get('/compare?indicator=civilian_deaths&to=2024-12-31&_=123').expect(200);
      expect(queries.count()).toBe(after);
      expect(after).toBeGreaterThan(0);
    } finally {
      queries.restore();
    }
  });

  test('the API and the export still refuse an unknown parameter with a 400 naming it', async () => {
    const { app } = createTestApp();
    const api = await request(app).get('/api/v1/figures?utm_source=x').expect(400);
    expect(JSON.stringify(api.body)).toContain('utm_source');
    const csv = await request(app).get('/export/figures.csv?utm_source=x').expect(400);
    expect(csv.text).toContain('utm_source');
  });

  test('every query parameter a page reads is one the page cache keeps', () => {
    // The routes behind the page cache; the API and export have their own strict parsers.
    const dirs = [path.join(projectRoot, 'server', 'routes'), path.join(projectRoot, 'server', 'validation')];
    const skip = new Set(['api.ts', 'exports.ts', 'export-filter.ts']);
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts') && !skip.has(entry.name)) {
          for (const m of fs.readFileSync(full, 'utf8').matchAll(/(?<![-\w])query\.([a-z_]+)\b(?!\.)/g)) if (m[1] && m[1] !== 'ts') read.add(m[1]);
        }
      }
    };
    dirs.forEach(walk);
    expect(read.size).toBeGreaterThan(5);
    expect([...read].filter((name) => !PAGE_QUERY_PARAMS.has(name))).toEqual([]);
  });

  test('the cache keeps at most its entries and bytes, keys and headers counted, whatever the URLs', async () => {
    const cache = responseCache({ dataVersion: () => 1, maxBytes: 64 * 1024, maxEntries: 20, params: new Set(['q']) });
    const app = express();
    app.use(cache);
    app.get('/page', (req, res) => {
      res.send(`<p>${typeof req.query.q === 'string' ? req.query.q.slice(0, 50) : ''}</p>`);
    });
    for (let i = 0; i < 300; i++) {
      await request(app).get(`/page?q=${i}-${'k'.repeat(2000)}&utm_campaign=${i}`).expect(200);
    }
    const stats = cache.stats();
    expect(stats.entries).toBeLessThanOrEqual(20);
    // Each key alone is over 2 kB: counted, so twenty of them fit but no more.
    expect(stats.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.bytes).toBeGreaterThan(20 * 2000);
  });
});

describe('request logs', () => {
  test('a long URL is logged cut short', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const t = createTestApp();
    const app = createApp({ db: t.db, config: t.config, logger: pino({ level: 'info' }, sink) });
    await request(app).get(`/figures?indicator=civilian_deaths&junk=${'A'.repeat(10_000)}`).expect(200);
    const logged = lines.map((l) => JSON.parse(l) as { req?: { url?: string } }).find((l) => l.req?.url?.startsWith('/figures'));
    expect(logged?.req?.url?.length).toBeLessThan(LOGGED_URL_CHARS + 40);
    expect(logged?.req?.url).toContain('(10040 characters)');
  });
});

/**
 * A small app behind the response cache: / is drawn from the dashboard's
 * newest complete view (its version in `views`), /list from the data alone;
 * each drawing is counted in the page's text.
 */
function viewPagesApp(options: { dataVersion: () => number; views: Map<string, number>; refreshView?: (key: string, version: number) => void }): express.Express {
  let rendered = 0;
  const app = express();
  app.use(
    responseCache({
      dataVersion: options.dataVersion,
      viewVersion: (key) => options.views.get(key),
      refreshView: options.refreshView,
      maxBytes: 1 << 20,
      maxEntries: 10,
    }),
  );
  app.get('/', (_req, res) => {
    rendered += 1;
    const version = options.views.get('dashboard') ?? 0;
    res.locals.pageView = { key: 'dashboard', version };
    res.type('html').send(`<p>dashboard of data ${version}, render ${rendered}</p>`);
  });
  app.get('/list', (_req, res) => {
    rendered += 1;
    res.type('html').send(`<p>list of data ${options.dataVersion()}, render ${rendered}</p>`);
  });
  return app;
}

describe('pages drawn from computed views', () => {
  test('a page drawn from a previous view is kept until its own new view is complete; other pages stay kept', async () => {
    // The newest complete view of each page: the dashboard's is still of data version 1.
    const views = new Map([['dashboard', 1]]);
    const app = viewPagesApp({ dataVersion: () => 2, views });
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 1, render 1</p>');
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 1, render 1</p>');
    expect((await request(app).get('/list')).text).toBe('<p>list of data 2, render 2</p>');
    // The dashboard's new view is complete: the next reader gets a page drawn from it; the list stays kept.
    views.set('dashboard', 2);
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 2, render 3</p>');
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 2, render 3</p>');
    expect((await request(app).get('/list')).text).toBe('<p>list of data 2, render 2</p>');
  });
});

describe('pages drawn from computed views, after a publish', () => {
  test('a publish keeps the page drawn from the previous view (asking for its new view) until that view is complete; other pages are drawn again at once', async () => {
    let dataVersion = 1;
    const views = new Map([['dashboard', 1]]);
    const asked: [string, number][] = [];
    const app = viewPagesApp({ dataVersion: () => dataVersion, views, refreshView: (key, version) => asked.push([key, version]) });
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 1, render 1</p>');
    expect((await request(app).get('/list')).text).toBe('<p>list of data 1, render 2</p>');
    expect(asked).toEqual([]);
    // A publish: the dashboard is served whole as it was (no render on the request path) and its new view is asked for.
    dataVersion = 2;
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 1, render 1</p>');
    expect(asked).toEqual([['dashboard', 2]]);
    expect((await request(app).get('/list')).text).toBe('<p>list of data 2, render 3</p>');
    // The new view is complete: drawn once, then kept.
    views.set('dashboard', 2);
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 2, render 4</p>');
    expect((await request(app).get('/')).text).toBe('<p>dashboard of data 2, render 4</p>');
    expect(asked).toEqual([['dashboard', 2]]);
  });

  test('a reader that accepts gzip (or brotli only) right after a page was kept gets it compressed, not plain', async () => {
    const app = express();
    app.use(responseCache({ dataVersion: () => 1, maxBytes: 8 << 20, maxEntries: 10 }));
    const page = `<p>${'a row of a table of figures '.repeat(40_000)}</p>`;
    app.get('/', (_req, res) => res.type('html').send(page));
    const server = app.listen(0);
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      await fetch(base, { headers: { 'accept-encoding': 'identity' } });
      // At once: the gzip of the kept page is not finished yet.
      const zipped = await fetch(base, { headers: { 'accept-encoding': 'gzip' } });
      expect(zipped.headers.get('content-encoding')).toBe('gzip');
      expect(await zipped.text()).toBe(page);
      // A reader that takes brotli only waits for it rather than take the page plain.
      const brotli = await fetch(base, { headers: { 'accept-encoding': 'br' } });
      expect(brotli.headers.get('content-encoding')).toBe('br');
      expect(await brotli.text()).toBe(page);
    } finally {
      server.close();
    }
  });
});

describe('pages sent compressed', () => {
  test('a kept page read again goes in brotli to a browser, gzipped to a reader that takes only gzip, plain to one that takes neither: byte for byte the same page', async () => {
    const t = createTestApp();
    const plain = await request(t.app).get('/').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(String(plain.headers.vary)).toMatch(/Accept-Encoding/);
    // The kept page is compressed off the event loop: a moment later readers get it compressed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const raw = (acceptEncoding: string) =>
      request(t.app).get('/').set('Accept-Encoding', acceptEncoding).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    const zipped = await raw('gzip');
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBeLessThan(Buffer.byteLength(plain.text) / 3);
    expect(String(zipped.headers.vary)).toMatch(/Accept-Encoding/);
    expect(zipped.headers.etag).toBe(plain.headers.etag);
    // supertest has already inflated it: the same page.
    expect((zipped.body as Buffer).toString('utf8')).toBe(plain.text);
    // A browser lists gzip first at the same weight: the first one to ask takes the gzip while brotli is made for
    // the readers after it (a page read once is compressed once); those get brotli, smaller still.
    expect((await raw('gzip, deflate, br')).headers['content-encoding']).toBe('gzip');
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const browser of ['gzip, deflate, br', 'gzip, deflate, br, zstd', 'br']) {
      const brotli = await raw(browser);
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(Number(brotli.headers['content-length'])).toBeLessThan(Number(zipped.headers['content-length']));
      // supertest has already decoded it too.
      expect((brotli.body as Buffer).toString('utf8')).toBe(plain.text);
    }
    // The client's weights come first.
    expect((await raw('br;q=0.5, gzip')).headers['content-encoding']).toBe('gzip');
    expect((await raw('br;q=0, gzip;q=0')).headers['content-encoding']).toBeUndefined();
    const again = await request(t.app).get('/').set('Accept-Encoding', 'identity').expect(200);
    expect(again.headers['content-encoding']).toBeUndefined();
    expect(again.text).toBe(plain.text);
  });
});
