/**
 * npm run import -- FILE.csv [--publish] [--dry-run]
 * Imports figures from a CSV in the export's format into DATABASE_PATH:
 * every row is checked first, then all rows are written in one transaction,
 * or none when any row has an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createQueries } from '../db';
import { openDb } from '../db/connection';
import { migrate } from '../db/migrate';
import { loadConfig } from '../server/config';
import { commitImport, discardImport, stageImport } from '../server/import/figures-import';
import { migrationsDir } from '../server/paths';

const USAGE = 'usage: npm run import -- FILE.csv [--publish] [--dry-run]';

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
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const files = argv.filter((a) => !a.startsWith('--'));
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
  const config = loadConfig();
  const db = openDb(config.databasePath);
  try {
    migrate(db, migrationsDir);
    const q = createQueries(db);
    const started = Date.now();
    const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    const batch = await stageImport(stream, q, {
      fileName: path.basename(file),
      userId: null,
      publish: flags.has('--publish'),
      onProgress: progressBar(stream, fs.statSync(file).size),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (batch.file_error) {
      process.stderr.write(`${path.basename(file)}: ${batch.file_error}\nNothing was imported.\n`);
      return 1;
    }
    const summary = `${batch.row_count.toLocaleString('en-GB')} rows: ${batch.new_count} new, ${batch.changed_count} changed, ${batch.unchanged_count} unchanged, ${batch.error_count} with errors`;
    if (batch.error_count > 0) {
      const errors = JSON.parse(batch.errors) as { row: number; column: string; value: string; message: string }[];
      for (const e of errors.slice(0, 50)) {
        process.stderr.write(`row ${e.row}${e.column ? `, ${e.column}` : ''}${e.value ? ` ("${e.value}")` : ''}: ${e.message}\n`);
      }
      if (batch.error_count > 50) process.stderr.write(`… and ${batch.error_count - 50} more\n`);
      discardImport(q, batch.id);
      process.stderr.write(`${summary}\nNothing was imported: fix the rows above and run the import again.\n`);
      return 1;
    }
    if (flags.has('--dry-run')) {
      discardImport(q, batch.id);
      process.stdout.write(`${summary}\nDry run: nothing was written.\n`);
      return 0;
    }
    const done = commitImport(db, q, batch.id, null);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `Imported ${path.basename(file)} in ${seconds}s: ${done.new_count} new, ${done.changed_count} changed, ${done.unchanged_count} unchanged` +
        ` (${flags.has('--publish') ? 'published' : 'as drafts for review'}).\n`,
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
