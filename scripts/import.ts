/**
 * npm run import -- FILE.csv [--publish] [--dry-run] [--match natural]
 * Imports figures from a CSV in the export's format into DATABASE_PATH:
 * every row is checked first, then all rows are written in one transaction,
 * or none when any row has an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createQueries } from '../db';
import { openDb } from '../db/connection';
import { migrate } from '../db/migrate';
import { stageImportsInTemp } from '../db/queries/imports';
import { loadConfig } from '../server/config';
import { stageImport, type FigureChange } from '../server/import/figures-import';
import { commitImport, discardImport } from '../server/workflow/imports';
import { migrationsDir } from '../server/paths';

/** The import's page cache in MB (IMPORT_CACHE_MB, default 512; memory is taken only as pages are used; 0: SQLite's 2 MB). */
const IMPORT_CACHE_MB = process.env.IMPORT_CACHE_MB ?? '512';

/** Errors and warnings printed, each; the count says how many more there are. */
const SHOWN_ROWS = 50;

const USAGE = 'usage: npm run import -- FILE.csv [--publish] [--dry-run] [--match natural]';

/** A one-line progress bar on a terminal; silent when output is piped or logged. */
function progressBar(stream: fs.ReadStream, size: number): (rows: number) => void {
  if (!process.stderr.isTTY) return () => undefined;
  const started = Date.now();
  const width = 30;
  return (rows) => {
    const share = size === 0 ? 1 : Math.min(1, stream.bytesRead / size);
    const filled = Math.round(share * width);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}%  ${rows.toLocaleString('en-GB')} rows  ${seconds}s`);
  };
}

async function run(argv: string[]): Promise<number> {
  const args = [...argv];
  let match: 'id' | 'natural' = 'id';
  const matchAt = args.findIndex((a) => a === '--match' || a.startsWith('--match='));
  if (matchAt >= 0) {
    const given = args[matchAt]?.includes('=') ? args[matchAt]?.split('=')[1] : args[matchAt + 1];
    if (given !== 'natural' && given !== 'id') {
      process.stderr.write(`--match takes "id" (the default: rows with a figure_id correct that figure) or "natural" (match by what rows state, for files from another Tally)\n${USAGE}\n`);
      return 2;
    }
    match = given;
    args.splice(matchAt, args[matchAt]?.includes('=') ? 1 : 2);
  }
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const files = args.filter((a) => !a.startsWith('--'));
  const unknown = [...flags].filter((f) => f !== '--publish' && f !== '--dry-run');
  if (files.length !== 1 || unknown.length > 0) {
    process.stderr.write(`${unknown.length ? `unknown option ${unknown.join(', ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const file = path.resolve(files[0] as string);
  if (!fs.existsSync(file)) {
    process.stderr.write(`no such file: ${file}\n`);
    return 2;
  }
  if (!/^\d{1,6}$/.test(IMPORT_CACHE_MB)) {
    process.stderr.write(`IMPORT_CACHE_MB must be a whole number of megabytes (0 to 999999), not "${IMPORT_CACHE_MB.slice(0, 40)}"\n`);
    return 2;
  }
  const config = loadConfig();
  const db = openDb(config.databasePath);
  // One long write: a page cache the size of what it touches (figures, their indexes, revisions), instead of
  // SQLite's 2 MB that spills pages to the WAL and reads them back many times over.
  db.pragma(`cache_size = ${IMPORT_CACHE_MB === '0' ? -2000 : -Number(IMPORT_CACHE_MB) * 1024}`);
  try {
    migrate(db, migrationsDir);
    // Staged and committed here, in one process: the staged copy of the file lives in a temporary table.
    stageImportsInTemp(db);
    const q = createQueries(db);
    const started = Date.now();
    const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    const batch = await stageImport(stream, q, {
      fileName: path.basename(file),
      userId: null,
      publish: flags.has('--publish'),
      match,
      onProgress: progressBar(stream, fs.statSync(file).size),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (batch.file_error) {
      process.stderr.write(`${path.basename(file)}: ${batch.file_error}\nNothing was imported.\n`);
      return 1;
    }
    const summary = `${batch.row_count.toLocaleString('en-GB')} rows: ${batch.new_count} new, ${batch.changed_count} changed, ${batch.unchanged_count} unchanged, ${batch.error_count} with errors`;
    const warnings = JSON.parse(batch.warnings) as { row: number; column: string; message: string }[];
    for (const w of warnings.slice(0, SHOWN_ROWS)) {
      process.stderr.write(`warning: row ${w.row}${w.column ? `, ${w.column}` : ''}: ${w.message}\n`);
    }
    if (batch.warning_count > SHOWN_ROWS) process.stderr.write(`… and ${batch.warning_count - SHOWN_ROWS} more warnings\n`);
    // Every figure_id warning says the row's id does not fit this Tally (missing here, or another indicator or place).
    if (match === 'id' && warnings.some((w) => w.column === 'figure_id')) {
      process.stderr.write("hint: rows name figure ids that do not fit this Tally's figures (a file from another Tally?): --match natural matches every row by what it states, without these warnings\n");
    }
    if (batch.inferred_measure_count > 0) {
      process.stderr.write(`note: the file has no measure column; ${batch.inferred_measure_count} new figure(s) were given one by Tally's rule (a level indicator: level; a flow sharing a long start date: running total; otherwise: period count)\n`);
    }
    if (batch.error_count > 0) {
      const errors = JSON.parse(batch.errors) as { row: number; column: string; value: string; message: string }[];
      for (const e of errors.slice(0, SHOWN_ROWS)) {
        process.stderr.write(`row ${e.row}${e.column ? `, ${e.column}` : ''}${e.value ? ` ("${e.value}")` : ''}: ${e.message}\n`);
      }
      if (batch.error_count > SHOWN_ROWS) process.stderr.write(`… and ${batch.error_count - SHOWN_ROWS} more\n`);
      discardImport(q, batch.id);
      process.stderr.write(`${summary}\nNothing was imported: fix the rows above and run the import again.\n`);
      return 1;
    }
    if (flags.has('--dry-run')) {
      discardImport(q, batch.id);
      const changes = JSON.parse(batch.changes) as FigureChange[];
      for (const c of changes) {
        process.stdout.write(`figure ${c.figure_id} (row ${c.row}) would become a ${c.becomes}:\n`);
        for (const f of c.fields) process.stdout.write(`  ${f.field}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}\n`);
      }
      if (batch.changed_count > changes.length) process.stdout.write(`… and ${batch.changed_count - changes.length} more changed figures\n`);
      process.stdout.write(`${summary}\nDry run: nothing was written.\n`);
      return 0;
    }
    const done = commitImport(q, { id: null, role: 'system', username: 'command line' }, batch.id);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `Imported ${path.basename(file)} in ${seconds}s: ${done.new_count} new, ${done.changed_count} changed, ${done.unchanged_count} unchanged` +
        ` (${flags.has('--publish') ? 'published' : 'submitted for review'}).\n`,
    );
    return 0;
  } finally {
    db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\nNothing was imported.\n`);
    process.exitCode = 1;
  },
);
