import type { Queries } from '../../db';
import { HttpError } from '../errors';

/** A repeatable query parameter (`?indicator=a&indicator=b` or `?indicator=a,b`) as a list of non-empty strings. */
export function parseList(value: unknown, name: string): string[] {
  if (value === undefined || value === '') return [];
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw new HttpError(400, `${name} must be given as text, e.g. ?${name}=value`);
    for (const part of item.split(',')) {
      const trimmed = part.trim();
      if (trimmed.length > 100) throw new HttpError(400, `${name} values must be at most 100 characters long`);
      if (trimmed) out.push(trimmed);
    }
  }
  if (out.length > 100) throw new HttpError(400, `at most 100 values may be given for ${name}`);
  return [...new Set(out)];
}

/** Refuses a parameter outside `known`, naming it and the known ones: a typo never silently widens an answer. */
export function refuseUnknownParams(query: Record<string, unknown>, known: Iterable<string>): void {
  const names = new Set(known);
  for (const name of Object.keys(query)) {
    if (!names.has(name)) throw new HttpError(400, `unknown parameter "${name.slice(0, 40)}" (known: ${[...names].join(', ')})`);
  }
}

/** Checks every value against the allowed ones; the error names the first unknown value. */
export function requireKnown<T extends string>(values: string[], allowed: readonly T[] | Set<string>, name: string): T[] {
  const set = allowed instanceof Set ? allowed : new Set<string>(allowed);
  for (const value of values) {
    if (!set.has(value)) {
      const hint = allowed instanceof Set ? '' : ` (expected one of: ${[...set].join(', ')})`;
      throw new HttpError(400, `unknown ${name} "${value}"${hint}`);
    }
  }
  return values as T[];
}

/**
 * The indicators, places and originators a query names (?indicator=,
 * ?location=, ?originator=), each checked against what exists: an indicator
 * or a place is looked up by its code alone (no request reads the whole
 * catalogue), originators against the list of those with published figures,
 * read only when some are named. An unknown value is refused with its name.
 */
export function catalogueParams(
  query: Record<string, unknown>,
  q: Pick<Queries, 'indicators' | 'locations' | 'charts'>,
): { indicators: string[]; indicatorIds: number[]; locations: string[]; locationIds: number[]; originators: string[] } {
  const idsOf = (codes: string[], idOf: (code: string) => number | undefined, name: string): number[] =>
    codes.map((code) => {
      const id = idOf(code);
      if (id === undefined) throw new HttpError(400, `unknown ${name} "${code}"`);
      return id;
    });
  const indicators = parseList(query.indicator, 'indicator');
  const locations = parseList(query.location, 'location');
  const named = parseList(query.originator, 'originator');
  return {
    indicators,
    indicatorIds: idsOf(indicators, (code) => q.indicators.getByCode(code)?.id, 'indicator'),
    locations,
    locationIds: idsOf(locations, (code) => q.locations.getByCode(code)?.id, 'location'),
    originators: named.length > 0 ? requireKnown(named, new Set(q.charts.listOriginators()), 'originator') : [],
  };
}

/** A positive integer parameter, or the fallback when absent. */
export function parsePositiveInt(value: unknown, name: string, fallback: number, max = 1_000_000): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new HttpError(400, `${name} must be a whole number between 1 and ${max}`);
  }
  return Number(value);
}

/** A route id such as /figures/:id. */
export function parseId(value: unknown, what: string): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new HttpError(400, `${what} id must be a positive whole number`);
  }
  return Number(value);
}

/** The one real-date rule lives in the domain module. */
export { isRealDate } from '../domain/figure';
