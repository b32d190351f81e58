import request from 'supertest';
import { zipSync, strToU8 } from 'fflate';
import { decodeImportFile, describeHowRead } from '../../server/import/file-decoding';
import { createTestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';
import { staff } from '../helpers/staff';

/** Windows-1251 bytes for text in Ukrainian and ASCII (the letters this test uses). */
function windows1251(text: string): Buffer {
  const extra: Record<string, number> = { і: 0xb3, І: 0xb2, ї: 0xbf, Ї: 0xaf, є: 0xba, Є: 0xaa, ґ: 0xb4, Ґ: 0xa5, '’': 0x92, '«': 0xab, '»': 0xbb };
  return Buffer.from(
    [...text].map((ch) => {
      const code = ch.charCodeAt(0);
      if (code < 0x80) return code;
      if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
      const b = extra[ch];
      if (b === undefined) throw new Error(`no Windows-1251 byte for ${ch} in this test`);
      return b;
    }),
  );
}

/** A minimal .xlsx: one worksheet of inline strings and numbers, as any spreadsheet program writes one. */
function xlsx(sheetName: string, rows: (string | number)[][]): Buffer {
  const col = (i: number): string => String.fromCharCode(65 + i);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const sheetRows = rows
    .map((r, ri) => `<row r="${ri + 1}">${r.map((c, ci) => (typeof c === 'number' ? `<c r="${col(ci)}${ri + 1}"><v>${c}</v></c>` : `<c r="${col(ci)}${ri + 1}" t="inlineStr"><is><t>${esc(c)}</t></is></c>`)).join('')}</row>`)
    .join('');
  const files = {
    '[Content_Types].xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    '_rels/.rels': strToU8('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    'xl/workbook.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${esc(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`),
  };
  return Buffer.from(zipSync(files));
}

describe('reading import files as staff have them', () => {
  test('a UTF-8, comma-separated file with decimal points goes through untouched', async () => {
    const csv = Buffer.from('indicator_code,value\ncivilian_deaths,"10,382"\n');
    const decoded = await decodeImportFile(csv, 'a.csv');
    expect(decoded.csv).toBe(csv);
    expect(describeHowRead(decoded.howRead)).toBe('CSV, UTF-8 text, comma-separated, decimal point');
  });

  test('Windows-1251 with semicolons and decimal commas (a Ukrainian Excel) is read as UTF-8 with commas and points', async () => {
    const file = windows1251('indicator_code;value;value_low;source_quote\r\npeople_in_need;14,6 million;"1 234,5";Загинули 12 цивільних, ще 5 поранені\r\n');
    const decoded = await decodeImportFile(file, 'uk.csv');
    expect(describeHowRead(decoded.howRead)).toBe('CSV, Windows-1251 (Cyrillic) text, semicolon-separated, decimal comma (1 234,5 read as 1234.5)');
    expect(parseCsv(decoded.csv.toString('utf8'))).toEqual([
      ['indicator_code', 'value', 'value_low', 'source_quote'],
      ['people_in_need', '14.6 million', '1234.5', 'Загинули 12 цивільних, ще 5 поранені'],
    ]);
  });

  test('"10,382" alone in a semicolon file stays ten thousand; a tab-separated UTF-16 file is read too', async () => {
    const semicolons = await decodeImportFile(Buffer.from('value;notes\n10,382;x\n'), 'a.csv');
    expect(semicolons.howRead).toMatchObject({ delimiter: 'semicolon', decimalMark: 'point' });
    expect(parseCsv(semicolons.csv.toString('utf8'))[1]).toEqual(['10,382', 'x']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('value\tnotes\n42\tКиїв\n', 'utf16le')]);
    const decoded = await decodeImportFile(utf16, 'b.txt');
    expect(describeHowRead(decoded.howRead)).toBe('CSV, UTF-16 (little-endian) text, tab-separated, decimal point');
    expect(parseCsv(decoded.csv.toString('utf8'))[1]).toEqual(['42', 'Київ']);
  });

  test('an .xlsx is read from the sheet that names the columns; an old .xls is refused with what to do', async () => {
    const book = xlsx('Figures', [['indicator_code', 'value', 'source_quote'], ['civilian_deaths', 24, 'at least 24 killed, "officials" said']]);
    const decoded = await decodeImportFile(book, 'figures.xlsx');
    expect(describeHowRead(decoded.howRead)).toBe('Excel workbook (.xlsx), sheet "Figures", decimal point');
    expect(parseCsv(decoded.csv.toString('utf8'))).toEqual([['indicator_code', 'value', 'source_quote'], ['civilian_deaths', '24', 'at least 24 killed, "officials" said']]);
    await expect(decodeImportFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), 'old.xls')).rejects.toThrow('old Excel file (.xls)');
    await expect(decodeImportFile(Buffer.from('PK\u0003\u0004broken'), 'broken.xlsx')).rejects.toThrow('the workbook could not be read');
  });
});

describe('POST /admin/import with a Ukrainian Excel CSV and an .xlsx', () => {
  async function exportedRows() {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const exported = (await request(t.app).get('/export/figures.csv?location=RU-BEL&indicator=civilian_deaths').expect(200)).text;
    const [header, row] = parseCsv(exported);
    if (!header || !row) throw new Error('no seeded row');
    // A new day, no figure id: a new figure.
    row[header.indexOf('figure_id')] = '';
    row[header.indexOf('reference_period_start')] = '2023-12-31';
    row[header.indexOf('reference_period_end')] = '2023-12-31';
    row[header.indexOf('notes')] = 'Білгород: дані місцевої влади';
    return { t, ada, header, row };
  }

  test('the preview says how the file was read, and the commit keeps the Cyrillic text', async () => {
    const { t, ada, header, row } = await exportedRows();
    const cell = (s: string): string => (/[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const file = windows1251([header, row].map((r) => r.map(cell).join(';')).join('\r\n').replace(/[^ -~\r\n\u0400-\u04ff’«»]/g, '-') + '\r\n');
    const upload = await ada.agent.post('/admin/import').field('_csrf', ada.csrf).attach('file', file, 'bilhorod.csv').expect(303);
    const preview = await ada.agent.get(upload.headers.location as string).expect(200);
    expect(preview.text).toContain('File read as: <strong id="read-as">CSV, Windows-1251 (Cyrillic) text, semicolon-separated, decimal point</strong>.');
    expect(preview.text).toMatch(/<dt>New figures<\/dt><dd>1<\/dd>/);
    await ada.agent.post(`${upload.headers.location as string}/commit`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect(t.db.prepare("SELECT notes FROM figures WHERE reference_period_start = '2023-12-31'").get()).toEqual({ notes: 'Білгород: дані місцевої влади' });
  });

  test('an .xlsx workbook is imported the same way', async () => {
    const { t, ada, header, row } = await exportedRows();
    const upload = await ada.agent.post('/admin/import').field('_csrf', ada.csrf).attach('file', xlsx('Дані', [header, row]), 'bilhorod.xlsx').expect(303);
    const preview = await ada.agent.get(upload.headers.location as string).expect(200);
    expect(preview.text).toContain('Excel workbook (.xlsx), sheet &#34;Дані&#34;, decimal point');
    expect(preview.text).toMatch(/<dt>New figures<\/dt><dd>1<\/dd>/);
    await ada.agent.post(`${upload.headers.location as string}/commit`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect(t.db.prepare("SELECT COUNT(*) AS n FROM figures WHERE reference_period_start = '2023-12-31'").get()).toEqual({ n: 1 });
  });

  test('an old .xls is refused with a page that says what to do', async () => {
    const { ada } = await exportedRows();
    const res = await ada.agent.post('/admin/import').field('_csrf', ada.csrf).attach('file', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 1, 2, 3]), 'old.xls').expect(400);
    expect(res.text).toContain('save it as an Excel workbook (.xlsx) or as CSV UTF-8');
  });
});
