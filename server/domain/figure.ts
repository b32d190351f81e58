/**
 * The figure: its vocabularies, its fields and its rules, written once.
 * The form, the importer, the API, the seed loader and the database layer all
 * parse with what is here. This module imports nothing but zod: no database,
 * no web framework (eslint holds that line; see docs/decisions/0006).
 */
import { z } from 'zod';

export const QUALIFIERS = ['exact', 'about', 'at_least', 'more_than', 'at_most', 'up_to'] as const;
export const VERIFICATIONS = ['verified', 'reported', 'claimed', 'disputed'] as const;
export const STATUSES = ['draft', 'published', 'retired'] as const;
export const AGGREGATIONS = ['flow', 'level'] as const;
/**
 * What a figure's number is: counted since its period's start as of its end,
 * events inside its period, or a state during it. Stored on every figure; a
 * chart or filter never changes it.
 */
export const MEASURES = ['running_total', 'period_count', 'level'] as const;
/** Statuses a mirror can see in a `since` pull: rows, and tombstones for figures that left the set. */
export const FEED_STATUSES = ['published', 'retired', 'withdrawn'] as const;

export type Qualifier = (typeof QUALIFIERS)[number];
export type Verification = (typeof VERIFICATIONS)[number];
export type FigureStatus = (typeof STATUSES)[number];
export type Aggregation = (typeof AGGREGATIONS)[number];
export type Measure = (typeof MEASURES)[number];

/** The measures an indicator's figures may take: flows are counted, levels are states. */
export const MEASURES_BY_AGGREGATION: Record<Aggregation, readonly Measure[]> = {
  flow: ['running_total', 'period_count'],
  level: ['level'],
};

export const MEASURE_LABELS: Record<Measure, string> = {
  running_total: 'Running total (counted since the start date, as of the end date)',
  period_count: 'Count for the period (events between the two dates)',
  level: 'Level (a state during the period or on the day)',
};

/** What a figure states: the columns staff enter and edit; the rest of a row is workflow state. */
export interface FigureFields {
  indicator_id: number;
  location_id: number;
  reference_period_start: string;
  reference_period_end: string;
  measure: Measure;
  value: number;
  value_low: number | null;
  value_high: number | null;
  qualifier: Qualifier;
  verification: Verification;
  reported_by: string;
  claimed_by: string | null;
  /** Who the source says carried out the act counted ("strikes attributed to Ukraine"). */
  attributed_to: string | null;
  /** Who denies or contradicts it. */
  disputed_by: string | null;
  source_id: number;
  source_quote: string;
  notes: string | null;
}

export const FIGURE_FIELDS = [
  'indicator_id', 'location_id', 'reference_period_start', 'reference_period_end', 'measure', 'value', 'value_low',
  'value_high', 'qualifier', 'verification', 'reported_by', 'claimed_by', 'attributed_to', 'disputed_by', 'source_id',
  'source_quote', 'notes',
] as const satisfies readonly (keyof FigureFields)[];

/** Text limits shared by the schema's CHECKs, the form and the importer. */
export const TEXT_LIMITS = {
  reported_by: 200,
  claimed_by: 200,
  attributed_to: 200,
  disputed_by: 200,
  source_quote: 2000,
  notes: 5000,
  source_title: 500,
  source_publisher: 200,
  source_url: 2000,
  source_notes: 5000,
  reason: 2000,
} as const;

// ---------------------------------------------------------------------------
// Parsers of single values, shared by every way a figure arrives.

/** A real calendar date written YYYY-MM-DD (2024-02-30 is not one). */
export function isRealDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  let year = 0;
  let month = 0;
  let day = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (i < 4) year = year * 10 + d;
    else if (i < 7) month = month * 10 + d;
    else day = day * 10 + d;
  }
  if (month < 1 || month > 12 || day < 1) return false;
  // The proleptic Gregorian calendar, as JavaScript's Date and SQLite's date() count it.
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/** Scale words sources write after a number, as powers of ten. */
const SCALE_WORDS: Record<string, number> = {
  thousand: 3, k: 3, million: 6, mn: 6, mln: 6, m: 6, billion: 9, bn: 9, b: 9, trillion: 12, tn: 12,
};

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Why a date written YYYY-MM-DD is impossible ("2024-02-31 is impossible:
 * February 2024 has 29 days."), or null when it is real or not written so.
 */
export function impossibleDate(s: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m?.[1] || !m[2] || !m[3] || isRealDate(s)) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `${s} is impossible: there is no month ${m[2]}.`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `${s} is impossible: ${MONTH_NAMES[month - 1] ?? ''} ${year} has ${days} days.`;
  return `${s} is impossible.`;
}

/**
 * A whole number as sources, people and spreadsheets write it: "10382",
 * "10,382", "10 382", "12.0" (pandas writes integers so), "14.6 million",
 * "$3.9 billion", "2.5bn", "40k". A currency sign before it ($, US$, USD, €, £)
 * is dropped: the indicator's unit says what is counted. Returns null for
 * anything else: a fraction of a unit ("1.5", "1.2345 thousand"), a sign,
 * other words. public/js/whole-number.js is the same rule for the form's echo;
 * test/server/whole-number.test.ts holds the two together.
 */
export function parseWholeNumber(text: string): number | null {
  let s = text.trim().replace(/^(?:US\s?\$|USD|\$|€|£)\s*/i, '');
  let exponent = 0;
  const scaled = /^(.*?\d)\s*([a-z]+)\.?$/i.exec(s);
  if (scaled?.[1] && scaled[2]) {
    const power = SCALE_WORDS[scaled[2].toLowerCase()];
    if (power === undefined) return null;
    s = scaled[1];
    exponent = power;
  }
  s = s.replace(/(?<=\d)[,\u00a0\u202f ](?=\d{3}(\D|$))/g, '');
  const parts = /^(\d{1,16})(?:\.(\d{1,16}))?$/.exec(s);
  if (!parts?.[1]) return null;
  const fraction = (parts[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) return null;
  const digits = (parts[1] + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 16) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}

/** An http(s) address with a host; the one URL rule of forms and imports. */
export function isHttpUrl(s: string): boolean {
  if (s.length > TEXT_LIMITS.source_url || /\s/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The measure a figure without one is read as: a level indicator's figures
 * are levels; a flow figure is a running total when another flow figure of
 * the same place shares its start date with a different end and one of them
 * spans more than 31 days, else a period count. Used once, by the migration
 * that added the column and by imports of files without the column; never
 * at read time.
 */
export function inferMeasure(
  figure: { aggregation: Aggregation; location: string | number; start: string; end: string },
  siblings: readonly { aggregation: Aggregation; location: string | number; start: string; end: string }[],
): Measure {
  if (figure.aggregation === 'level') return 'level';
  const days = (a: string, b: string): number => (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000 + 1;
  const same = siblings.filter((s) => s.aggregation === 'flow' && s.location === figure.location && s.start === figure.start);
  const ends = new Set(same.map((s) => s.end));
  ends.add(figure.end);
  const longest = Math.max(days(figure.start, figure.end), ...same.map((s) => days(s.start, s.end)));
  return ends.size >= 2 && longest > 31 ? 'running_total' : 'period_count';
}

// ---------------------------------------------------------------------------
// The one schema of a figure's fields. Input arrives as text (a form field or
// a CSV cell) or as JSON numbers (the API); each rule is stated once here.

const MSG = {
  required: 'Required.',
  date: 'Must be a real date written YYYY-MM-DD, e.g. 2024-02-07.',
  whole: 'Must be a whole number of 0 or more, e.g. 10382, 10,382 or 14.6 million.',
};

const text = (max: number) => z.string().trim().max(max, `At most ${max} characters.`);
export const requiredText = (max: number) => text(max).min(1, MSG.required);
export const optionalText = (max: number) => text(max).transform((s) => (s === '' ? null : s));

/** A date that is not real: an impossible one is named as such ("2024-02-31 is impossible: …"), anything else gets the rule. */
const dateMessage = (s: string): string => {
  const impossible = impossibleDate(s);
  return impossible ? `${impossible} ${MSG.date}` : MSG.date;
};
const realDate = (s: string, ctx: z.RefinementCtx): void => {
  if (s !== '' && !isRealDate(s)) ctx.addIssue({ code: 'custom', message: dateMessage(s) });
};

export const dateText = z.string().trim().min(1, MSG.required).superRefine(realDate);
export const optionalDateText = z
  .string()
  .trim()
  .superRefine(realDate)
  .transform((s) => (s === '' ? null : s));

const wholeNumberInput = z.union([z.number(), z.string(), z.null()]).transform((v, ctx) => {
  if (v === null) return null;
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    ctx.addIssue({ code: 'custom', message: MSG.whole });
    return z.NEVER;
  }
  if (v.trim() === '') return null;
  const n = parseWholeNumber(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: MSG.whole });
    return z.NEVER;
  }
  return n;
});
export const wholeNumber = wholeNumberInput.refine((n) => n !== null, MSG.required).transform((n) => n);
export const optionalWholeNumber = wholeNumberInput;

export const httpUrlText = z
  .string()
  .trim()
  .refine((s) => s === '' || isHttpUrl(s), 'Must be a web address starting with http:// or https:// (at most 2000 characters).')
  .transform((s) => (s === '' ? null : s));

const idInput = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const s = String(v).trim();
    if (/^[1-9]\d{0,14}$/.test(s)) return Number(s);
    ctx.addIssue({ code: 'custom', message: `Choose ${what}.` });
    return z.NEVER;
  });

/**
 * Field by field: each is parsed on its own so every field's error is found
 * in one round; crossChecks() then adds the rules that relate fields.
 */
export const figureFieldSchemas = {
  indicator_id: idInput('an indicator'),
  location_id: idInput('a place'),
  reference_period_start: dateText,
  reference_period_end: dateText,
  measure: z.enum(MEASURES, 'Choose what the number is: a running total, a count for the period, or a level.'),
  value: wholeNumber,
  value_low: optionalWholeNumber,
  value_high: optionalWholeNumber,
  qualifier: z.enum(QUALIFIERS, `Choose a qualifier: ${QUALIFIERS.join(', ')}.`),
  verification: z.enum(VERIFICATIONS, `Choose a verification level: ${VERIFICATIONS.join(', ')}.`),
  reported_by: requiredText(TEXT_LIMITS.reported_by),
  claimed_by: z.preprocess((v) => v ?? '', optionalText(TEXT_LIMITS.claimed_by)),
  attributed_to: z.preprocess((v) => v ?? '', optionalText(TEXT_LIMITS.attributed_to)),
  disputed_by: z.preprocess((v) => v ?? '', optionalText(TEXT_LIMITS.disputed_by)),
  source_id: idInput('a source'),
  source_quote: requiredText(TEXT_LIMITS.source_quote),
  notes: z.preprocess((v) => v ?? '', optionalText(TEXT_LIMITS.notes)),
} satisfies Record<keyof FigureFields, z.ZodType>;

export type FieldErrors = Record<string, string>;

/** The rules that relate fields; adds one message per field it faults. */
export function crossChecks(
  f: Partial<FigureFields>,
  errors: FieldErrors,
  context: { aggregation?: Aggregation | undefined; unit?: string | undefined } = {},
): void {
  if (context.unit === 'percent' && f.value != null && f.value > 100 && !errors.value) {
    errors.value = 'A share in percent is at most 100 (whole percents).';
  }
  if (f.reference_period_start && f.reference_period_end && f.reference_period_end < f.reference_period_start && !errors.reference_period_end) {
    errors.reference_period_end = `Must be on or after the start date (${f.reference_period_start}).`;
  }
  if (f.value != null && f.value_low != null && f.value_low > f.value && !errors.value_low) {
    errors.value_low = `Must not be more than the value (${f.value}).`;
  }
  if (f.value != null && f.value_high != null && f.value_high < f.value && !errors.value_high) {
    errors.value_high = `Must not be less than the value (${f.value}).`;
  }
  if (f.verification === 'claimed' && !f.claimed_by && !errors.claimed_by) {
    errors.claimed_by = 'Required when the figure is a claim: name the party that claims it.';
  }
  if (context.aggregation && f.measure && !MEASURES_BY_AGGREGATION[context.aggregation].includes(f.measure) && !errors.measure) {
    errors.measure =
      context.aggregation === 'level'
        ? 'This indicator counts a state (a level): its figures are levels.'
        : 'This indicator counts events: its figures are running totals or counts for the period, not levels.';
  }
}

export type FigureParse = { ok: true; fields: FigureFields } | { ok: false; errors: FieldErrors; partial: Partial<FigureFields> };

/**
 * Parses a figure's fields from text or JSON values. Every field is checked,
 * then the rules between fields; the indicator's aggregation, when known,
 * limits the measure. Returns the typed fields or every error at once.
 */
export function parseFigureFields(
  input: Partial<Record<keyof FigureFields, unknown>>,
  context: { aggregation?: Aggregation | undefined; unit?: string | undefined; skip?: readonly (keyof FigureFields)[] } = {},
): FigureParse {
  const partial: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const name of FIGURE_FIELDS) {
    if (context.skip?.includes(name)) continue;
    const raw = input[name];
    const parsed = figureFieldSchemas[name].safeParse(raw === undefined ? '' : raw);
    if (parsed.success) partial[name] = parsed.data;
    else errors[name] = parsed.error.issues[0]?.message ?? 'Is not valid.';
  }
  crossChecks(partial, errors, context);
  if (Object.keys(errors).length > 0) return { ok: false, errors, partial: partial };
  return { ok: true, fields: partial as unknown as FigureFields };
}

// ---------------------------------------------------------------------------
// The same rules as plain checks, for text (CSV cells): the importer runs them
// once per row, where building zod's issues for every field of a million rows
// cost more than reading the file. Each rule gives the schema's own message;
// test/domain/figure-text.test.ts holds the two to the same result for every
// kind of bad value, so the rule is still stated once (above) and checked twice.

const tooLong = new Map<number, string>();
const atMost = (max: number): string => {
  let m = tooLong.get(max);
  if (m === undefined) {
    m = `At most ${max} characters.`;
    tooLong.set(max, m);
  }
  return m;
};

/** Outcome of one plain check: the parsed value, or the schema's message. */
export type TextCheck<T> = { ok: true; value: T } | { ok: false; message: string };
const pass = <T>(value: T): TextCheck<T> => ({ ok: true, value });
const fault = (message: string): TextCheck<never> => ({ ok: false, message });

/** requiredText(max) as a plain check. */
export function checkRequiredText(raw: string, max: number): TextCheck<string> {
  const s = raw.trim();
  if (s.length > max) return fault(atMost(max));
  return s === '' ? fault(MSG.required) : pass(s);
}

/** optionalText(max) as a plain check: empty is null. */
export function checkOptionalText(raw: string, max: number): TextCheck<string | null> {
  const s = raw.trim();
  if (s.length > max) return fault(atMost(max));
  return pass(s === '' ? null : s);
}

/** dateText (required) or optionalDateText as a plain check. */
export function checkDateText(raw: string, required: boolean): TextCheck<string | null> {
  const s = raw.trim();
  if (s === '') return required ? fault(MSG.required) : pass(null);
  return isRealDate(s) ? pass(s) : fault(dateMessage(s));
}

/** httpUrlText as a plain check: empty is null. */
export function checkHttpUrlText(raw: string): TextCheck<string | null> {
  const s = raw.trim();
  if (s === '') return pass(null);
  return isHttpUrl(s) ? pass(s) : fault('Must be a web address starting with http:// or https:// (at most 2000 characters).');
}

function checkWhole(raw: string, required: boolean): TextCheck<number | null> {
  if (raw.trim() === '') return required ? fault(MSG.required) : pass(null);
  const n = parseWholeNumber(raw);
  return n === null ? fault(MSG.whole) : pass(n);
}

const ENUM_MESSAGES = {
  measure: 'Choose what the number is: a running total, a count for the period, or a level.',
  qualifier: `Choose a qualifier: ${QUALIFIERS.join(', ')}.`,
  verification: `Choose a verification level: ${VERIFICATIONS.join(', ')}.`,
} as const;
const ENUM_VALUES: Record<keyof typeof ENUM_MESSAGES, ReadonlySet<string>> = {
  measure: new Set(MEASURES),
  qualifier: new Set(QUALIFIERS),
  verification: new Set(VERIFICATIONS),
};
const ID_WHAT: Partial<Record<keyof FigureFields, string>> = { indicator_id: 'an indicator', location_id: 'a place', source_id: 'a source' };

/** A figure's fields as text, ids as numbers or text: what a CSV row gives once its codes are looked up. */
export type FigureTextInput = Partial<Record<keyof FigureFields, string | number>>;

/**
 * parseFigureFields for text input, with plain checks instead of the schema:
 * the same fields, the same messages in the same order, the same cross-field
 * rules. Anything but text (or a number for an id) goes to the schema.
 */
export function parseFigureText(
  input: FigureTextInput,
  context: { aggregation?: Aggregation | undefined; unit?: string | undefined; skip?: readonly (keyof FigureFields)[] } = {},
): FigureParse {
  const partial: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const name of FIGURE_FIELDS) {
    if (context.skip?.includes(name)) continue;
    const raw = input[name] ?? '';
    let result: TextCheck<unknown>;
    if (typeof raw !== 'string') {
      const what = ID_WHAT[name];
      if (what === undefined) return parseFigureFields(input, context);
      const s = String(raw).trim();
      result = /^[1-9]\d{0,14}$/.test(s) ? pass(Number(s)) : fault(`Choose ${what}.`);
    } else {
      switch (name) {
        case 'indicator_id':
        case 'location_id':
        case 'source_id': {
          const s = raw.trim();
          result = /^[1-9]\d{0,14}$/.test(s) ? pass(Number(s)) : fault(`Choose ${ID_WHAT[name] ?? ''}.`);
          break;
        }
        case 'reference_period_start':
        case 'reference_period_end':
          result = checkDateText(raw, true);
          break;
        case 'measure':
        case 'qualifier':
        case 'verification':
          result = ENUM_VALUES[name].has(raw) ? pass(raw) : fault(ENUM_MESSAGES[name]);
          break;
        case 'value':
          result = checkWhole(raw, true);
          break;
        case 'value_low':
        case 'value_high':
          result = checkWhole(raw, false);
          break;
        case 'reported_by':
        case 'source_quote':
          result = checkRequiredText(raw, TEXT_LIMITS[name]);
          break;
        case 'claimed_by':
        case 'attributed_to':
        case 'disputed_by':
        case 'notes':
          result = checkOptionalText(raw, TEXT_LIMITS[name]);
          break;
      }
    }
    if (result.ok) partial[name] = result.value;
    else errors[name] = result.message;
  }
  crossChecks(partial, errors, context);
  if (Object.keys(errors).length > 0) return { ok: false, errors, partial: partial };
  return { ok: true, fields: partial as unknown as FigureFields };
}

// ---------------------------------------------------------------------------
// Publishing rules.

export interface Actor {
  id: number | null;
  role: 'editor' | 'admin' | 'system';
  username?: string | undefined;
}

/**
 * Four eyes: an admin publishes, and not the last edit of their own unless
 * they say why. The command line (a `system` actor, run by whoever holds the
 * database file) publishes only when asked to. Returns an error message or null.
 * The same rule holds a change of a source, indicator or place (`what` names it).
 */
export function publishRefusal(actor: Actor, lastEditorId: number | null, reason: string | null, what = 'figures'): string | null {
  if (actor.role === 'system') return null;
  if (actor.role !== 'admin') return `Only an admin publishes ${what}.`;
  if (lastEditorId === actor.id && !reason) {
    return 'You made the last edit: someone else should publish it. To publish it yourself, say why.';
  }
  return null;
}

// ---------------------------------------------------------------------------
// The CSV/API contract.

/**
 * The CSV/API column contract, in order. It only ever grows at the end of the
 * row, so clients that read by position keep working; each growth bumps
 * CONTRACT_VERSION.
 */
export const EXPORT_COLUMNS = [
  'figure_id', 'indicator_code', 'indicator_name', 'unit', 'location_code', 'location_name', 'admin_level',
  'reference_period_start', 'reference_period_end', 'value', 'value_low', 'value_high', 'qualifier',
  'verification', 'reported_by', 'claimed_by', 'source_title', 'source_publisher', 'source_url',
  'source_published_on', 'source_quote', 'notes', 'status', 'updated_at',
  // Contract version 2:
  'measure', 'source_id', 'version',
  // Contract version 3:
  'attributed_to', 'disputed_by',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

/**
 * Version 1: the 24 columns of DESIGN.md. Version 2: measure, source_id and
 * version appended; Sync-Token and since. Version 3: attributed_to and disputed_by.
 */
export const CONTRACT_VERSION = 3;
/** The columns of contract version 1 (files written before `measure` existed). */
export const EXPORT_COLUMNS_V1 = EXPORT_COLUMNS.slice(0, 24);
