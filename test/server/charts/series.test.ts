import type { ChartFigureRow } from '../../../db/queries/charts';
import { buildChart, localizeChart } from '../../../server/charts/chart';
import { chartWords } from '../../../server/charts/words';
import { buildPanels, bucketPeriodCounts, nonOverlapping, sumQualifier, thin } from '../../../server/charts/series';

let nextId = 1;
function fig(overrides: Partial<ChartFigureRow>): ChartFigureRow {
  return {
    id: nextId++,
    indicator_code: 'civilian_deaths',
    indicator_name: 'Civilian deaths',
    unit: 'people',
    aggregation: 'flow',
    location_code: 'UKR',
    location_name: 'Ukraine',
    admin_level: 0,
    reference_period_start: '2024-01-01',
    reference_period_end: '2024-01-01',
    measure: 'period_count',
    value: 1,
    value_low: null,
    value_high: null,
    qualifier: 'exact',
    verification: 'reported',
    reported_by: 'UN OCHA',
    claimed_by: null,
    attributed_to: null,
    disputed_by: null,
    source_id: 1,
    source_title: 'A report',
    source_publisher: 'UN OCHA',
    source_url: null,
    source_published_on: '2024-02-01',
    source_quote: 'quote',
    notes: null,
    status: 'published',
    updated_at: '2024-02-01T00:00:00.000Z',
    ...overrides,
  };
}

const opts = { id: 't', title: 'Test' };

describe('the series builder', () => {
  test('a running total is a line of its values at each period end, never summed', () => {
    const rows = [
      fig({ reference_period_start: '2022-02-24', reference_period_end: '2024-01-10', measure: 'running_total', value: 10000, qualifier: 'about', reported_by: 'United Nations' }),
      fig({ reference_period_start: '2022-02-24', reference_period_end: '2024-02-07', measure: 'running_total', value: 10382, reported_by: 'United Nations', verification: 'verified' }),
    ];
    const [panel, ...rest] = buildPanels(rows, opts);
    expect(rest).toHaveLength(0);
    expect(panel?.kind).toBe('running_total');
    expect(panel?.series).toHaveLength(1);
    const points = panel?.series[0]?.points ?? [];
    expect(points.map((p) => [p.end, p.y])).toEqual([['2024-01-10', 10000], ['2024-02-07', 10382]]);
    const chart = buildChart(rows, { ...opts, filters: {} });
    expect(chart.panels[0]?.browser.series[0]?.points.map((p) => [p.x, p.y])).toEqual([['2024-01-10', 10000], ['2024-02-07', 10382]]);
    expect(JSON.stringify(chart.panels[0]?.browser)).not.toContain('20382');
  });

  test('a figure is drawn as its stored measure, whatever other rows come with it', () => {
    const lone = fig({ indicator_code: 'civilian_injuries', indicator_name: 'Civilian injuries', reference_period_start: '2022-02-24', reference_period_end: '2024-02-07', measure: 'running_total', value: 19659 });
    expect(buildPanels([lone], opts).map((p) => p.kind)).toEqual(['running_total']);
    // A short count sharing a start date with a long one stays a count for its period.
    const short = fig({ reference_period_start: '2022-02-24', reference_period_end: '2022-02-28', measure: 'period_count', value: 5 });
    expect(buildPanels([lone, short], opts).map((p) => p.kind)).toEqual(['running_total', 'period_count']);
    const rows = [
      fig({ reference_period_start: '2022-02-24', reference_period_end: '2024-01-10', measure: 'running_total', value: 10000 }),
      fig({ reference_period_start: '2022-02-24', reference_period_end: '2024-02-07', measure: 'running_total', value: 10382 }),
      lone,
    ];
    const panels = buildPanels(rows, opts);
    expect(panels.map((p) => p.kind)).toEqual(['running_total']);
    expect(panels[0]?.series.map((s) => s.label)).toEqual(['Civilian deaths · Ukraine · UN OCHA', 'Civilian injuries · Ukraine · UN OCHA']);
  });

  test('counts for periods that share a start date stay counts, however long one of them is', () => {
    // A quarter and its first month: once read as a running total (two ends, over 31 days); the stored measure says otherwise.
    const rows = [
      fig({ reference_period_start: '2024-01-01', reference_period_end: '2024-01-31', value: 40 }),
      fig({ reference_period_start: '2024-01-01', reference_period_end: '2024-03-31', value: 130 }),
    ];
    const panels = buildPanels(rows, opts);
    expect(panels.map((p) => p.kind)).toEqual(['period_count']);
    expect(panels[0]?.series[0]?.points.map((p) => [p.start, p.end, p.y])).toEqual([
      ['2024-01-01', '2024-01-31', 40],
      ['2024-01-01', '2024-03-31', 130],
    ]);
  });

  test('overlapping period counts are bars over their own periods and are not added', () => {
    const rows = [
      fig({ reference_period_start: '2023-12-29', reference_period_end: '2024-01-02', value: 98 }),
      fig({ reference_period_start: '2023-12-29', reference_period_end: '2023-12-29', value: 58 }),
    ];
    const chart = buildChart(rows, { ...opts, filters: {} });
    expect(chart.panels.map((p) => p.kind)).toEqual(['period_count']);
    const points = chart.panels[0]?.browser.series[0]?.points ?? [];
    expect(points.map((p) => [p.x, p.x2, p.y])).toEqual([
      ['2023-12-29', '2023-12-30', 58],
      ['2023-12-29', '2024-01-03', 98],
    ]);
    expect(points.some((p) => p.y === 156)).toBe(false);
  });

  test('levels are one bar per period and never added, and people and dollars get separate panels', () => {
    const rows = [
      fig({ indicator_code: 'funding_required_usd', indicator_name: 'Funding required', unit: 'usd', aggregation: 'level', measure: 'level', reference_period_start: '2023-01-01', reference_period_end: '2023-12-31', value: 3_900_000_000, qualifier: 'about' }),
      fig({ indicator_code: 'funding_required_usd', indicator_name: 'Funding required', unit: 'usd', aggregation: 'level', measure: 'level', reference_period_start: '2024-01-01', reference_period_end: '2024-12-31', value: 3_100_000_000, qualifier: 'about' }),
      fig({ indicator_code: 'people_in_need', indicator_name: 'People in need', aggregation: 'level', measure: 'level', reference_period_start: '2024-01-01', reference_period_end: '2024-12-31', value: 14_600_000, qualifier: 'more_than' }),
    ];
    const chart = buildChart(rows, { ...opts, filters: {} });
    expect(chart.panels.map((p) => [p.kind, p.unit])).toEqual([['level', 'people'], ['level', 'usd']]);
    const usd = chart.panels[1];
    expect(usd?.categories).toEqual(['2023', '2024']);
    expect(usd?.browser.series[0]?.points.map((p) => [p.x, p.y])).toEqual([['2023', 3_900_000_000], ['2024', 3_100_000_000]]);
    expect(JSON.stringify(usd)).not.toContain('7000000000');
  });

  test('qualifiers and ranges survive into the point, the label, the tooltip and the table', () => {
    const rows = [
      fig({ location_code: 'RU-BEL', location_name: 'Belgorod Oblast', reference_period_start: '2023-12-30', reference_period_end: '2023-12-30', value: 24, qualifier: 'at_least', reported_by: 'UN DPPA' }),
      fig({ reference_period_start: '2024-01-05', reference_period_end: '2024-01-05', value: 25, value_low: 20, value_high: 30, qualifier: 'about' }),
    ];
    const chart = buildChart(rows, { ...opts, filters: {} });
    const points = chart.panels[0]?.browser.series.flatMap((s) => s.points) ?? [];
    const bel = points.find((p) => p.y === 24);
    expect(bel?.t).toBe('≥ 24');
    expect(bel?.tip).toEqual(expect.arrayContaining(['≥ 24', 'Reported']));
    // Originator and document travel once per series and once per panel; the browser adds them to the tooltip.
    const browser = chart.panels[0]?.browser;
    expect(browser?.series.find((s) => s.points.includes(bel as never))?.o).toBe('UN DPPA');
    expect(browser?.docs[bel?.d ?? -1]).toBe('A report (UN OCHA, 2024-02-01)');
    const ranged = points.find((p) => p.y === 25);
    expect([ranged?.lo, ranged?.hi, ranged?.t]).toEqual([20, 30, '~ 25']);
    expect(ranged?.tip[0]).toBe('~ 25 (range 20 – 30)');
    expect(chart.panels[0]?.table.map((r) => [r.value, r.range])).toEqual(expect.arrayContaining([['≥ 24', ''], ['~ 25', '20 – 30']]));
  });

  test('claims by a party and disputed figures are separate, marked series', () => {
    const rows = [
      fig({ location_code: 'UA44', location_name: 'Luhanska', value: 28, verification: 'claimed', reported_by: 'Russian Federation', claimed_by: 'Russian Federation' }),
      fig({ value: 5, verification: 'disputed' }),
      fig({ value: 7 }),
    ];
    const [panel] = buildPanels(rows, opts);
    const byLabel = new Map(panel?.series.map((s) => [s.label, s.distinct]));
    expect(byLabel.get('Luhanska · Russian Federation (claim)')).toBe('claimed');
    expect(byLabel.get('Ukraine · UN OCHA (disputed)')).toBe('disputed');
    expect(byLabel.get('Ukraine · UN OCHA')).toBeNull();
    expect(panel?.summary).toContain('a claim by a party');
  });

  test('each originator is its own series', () => {
    const rows = [fig({ value: 3, reported_by: 'UN OCHA' }), fig({ value: 4, reported_by: 'Ministry of Health' })];
    const [panel] = buildPanels(rows, opts);
    expect(panel?.series.map((s) => s.label).sort()).toEqual(['Ukraine · Ministry of Health', 'Ukraine · UN OCHA']);
  });

  test('bucketing keeps the total of non-overlapping flows and leaves overlapping ones out', () => {
    const rows: ChartFigureRow[] = [];
    for (let d = 0; d < 1500; d++) {
      const day = new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      rows.push(fig({ reference_period_start: day, reference_period_end: day, value: 2 }));
    }
    // A count over a month that overlaps the daily counts: never added to them.
    rows.push(fig({ reference_period_start: '2020-03-01', reference_period_end: '2020-03-31', value: 999 }));
    const bucketed = bucketPeriodCounts(rows, 1000);
    expect(bucketed.by).toBe('week');
    expect(bucketed.leftOut).toBe(1);
    expect(bucketed.points.reduce((n, p) => n + p.y, 0)).toBe(3000);
    const [panel] = buildPanels(rows, opts);
    expect(panel?.reduced).toContain('1501 figures summed by month');
    expect(panel?.reduced).toContain('1 figures whose periods overlap others were left out');
    // On a Ukrainian page the note is written in Ukrainian, with Ukrainian numbers, and no longer marked as English.
    const uk = localizeChart(buildChart(rows, { ...opts, filters: {} }), chartWords('uk')).panels[0];
    expect(uk?.reduced).toContain(`${new Intl.NumberFormat('uk').format(1501)} чисел підсумовано по місяцях у `);
    expect(uk?.reduced).toContain('1 чисел, періоди яких перекривають інші, не враховано в сумах.');
    expect(uk?.reduced).not.toContain('summed by');
    expect(uk?.reducedLocal).toBe(true);
    expect(panel?.series[0]?.points.reduce((n, p) => n + p.y, 0)).toBe(3000);
    const json = JSON.stringify(buildChart(rows, { ...opts, filters: {} }).panels[0]?.browser);
    expect(json.length).toBeLessThan(200_000);
  });

  test('buckets by month when weeks are still too many, and a sum of lower bounds is a lower bound', () => {
    const rows = [
      fig({ reference_period_start: '2024-01-01', reference_period_end: '2024-01-01', value: 5, qualifier: 'at_least' }),
      fig({ reference_period_start: '2024-01-20', reference_period_end: '2024-01-20', value: 5 }),
      fig({ reference_period_start: '2024-02-03', reference_period_end: '2024-02-03', value: 1 }),
    ];
    const bucketed = bucketPeriodCounts(rows, 2);
    expect(bucketed.by).toBe('month');
    expect(bucketed.points.map((p) => [p.start, p.end, p.y, p.qualifier])).toEqual([
      ['2024-01-01', '2024-01-20', 10, 'at_least'],
      ['2024-02-03', '2024-02-03', 1, 'exact'],
    ]);
    expect(bucketed.points[0]?.text).toBe('≥ 10 (sum of 2 figures)');
    expect(sumQualifier(['about', 'at_least'])).toBe('about');
    expect(nonOverlapping(rows).left).toHaveLength(0);
  });

  test('running totals longer than the budget are thinned, keeping the first and the latest, never summed', () => {
    const rows: ChartFigureRow[] = [];
    for (let d = 0; d < 2500; d++) {
      const day = new Date(Date.UTC(2022, 1, 25) + d * 86_400_000).toISOString().slice(0, 10);
      rows.push(fig({ reference_period_start: '2022-02-24', reference_period_end: day, measure: 'running_total', value: 100 + d }));
    }
    const [panel] = buildPanels(rows, opts);
    expect(panel?.kind).toBe('running_total');
    const ys = panel?.series[0]?.points.map((p) => p.y) ?? [];
    expect(ys.length).toBeLessThanOrEqual(1000);
    expect(ys[0]).toBe(100);
    expect(ys[ys.length - 1]).toBe(2599);
    expect(Math.max(...ys)).toBe(2599);
    expect(panel?.reduced).toMatch(/of 2500 figures plotted/);
    expect(localizeChart(buildChart(rows, { ...opts, filters: {} }), chartWords('uk')).panels[0]?.reduced).toMatch(/показано \d+ з 2\s500 чисел \(рівномірно, з першим і найновішим\)\./);
    expect(thin([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });

  test('the chart names every document and originator it used and links its CSV with its filters', () => {
    const rows = [fig({ value: 3, source_id: 7, source_title: 'Doc A', reported_by: 'UN OCHA' }), fig({ value: 4, source_id: 8, source_title: 'Doc B', reported_by: 'OHCHR' })];
    const chart = buildChart(rows, { ...opts, filters: { indicator: ['civilian_deaths'], location: ['UKR'], originator: ['UN OCHA'], from: '2024-01-01', to: null } });
    expect(chart.sources.map((s) => [s.document, s.originators])).toEqual([['Doc A', ['UN OCHA']], ['Doc B', ['OHCHR']]]);
    expect(chart.csvHref).toBe('/export/figures.csv?indicator=civilian_deaths&location=UKR&from=2024-01-01&originator=UN+OCHA');
  });

  test('no rows make an empty chart, not an error', () => {
    const chart = buildChart([], { ...opts, filters: {} });
    expect(chart.empty).toBe(true);
    expect(chart.panels).toEqual([]);
  });
});

describe('the source note', () => {
  test('names each document when there are few, and each publisher with counts and dates when there are many', () => {
    const few = buildChart([fig({ id: 1 }), fig({ id: 2, source_id: 2, source_title: 'B report' })], { ...opts, filters: {} });
    expect(few.publishers).toBeNull();
    expect(few.sources.map((s) => s.document)).toHaveLength(2);
    const many = Array.from({ length: 30 }, (_, i) =>
      fig({
        id: i + 1,
        reference_period_start: `2024-01-${String(i + 1).padStart(2, '0')}`,
        reference_period_end: `2024-01-${String(i + 1).padStart(2, '0')}`,
        source_id: i + 1,
        source_title: `Report ${i + 1}`,
        source_publisher: i < 20 ? 'UN OCHA' : 'OHCHR',
        source_published_on: `2024-02-${String((i % 28) + 1).padStart(2, '0')}`,
      }),
    );
    const chart = buildChart(many, { ...opts, filters: {} });
    expect(chart.sources).toEqual([]);
    expect(chart.publishers?.map((p) => [p.publisher, p.documents, p.first, p.last])).toEqual([
      ['UN OCHA', 20, '2024-02-01', '2024-02-20'],
      ['OHCHR', 10, '2024-02-01', '2024-02-28'],
    ]);
  });
});
