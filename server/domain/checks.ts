/**
 * Consistency checks: what a figure's quote says against what the figure
 * states, and the relations indicators declare (casualties = deaths +
 * injuries; child deaths <= civilian deaths; a running total never falls).
 * A figure that breaks one is kept: staff see a warning, readers a note.
 * Pure functions; imports nothing.
 */
import type { Measure, Qualifier } from './figure';

export const RELATION_KINDS = ['sum', 'at_most', 'non_decreasing'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

/** An indicator's declared relation to others (by indicator code). */
export interface Relation {
  indicator: string;
  kind: RelationKind;
  others: readonly string[];
}

/** What a check needs to know of a figure. */
export interface CheckedFigure {
  id: number;
  indicator: string;
  location: string;
  start: string;
  end: string;
  measure: Measure;
  value: number;
  value_low: number | null;
  value_high: number | null;
  qualifier: Qualifier;
  reported_by: string;
  source_quote: string;
}

export type CheckKind = 'quote_value' | 'quote_qualifier' | RelationKind;

export interface CheckResult {
  kind: CheckKind;
  /** Said to readers as a note on the figure and to staff as a warning. */
  message: string;
  /** Other figures the finding rests on. */
  related: number[];
}

const fmt = (n: number): string => n.toLocaleString('en-GB');

const WORD_NUMBERS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, dozen: 12,
};
const MONTH_BEFORE = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+$/;
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, bn: 1e9, m: 1e6, k: 1e3 };

/** A number as the quote writes it, with the few words before it (for its qualifier). */
export interface QuotedNumber {
  value: number;
  before: string;
  text: string;
}

/**
 * The numbers a quote states: "10,382", "14.6 million", "$3.9 billion",
 * "nine", "98%" (as 98). Years (1900–2099 written alone) are left out: they
 * date the figure, they do not state it.
 */
export function numbersInQuote(quote: string): QuotedNumber[] {
  const out: QuotedNumber[] = [];
  const re = /(\$|US\$|USD\s?)?\b(\d{1,3}(?:[,\u00a0 ]\d{3})+|\d+(?:\.\d+)?)\s*(thousand|million|billion|bn|m|k)?\b(%| per ?cent)?|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen)\b/gi;
  for (const m of quote.matchAll(re)) {
    const at = m.index ?? 0;
    const before = quote.slice(Math.max(0, at - 24), at).toLowerCase();
    // Not counts: a day of a date ("January 2", "Dec. 29"), a model number ("Hwasong-11").
    if (MONTH_BEFORE.test(before) || /[a-z]-$/i.test(quote.slice(Math.max(0, at - 2), at))) continue;
    if (m[5]) {
      out.push({ value: WORD_NUMBERS[m[5].toLowerCase()] ?? 0, before, text: m[0] });
      continue;
    }
    const digits = (m[2] ?? '').replace(/[,\u00a0 ]/g, '');
    let value = Number(digits);
    const scale = m[3] ? SCALES[m[3].toLowerCase()] : undefined;
    if (scale) value = Math.round(value * scale);
    // A bare four-digit year is a date, not a count.
    if (!scale && !m[1] && !m[4] && /^(19|20)\d{2}$/.test(digits)) continue;
    if (Number.isFinite(value)) out.push({ value, before, text: m[0].trim() });
  }
  return out;
}

/** The qualifier the words just before a number give, if any. */
export function qualifierInWords(before: string): Qualifier | null {
  const tail = before.trim().split(/\s+/).slice(-3).join(' ');
  if (/\bat least$/.test(tail)) return 'at_least';
  if (/\b(more than|over|in excess of)$/.test(tail)) return 'more_than';
  if (/\b(at most|no more than|fewer than|less than)$/.test(tail)) return 'at_most';
  if (/\bup to$/.test(tail)) return 'up_to';
  if (/\b(about|approximately|around|roughly|nearly|almost|some|an estimated|estimated)$/.test(tail)) return 'about';
  return null;
}

const QUALIFIER_WORDS: Record<Qualifier, string> = {
  exact: 'no qualifier',
  about: '"about"',
  at_least: '"at least"',
  more_than: '"more than"',
  at_most: '"at most"',
  up_to: '"up to"',
};

/** The quote against the figure: its number is the value (or an end of the range), its words the qualifier. */
export function quoteChecks(f: CheckedFigure): CheckResult[] {
  const numbers = numbersInQuote(f.source_quote);
  if (numbers.length === 0) return [];
  const stated = numbers.find((n) => n.value === f.value) ?? numbers.find((n) => n.value === f.value_low || n.value === f.value_high);
  if (!stated) {
    const shown = numbers.slice(0, 4).map((n) => n.text).join(', ');
    return [{ kind: 'quote_value', message: `The quote states ${shown}, not ${fmt(f.value)}.`, related: [] }];
  }
  const words = qualifierInWords(stated.before);
  // "about" covers the vaguer words; an exact figure quoted with a qualifier, or the reverse, is flagged.
  if (words !== null && words !== f.qualifier) {
    return [{ kind: 'quote_qualifier', message: `The quote says ${QUALIFIER_WORDS[words]} before ${stated.text}, but the figure is recorded as ${QUALIFIER_WORDS[f.qualifier]}.`, related: [] }];
  }
  if (words === null && f.qualifier !== 'exact' && stated.value === f.value) {
    return [{ kind: 'quote_qualifier', message: `The figure is recorded as ${QUALIFIER_WORDS[f.qualifier]}, but the quote gives ${stated.text} with no such word.`, related: [] }];
  }
  return [];
}

const sameStatement = (a: CheckedFigure, b: CheckedFigure): boolean =>
  a.location === b.location && a.start === b.start && a.end === b.end && a.reported_by === b.reported_by;

/**
 * The relations the figure is the subject of, checked against the other
 * published figures (`others`: any figures; those that do not share its
 * place, period and originator are ignored).
 */
export function relationChecks(f: CheckedFigure, relations: readonly Relation[], others: readonly CheckedFigure[]): CheckResult[] {
  const out: CheckResult[] = [];
  for (const r of relations) {
    if (r.indicator !== f.indicator) continue;
    if (r.kind === 'sum') {
      const parts = r.others.map((code) => others.find((o) => o.indicator === code && sameStatement(o, f)));
      if (parts.some((p) => p === undefined)) continue;
      const found = parts as CheckedFigure[];
      const total = found.reduce((sum, p) => sum + p.value, 0);
      if (total !== f.value) {
        const list = found.map((p) => `${fmt(p.value)} ${p.indicator.replace(/_/g, ' ')}`).join(' and ');
        out.push({ kind: 'sum', message: `The stated parts (${list}) add to ${fmt(total)}, not ${fmt(f.value)}.`, related: found.map((p) => p.id) });
      }
    } else if (r.kind === 'at_most') {
      for (const code of r.others) {
        const bound = others.find((o) => o.indicator === code && sameStatement(o, f));
        if (bound && f.value > bound.value) {
          out.push({ kind: 'at_most', message: `${fmt(f.value)} is more than the ${fmt(bound.value)} ${code.replace(/_/g, ' ')} the same originator states for the same place and period.`, related: [bound.id] });
        }
      }
    } else if (f.measure === 'running_total') {
      const earlier = others
        .filter((o) => o.id !== f.id && o.indicator === f.indicator && o.measure === 'running_total' && o.location === f.location && o.start === f.start && o.reported_by === f.reported_by && o.end < f.end && o.value > f.value)
        .sort((a, b) => b.value - a.value)[0];
      if (earlier) {
        out.push({ kind: 'non_decreasing', message: `This running total (${fmt(f.value)} as of ${f.end}) is lower than the ${fmt(earlier.value)} the same originator gave as of ${earlier.end}.`, related: [earlier.id] });
      }
    }
  }
  return out;
}
