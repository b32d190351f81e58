import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import fc from 'fast-check';
import { csvRecordBatches } from '../../server/import/csv-records';
import { CSV_RECORD_LIMITS } from '../../server/validation/csv-limits';

type Outcome = { records: string[][] } | { error: { code: unknown; lines: unknown; message: string } };

function failure(err: unknown): Outcome {
  const e = err as { code?: unknown; lines?: unknown; message?: string };
  return { error: { code: e.code, lines: e.lines, message: e.message ?? String(err) } };
}

/** What csv-parse alone reads from the chunks, with the importer's options. */
async function byCsvParse(chunks: string[]): Promise<Outcome> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, ...CSV_RECORD_LIMITS });
  Readable.from(chunks, { objectMode: false }).pipe(parser);
  const records: string[][] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) records.push(record);
  } catch (err) {
    return failure(err);
  }
  return { records };
}

/** What the importer's reader gives for the same chunks. */
async function byReader(chunks: string[]): Promise<Outcome> {
  const records: string[][] = [];
  try {
    for await (const batch of csvRecordBatches(Readable.from(chunks, { objectMode: false }).setEncoding('utf8'))) records.push(...batch);
  } catch (err) {
    return failure(err);
  }
  return { records };
}

/** Splits text into chunks at the given cut points. */
function cut(text: string, points: number[]): string[] {
  const at = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of at) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out.filter((c) => c.length > 0);
}

const piece = fc.constantFrom('a', 'bc', 'é', ' ', ',', ',', '"', '""', '"x"', '"a,b"', '"l1\r\nl2"', '"l1\nl2"', '\r\n', '\r\n', '\n', '\r', '\uFEFF', "'=1");

describe('the importer\'s CSV reader', () => {
  test('reads a Tally export exactly as csv-parse does', async () => {
    const text = '\uFEFFfigure_id,indicator_code,source_quote,notes\r\n1,killed,"He said ""12"", at least","two\r\nlines"\r\n\r\n2,injured,,\r\n';
    const expected = await byCsvParse([text]);
    expect(expected).toEqual({ records: [['figure_id', 'indicator_code', 'source_quote', 'notes'], ['1', 'killed', 'He said "12", at least', 'two\r\nlines'], ['2', 'injured', '', '']] });
    expect(await byReader([text])).toEqual(expected);
    expect(await byReader(cut(text, [1, 7, 40, 41, 60, 77, 78]))).toEqual(expected);
  });

  test('gives the same records, or the same error at the same line, as csv-parse for any text cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(400), { maxLength: 5 }), async (pieces, points) => {
        const text = pieces.join('');
        const chunks = cut(text, points);
        expect(await byReader(chunks)).toEqual(await byCsvParse(chunks));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  test('an unclosed quote far into a file is reported at csv-parse\'s line', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${i},"q${i}\nx",z`).join('\r\n');
    const text = `a,b,c\r\n${rows}\r\n7,"never closed,z\r\n8,9,10\r\n`;
    const expected = await byCsvParse([text]);
    expect(expected).toMatchObject({ error: { code: 'CSV_QUOTE_NOT_CLOSED' } });
    expect(await byReader(cut(text, [1000, 5000, 9000]))).toEqual(expected);
  });
});
