/**
 * The stylesheet and scripts are answered from memory (server/middleware/static-files.ts):
 * compressed as the reader accepts, revalidated by ETag, and nothing else on disk reachable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { filesUnder, staticFiles } from '../../server/middleware/static-files';
import { projectRoot } from '../../server/paths';
import { createTestApp } from '../helpers/app';

const chartJs = fs.readFileSync(path.join(projectRoot, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'));

/** The raw bytes of an answer, whatever its coding. */
function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** Asks until the answer comes in `coding` (it is compressed once, on the thread pool, after the first ask). */
async function untilCoded(app: express.Express, url: string, accept: string, coding: string): Promise<request.Response> {
  for (let i = 0; i < 200; i++) {
    const res = await request(app).get(url).set('Accept-Encoding', accept).buffer(true).parse(binary);
    if (res.headers['content-encoding'] === coding) return res;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} never came in ${coding}`);
}

describe('static files from memory', () => {
  const { app } = createTestApp();

  test('a browser gets brotli, a gzip-only reader gzip, a reader naming none the file as it is: all the same bytes', async () => {
    const br = await untilCoded(app, '/vendor/chart.umd.min.js', 'gzip, deflate, br', 'br');
    // supertest has already decoded it: the same bytes, sent in under a third of them.
    expect((br.body as Buffer).equals(chartJs)).toBe(true);
    expect(Number(br.headers['content-length'])).toBeLessThan(chartJs.length / 3);
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    const gz = await untilCoded(app, '/vendor/chart.umd.min.js', 'gzip', 'gzip');
    expect((gz.body as Buffer).equals(chartJs)).toBe(true);
    expect(Number(gz.headers['content-length'])).toBeGreaterThan(Number(br.headers['content-length']));
    const plain = await request(app).get('/vendor/chart.umd.min.js').set('Accept-Encoding', 'identity').buffer(true).parse(binary).expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect((plain.body as Buffer).equals(chartJs)).toBe(true);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // A strong validator per coding.
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
  });

  test('a reader holding the file is answered 304 with no body; a stale ETag gets the file', async () => {
    const first = await request(app).get('/css/tally.css').expect(200).expect('Content-Type', 'text/css; charset=utf-8');
    const etag = String(first.headers.etag);
    const again = await request(app).get('/css/tally.css').set('If-None-Match', etag).expect(304);
    expect(again.text ?? '').toBe('');
    await request(app).get('/css/tally.css').set('If-None-Match', '"something-else"').expect(200);
    const head = await request(app).head('/css/tally.css').set('Accept-Encoding', 'identity').expect(200);
    expect(Number(head.headers['content-length'])).toBe(fs.statSync(path.join(projectRoot, 'public', 'css', 'tally.css')).size);
  });

  test('only the files given are served: anything else passes to the next handler', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-static-'));
    fs.mkdirSync(path.join(dir, 'css'));
    fs.writeFileSync(path.join(dir, 'css', 'a.css'), 'body { color: black }');
    fs.writeFileSync(path.join(dir, '.secret.css'), 'hidden');
    fs.writeFileSync(path.join(dir, 'logo.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    const files = filesUnder(dir);
    expect([...files.keys()].sort()).toEqual(['/css/a.css', '/logo.png']);
    const small = express();
    small.use(staticFiles(files, { maxAge: () => 60, watch: true }));
    small.use((_req, res) => res.status(404).send('not here'));
    await request(small).get('/css/a.css').expect(200).expect('Cache-Control', 'public, max-age=60').expect('body { color: black }');
    await request(small).get('/.secret.css').expect(404);
    // A PNG is compressed already: it goes as it is, whatever the reader accepts.
    const png = await request(small).get('/logo.png').set('Accept-Encoding', 'br, gzip').expect(200).expect('Content-Type', 'image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
    // A kind of file it knows no type for stops it at start, naming the file.
    fs.writeFileSync(path.join(dir, 'tool.exe'), 'MZ');
    expect(() => staticFiles(filesUnder(dir), { maxAge: () => 0, watch: false })).toThrow(/tool\.exe: no content type is known/);
    fs.rmSync(path.join(dir, 'tool.exe'));
    await request(small).post('/css/a.css').expect(404);
    // Watching (development): an edited file is served as it now is.
    fs.writeFileSync(path.join(dir, 'css', 'a.css'), 'body { color: navy }');
    fs.utimesSync(path.join(dir, 'css', 'a.css'), new Date(), new Date(Date.now() + 5_000));
    await request(small).get('/css/a.css').set('Accept-Encoding', 'identity').expect(200).expect('body { color: navy }');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('made at start (production), the first reader already gets brotli', async () => {
    const files = new Map([['/vendor/chart.umd.min.js', path.join(projectRoot, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js')]]);
    const small = express();
    small.use(staticFiles(files, { maxAge: () => 86_400, watch: false, eager: true }));
    // No reader has asked yet: brotli is being made on the thread pool (Chart.js at quality 11, well under a second).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const first = await request(small).get('/vendor/chart.umd.min.js').set('Accept-Encoding', 'gzip, deflate, br').buffer(true).parse(binary).expect(200);
    expect(first.headers['content-encoding']).toBe('br');
    expect((first.body as Buffer).equals(chartJs)).toBe(true);
  });
});
