/**
 * Chart rollups (migration 0018, server/charts/rollups.ts): kept by a
 * background step that reads the change feed from its last position. After a
 * random sequence of workflow writes and an import, brought up to date step
 * by step, they equal rollups built from scratch; and a chart drawn from them
 * equals the chart drawn from every figure.
 */
import { Readable } from 'node:stream';
import request from 'supertest';
import type { Queries } from '../../../db';
import type { ChartFilter } from '../../../db/queries/charts';
import { buildChart, buildChartFromSeries, withoutRows } from '../../../server/charts/chart';
import { latestFromRollups, newestOfIndicator, rebuildRollups, refreshRollups, seriesFromRollups } from '../../../server/charts/rollups';
import type { Actor, FigureFields } from '../../../server/domain/figure';
import { stageImport } from '../../../server/import/figures-import';
import { createFigure, currentContent, publishFigure, retireFigure, saveFigure, submitFigure } from '../../../server/workflow/figures';
import { commitImport } from '../../../server/workflow/imports';
import { createTestApp, type TestApp } from '../../helpers/app';
import { parseCsv } from '../../helpers/csv';
import { createUser } from '../../helpers/staff';
import { random } from '../../helpers/random';

const day = (n: number): string => new Date(Date.UTC(2022, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** The rollups without their own row ids, in a stable order. */
function snapshot(q: Queries) {
  const dump = q.rollups.dump();
  return {
    series: dump.series.map(({ id: _id, ...rest }) => rest),
    buckets: dump.buckets.map(({ series_id: _s, ...rest }) => rest),
    members: dump.members,
  };
}

/** Long series (past a chart's point budget): daily counts with weekly ones over them, and monthly running totals. */
function addLongSeries(t: TestApp): void {
  const q = t.q;
  const deaths = q.indicators.list().find((i) => i.code === 'civilian_deaths');
  const [place, other] = q.locations.list();
  const source = q.sources.listForPicker()[0];
  if (!deaths || !place || !other || !source) throw new Error('the demo data lacks an indicator, places or a source');
  const base = { indicator_id: deaths.id, attributed_to: null, disputed_by: null, value_low: null, value_high: null, claimed_by: null, source_id: source.id, notes: null, status: 'published' as const };
  q.transaction(() => {
    for (let i = 0; i < 420; i++) {
      q.figures.create({ ...base, location_id: place.id, reference_period_start: day(i), reference_period_end: day(i), measure: 'period_count', value: 10 + (i % 7), qualifier: i % 5 === 0 ? 'at_least' : 'exact', verification: 'reported', reported_by: 'Rollup monitor', source_quote: `${10 + (i % 7)} killed` }, 'create', null, null);
    }
    for (let i = 0; i < 60; i++) {
      q.figures.create({ ...base, location_id: place.id, reference_period_start: day(i * 7), reference_period_end: day(i * 7 + 6), measure: 'period_count', value: 80, qualifier: 'about', verification: 'reported', reported_by: 'Rollup monitor', source_quote: 'about 80 killed this week' }, 'create', null, null);
    }
    for (let i = 0; i < 200; i++) {
      q.figures.create({ ...base, location_id: other.id, reference_period_start: '2021-01-01', reference_period_end: day(i * 3), measure: 'running_total', value: 100 + i * 4, qualifier: 'exact', verification: 'verified', reported_by: 'Rollup monitor', source_quote: `${100 + i * 4} killed since 2021` }, 'create', null, null);
    }
  });
}

describe('chart rollups', () => {
  test('kept step by step through random workflow writes and an import, they equal rollups built from scratch', async () => {
    const t = createTestApp();
    addLongSeries(t);
    const q = t.q;
    const admin: Actor = { id: await createUser(t, 'rollup-admin', 'admin'), role: 'admin' };
    const editor: Actor = { id: await createUser(t, 'rollup-editor', 'editor'), role: 'editor' };
    const indicators = q.indicators.list().filter((i) => i.aggregation !== 'level');
    const places = q.locations.list();
    const sources = q.sources.listForPicker();
    const originators = ['Rollup monitor', 'UN OCHA', 'Ministry of Health'];
    const next = random(42);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const publishedIds = (): number[] => t.db.prepare<[], { id: number }>("SELECT id FROM figures WHERE status = 'published' ORDER BY id").all().map((r) => r.id);

    expect(refreshRollups(q).series).toBeGreaterThan(0);
    let refreshes = 0;
    for (let step = 0; step < 120; step++) {
      const roll = next();
      if (roll < 0.4) {
        const start = Math.floor(next() * 400);
        const fields: FigureFields = {
          indicator_id: pick(indicators).id,
          location_id: pick(places).id,
          reference_period_start: day(start),
          reference_period_end: day(start + (next() < 0.7 ? 0 : 6)),
          measure: 'period_count',
          value: 1 + Math.floor(next() * 50),
          value_low: null,
          value_high: null,
          qualifier: pick(['exact', 'about', 'at_least'] as const),
          verification: pick(['reported', 'verified', 'disputed'] as const),
          reported_by: pick(originators),
          claimed_by: null,
          attributed_to: null,
          disputed_by: null,
          source_id: pick(sources).id,
          source_quote: 'a figure written by the rollup test',
          notes: null,
        };
        const id = createFigure(q, editor, fields);
        submitFigure(q, editor, id);
        publishFigure(q, admin, id, null);
      } else if (roll < 0.75) {
        // A correction: value, period, originator or place, through a pending change.
        const id = pick(publishedIds());
        const { fields, revision } = currentContent(q, id);
        const changed: FigureFields = { ...fields, value: fields.value + 1 + Math.floor(next() * 9) };
        const what = next();
        if (what < 0.25) changed.reported_by = pick(originators);
        else if (what < 0.5) changed.location_id = pick(places).id;
        else if (what < 0.75 && fields.measure === 'period_count') {
          const start = Math.floor(next() * 400);
          changed.reference_period_start = day(start);
          changed.reference_period_end = day(start);
        }
        saveFigure(q, editor, id, changed, { expectedRevisionId: revision });
        submitFigure(q, editor, id);
        publishFigure(q, admin, id, null);
      } else if (roll < 0.9) {
        retireFigure(q, admin, pick(publishedIds()), 'retired by the rollup test');
      } else {
        // A rename of a cited document moves every figure citing it along the change feed, and no series.
        const source = pick(sources);
        t.db.prepare('UPDATE sources SET title = ? WHERE id = ?').run(`${source.title} (renamed ${step})`, source.id);
      }
      if (next() < 0.3) {
        refreshRollups(q);
        refreshes += 1;
      }
    }
    expect(refreshes).toBeGreaterThan(10);

    // An import: corrections of some published figures and new figures, committed whole.
    const exported = (await request(t.app).get(`/export/figures.csv?location=${places[0]?.code ?? ''}`).expect(200)).text;
    const [header = [], ...rows] = parseCsv(exported);
    const col = (name: string): number => header.indexOf(name);
    const edited = rows.slice(0, 60).map((r, i) => {
      const cells = [...r];
      if (i % 2 === 0) cells[col('figure_id')] = '';
      cells[col('value')] = String(Number(cells[col('value')]) + 3);
      cells[col('value_low')] = '';
      cells[col('value_high')] = '';
      return cells;
    });
    const quote = (c: string): string => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
    const csv = [header, ...edited].map((r) => r.map(quote).join(',')).join('\r\n');
    const batch = await stageImport(Readable.from([Buffer.from(csv, 'utf8')]), q, { fileName: 'rollups.csv', userId: null, publish: true, match: 'id' });
    expect(batch.error_count).toBe(0);
    commitImport(q, { id: null, role: 'system' }, batch.id);

    refreshRollups(q);
    const kept = snapshot(q);
    expect(q.rollups.positions().rollups).toBe(q.rollups.positions().feed);
    rebuildRollups(q);
    const fresh = snapshot(q);
    expect(kept.series.length).toBeGreaterThan(20);
    expect(kept.buckets.length).toBeGreaterThan(100);
    expect(kept).toEqual(fresh);
    // Every published figure is counted in exactly one series.
    expect(kept.members.map((m) => m.figure_id)).toEqual(publishedIds());
    expect(kept.series.reduce((n, s) => n + s.figures, 0)).toBe(publishedIds().length);
  });

  test('a chart drawn from the rollups equals the chart drawn from every figure', () => {
    const t = createTestApp();
    addLongSeries(t);
    const q = t.q;
    refreshRollups(q);
    const [place, other] = q.locations.list();
    const filters: ChartFilter[] = [
      { indicatorCodes: ['civilian_deaths', 'civilian_injuries'] },
      { indicatorCodes: ['civilian_deaths'] },
      { locationCodes: [place?.code ?? ''] },
      { locationCodes: [other?.code ?? ''] },
      { indicatorCodes: ['civilian_deaths'], originators: ['Rollup monitor'] },
      { indicatorCodes: ['civilian_deaths'], verifications: ['claimed'] },
      { indicatorCodes: ['people_in_need', 'people_targeted', 'people_reached'] },
    ];
    let bucketed = 0;
    for (const filter of filters) {
      const options = { id: 'c', title: 'A chart', filters: {} };
      const fromRows = withoutRows(buildChart(q.charts.listFigures(filter), options));
      const series = seriesFromRollups(q, filter);
      expect(series).not.toBeNull();
      const fromRollups = withoutRows(buildChartFromSeries(series ?? [], options));
      expect(fromRollups).toEqual(fromRows);
      // The figures listed under a chart: the latest 50, newest first.
      expect(latestFromRollups(q, filter, 50)?.map((r) => r.id)).toEqual(q.charts.listFigures(filter).slice(-50).reverse().map((r) => r.id));
      bucketed += fromRows.panels.filter((p) => p.reduced?.includes('summed by')).length;
    }
    // The long daily series was drawn from its buckets, with its single-figure bars keeping their links and quotes.
    expect(bucketed).toBeGreaterThan(0);
    const deaths = buildChartFromSeries(seriesFromRollups(q, { locationCodes: [place?.code ?? ''] }) ?? [], { id: 'c', title: 'A chart', filters: {} });
    const bars = deaths.panels.find((p) => p.kind === 'period_count')?.series.flatMap((s) => s.points) ?? [];
    expect(bars.some((p) => p.figureId === null && p.figureCount > 1 && p.text.includes('sum of'))).toBe(true);
    // The dashboard's headline candidates include every figure ending on the latest day.
    const totals = q.charts.listFigures({ indicatorCodes: ['civilian_deaths'] }).filter((r) => r.measure === 'running_total');
    const lastDay = totals.reduce((m, r) => (r.reference_period_end > m ? r.reference_period_end : m), '');
    expect(newestOfIndicator(q, 'civilian_deaths', 'running_total').map((r) => r.id).sort()).toEqual(totals.filter((r) => r.reference_period_end === lastDay).map((r) => r.id).sort());
    // A filter the rollups keep whole is read from the figures instead.
    expect(seriesFromRollups(q, { indicatorCodes: ['civilian_deaths'], verifications: ['verified'] })).toBeNull();
    expect(seriesFromRollups(q, { sourceId: 1 })).toBeNull();
  });

  test('after a publish, a chart page shows the new figure once the rollups have read the change feed', async () => {
    const t = createTestApp();
    const q = t.q;
    const admin: Actor = { id: await createUser(t, 'rollup-admin', 'admin'), role: 'admin' };
    const place = q.locations.list()[0];
    const deaths = q.indicators.list().find((i) => i.code === 'civilian_deaths');
    if (!place || !deaths) throw new Error('demo data missing');
    await request(t.app).get(`/locations/${place.code}`).expect(200);
    const id = createFigure(q, admin, {
      indicator_id: deaths.id, location_id: place.id, reference_period_start: '2024-03-01', reference_period_end: '2024-03-01', measure: 'period_count',
      value: 4321, value_low: null, value_high: null, qualifier: 'at_least', verification: 'reported', reported_by: 'Rollup page monitor', claimed_by: null,
      attributed_to: null, disputed_by: null, source_id: q.sources.listForPicker()[0]?.id ?? 0, source_quote: 'at least 4,321 people killed', notes: null,
    });
    submitFigure(q, admin, id);
    publishFigure(q, admin, id, 'test');
    const page = (await request(t.app).get(`/locations/${place.code}`).expect(200)).text;
    expect(page).toContain('Rollup page monitor');
    expect(page).toContain(`/figures/${id}`);
    expect(q.rollups.positions().rollups).toBe(q.rollups.positions().feed);
  });
});
