import type { Db } from '../connection';
import type { Role } from '../../server/domain/accounts';

export { ROLES, type Role } from '../../server/domain/accounts';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  disabled_at: string | null;
  /** Moves on a new password, role, disabling or "sign out everywhere": sessions of an older generation are over. */
  session_generation: number;
  created_at: string;
  updated_at: string;
}

/** A user without the password hash, for pages and the session. */
export type User = Omit<UserRow, 'password_hash'>;

const PUBLIC_COLUMNS = 'id, username, role, disabled_at, session_generation, created_at, updated_at';
const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export function userQueries(db: Db) {
  const byId = db.prepare<[number], User>(`SELECT ${PUBLIC_COLUMNS} FROM users WHERE id = ?`);
  const byUsername = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const all = db.prepare<[], User>(`SELECT ${PUBLIC_COLUMNS} FROM users ORDER BY disabled_at IS NOT NULL, username`);
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
  const activeAdmins = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL");
  const insert = db.prepare<[string, string, Role]>('INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)');
  const setPassword = db.prepare<[string, number]>(`UPDATE users SET password_hash = ?, updated_at = ${NOW} WHERE id = ?`);
  const setRole = db.prepare<[Role, number]>(`UPDATE users SET role = ?, updated_at = ${NOW} WHERE id = ?`);
  const disable = db.prepare<[number]>(`UPDATE users SET disabled_at = ${NOW}, updated_at = ${NOW} WHERE id = ? AND disabled_at IS NULL`);
  const enable = db.prepare<[number]>(`UPDATE users SET disabled_at = NULL, updated_at = ${NOW} WHERE id = ?`);
  // A trigger (migration 0007) deletes the user's session rows when the generation moves.
  const endSessions = db.prepare<[number]>('UPDATE users SET session_generation = session_generation + 1 WHERE id = ?');
  return {
    getById: (id: number): User | undefined => byId.get(id),
    /** The full row with its password hash, for logging in; usernames match case-insensitively. */
    getForLogin: (username: string): UserRow | undefined => byUsername.get(username),
    list: (): User[] => all.all(),
    count: (): number => count.get()?.n ?? 0,
    countActiveAdmins: (): number => activeAdmins.get()?.n ?? 0,
    create: (username: string, passwordHash: string, role: Role): number =>
      Number(insert.run(username, passwordHash, role).lastInsertRowid),
    setPassword: (id: number, passwordHash: string): void => void setPassword.run(passwordHash, id),
    setRole: (id: number, role: Role): void => void setRole.run(role, id),
    disable: (id: number): void => void disable.run(id),
    enable: (id: number): void => void enable.run(id),
    /** Ends every session of the user, wherever it was opened. */
    endSessions: (id: number): void => void endSessions.run(id),
  };
}

export type UserQueries = ReturnType<typeof userQueries>;
