import type { Queries } from '../../db';
import type { Role } from '../../db/queries/users';
import { generatePassword, hashPassword, passwordProblem, verifyPassword, type ScryptCost } from './passwords';

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{2,64}$/;

export class AccountError extends Error {}

export function usernameProblem(username: string): string | null {
  if (!USERNAME_PATTERN.test(username)) return 'must be 2 to 64 letters, digits, dots, hyphens or underscores';
  return null;
}

/**
 * Adds a user. With no password given, one is generated: the caller shows it
 * once and it is never stored in clear.
 */
export async function addUser(
  q: Queries,
  input: { username: string; role: Role; password?: string | undefined; actorId: number | null; via: 'web' | 'cli' | 'first-start' },
  cost?: ScryptCost,
): Promise<{ id: number; password: string; generated: boolean }> {
  const nameProblem = usernameProblem(input.username);
  if (nameProblem) throw new AccountError(`Username ${nameProblem}.`);
  if (q.users.getForLogin(input.username)) throw new AccountError(`A user named ${input.username} already exists.`);
  const generated = input.password === undefined;
  const password = input.password ?? generatePassword();
  const problem = passwordProblem(password, input.username);
  if (problem) throw new AccountError(`Password ${problem}.`);
  const hash = await hashPassword(password, cost);
  const id = q.users.create(input.username, hash, input.role);
  q.audit.record({ userId: input.actorId, action: 'create', entityType: 'user', entityId: id, details: { username: input.username, role: input.role, via: input.via } });
  return { id, password, generated };
}

/** Sets a new generated password for a user and returns it (to be shown once). */
export async function resetPassword(q: Queries, username: string, actorId: number | null, via: 'web' | 'cli'): Promise<string> {
  const user = q.users.getForLogin(username);
  if (!user) throw new AccountError(`There is no user named ${username}.`);
  const password = generatePassword();
  q.users.setPassword(user.id, await hashPassword(password));
  q.audit.record({ userId: actorId, action: 'reset-password', entityType: 'user', entityId: user.id, details: { username: user.username, via } });
  return password;
}

/**
 * "Change my password": the current password first, then the new one twice.
 * Returns each field's problem (nothing changed), or null once changed: the
 * user's other sessions end (migration 0007's trigger moves the generation).
 */
export async function changeOwnPassword(
  q: Queries,
  userId: number,
  input: { current: string; next: string; confirm: string },
  cost?: ScryptCost,
): Promise<Record<string, string> | null> {
  const user = q.users.getById(userId);
  const login = user ? q.users.getForLogin(user.username) : undefined;
  if (!user || !login) throw new AccountError('There is no such user.');
  const errors: Record<string, string> = {};
  if (!(await verifyPassword(input.current, login.password_hash))) errors.current_password = 'This is not your current password.';
  const problem = passwordProblem(input.next, user.username);
  if (problem) errors.new_password = `The new password ${problem}.`;
  else if (input.next === input.current) errors.new_password = 'The new password must differ from the current one.';
  if (!errors.new_password && input.confirm !== input.next) errors.confirm_password = 'Type the same new password twice.';
  if (Object.keys(errors).length > 0) return errors;
  const hash = await hashPassword(input.next, cost);
  q.transaction(() => {
    q.users.setPassword(userId, hash);
    q.audit.record({ userId, action: 'change-password', entityType: 'user', entityId: userId, details: { username: user.username } });
  });
  return null;
}

/** "Sign out everywhere": every session of the user ends, this one included; audited. */
export function signOutEverywhere(q: Queries, userId: number): void {
  q.transaction(() => {
    q.users.endSessions(userId);
    q.audit.record({ userId, action: 'logout-everywhere', entityType: 'session', entityId: null, details: null });
  });
}

/**
 * On first start (no users at all), creates the first admin from
 * ADMIN_USERNAME / ADMIN_PASSWORD, or with a generated password that the
 * caller prints once. Never a default credential.
 */
export async function ensureFirstAdmin(
  q: Queries,
  config: { adminUsername: string | undefined; adminPassword: string | undefined },
): Promise<{ username: string; password: string | null } | null> {
  if (q.users.count() > 0) return null;
  const username = config.adminUsername ?? 'admin';
  const created = await addUser(q, { username, role: 'admin', password: config.adminPassword, actorId: null, via: 'first-start' });
  return { username, password: created.generated ? created.password : null };
}
