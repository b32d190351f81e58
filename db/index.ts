import type { Db } from './connection';
import { chartQueries } from './queries/charts';
import { exportQueries } from './queries/export';
import { figureQueries } from './queries/figures';
import { importBatchQueries, importQueries } from './queries/imports';
import { indicatorQueries } from './queries/indicators';
import { locationQueries } from './queries/locations';
import { settingQueries } from './queries/settings';
import { sourceQueries } from './queries/sources';

/** Every query module, prepared once against one connection. */
export function createQueries(db: Db) {
  const version = db.prepare<[], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return {
    charts: chartQueries(db),
    exports: exportQueries(db),
    figures: figureQueries(db),
    imports: importQueries(db),
    importBatches: importBatchQueries(db),
    indicators: indicatorQueries(db),
    locations: locationQueries(db),
    sources: sourceQueries(db),
    settings: settingQueries(db),
    schemaVersion: (): number => version.get()?.version ?? 0,
  };
}

export type Queries = ReturnType<typeof createQueries>;
