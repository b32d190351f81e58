import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../connection';
import { figureQueries } from '../queries/figures';
import { indicatorQueries } from '../queries/indicators';
import { locationQueries } from '../queries/locations';
import { sourceQueries } from '../queries/sources';
import { RELATION_KINDS } from '../../server/domain/checks';
import { checkQueries } from '../queries/checks';
import { topicQueries } from '../queries/topics';
import { AGGREGATIONS, MEASURES, QUALIFIERS, VERIFICATIONS } from '../types';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const dataset = z.object({
  indicators: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      description: z.string().nullable().default(null),
      unit: z.string(),
      aggregation: z.enum(AGGREGATIONS),
      hxl_hashtag: z.string(),
    }),
  ),
  locations: z.array(
    z.object({ code: z.string(), name: z.string(), admin_level: z.number().int(), parent: z.string().nullable() }),
  ),
  sources: z.array(
    z.object({
      key: z.string(),
      title: z.string(),
      publisher: z.string(),
      url: z.string().nullable(),
      published_on: isoDate.nullable(),
      accessed_on: isoDate.nullable(),
      notes: z.string().nullable().default(null),
    }),
  ),
  /** Relations between indicators that consistency checks hold figures to. */
  relations: z
    .array(z.object({ indicator: z.string(), kind: z.enum(RELATION_KINDS), others: z.array(z.string()) }))
    .default([]),
  /** Topic pages that span indicators. */
  topics: z
    .array(
      z.object({
        slug: z.string(),
        title: z.string(),
        summary: z.string(),
        indicators: z.array(z.string()),
        related: z.array(z.string()).default([]),
        filters: z.object({ location: z.array(z.string()).optional(), from: isoDate.optional(), to: isoDate.optional() }).default({}),
      }),
    )
    .default([]),
  figures: z.array(
    z.object({
      indicator: z.string(),
      location: z.string(),
      start: isoDate,
      end: isoDate,
      /** Stated, never inferred: what the number is (DESIGN.md, "measure"). */
      measure: z.enum(MEASURES),
      value: z.number().int().nonnegative(),
      low: z.number().int().nonnegative().nullable().default(null),
      high: z.number().int().nonnegative().nullable().default(null),
      qualifier: z.enum(QUALIFIERS),
      verification: z.enum(VERIFICATIONS),
      reported_by: z.string(),
      claimed_by: z.string().nullable().default(null),
      attributed_to: z.string().nullable().default(null),
      disputed_by: z.string().nullable().default(null),
      source: z.string(),
      quote: z.string(),
      notes: z.string().nullable().default(null),
    }),
  ),
});

export type Dataset = z.infer<typeof dataset>;

/**
 * The demo dataset beside this module's source: found from the project root
 * whether this runs as TypeScript (db/seed/) or compiled (dist/db/seed/).
 */
export const DEMO_DATASET_PATH = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'db', 'seed', 'demo.json');
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

export function readDataset(file: string): Dataset {
  return dataset.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** True when the database holds no indicators, locations, sources or figures yet. */
export function isEmpty(db: Db): boolean {
  const row = db
    .prepare<[], { n: number }>(
      // EXISTS stops at the first row: start-up never counts every figure.
      `SELECT EXISTS (SELECT 1 FROM indicators) + EXISTS (SELECT 1 FROM locations)
            + EXISTS (SELECT 1 FROM sources) + EXISTS (SELECT 1 FROM figures) AS n`,
    )
    .get();
  return (row?.n ?? 0) === 0;
}

function lookup<T>(map: Map<string, T>, key: string, what: string): T {
  const found = map.get(key);
  if (found === undefined) throw new Error(`seed data names unknown ${what} "${key}"`);
  return found;
}

/**
 * Loads a dataset into an empty database in one transaction: every figure is
 * published with a 'seed' revision. Returns how many figures were loaded.
 */
export function loadDataset(db: Db, data: Dataset): number {
  const indicators = indicatorQueries(db);
  const locations = locationQueries(db);
  const sources = sourceQueries(db);
  const figures = figureQueries(db);
  return db.transaction(() => {
    if (!isEmpty(db)) throw new Error('the database already holds data: seed data loads only into an empty database');
    const indicatorIds = new Map<string, number>();
    for (const indicator of data.indicators) indicatorIds.set(indicator.code, indicators.create(indicator));
    const locationIds = new Map<string, number>();
    for (const location of data.locations) {
      const parentId = location.parent === null ? null : lookup(locationIds, location.parent, 'parent location');
      locationIds.set(
        location.code,
        locations.create({ code: location.code, name: location.name, admin_level: location.admin_level, parent_id: parentId }),
      );
    }
    const sourceIds = new Map<string, number>();
    for (const { key, ...source } of data.sources) sourceIds.set(key, sources.create(source, null));
    for (const figure of data.figures) {
      figures.create(
        {
          indicator_id: lookup(indicatorIds, figure.indicator, 'indicator'),
          location_id: lookup(locationIds, figure.location, 'location'),
          reference_period_start: figure.start,
          reference_period_end: figure.end,
          measure: figure.measure,
          value: figure.value,
          value_low: figure.low,
          value_high: figure.high,
          qualifier: figure.qualifier,
          verification: figure.verification,
          reported_by: figure.reported_by,
          claimed_by: figure.claimed_by,
          attributed_to: figure.attributed_to,
          disputed_by: figure.disputed_by,
          source_id: lookup(sourceIds, figure.source, 'source'),
          source_quote: figure.quote,
          notes: figure.notes,
          status: 'published',
        },
        'seed',
        'Demo dataset',
        null,
      );
    }
    const checks = checkQueries(db);
    for (const r of data.relations) {
      lookup(indicatorIds, r.indicator, 'indicator');
      for (const other of r.others) lookup(indicatorIds, other, 'indicator');
      checks.addRelation(r.indicator, r.kind, r.others);
    }
    const topics = topicQueries(db);
    for (const t of data.topics) {
      for (const code of [...t.indicators, ...t.related]) lookup(indicatorIds, code, 'indicator');
      topics.create({ ...t, filters: t.filters }, null);
    }
    checks.recheckAll();
    return data.figures.length;
  }).immediate();
}

/** Loads the demo dataset when the database is empty; returns the figures loaded (0 when it was not empty). */
export function seedIfEmpty(db: Db): number {
  // Checked inside the write lock, so two processes starting together seed once; the dataset is read only then.
  return db.transaction(() => (isEmpty(db) ? loadDataset(db, readDataset(DEMO_DATASET_PATH)) : 0)).immediate();
}
