import { Readable } from 'node:stream';
import request from 'supertest';
import { stageImport } from '../../server/import/figures-import';
import { MAX_RECORD_CHARS } from '../../server/validation/csv-limits';
import { createTestApp } from '../helpers/app';
import { staff } from '../helpers/staff';

async function stage(t: ReturnType<typeof createTestApp>, data: Buffer) {
  return stageImport(Readable.from([data]), t.q, { fileName: 'hostile.csv', userId: null, publish: false, match: 'id' });
}

describe('hostile import files', () => {
  test('a 20 MB one-line CSV of commas fails fast, in bounded memory, with a clear message', async () => {
    const t = createTestApp();
    const file = Buffer.alloc(20 * 1024 * 1024, ',');
    const rssBefore = process.memoryUsage().rss;
    const batch = await stage(t, file);
    expect(batch.file_error).toBe('the file cannot be read: line 1 is longer than 100,000 characters (a Tally row is far shorter): check the delimiter and the quoting');
    // Before the limits this took 1.2 GB: the parser held the whole line as millions of cells.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    expect(batch.row_count).toBe(0);
  });

  test('one cell longer than a record may be is refused without reading on', async () => {
    const t = createTestApp();
    const header = (await request(t.app).get('/export/figures.csv?limit=1').expect(200)).text.split('\r\n')[0] ?? '';
    const batch = await stage(t, Buffer.from(`${header}\r\n"${'x'.repeat(MAX_RECORD_CHARS * 20)}"\r\n`));
    expect(batch.file_error).toContain('line 2 is longer than 100,000 characters');
    expect(batch.row_count).toBe(0);
  });

  test('a row with more cells than the header is refused, by row', async () => {
    const t = createTestApp();
    const csv = (await request(t.app).get('/export/figures.csv?limit=1').expect(200)).text.trim().split('\r\n');
    const batch = await stage(t, Buffer.from(`${csv[0]}\r\n${csv[1]},one too many\r\n`));
    expect(batch.file_error).toBeNull();
    expect(batch.error_count).toBe(1);
    expect(batch.errors).toMatch(/the row has \d+ cells but the header has \d+/);
  });

  test('a malformed or cut multipart upload is a 400 page, not a 500', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const cut = [
      '--XyZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n' + ada.csrf + '\r\n',
      '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nfigure_id,',
    ].join('');
    for (const [type, body] of [
      ['multipart/form-data; boundary=XyZ', cut],
      ['multipart/form-data; boundary=XyZ', '--XyZ\r\nthis is no header\r\n\r\n--XyZ--'],
      ['multipart/form-data', 'no boundary at all'],
    ] as const) {
      const res = await ada.agent.post('/admin/import').set('Content-Type', type).send(body);
      expect(res.status).toBe(400);
      expect(res.text).toContain('The upload could not be read');
    }
    expect(t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM import_batches').get()?.n).toBe(0);
  });
});
