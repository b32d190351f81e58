/** npm run restore -- PATH: put a backup in place of DATABASE_PATH. Stop Tally first. */
import path from 'node:path';
import { restoreDatabase } from '../db/backup';
import { loadConfig } from '../server/config';
import { migrationsDir } from '../server/paths';

async function run(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0]?.startsWith('-')) {
    process.stderr.write('usage: npm run restore -- PATH   (stop Tally first)\n');
    return 2;
  }
  const config = loadConfig();
  const summary = await restoreDatabase(path.resolve(argv[0] as string), config.databasePath, migrationsDir);
  process.stdout.write(
    `Restored ${config.databasePath} from ${path.resolve(argv[0] as string)}: schema version ${summary.schemaVersion}, ` +
      `${summary.figures} figures, ${summary.revisions} revisions, integrity ok. Start Tally again.\n`,
  );
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`Restore failed: ${err instanceof Error ? err.message : String(err)}\nNothing was changed.\n`);
    process.exitCode = 1;
  },
);
