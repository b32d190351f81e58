/**
 * The consistency re-check reads its figures and their neighbourhoods
 * set-wise (one statement per round) and replaces their findings with one
 * DELETE and one INSERT. Whatever the grouping, each figure's findings must
 * be those it gets when re-checked on its own.
 */
import type { FigureRow } from '../../db/types';
import { createTestApp } from '../helpers/app';

type Finding = { figure_id: number; kind: string; message: string; related: string };

describe('set-wise re-check', () => {
  test('re-checking every figure at once stores, figure by figure, what re-checking each alone stores', () => {
    const t = createTestApp();
    // A neighbourhood that breaks every kind of check: a sum, a bound, a running total that falls, a quote.
    const base = t.db.prepare<[], FigureRow>("SELECT * FROM figures WHERE status = 'published' ORDER BY id LIMIT 1").get() as FigureRow;
    const indicator = (code: string): number => t.q.indicators.list().find((i) => i.code === code)?.id as number;
    const add = (code: string, end: string, value: number, quote: string, measure: FigureRow['measure'] = 'running_total'): void => {
      t.q.transaction(() => {
        t.q.figures.create(
          { ...base, indicator_id: indicator(code), reference_period_start: '2019-01-01', reference_period_end: end, measure, value, value_low: null, value_high: null,
            qualifier: 'exact', source_quote: quote, status: 'published' },
          'create', null, null,
        );
      });
    };
    add('civilian_deaths', '2019-01-31', 100, '100 civilians were killed');
    add('civilian_deaths', '2019-02-28', 90, '90 civilians were killed');
    add('civilian_injuries', '2019-01-31', 40, '40 civilians were injured');
    add('civilian_casualties', '2019-01-31', 200, '200 civilian casualties');
    add('child_deaths', '2019-01-31', 120, '120 children were killed');
    add('child_injuries', '2019-01-31', 7, '12 children were injured');
    const findings = (): Finding[] =>
      t.db.prepare<[], Finding>('SELECT figure_id, kind, message, related FROM figure_checks ORDER BY figure_id, kind, message, related').all();
    const ids = t.db.prepare<[], { id: number }>('SELECT id FROM figures ORDER BY id').all().map((r) => r.id);
    t.q.transaction(() => t.q.checks.recheck(ids));
    const together = findings();
    // The demo data breaks relations as well as quotes: both kinds are compared.
    expect([...new Set(together.map((f) => f.kind))].sort()).toEqual(['at_most', 'non_decreasing', 'quote_value', 'sum']);
    t.db.prepare('DELETE FROM figure_checks').run();
    for (const id of [...ids].reverse()) t.q.transaction(() => t.q.checks.recheck([id]));
    expect(findings()).toEqual(together);
    // Re-checking again replaces, never adds.
    t.q.transaction(() => t.q.checks.recheck([...ids, ...ids]));
    expect(findings()).toEqual(together);
  });
});
