/**
 * The importer checks each row with plain checks (parseFigureText and the
 * check* helpers) instead of the figure schema; a row must get exactly what
 * the schema would say: the same parsed fields, or the same message for each
 * faulty field, in the same order.
 */
import {
  FIGURE_FIELDS, TEXT_LIMITS, checkDateText, isRealDate, checkHttpUrlText, checkOptionalText, checkRequiredText, httpUrlText,
  optionalDateText, optionalText, parseFigureFields, parseFigureText, requiredText, type FigureFields, type FigureTextInput,
} from '../../server/domain/figure';
import { random } from '../helpers/random';

const DATES = ['', ' ', '2024-01-01', ' 2024-02-29 ', '2023-02-29', '2024-02-30', '2024-13-01', '2024-00-10', '2024-04-31', '24-01-01', '2024/01/01', 'yesterday', '2024-1-1'];
const NUMBERS = ['', ' ', '0', '10', '10382', '10,382', '10 382', '12.0', '1.5', '14.6 million', '$3.9 billion', '2.5bn', '40k', '-5', 'ten', '1e3', '99999999999999999', '1.2345 thousand', '101'];
const WORDS = (max: number): string[] => ['', ' ', 'x', ' padded ', 'a'.repeat(max), 'a'.repeat(max + 1), ` ${'b'.repeat(max)} `, 'Ministry of Health'];
const VALUES: Record<keyof FigureFields, (string | number)[]> = {
  indicator_id: [1, 7, '3', '', 'x', '0', ' 12 '],
  location_id: [1, 2, '5', '', '-1'],
  reference_period_start: DATES,
  reference_period_end: DATES,
  measure: ['', 'level', 'running_total', 'period_count', 'Level', 'total'],
  value: NUMBERS,
  value_low: NUMBERS,
  value_high: NUMBERS,
  qualifier: ['exact', 'about', 'at_least', 'more_than', 'at_most', 'up_to', '', 'roughly', 'Exact'],
  verification: ['verified', 'reported', 'claimed', 'disputed', '', 'rumoured'],
  reported_by: WORDS(TEXT_LIMITS.reported_by),
  claimed_by: WORDS(TEXT_LIMITS.claimed_by),
  attributed_to: WORDS(TEXT_LIMITS.attributed_to),
  disputed_by: WORDS(TEXT_LIMITS.disputed_by),
  source_id: [3, '', '4'],
  source_quote: WORDS(TEXT_LIMITS.source_quote),
  notes: WORDS(TEXT_LIMITS.notes),
};

const GOOD: FigureTextInput = {
  indicator_id: 1, location_id: 2, reference_period_start: '2024-01-01', reference_period_end: '2024-01-31', measure: 'period_count',
  value: '10', value_low: '', value_high: '', qualifier: 'exact', verification: 'reported', reported_by: 'UN OCHA', claimed_by: '',
  attributed_to: '', disputed_by: '', source_id: '', source_quote: '10 deaths', notes: '',
};

const CONTEXTS = [
  { aggregation: 'flow' as const, unit: 'people', skip: ['source_id'] as (keyof FigureFields)[] },
  { aggregation: 'level' as const, unit: 'percent', skip: ['source_id', 'measure'] as (keyof FigureFields)[] },
  { aggregation: undefined, unit: undefined, skip: [] as (keyof FigureFields)[] },
];

describe('parseFigureText gives what parseFigureFields gives', () => {
  it('for every single bad value of every field', () => {
    for (const field of FIGURE_FIELDS) {
      for (const value of VALUES[field]) {
        for (const context of CONTEXTS) {
          const input = { ...GOOD, [field]: value };
          expect({ field, value, got: parseFigureText(input, context) }).toEqual({ field, value, got: parseFigureFields(input, context) });
        }
      }
    }
  });

  it('for 5,000 rows with several faults at once (each field mixed from its list)', () => {
    const next = random(11);
    for (let i = 0; i < 5000; i++) {
      const input: FigureTextInput = {};
      for (const field of FIGURE_FIELDS) {
        const choices = VALUES[field];
        input[field] = next() < 0.6 ? (GOOD[field]) : (choices[Math.floor(next() * choices.length)]);
      }
      const context = CONTEXTS[i % CONTEXTS.length];
      const want = parseFigureFields(input, context);
      const got = parseFigureText(input, context);
      expect({ i, input, got }).toEqual({ i, input, got: want });
      // The errors come in the same order (the importer lists them so).
      if (!want.ok && !got.ok) expect(Object.keys(got.errors)).toEqual(Object.keys(want.errors));
    }
  });

  it('a value that is not text or an id goes to the schema', () => {
    const input = { ...GOOD, value: 12 } as FigureTextInput;
    expect(parseFigureText(input)).toEqual(parseFigureFields(input));
  });
});

describe('the source checks give what the schemas give', () => {
  const same = (check: { ok: boolean; value?: unknown; message?: string }, schema: { success: boolean; data?: unknown; error?: { issues: { message: string }[] } }): void => {
    if (schema.success) expect(check).toEqual({ ok: true, value: schema.data });
    else expect(check).toEqual({ ok: false, message: schema.error?.issues[0]?.message });
  };

  it.each(WORDS(TEXT_LIMITS.source_title))('required and optional text %#', (value) => {
    same(checkRequiredText(value, TEXT_LIMITS.source_title), requiredText(TEXT_LIMITS.source_title).safeParse(value));
    same(checkOptionalText(value, TEXT_LIMITS.source_title), optionalText(TEXT_LIMITS.source_title).safeParse(value));
  });

  it.each(DATES)('an optional date "%s"', (value) => {
    same(checkDateText(value, false), optionalDateText.safeParse(value));
  });

  it.each(['', ' ', 'https://example.org/a', ' http://x.org ', 'ftp://x', 'example.org', 'https://', 'https://a b.org', `https://e.org/${'a'.repeat(2000)}`, 'javascript:alert(1)'])(
    'a web address (%#)',
    (value) => {
      same(checkHttpUrlText(value), httpUrlText.safeParse(value));
    },
  );
});

describe('isRealDate', () => {
  /** The rule as JavaScript's Date reads it: what isRealDate said before it was written out by hand. */
  const byDate = (s: string): boolean => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  };

  it('agrees with Date on every day of four centuries, their impossible neighbours, and malformed text', () => {
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    const texts: string[] = ['', '2024-1-01', '2024-01-1', '2024/01/01', '２０２４-01-01', '2024-01-0a', ' 2024-01-01', '2024-01-01 ', '+02024-01-01'];
    for (const year of [0, 4, 100, 1600, 1700, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) texts.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
      }
    }
    for (const s of texts) expect({ s, real: isRealDate(s) }).toEqual({ s, real: byDate(s) });
  });
});
