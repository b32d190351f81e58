/**
 * Consistency findings for staff about content not yet published. Stored
 * findings of published figures are kept by q.checks.recheck, which the
 * workflow calls in the transaction of every publish, retirement or import.
 */
import type { Queries } from '../../db';
import { quoteChecks, relationChecks, type CheckedFigure, type CheckResult } from '../domain/checks';
import type { FigureFields } from '../domain/figure';

/** What the checks would say of content not yet published (a draft, a pending change, an import row): warnings for staff. */
export function previewChecks(q: Queries, id: number | null, fields: FigureFields): CheckResult[] {
  const indicator = q.indicators.getById(fields.indicator_id);
  const location = q.locations.getById(fields.location_id);
  if (!indicator || !location) return [];
  const f: CheckedFigure = {
    id: id ?? 0,
    indicator: indicator.code,
    location: location.code,
    start: fields.reference_period_start,
    end: fields.reference_period_end,
    measure: fields.measure,
    value: fields.value,
    value_low: fields.value_low,
    value_high: fields.value_high,
    qualifier: fields.qualifier,
    reported_by: fields.reported_by,
    source_quote: fields.source_quote,
  };
  const others = q.checks.neighbours(f).filter((o) => o.id !== f.id);
  return [...quoteChecks(f), ...relationChecks(f, q.checks.relations(), others)];
}
