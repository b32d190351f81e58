import type { TFunction } from 'i18next';
import { formatsFor, type Formats } from '../format';
import { translator, type Language } from '../i18n';

/**
 * The words and formats a chart is written in: its messages (i18next, locales/),
 * numbers and dates as the language writes them, and the names of indicators
 * and places in it. Page views are built once per data version in English; a
 * page in another language rewrites their text with its own words when it is
 * rendered (localizeChart), from the codes, numbers and dates the view keeps.
 */
export interface ChartWords extends Formats {
  t: TFunction;
  /** An indicator's or place's name in the language; the English name (the name of record) when none is stored. */
  name: (entity: 'indicator' | 'location', code: string, english: string) => string;
}

export function chartWords(lang: Language, name: ChartWords['name'] = (_e, _c, english) => english): ChartWords {
  return { ...formatsFor(lang), t: translator(lang), name };
}

export const ENGLISH_WORDS: ChartWords = chartWords('en');
