import type { Queries } from '../../db';
import type { ExportFilter } from '../../db/queries/export';
import { MEASURES, VERIFICATIONS, type Measure } from '../../db/types';
import { HttpError } from '../errors';
import { catalogueParams, isRealDate, parseList, refuseUnknownParams, requireKnown } from './query';

/** A date, or a date and time that says its offset: a time without one could be any of 26 hours. */
const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-4]):?[0-5]\d))?$/;
const FILTER_PARAMS = ['indicator', 'location', 'include_children', 'from', 'to', 'verification', 'originator', 'source', 'measure', 'updated_since'];

function single(value: unknown, name: string): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new HttpError(400, `${name} may be given only once`);
  return value;
}

function parseDate(value: unknown, name: string): string | null {
  const text = single(value, name);
  if (text === null) return null;
  if (!isRealDate(text)) {
    throw new HttpError(400, `${name} must be a real date written YYYY-MM-DD (got "${text.slice(0, 40)}")`);
  }
  return text;
}

function parseFlag(value: unknown, name: string): boolean {
  const text = single(value, name);
  if (text === null || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new HttpError(400, `${name} must be 1 or 0 (got "${text.slice(0, 40)}")`);
}

export interface ParsedExportQuery {
  filter: ExportFilter;
  flags: Record<string, boolean>;
}

/**
 * Parses the export/API filters of DESIGN.md into ids and normalised values.
 * Unknown parameters and unknown values are refused with a message naming them,
 * so a typo never silently widens a pull to every figure.
 */
export function parseExportQuery(
  query: Record<string, unknown>,
  q: Queries,
  extra: { flags?: string[]; others?: string[] } = {},
): ParsedExportQuery {
  const flagNames = extra.flags ?? [];
  refuseUnknownParams(query, [...FILTER_PARAMS, ...flagNames, ...(extra.others ?? [])]);

  const catalogue = catalogueParams(query, q);
  let locationIds = catalogue.locationIds;
  const verifications = requireKnown(parseList(query.verification, 'verification'), VERIFICATIONS, 'verification');
  if (parseFlag(query.include_children, 'include_children') && locationIds.length > 0) {
    locationIds = q.exports.withDescendants(locationIds);
  }

  const from = parseDate(query.from, 'from');
  const to = parseDate(query.to, 'to');
  if (from && to && from > to) throw new HttpError(400, `from (${from}) is after to (${to})`);

  let sourceId: number | null = null;
  const source = single(query.source, 'source');
  if (source !== null) {
    if (!/^[1-9]\d{0,14}$/.test(source) || !q.sources.getPublicById(Number(source))) {
      throw new HttpError(400, `unknown source "${source.slice(0, 40)}" (give a source id, as listed at /api/v1/sources)`);
    }
    sourceId = Number(source);
  }

  const measureText = single(query.measure, 'measure');
  if (measureText !== null && !(MEASURES as readonly string[]).includes(measureText)) {
    throw new HttpError(400, `unknown measure "${measureText.slice(0, 40)}" (known: ${MEASURES.join(', ')})`);
  }
  const measure = measureText as Measure | null;

  let updatedSince: string | null = null;
  const since = single(query.updated_since, 'updated_since');
  if (since !== null) {
    const match = ISO_TIMESTAMP.exec(since);
    const d = new Date(match && !match[2] ? `${since}T00:00:00Z` : since);
    if (!match || !isRealDate(match[1] as string) || Number.isNaN(d.getTime())) {
      throw new HttpError(
        400,
        `updated_since must be a real date (2024-01-31, read as midnight UTC) or a date and time with Z or an offset, such as 2024-01-31T00:00:00Z (got "${since.slice(0, 40)}")`,
      );
    }
    updatedSince = d.toISOString();
  }

  const flags: Record<string, boolean> = {};
  for (const name of flagNames) flags[name] = parseFlag(query[name], name);

  return {
    filter: {
      indicatorIds: catalogue.indicatorIds,
      locationIds,
      verifications,
      originators: catalogue.originators,
      sourceId,
      measure,
      from,
      to,
      updatedSince,
    },
    flags,
  };
}
