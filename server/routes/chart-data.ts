import { stringify } from 'csv-stringify/sync';
import { Router } from 'express';
import type { Queries } from '../../db';
import type { ChartFigureRow } from '../../db/queries/charts';
import { buildChart, plottedRows } from '../charts/chart';
import { parseChartFilters } from '../validation/chart-query';
import { parseId } from '../validation/query';
import { filterFor } from './indicators';

/** The export contract's columns (DESIGN.md), in order. */
export const EXPORT_COLUMNS = [
  'figure_id', 'indicator_code', 'indicator_name', 'unit', 'location_code', 'location_name', 'admin_level',
  'reference_period_start', 'reference_period_end', 'value', 'value_low', 'value_high', 'qualifier', 'verification',
  'reported_by', 'claimed_by', 'source_title', 'source_publisher', 'source_url', 'source_published_on', 'source_quote',
  'notes', 'status', 'updated_at',
] as const;

/** A text cell a spreadsheet would run as a formula is neutralised with a leading apostrophe. */
function cell(value: string | number | null): string | number {
  if (value === null) return '';
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) return `'${value}`;
  return value;
}

function csvRow(r: ChartFigureRow): (string | number)[] {
  const { id, ...rest } = r;
  const values: Record<string, string | number | null> = { figure_id: id, ...rest };
  return EXPORT_COLUMNS.map((c) => cell(values[c] ?? null));
}

/**
 * Interim writer of exactly the rows a chart plots, in the export's columns,
 * until /export/figures.csv (built separately) is merged; chart links point at
 * the export. Unlike the export it also takes ?originator=.
 */
export function chartDataRoutes(q: Queries): Router {
  const router = Router();
  router.get('/charts/figures.csv', (req, res) => {
    const filters = parseChartFilters(req.query, q);
    const sourceId = req.query.source === undefined ? null : parseId(req.query.source, 'source');
    const rows = q.charts.listFigures({ ...filterFor(filters), sourceId });
    const plotted = plottedRows(buildChart(rows, { id: 'csv', title: 'csv', filters }));
    plotted.sort((a, b) => a.id - b.id);
    res
      .type('text/csv; charset=utf-8')
      .attachment('tally-chart-figures.csv')
      .send(stringify([[...EXPORT_COLUMNS], ...plotted.map(csvRow)], { record_delimiter: '\r\n' }));
  });
  return router;
}
