import type { Queries } from '../../db';
import { VERIFICATIONS, type Measure, type Verification } from '../../db/types';
import { HttpError } from '../errors';
import { catalogueParams, isRealDate, parseList, requireKnown } from './query';

/** An ISO date (YYYY-MM-DD) that exists on the calendar, or null when absent. */
export function parseDate(value: unknown, name: string): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new HttpError(400, `${name} must be a date written YYYY-MM-DD, e.g. 2024-01-31`);
  }
  if (!isRealDate(value)) {
    throw new HttpError(400, `${name} "${value}" is not a date that exists`);
  }
  return value;
}

/** The filters a chart was drawn with, as they appear in its query string. */
export interface ChartFilters {
  indicator?: readonly string[];
  location?: readonly string[];
  originator?: readonly string[];
  verification?: readonly string[];
  from?: string | null;
  to?: string | null;
  source?: number | null;
  /** Only a panel's CSV narrows by measure. */
  measure?: Measure | null;
}

export interface ParsedChartFilters extends ChartFilters {
  indicator: string[];
  location: string[];
  originator: string[];
  verification: Verification[];
  from: string | null;
  to: string | null;
  source: number | null;
}

/** The comparison filters of a query string, each checked against what exists. */
export function parseChartFilters(query: Record<string, unknown>, q: Queries): ParsedChartFilters {
  const { indicators: indicator, locations: location, originators: originator } = catalogueParams(query, q);
  const verification: Verification[] = requireKnown(parseList(query.verification, 'verification'), VERIFICATIONS, 'verification');
  const from = parseDate(query.from, 'from');
  const to = parseDate(query.to, 'to');
  if (from && to && from > to) throw new HttpError(400, `from (${from}) is after to (${to}): the start of the date range must come first`);
  return { indicator, location, originator, verification, from, to, source: parseSource(query.source, q) };
}

/** A public source id (one a published figure cites), or null when absent. */
function parseSource(value: unknown, q: Queries): number | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new HttpError(400, 'source may be given only once');
  if (!/^[1-9]\d{0,14}$/.test(value) || !q.sources.getPublicById(Number(value))) {
    throw new HttpError(400, `there is no source "${value.slice(0, 40)}": give a source id, as linked from /sources`);
  }
  return Number(value);
}

/** What colours an indicator page's series: each series' own identity (as on every page), unless the reader asks for its place or originator. */
export function parseColourBy(value: unknown): 'series' | 'location' | 'originator' {
  if (value === undefined || value === '' || value === 'series') return 'series';
  if (value === 'location' || value === 'originator') return value;
  throw new HttpError(400, 'by must be "series", "location" or "originator"');
}
