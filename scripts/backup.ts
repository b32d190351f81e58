/** npm run backup -- PATH: an online, consistent copy of DATABASE_PATH, safe while Tally serves and writes. */
import path from 'node:path';
import { backupDatabase } from '../db/backup';
import { loadConfig } from '../server/config';

async function run(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0]?.startsWith('-')) {
    process.stderr.write('usage: npm run backup -- PATH   (PATH must not exist yet)\n');
    return 2;
  }
  const config = loadConfig();
  const target = path.resolve(argv[0] as string);
  const started = Date.now();
  const summary = await backupDatabase(config.databasePath, target);
  process.stdout.write(
    `Backed up ${config.databasePath} to ${target} in ${((Date.now() - started) / 1000).toFixed(1)}s: ` +
      `schema version ${summary.schemaVersion}, ${summary.figures} figures, ${summary.revisions} revisions, integrity ok.\n`,
  );
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`Backup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
