import crypto from 'node:crypto';
import fs from 'node:fs';

/** Where the generated session secret is kept: beside the database, never in it, so a copy of the database carries no secret. */
export function sessionSecretPath(databasePath: string): string {
  return `${databasePath}.session-secret`;
}

export class SessionSecretError extends Error {}

/**
 * The session secret when SESSION_SECRET is not set: read from a file beside
 * the database, created on first start (0600, owner only) with 32 random
 * bytes. Several processes sharing one database share the file: whichever
 * creates it first wins and the others read it. A file others can read is
 * refused, not silently used.
 */
export function loadSessionSecret(databasePath: string): string {
  if (databasePath === ':memory:') throw new SessionSecretError('an in-memory database has no folder for the session secret: set SESSION_SECRET');
  const file = sessionSecretPath(databasePath);
  try {
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SessionSecretError(`${file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${file}`);
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new SessionSecretError(`${file} must hold at least 32 characters (it has ${secret.length}): delete it to have a new one made`);
  return secret;
}
