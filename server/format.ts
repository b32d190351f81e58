import ejs from 'ejs';
import type { Measure, Qualifier, Verification } from '../db/types';

const QUALIFIER_SIGNS: Record<Qualifier, string> = {
  exact: '',
  about: '~ ',
  at_least: '≥ ',
  more_than: '> ',
  at_most: '≤ ',
  up_to: '≤ ',
};

const QUALIFIER_WORDS: Record<Qualifier, string> = {
  exact: 'exactly',
  about: 'about',
  at_least: 'at least',
  more_than: 'more than',
  at_most: 'at most',
  up_to: 'up to',
};

const VERIFICATION_LABELS: Record<Verification, string> = {
  verified: 'Verified',
  reported: 'Reported',
  claimed: 'Claimed by a party',
  disputed: 'Disputed',
};

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

export function formatNumber(n: number): string {
  return integer.format(n);
}

/** The number with its unit: "24", "US$ 3,100,000,000", "69%". */
export function formatAmount(n: number, unit: string): string {
  if (unit === 'usd') return `US$ ${formatNumber(n)}`;
  return unit === 'percent' ? `${formatNumber(n)}%` : formatNumber(n);
}

/** A value as the source bounded it: "≥ 24", "~ 10,000", "> 100". */
export function formatValue(value: number, qualifier: Qualifier, unit = 'people'): string {
  return `${QUALIFIER_SIGNS[qualifier]}${formatAmount(value, unit)}`;
}

/** "at least 24" — the qualifier in words, for tooltips and screen readers. */
export function describeValue(value: number, qualifier: Qualifier, unit = 'people'): string {
  const words = qualifier === 'exact' ? '' : `${QUALIFIER_WORDS[qualifier]} `;
  return `${words}${formatAmount(value, unit)}`;
}

export function formatRange(low: number | null, high: number | null, unit = 'people'): string {
  if (low === null && high === null) return '';
  const lo = low === null ? '…' : formatAmount(low, unit);
  const hi = high === null ? '…' : formatAmount(high, unit);
  return `${lo} – ${hi}`;
}

/** "2023-12-30" for one day, "2023-12-29 – 2024-01-02" for a span. */
export function formatPeriod(start: string, end: string): string {
  return start === end ? start : `${start} – ${end}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "24 Feb 2022" for 2022-02-24: a date as a reader says it, the same on every machine (no locale data). */
export function formatDay(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1] ?? month} ${year}`;
}

const UK_DAY = new Intl.DateTimeFormat('uk-UA', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A date as a reader of the page's language says it: "24 Feb 2022", "24 лютого 2022 р.". Takes a date or a timestamp. */
export function formatDayIn(lang: string, iso: string): string {
  const day = iso.slice(0, 10);
  if (lang === 'uk' && /^\d{4}-\d{2}-\d{2}$/.test(day)) return UK_DAY.format(new Date(`${day}T00:00:00Z`));
  return formatDay(day);
}

/**
 * "23 Nov 2026, 10:16 UTC" for a stored UTC timestamp (2026-11-23T10:16:05.123Z):
 * a time as a reader says it. Views put the raw value in a title and datetime attribute.
 * A value not in that form is shown as it is.
 */
export function formatTime(iso: string, day: (iso: string) => string = formatDay): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(iso);
  return m?.[1] && m[2] ? `${day(m[1])}, ${m[2]} UTC` : iso;
}

/**
 * What the number is, in plain words: "Running total since 24 Feb 2022",
 * "Count for the period", "Level". Without a start date a running total is
 * just "Running total" (where the period is shown beside it).
 */
export function measureLabel(measure: Measure, start?: string | null): string {
  if (measure === 'running_total') return start ? `Running total since ${formatDay(start)}` : 'Running total';
  return measure === 'period_count' ? 'Count for the period' : 'Level';
}

export function qualifierWord(qualifier: Qualifier): string {
  return QUALIFIER_WORDS[qualifier];
}

export function verificationLabel(verification: Verification): string {
  return VERIFICATION_LABELS[verification];
}

/** The formatters of one language: numbers, values, ranges, days and periods as its readers write them. */
export interface Formats {
  lang: string;
  formatNumber: (n: number) => string;
  /** A number with at most one decimal ("3.1", "3,1"), for shortened values. */
  formatDecimal: (n: number) => string;
  formatAmount: (n: number, unit: string) => string;
  formatValue: (value: number, qualifier: Qualifier, unit?: string) => string;
  formatRange: (low: number | null, high: number | null, unit?: string) => string;
  /** "24 Feb 2022", "24 лютого 2022 р.". */
  formatDay: (iso: string) => string;
  /** A date inside a period or a label: ISO in English (as the exports write it), the language's own words otherwise. */
  formatDate: (iso: string) => string;
  /** "2023-12-30" / "2023-12-29 – 2024-01-02"; "29 грудня 2023 р. – 2 січня 2024 р.". */
  formatPeriod: (start: string, end: string) => string;
  formatDayIn: (lang: string, iso: string) => string;
}

const UK_NUMBER = new Intl.NumberFormat('uk', { maximumFractionDigits: 0 });
const UK_DECIMAL = new Intl.NumberFormat('uk', { maximumFractionDigits: 1 });
const UK_DAY_RANGE = new Intl.DateTimeFormat('uk', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function utcDay(iso: string): Date {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`);
}

function isDay(iso: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso.slice(0, 10));
}

function formatsOf(lang: string, number: (n: number) => string, decimal: (n: number) => string, day: (iso: string) => string, date: (iso: string) => string, period: (start: string, end: string) => string): Formats {
  const amount = (n: number, unit: string): string => (unit === 'usd' ? `US$ ${number(n)}` : unit === 'percent' ? `${number(n)}%` : number(n));
  return {
    lang,
    formatNumber: number,
    formatDecimal: decimal,
    formatAmount: amount,
    formatValue: (value, qualifier, unit = 'people') => `${QUALIFIER_SIGNS[qualifier]}${amount(value, unit)}`,
    formatRange: (low, high, unit = 'people') => (low === null && high === null ? '' : `${low === null ? '…' : amount(low, unit)} – ${high === null ? '…' : amount(high, unit)}`),
    formatDay: day,
    formatDate: date,
    formatPeriod: period,
    formatDayIn,
  };
}

/**
 * Remembers what a formatter wrote for each input (up to `limit`, then starts again): Intl's date
 * formatting costs microseconds a call, and a chart page writes the same few hundred days and
 * periods thousands of times (tables, tooltips, summaries).
 */
function remembered<A extends string>(format: (key: A) => string, limit = 50_000): (key: A) => string {
  const memo = new Map<string, string>();
  return (key) => {
    let out = memo.get(key);
    if (out === undefined) {
      out = format(key);
      if (memo.size >= limit) memo.clear();
      memo.set(key, out);
    }
    return out;
  };
}

const ukDay = remembered((iso: string) => formatDayIn('uk', iso));
const ukPeriod = remembered((span: string) => {
  const [start = '', end = ''] = span.split('|');
  return start === end || !isDay(start) || !isDay(end) ? ukDay(start) : UK_DAY_RANGE.formatRange(utcDay(start), utcDay(end));
});

const ENGLISH = formatsOf('en', formatNumber, (n) => String(Math.round(n * 10) / 10), formatDay, (iso) => iso, formatPeriod);
const UKRAINIAN = formatsOf(
  'uk',
  (n) => UK_NUMBER.format(n),
  (n) => UK_DECIMAL.format(n),
  ukDay,
  ukDay,
  (start, end) => ukPeriod(`${start}|${end}`),
);

/** The formatters of a page's language (English for any other). */
export function formatsFor(lang: string): Formats {
  return lang === 'uk' ? UKRAINIAN : ENGLISH;
}

/** Text as EJS's <%= %> writes it into HTML: EJS's own escaping. */
const escapeHtml = (text: string): string => ejs.escapeXML(text);

interface ValueWords {
  formatValue: typeof formatValue;
  describeValue: typeof describeValue;
  qualifierWord: typeof qualifierWord;
  formatRange: typeof formatRange;
  verificationLabel: typeof verificationLabel;
}
interface ShownFigure {
  value: number;
  qualifier: Qualifier;
  unit: string;
  value_low: number | null;
  value_high: number | null;
  verification: Verification;
  claimed_by: string | null;
}

/**
 * A figure's value exactly as the source bounded it (qualifier sign, number,
 * range) and its verification badge, as HTML: the value and verification
 * cells of every list and of a figure's page. Written here, once, rather than
 * as two templates included for every row of a list (each include copied
 * every local of the page and looked for its file on disk: about 6 % of the
 * event loop under the load test).
 */
function figureCells(w: ValueWords) {
  return {
    // Each part on its own line, as the templates wrote them: the spaces between them are the same on the page.
    valueHtml: (f: ShownFigure): string =>
      `<span class="value" title="${escapeHtml(w.describeValue(f.value, f.qualifier, f.unit))}">${escapeHtml(w.formatValue(f.value, f.qualifier, f.unit))}</span>\n` +
      (f.qualifier !== 'exact' ? `<span class="visually-hidden">(${escapeHtml(w.qualifierWord(f.qualifier))})</span>` : '') +
      '\n' +
      (f.value_low !== null || f.value_high !== null ? `<span class="range">range ${escapeHtml(w.formatRange(f.value_low, f.value_high, f.unit))}</span>` : '') +
      '\n',
    verificationHtml: (f: ShownFigure, t: (key: string, options?: Record<string, unknown>) => string): string =>
      `<span class="badge badge-${escapeHtml(f.verification)}">${escapeHtml(w.verificationLabel(f.verification))}</span>` +
      (f.claimed_by ? ` <span class="claimed-by">${escapeHtml(t('card.claimedBy', { who: f.claimed_by }))}</span>` : '') +
      '\n',
  };
}

/** Helpers every view may call; they only format, never query. A page in another language gets its own (res.locals, see localFormats). */
export const viewHelpers = {
  formatNumber,
  formatAmount,
  formatValue,
  describeValue,
  formatRange,
  formatPeriod,
  formatDay,
  formatDayIn,
  formatTime,
  measureLabel,
  qualifierWord,
  verificationLabel,
  ...figureCells({ formatValue, describeValue, qualifierWord, formatRange, verificationLabel }),
};

/** The view helpers that write numbers and dates, in a page's language: what res.locals overrides for a page that is not English. */
export function localFormats(lang: string, t: (key: string, options?: Record<string, unknown>) => string): Partial<typeof viewHelpers> {
  if (lang === 'en') return {};
  const f = formatsFor(lang);
  const measureIn = (measure: Measure, start?: string | null): string =>
    measure === 'running_total' ? (start ? `${t('chart.runningTotal')} ${t('chart.since', { date: f.formatDay(start) })}` : t('chart.runningTotal')) : t(measure === 'period_count' ? 'chart.periodCount' : 'chart.level');
  const qualifierIn = (qualifier: Qualifier): string => t(`qualifier.${qualifier}`);
  const verificationIn = (verification: Verification): string => t(`verification.${verification}`);
  const describeIn = (value: number, qualifier: Qualifier, unit = 'people'): string =>
    `${qualifier === 'exact' ? '' : `${t(`qualifier.${qualifier}`)} `}${f.formatAmount(value, unit)}`;
  return {
    qualifierWord: qualifierIn,
    verificationLabel: verificationIn,
    measureLabel: measureIn,
    formatNumber: f.formatNumber,
    formatAmount: f.formatAmount,
    formatValue: f.formatValue,
    formatRange: f.formatRange,
    formatPeriod: f.formatPeriod,
    formatDay: f.formatDay,
    formatTime: (iso) => formatTime(iso, f.formatDay),
    describeValue: describeIn,
    ...figureCells({ formatValue: f.formatValue, describeValue: describeIn, qualifierWord: qualifierIn, formatRange: f.formatRange, verificationLabel: verificationIn }),
  };
}
