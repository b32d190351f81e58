/**
 * Whether an export's filter is narrow (read through indexes, matches sorted)
 * or broad (figures walked by id) is said by the chart rollups' series counts
 * when they bound it, without counting figures; when the rollups are behind
 * the change feed they cannot say, and the figures are counted as before.
 */
import { refreshRollups } from '../../server/charts/rollups';
import { createTestApp } from '../helpers/app';

const FIGURE_COUNT = /SELECT COUNT\(\*\) AS n FROM \(SELECT 1 FROM figures f/;

describe('an export filter narrow or broad', () => {
  test('told by the rollups without a count while they are current, counted when they are behind, broad past 20,000 matches', () => {
    const { db, q } = createTestApp();
    refreshRollups(q);
    const counted: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      if (FIGURE_COUNT.test(sql)) counted.push(sql);
      return prepare(sql);
    });
    const indicator = q.indicators.list().find((i) => i.code === 'civilian_deaths');
    const place = q.locations.list().find((l) => l.code === 'UKR');
    const source = q.sources.listForPicker()[0];
    if (!indicator || !place || !source) throw new Error('the demo data has no civilian_deaths, UKR or source');
    const filter = { indicatorIds: [indicator.id], locationIds: [place.id], verifications: [], originators: [], sourceId: null, from: null, to: null, updatedSince: null };

    expect(q.exports.shouldWalk(filter)).toBe(false);
    expect(counted).toHaveLength(0);

    // 20,001 more figures of that indicator and place, the rollups not yet brought up to them.
    const day = (n: number): string => new Date(Date.UTC(1990, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
    q.transaction(() => {
      for (let n = 0; n <= 20_000; n++) {
        q.figures.create(
          {
            indicator_id: indicator.id, location_id: place.id, reference_period_start: day(n), reference_period_end: day(n), measure: 'period_count',
            attributed_to: null, disputed_by: null, value: 1, value_low: null, value_high: null, qualifier: 'exact', verification: 'reported',
            reported_by: 'Counting desk', claimed_by: null, source_id: source.id, source_quote: `1 death on day ${n}`, notes: null, status: 'published',
          },
          'create', null, null,
        );
      }
    });
    // Behind: the series still count the few figures of before, so the figures are counted — and found too many.
    expect(q.exports.shouldWalk(filter)).toBe(true);
    expect(counted).toHaveLength(1);
    // Current again: the series bound is over 20,000, so the count decides (the statement is kept).
    refreshRollups(q);
    expect(q.exports.shouldWalk(filter)).toBe(true);
    // A period narrows it below the bound only the count sees: narrow.
    expect(q.exports.shouldWalk({ ...filter, from: '2020-01-01' })).toBe(false);
    expect(counted).toHaveLength(2);
  });
});
