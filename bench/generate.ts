/**
 * Builds a realistic Tally database for benchmarks: 9 indicators, 30 places,
 * daily and weekly period counts and monthly running totals over four years,
 * several originators per place (some claims, some ranges and qualifiers),
 * ~2,000 sources, a few percent drafts and retired figures. Every figure goes
 * through the app's own insert code (figures.create, figureEdits.retire).
 */
import fs from 'node:fs';
import { createQueries, type Queries } from '../db';
import { openDb } from '../db/connection';
import { migrate } from '../db/migrate';
import type { NewFigure } from '../db/queries/figures';
import { DEMO_DATASET_PATH, loadDataset, readDataset } from '../db/seed/load';
import type { Qualifier, Verification } from '../db/types';
import { hashPassword } from '../server/auth/passwords';
import { refreshRollups } from '../server/charts/rollups';
import { migrationsDir } from '../server/paths';

const FLOWS = ['civilian_deaths', 'civilian_injuries', 'child_deaths', 'child_injuries'];
const LEVELS = ['people_in_need', 'people_targeted', 'people_reached', 'funding_required_usd', 'funding_received_usd'];
const START = Date.UTC(2021, 0, 1);
const DAYS = 4 * 365 + 1;
const DAY_MS = 86_400_000;

/** The admin the benchmark signs in as to publish while readers read (a throwaway database in a temporary directory). */
export const SERIES_SOURCE_TITLE = 'Civilian casualties in Ukraine: monthly update series';
export const BENCH_ADMIN = { username: 'bench-admin', password: 'bench-admin-password-not-secret' };

interface Originator {
  name: string;
  verification: Verification;
  claimedBy: string | null;
}

const DAILY_ORIGINATORS: Originator[] = [
  { name: 'OHCHR HRMMU', verification: 'verified', claimedBy: null },
  { name: 'UN OCHA', verification: 'reported', claimedBy: null },
  { name: 'Regional Military Administration', verification: 'reported', claimedBy: null },
  { name: 'Ministry of Health', verification: 'reported', claimedBy: null },
  { name: 'Ministry of Defence (party)', verification: 'claimed', claimedBy: 'Russian Federation' },
];
const WEEKLY_ORIGINATORS = DAILY_ORIGINATORS.slice(0, 2).concat([{ name: 'Local NGO monitor', verification: 'disputed', claimedBy: null }]);
const TOTAL_ORIGINATORS = DAILY_ORIGINATORS.slice(0, 3);
const LEVEL_ORIGINATORS = [DAILY_ORIGINATORS[1], { name: 'Humanitarian cluster', verification: 'reported' as const, claimedBy: null }, DAILY_ORIGINATORS[0]] as Originator[];

/** A small deterministic PRNG (mulberry32) so every run builds the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isoDay(day: number): string {
  return new Date(START + day * DAY_MS).toISOString().slice(0, 10);
}

export interface GenerateOptions {
  figures: number;
  onProgress?: (done: number, total: number) => void;
}

/** Figures of each kind at full scale; daily and weekly counts are sampled down for smaller targets. */
function plan(target: number, locations: number) {
  const totals = FLOWS.length * locations * TOTAL_ORIGINATORS.length * 48;
  const levels = LEVELS.length * locations * 4 * LEVEL_ORIGINATORS.length;
  const daily = FLOWS.length * locations * DAILY_ORIGINATORS.length * DAYS;
  const weekly = FLOWS.length * locations * WEEKLY_ORIGINATORS.length * Math.floor(DAYS / 7);
  const share = Math.min(1, Math.max(0, (target - totals - levels) / (daily + weekly)));
  return { share, expected: Math.round(totals + levels + share * (daily + weekly)) };
}

export async function generateDatabase(file: string, options: GenerateOptions): Promise<{ figures: number; sources: number; seriesSource: number }> {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const db = openDb(file);
  try {
    migrate(db, migrationsDir);
    const demo = readDataset(DEMO_DATASET_PATH);
    loadDataset(db, { ...demo, sources: [], figures: [] });
    const q = createQueries(db);
    const userId = q.users.create(BENCH_ADMIN.username, await hashPassword(BENCH_ADMIN.password, { log2N: 10, r: 8, p: 1 }), 'admin');
    const rand = random(20240224);
    const indicator = new Map(q.indicators.list().map((i) => [i.code, i.id]));
    const locations = q.locations.list();

    const sourceIds: number[] = [];
    q.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const day = Math.floor((i / 2000) * DAYS);
        sourceIds.push(
          q.sources.create(
            {
              title: `Situation report ${i + 1}: civilian harm and humanitarian response`,
              publisher: ['UN OCHA', 'OHCHR', 'Regional Military Administration', 'Ministry of Health', 'Humanitarian cluster'][i % 5] as string,
              url: `https://reports.example.org/${i + 1}`,
              published_on: isoDay(Math.min(DAYS - 1, day + 1)),
              accessed_on: null,
              notes: null,
            },
            userId,
          ),
        );
      }
    });
    // One document cited by every tenth figure (a casualty series a coordinating office republishes):
    // the benchmark renames it while readers read (100,000 figures at full size).
    const seriesSource = q.transaction(() =>
      q.sources.create(
        { title: SERIES_SOURCE_TITLE, publisher: 'UN OCHA', url: 'https://reports.example.org/series', published_on: isoDay(DAYS - 1), accessed_on: null, notes: null },
        userId,
      ),
    );
    let cited = 0;
    const sourceFor = (day: number): number => {
      cited += 1;
      if (cited % 10 === 0) return seriesSource;
      return sourceIds[Math.min(sourceIds.length - 1, Math.floor((day / DAYS) * sourceIds.length))] as number;
    };

    const { share, expected } = plan(options.figures, locations.length);
    let done = 0;
    let batch: { figure: NewFigure; retire: boolean }[] = [];
    const flush = (): void => {
      q.transaction(() => {
        for (const item of batch) {
          const id = q.figures.create(item.figure, 'create', 'Benchmark data', userId);
          if (item.retire) q.figureEdits.retire(id, userId, 'Superseded by a later report');
        }
      });
      done += batch.length;
      batch = [];
      options.onProgress?.(done, expected);
    };
    const add = (figure: Omit<NewFigure, 'status' | 'qualifier' | 'value_low' | 'value_high'>, exact = false): void => {
      const r = rand();
      const qualifier: Qualifier = exact || r < 0.85 ? 'exact' : r < 0.9 ? 'at_least' : r < 0.95 ? 'about' : 'more_than';
      const ranged = !exact && rand() < 0.03;
      const status = rand();
      batch.push({
        figure: {
          ...figure,
          qualifier,
          value_low: ranged ? Math.floor(figure.value * 0.8) : null,
          value_high: ranged ? Math.ceil(figure.value * 1.3) : null,
          status: status < 0.03 ? 'draft' : 'published',
        },
        retire: status >= 0.03 && status < 0.05,
      });
      if (batch.length >= 5000) flush();
    };
    const quote = (value: number, what: string, place: string): string => `${value.toLocaleString('en-GB')} ${what} in ${place} during the period`;

    for (const code of FLOWS) {
      const indicatorId = indicator.get(code) as number;
      for (const location of locations) {
        // Running totals: one per month per originator, since the first day.
        for (const o of TOTAL_ORIGINATORS) {
          let total = 0;
          for (let month = 0; month < 48; month++) {
            total += Math.floor(rand() * 120);
            const end = new Date(Date.UTC(2021, month + 1, 0)).toISOString().slice(0, 10);
            add({ indicator_id: indicatorId, location_id: location.id, reference_period_start: isoDay(0), reference_period_end: end, measure: 'running_total', value: total, verification: o.verification, reported_by: o.name, claimed_by: o.claimedBy, attributed_to: null, disputed_by: null, source_id: sourceFor(month * 30), source_quote: quote(total, code.replace('_', ' '), location.name), notes: null }, true);
          }
        }
        for (const o of WEEKLY_ORIGINATORS) {
          for (let week = 0; week + 7 <= DAYS; week += 7) {
            if (rand() >= share) continue;
            const value = Math.floor(rand() * 60);
            add({ indicator_id: indicatorId, location_id: location.id, reference_period_start: isoDay(week), reference_period_end: isoDay(week + 6), measure: 'period_count', value, verification: o.verification, reported_by: o.name, claimed_by: o.claimedBy, attributed_to: null, disputed_by: null, source_id: sourceFor(week), source_quote: quote(value, code.replace('_', ' '), location.name), notes: null });
          }
        }
        for (const o of DAILY_ORIGINATORS) {
          for (let day = 0; day < DAYS; day++) {
            if (rand() >= share) continue;
            const value = Math.floor(rand() * 12);
            add({ indicator_id: indicatorId, location_id: location.id, reference_period_start: isoDay(day), reference_period_end: isoDay(day), measure: 'period_count', value, verification: o.verification, reported_by: o.name, claimed_by: o.claimedBy, attributed_to: null, disputed_by: null, source_id: sourceFor(day), source_quote: quote(value, code.replace('_', ' '), location.name), notes: rand() < 0.1 ? 'Includes figures for the preceding night.' : null });
          }
        }
      }
    }
    for (const code of LEVELS) {
      const indicatorId = indicator.get(code) as number;
      const usd = code.endsWith('_usd');
      for (const location of locations) {
        for (let year = 2021; year <= 2024; year++) {
          for (const o of LEVEL_ORIGINATORS) {
            const value = Math.floor((usd ? 50_000_000 : 200_000) * (1 + rand()));
            add({ indicator_id: indicatorId, location_id: location.id, reference_period_start: `${year}-01-01`, reference_period_end: `${year}-12-31`, measure: 'level', value, verification: o.verification, reported_by: o.name, claimed_by: o.claimedBy, attributed_to: null, disputed_by: null, source_id: sourceFor((year - 2021) * 365), source_quote: quote(value, code.replace(/_/g, ' '), location.name), notes: null });
          }
        }
      }
    }
    if (batch.length > 0) flush();
    // As a server that has been running keeps them (its worker follows the change feed): the chart rollups.
    refreshRollups(q);
    db.pragma('optimize');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { figures: done, sources: sourceIds.length + 1, seriesSource };
  } finally {
    db.close();
  }
}

/** What generateDatabase returned for a file it generated earlier (the benchmark's --from). */
export function describeGenerated(file: string): { figures: number; sources: number; seriesSource: number } {
  const { q, close } = openGenerated(file);
  try {
    const sources = q.sources.listForPicker();
    const series = sources.find((s) => s.title === SERIES_SOURCE_TITLE);
    if (!series) throw new Error(`${file} was not generated by the benchmark: no source "${SERIES_SOURCE_TITLE}"`);
    return { figures: q.figures.countAll(), sources: sources.length, seriesSource: series.id };
  } finally {
    close();
  }
}

/** For tests and the benchmark: the queries of a generated file. */
export function openGenerated(file: string): { q: Queries; close: () => void } {
  const db = openDb(file);
  return { q: createQueries(db), close: () => db.close() };
}
