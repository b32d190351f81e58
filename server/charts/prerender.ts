import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { Queries } from '../../db';
import type { Qualifier } from '../../db/types';
import { localFormats, viewHelpers } from '../format';
import { translator, type Language } from '../i18n';
import { viewsDir } from '../paths';
import { localizeChart, type ChartView } from './chart';
import { shortValue } from './series';
import { chartWords, type ChartWords } from './words';

/**
 * Charts drawn as HTML away from the request path.
 *
 * A chart card is most of a chart page (every plotted point in a table, every
 * document in a list, the chart's JSON in an attribute): drawing it took
 * tens of milliseconds on the event loop, once per page after every publish,
 * and every reader waited behind it. The page-view worker draws each chart of
 * a view with the same template and the same locals a page would give it, in
 * each language readers asked that page in, and keeps the HTML on the chart
 * (`html`); views/_chart.ejs writes it out as it is. A language nobody asked
 * for yet is drawn on the request path as before, once, and by the worker
 * from the next view on.
 */

/** What a page in `lang` adds to its locals for charts, numbers and dates (nothing for English, the views' own language). */
export function languageLocals(lang: Language, nameOf: ChartWords['name']): Record<string, unknown> {
  if (lang === 'en') return {};
  const words = chartWords(lang, nameOf);
  return {
    ...localFormats(lang, words.t),
    localChart: (chart: ChartView) => localizeChart(chart, words),
    formatShort: (value: number, qualifier: Qualifier, unit: string) => shortValue(value, qualifier, unit, words),
  };
}

/**
 * The names of indicators and places in each language (translated_names, which only the
 * migrations write): read once per language and connection.
 */
export function translatedNames(q: Queries): (lang: Language) => ChartWords['name'] {
  const names = new Map<Language, Map<string, string>>();
  return (lang) => {
    let inLang = names.get(lang);
    if (!inLang) {
      inLang = lang === 'en' ? new Map<string, string>() : q.translatedNames.forLanguage(lang);
      names.set(lang, inLang);
    }
    const found = inLang;
    return (entity, code, english) => found.get(`${entity}|${code}`) ?? english;
  };
}

/** A chart with its HTML drawn in some languages. */
export type DrawnChart = ChartView & { html?: Partial<Record<Language, string>> };

function isChart(value: unknown): value is DrawnChart {
  return typeof value === 'object' && value !== null && Array.isArray((value as ChartView).panels) && typeof (value as ChartView).csvHref === 'string';
}

const CHART_TEMPLATE = path.join(viewsDir, '_chart.ejs');
let compiled: ejs.TemplateFunction | null = null;

/**
 * Draws every chart of a page view (its top-level values that are charts) in
 * each of `langs`, as views/_chart.ejs draws it on a page. `cache` keeps the
 * compiled templates (production); without it a template edit shows at the next view.
 */
export function drawCharts(view: unknown, langs: readonly Language[], nameOf: (lang: Language) => ChartWords['name'], cache: boolean): void {
  if (typeof view !== 'object' || view === null) return;
  const charts = Object.values(view).filter(isChart);
  if (charts.length === 0) return;
  if (!compiled || !cache) compiled = ejs.compile(fs.readFileSync(CHART_TEMPLATE, 'utf8'), { filename: CHART_TEMPLATE, cache });
  const template = compiled;
  for (const lang of langs) {
    const locals = { ...viewHelpers, t: translator(lang), lang, ...languageLocals(lang, nameOf(lang)) };
    for (const chart of charts) {
      const html = template({ ...locals, chart });
      chart.html = { ...chart.html, [lang]: html };
    }
  }
}

/** Lets go of a view's drawings (in every language): its charts are drawn on the request path again. */
export function forgetDrawings(view: unknown): void {
  if (typeof view !== 'object' || view === null) return;
  for (const chart of Object.values(view).filter(isChart)) if (chart.html) delete chart.html;
}
