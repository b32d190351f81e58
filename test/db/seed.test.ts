import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createQueries } from '../../db';
import { DEMO_DATASET_PATH, loadDataset, readDataset, seedIfEmpty } from '../../db/seed/load';
import type { FigureDetail } from '../../db/types';
import { createTestDb } from '../helpers/app';

function seeded() {
  const db = createTestDb();
  const loaded = seedIfEmpty(db);
  const q = createQueries(db);
  const all = q.figures.listPublished({}, { limit: 1000, offset: 0 });
  const find = (indicator: string, location: string, start: string, end: string): FigureDetail => {
    const match = all.filter(
      (f) => f.indicator_code === indicator && f.location_code === location && f.reference_period_start === start && f.reference_period_end === end,
    );
    expect(match).toHaveLength(1);
    return match[0] as FigureDetail;
  };
  return { db, q, loaded, all, find };
}

describe('the demo dataset', () => {
  test('loads once into an empty database, never twice', () => {
    const { db, loaded } = seeded();
    expect(loaded).toBe(readDataset(DEMO_DATASET_PATH).figures.length);
    expect(seedIfEmpty(db)).toBe(0);
    expect(() => loadDataset(db, readDataset(DEMO_DATASET_PATH))).toThrow('loads only into an empty database');
    expect(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figures').get()?.n).toBe(loaded);
  });

  test('holds the seeded indicators and places with their P-codes and parents', () => {
    const { q } = seeded();
    expect(q.indicators.list().map((i) => i.code).sort()).toEqual([
      'aid_operations_incidents', 'attacks_dprk_missiles', 'child_deaths', 'child_injuries', 'civilian_casualties', 'civilian_casualties_frontline_share', 'civilian_deaths', 'civilian_injuries', 'dprk_missiles_launched', 'dprk_munitions_containers', 'funding_received_usd', 'funding_required_usd', 'humanitarian_facilities_damaged', 'people_in_need', 'people_in_need_share', 'people_killed', 'people_reached', 'people_targeted', 'pow_deaths', 'settlements_without_power_water',
    ]);
    expect(q.indicators.getByCode('people_in_need')).toMatchObject({ aggregation: 'level', hxl_hashtag: '#inneed' });
    const ukr = q.locations.getByCode('UKR');
    expect(q.locations.getByCode('UA14')).toMatchObject({ name: 'Donetska', admin_level: 1, parent_id: ukr?.id });
    expect(q.locations.getByCode('UA80')).toMatchObject({ admin_level: 1, parent_id: ukr?.id });
    expect(q.locations.getByCode('RU-BEL')).toMatchObject({ parent_id: q.locations.getByCode('RUS')?.id });
  });

  test('the Belgorod figures keep their qualifiers, day and verification', () => {
    const { find } = seeded();
    expect(find('civilian_deaths', 'RU-BEL', '2023-12-30', '2023-12-30')).toMatchObject({
      value: 24, qualifier: 'at_least', verification: 'reported', reported_by: 'UN DPPA',
    });
    expect(find('civilian_injuries', 'RU-BEL', '2023-12-30', '2023-12-30')).toMatchObject({ value: 100, qualifier: 'more_than' });
  });

  test('the UN cumulative count is a running total since 24 February 2022', () => {
    const { find } = seeded();
    const deaths = find('civilian_deaths', 'UKR', '2022-02-24', '2024-02-07');
    expect(deaths).toMatchObject({ value: 10382, qualifier: 'exact', verification: 'verified', reported_by: 'United Nations', source_publisher: 'UPI', source_published_on: '2024-02-07' });
    expect(deaths.source_quote).toContain('10,382 civilian deaths');
    expect(find('child_deaths', 'UKR', '2022-02-24', '2024-02-07')).toMatchObject({ value: 579 });
    expect(find('civilian_injuries', 'UKR', '2022-02-24', '2024-02-07')).toMatchObject({ value: 19659 });
    expect(find('civilian_deaths', 'UKR', '2022-02-24', '2024-01-10')).toMatchObject({ value: 10000, qualifier: 'exact' });
    expect(find('child_deaths', 'UKR', '2022-02-24', '2024-01-10')).toMatchObject({ value: 560, qualifier: 'more_than' });
  });

  test('the holiday-period counts are separate figures for overlapping periods', () => {
    const { find } = seeded();
    expect(find('civilian_deaths', 'UKR', '2023-12-29', '2024-01-02')).toMatchObject({ value: 98, reported_by: 'UN OCHA' });
    expect(find('civilian_injuries', 'UKR', '2023-12-29', '2024-01-02')).toMatchObject({ value: 423 });
    expect(find('civilian_deaths', 'UKR', '2023-12-29', '2023-12-29')).toMatchObject({ value: 58 });
    expect(find('civilian_injuries', 'UKR', '2023-12-29', '2023-12-29')).toMatchObject({ value: 158 });
  });

  test('the Lysychansk figure is a claim by a party', () => {
    const { find } = seeded();
    expect(find('civilian_deaths', 'UA44', '2024-01-29', '2024-02-04')).toMatchObject({
      value: 28, verification: 'claimed', claimed_by: 'Russian Federation',
    });
  });

  test('funding and people in need are levels for their plan year', () => {
    const { find } = seeded();
    expect(find('funding_required_usd', 'UKR', '2023-01-01', '2023-12-31')).toMatchObject({ value: 3_900_000_000, qualifier: 'exact' });
    expect(find('funding_received_usd', 'UKR', '2023-01-01', '2023-12-31')).toMatchObject({ value: 2_500_000_000, qualifier: 'more_than' });
    expect(find('people_reached', 'UKR', '2023-01-01', '2023-12-31')).toMatchObject({ value: 11_000_000 });
    expect(find('people_in_need', 'UKR', '2024-01-01', '2024-12-31')).toMatchObject({ value: 14_600_000, qualifier: 'more_than' });
    expect(find('people_targeted', 'UKR', '2024-01-01', '2024-12-31')).toMatchObject({ value: 8_500_000 });
    expect(find('funding_required_usd', 'UKR', '2024-01-01', '2024-12-31')).toMatchObject({ value: 3_100_000_000 });
  });

  test('every figure states its measure: running totals since the invasion, counts for short periods, levels', () => {
    const { find, all } = seeded();
    expect(find('civilian_deaths', 'UKR', '2022-02-24', '2024-02-07').measure).toBe('running_total');
    expect(find('civilian_injuries', 'UKR', '2022-02-24', '2024-02-07').measure).toBe('running_total');
    expect(find('child_deaths', 'UKR', '2022-02-24', '2024-01-10').measure).toBe('running_total');
    expect(find('civilian_deaths', 'UKR', '2023-12-29', '2024-01-02').measure).toBe('period_count');
    expect(find('civilian_deaths', 'UKR', '2023-12-29', '2023-12-29').measure).toBe('period_count');
    expect(find('civilian_deaths', 'RU-BEL', '2023-12-30', '2023-12-30').measure).toBe('period_count');
    expect(find('civilian_deaths', 'UA44', '2024-01-29', '2024-02-04').measure).toBe('period_count');
    expect(find('people_in_need', 'UKR', '2024-01-01', '2024-12-31').measure).toBe('level');
    expect(find('funding_received_usd', 'UKR', '2023-01-01', '2023-12-31').measure).toBe('level');
    const counted = (m: string): number => all.filter((f) => f.measure === m).length;
    expect([counted('running_total'), counted('period_count'), counted('level')]).toEqual([10, 16, 9]);
  });

  test('a dataset figure without a measure is refused: it is stated, never inferred', () => {
    const data = JSON.parse(fs.readFileSync(DEMO_DATASET_PATH, 'utf8')) as { figures: Record<string, unknown>[] };
    delete data.figures[0]?.measure;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-seed-'));
    try {
      const file = path.join(dir, 'no-measure.json');
      fs.writeFileSync(file, JSON.stringify(data));
      expect(() => readDataset(file)).toThrow(/measure/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every seeded figure is published with a source, a quote and a seed revision', () => {
    const { all, q } = seeded();
    for (const f of all) {
      expect(f.status).toBe('published');
      expect(f.source_quote.length).toBeGreaterThan(10);
      const revisions = q.figures.revisions(f.id);
      expect(revisions).toHaveLength(1);
      expect(revisions[0]).toMatchObject({ action: 'seed', version: 1 });
      expect(revisions[0]?.snapshot).toMatchObject({ id: f.id, value: f.value });
    }
  });
});
