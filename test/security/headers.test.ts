import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { publicDir } from '../../server/paths';
import { createTestApp } from '../helpers/app';

/** One URL per kind of response Tally sends. */
const PAGE_TYPES: [kind: string, url: string, status: number, type: RegExp][] = [
  ['HTML page', '/figures', 200, /^text\/html/],
  ['dashboard', '/', 200, /^text\/html/],
  ['sign-in form', '/login', 200, /^text\/html/],
  ['error page (404)', '/no/such/page', 404, /^text\/html/],
  ['error page (400)', '/figures/not-a-number', 400, /^text\/html/],
  ['API JSON', '/api/v1/figures', 200, /^application\/json/],
  ['API error JSON', '/api/v1/figures/999999', 404, /^application\/json/],
  ['OpenAPI document', '/api/openapi.json', 200, /^application\/json/],
  ['CSV export', '/export/figures.csv', 200, /^text\/csv/],
  ['static CSS', '/css/tally.css', 200, /^text\/css/],
  ['static script', '/js/charts.js', 200, /javascript/],
  ['vendor script', '/vendor/chart.umd.min.js', 200, /javascript/],
  ['health check', '/healthz', 200, /./],
];

function cspDirectives(header: unknown): Map<string, string> {
  expect(typeof header).toBe('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name = '', ...rest] = d.split(/\s+/);
        return [name, rest.join(' ')];
      }),
  );
}

describe('security headers on every kind of response', () => {
  const { app } = createTestApp();

  describe.each(PAGE_TYPES)('%s (%s)', (_kind, url, status, type) => {
    test('plain HTTP: strict CSP, no framing (by frame-ancestors only), nosniff, referrer policy; no HSTS, no upgrade-insecure-requests, no X-Powered-By', async () => {
      const res = await request(app).get(url);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(type);
      const csp = cspDirectives(res.headers['content-security-policy']);
      expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-inline');
      expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-eval');
      expect(csp.get('frame-ancestors')).toBe("'none'");
      // One framing rule, the CSP's: X-Frame-Options: SAMEORIGIN would contradict its 'none'.
      expect(res.headers['x-frame-options']).toBeUndefined();
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('behind a proxy that terminated HTTPS (TRUST_PROXY, X-Forwarded-Proto: https)', () => {
    const proxied = createTestApp({ env: { TRUST_PROXY: 'loopback' } }).app;

    test.each(PAGE_TYPES)('%s (%s) carries HSTS and upgrade-insecure-requests', async (_kind, url, status) => {
      const res = await request(proxied).get(url).set('X-Forwarded-Proto', 'https');
      expect(res.status).toBe(status);
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=31536000; includeSubDomains/);
      const csp = cspDirectives(res.headers['content-security-policy']);
      expect(csp.has('upgrade-insecure-requests')).toBe(true);
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(res.headers['x-frame-options']).toBeUndefined();
      expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-inline');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    test('the same proxy on plain HTTP gets neither', async () => {
      const res = await request(proxied).get('/figures').set('X-Forwarded-Proto', 'http');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(cspDirectives(res.headers['content-security-policy']).has('upgrade-insecure-requests')).toBe(false);
    });

    test('without TRUST_PROXY a forged X-Forwarded-Proto is ignored', async () => {
      const res = await request(app).get('/figures').set('X-Forwarded-Proto', 'https');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });
  });
});

describe('static files', () => {
  const { app } = createTestApp({ env: { NODE_ENV: 'production' } });

  test.each(['/css/', '/js/', '/css', '/js', '/vendor/', '/vendor', '/public/'])('GET %s lists no directory: 404', async (url) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/Index of|href="(tally\.css|charts\.js|figure-form\.js)"/);
  });

  test.each([
    '/css/../../package.json',
    '/css/..%2f..%2fpackage.json',
    '/css/%2e%2e/%2e%2e/package.json',
    '/css/%2e%2e%2f%2e%2e%2fpackage.json',
    '/css/..%5c..%5cpackage.json',
    '/css/%252e%252e%252fpackage.json',
    '/js/..%2f..%2fserver%2fapp.ts',
    '/vendor/..%2f..%2fpackage.json',
    '/vendor/%2e%2e%2fchart.js%2fpackage.json',
    '/js/%00../../package.json',
    '/package.json',
    '/.env',
    '/.git/config',
    '/data/tally.db',
    '/server/app.ts',
    '/dist/server/main.js',
    '/node_modules/chart.js/package.json',
  ])('GET %s reaches nothing outside public/', async (url) => {
    const res = await request(app).get(url);
    expect([400, 403, 404]).toContain(res.status);
    expect(res.text).not.toContain('"name": "tally"');
    expect(res.text).not.toContain('createApp');
    expect(res.text).not.toContain('[core]');
  });

  test('public/ holds no source maps or TypeScript, and none is served', async () => {
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [e.name]));
    expect(walk(publicDir).filter((f) => /\.(map|ts|tsx)$/.test(f))).toEqual([]);
    for (const url of ['/js/charts.js.map', '/js/charts.ts', '/vendor/chart.umd.min.js.map', '/server/app.ts', '/css/tally.css.map']) {
      expect((await request(app).get(url)).status).toBe(404);
    }
  });

  test('dotfiles are not served', async () => {
    expect((await request(app).get('/.gitignore')).status).toBe(404);
    expect((await request(app).get('/css/.hidden')).status).toBe(404);
  });
});
