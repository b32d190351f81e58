import path from 'node:path';
import ejs from 'ejs';
import request from 'supertest';
import { viewsDir } from '../../server/paths';
import { createTestApp } from '../helpers/app';

const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

/** A stack frame, a path on this machine or template source: nothing a reader should ever see. */
function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(\S+:\d+:\d+\)/);
  expect(text).not.toMatch(/\/work\/|node_modules\/|\.ejs:\d+|\.ts:\d+/);
  expect(text).not.toMatch(/ReferenceError|TypeError/);
  expect(text).not.toContain('<%');
}

describe('one error path that never leaks', () => {
  const { app } = createTestApp({ env: { NODE_ENV: 'production' } });

  test.each(INHERITED)('GET /vendor/%s is a plain 404 page: an inherited name finds no file', async (name) => {
    const res = await request(app).get(`/vendor/${name}`).expect(404).expect('Content-Type', /text\/html/);
    expect(res.text).toContain('Not found');
    expectNoLeak(res.text);
  });

  test('the vendor files themselves are still served', async () => {
    await request(app).get('/vendor/chart.umd.min.js').expect(200).expect('Content-Type', /javascript/);
  });

  test.each(['/figures/%E0%A4%A', '/indicators/%E0%A4%A', '/locations/%FF', '/sources/%zz', '/figures/%E0%A4%A/history'])(
    'GET %s (a malformed %%-escape) is a 400 page saying so',
    async (url) => {
      const res = await request(app).get(url).expect(400).expect('Content-Type', /text\/html/);
      expect(res.text).toContain('malformed %-escape');
      expectNoLeak(res.text);
    },
  );

  test('a malformed %-escape under /api is a JSON 400', async () => {
    const res = await request(app).get('/api/v1/figures/%E0%A4%A').expect(400).expect('Content-Type', /json/);
    expect(res.body).toEqual({ error: { status: 400, message: 'The address has a malformed %-escape: check the link.' } });
  });

  test('the error page renders with no locals at all', async () => {
    const html = await ejs.renderFile(path.join(viewsDir, 'errors', 'error.ejs'), {});
    expect(html).toContain('Something went wrong');
    expect(html).toContain('<title>');
    expectNoLeak(html);
  });

  test('Express runs in the environment Tally was configured with, not its own default', () => {
    // jest sets NODE_ENV=test in this process; the app must follow its validated config instead.
    expect(process.env.NODE_ENV).toBe('test');
    expect(app.get('env')).toBe('production');
    expect(createTestApp({ env: { NODE_ENV: 'development' } }).app.get('env')).toBe('development');
  });
});
