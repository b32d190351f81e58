import type { Db } from './connection';
import { auditQueries } from './queries/audit';
import { catalogueChangeQueries } from './queries/catalogue-changes';
import { changeQueries } from './queries/changes';
import { checkQueries } from './queries/checks';
import { chartQueries } from './queries/charts';
import { exportQueries } from './queries/export';
import { figureEditQueries } from './queries/figure-edits';
import { figureQueries } from './queries/figures';
import { importFileQueries } from './queries/import-files';
import { bulkFigureQueries, importBatchQueries, importQueries } from './queries/imports';
import { indicatorQueries } from './queries/indicators';
import { locationQueries } from './queries/locations';
import { rollupQueries } from './queries/rollups';
import { settingQueries } from './queries/settings';
import { sourceQueries } from './queries/sources';
import { staffFigureQueries } from './queries/staff-figures';
import { topicQueries } from './queries/topics';
import { translatedNameQueries } from './queries/translated-names';
import { userQueries } from './queries/users';

/** Every query module, prepared once against one connection. */
export function createQueries(db: Db) {
  const version = db.prepare<[], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  let bulk: ReturnType<typeof bulkFigureQueries> | undefined;
  return {
    audit: auditQueries(db),
    catalogueChanges: catalogueChangeQueries(db),
    changes: changeQueries(db),
    checks: checkQueries(db),
    charts: chartQueries(db),
    exports: exportQueries(db),
    figures: figureQueries(db),
    figureEdits: figureEditQueries(db),
    imports: importQueries(db),
    /** An import's set-wise figure writes; prepared on first use (it creates a temporary table). */
    bulkFigures: (): ReturnType<typeof bulkFigureQueries> => (bulk ??= bulkFigureQueries(db)),
    importBatches: importBatchQueries(db),
    importFiles: importFileQueries(db),
    indicators: indicatorQueries(db),
    locations: locationQueries(db),
    rollups: rollupQueries(db),
    sources: sourceQueries(db),
    staffFigures: staffFigureQueries(db),
    topics: topicQueries(db),
    translatedNames: translatedNameQueries(db),
    settings: settingQueries(db),
    users: userQueries(db),
    schemaVersion: (): number => version.get()?.version ?? 0,
    /** Runs fn in one transaction (nested calls become savepoints); fn must not be async. */
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    /** As transaction, taking the write lock at once (BEGIN IMMEDIATE): for long writes that read first. */
    immediateTransaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
  };
}

export type Queries = ReturnType<typeof createQueries>;
