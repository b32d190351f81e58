/**
 * npm run user -- add NAME [--role editor|admin]   add a user; prints a generated password once
 * npm run user -- reset-password NAME              set a new generated password; prints it once
 * npm run user -- disable NAME                     disable an account (signs it out everywhere)
 * Works on DATABASE_PATH (default data/tally.db).
 */
import { createQueries } from '../db';
import { openDb } from '../db/connection';
import { migrate } from '../db/migrate';
import { ROLES, type Role } from '../db/queries/users';
import { AccountError, addUser, resetPassword } from '../server/auth/accounts';
import { ConfigError, loadConfig } from '../server/config';
import { migrationsDir } from '../server/paths';

const USAGE = `Usage:
  npm run user -- add NAME [--role editor|admin]
  npm run user -- reset-password NAME
  npm run user -- disable NAME`;

class UsageError extends Error {}

function parseRole(args: string[]): Role {
  const i = args.indexOf('--role');
  if (i === -1) return 'editor';
  const role = args[i + 1];
  if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError('--role must be editor or admin');
  return role as Role;
}

async function run(argv: string[]): Promise<number> {
  const [command, name, ...rest] = argv;
  if (!command || !name || name.startsWith('--')) throw new UsageError(USAGE);
  const config = loadConfig();
  const db = openDb(config.databasePath);
  try {
    migrate(db, migrationsDir);
    const q = createQueries(db);
    switch (command) {
      case 'add': {
        const role = parseRole(rest);
        const { password } = await addUser(q, { username: name, role, actorId: null, via: 'cli' });
        process.stdout.write(`Added ${role} ${name}. Password (shown only now): ${password}\n`);
        return 0;
      }
      case 'reset-password': {
        const password = await resetPassword(q, name, null, 'cli');
        process.stdout.write(`New password for ${name} (shown only now): ${password}\n`);
        return 0;
      }
      case 'disable': {
        const user = q.users.getForLogin(name);
        if (!user) throw new AccountError(`There is no user named ${name}.`);
        if (user.disabled_at) {
          process.stdout.write(`${user.username} was already disabled.\n`);
          return 0;
        }
        q.users.disable(user.id);
        q.audit.record({ userId: null, action: 'disable', entityType: 'user', entityId: user.id, details: { username: user.username, via: 'cli' } });
        process.stdout.write(`Disabled ${user.username}; their sessions end at their next request.\n`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}".\n${USAGE}`);
    }
  } finally {
    db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const known = err instanceof UsageError || err instanceof AccountError || err instanceof ConfigError;
    process.stderr.write(`${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = known && err instanceof UsageError ? 2 : 1;
  },
);
