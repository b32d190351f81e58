import crypto from 'node:crypto';
import session from 'express-session';
import type { Db } from './connection';

const PRUNE_EVERY_MS = 10 * 60 * 1000;

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** What the store reads from a session besides its cookie (the web layer declares them): who it belongs to and its absolute end. */
interface StoredFields {
  userId?: unknown;
  /** Epoch ms after which the session is over however active it was. */
  endsAt?: unknown;
}

/** The key a session is stored under: the SHA-256 of its id, so the database never holds a usable id. */
export function sessionKey(sid: string): string {
  return crypto.createHash('sha256').update(sid).digest('hex');
}

/**
 * express-session's store on the `sessions` table, so sessions survive a
 * restart and several processes on one host share them. Rows are keyed by
 * the hash of the session id: whoever reads the file or a backup learns no
 * cookie. A row expires at the earlier of its idle end (the cookie's) and its
 * absolute end. Expired rows are pruned lazily on write (at most every ten
 * minutes): no timer keeps the process alive.
 */
export class SqliteSessionStore extends session.Store {
  private readonly getStmt;
  private readonly setStmt;
  private readonly touchStmt;
  private readonly destroyStmt;
  private readonly pruneStmt;
  private lastPrune = 0;

  constructor(
    db: Db,
    private readonly defaultTtlMs: number,
  ) {
    super();
    this.getStmt = db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid_hash = ? AND expires_at > ?');
    this.setStmt = db.prepare<[string, number | null, string, number]>(
      'INSERT INTO sessions (sid_hash, user_id, data, expires_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (sid_hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at',
    );
    this.touchStmt = db.prepare<[number, string]>('UPDATE sessions SET expires_at = ? WHERE sid_hash = ?');
    this.destroyStmt = db.prepare<[string]>('DELETE FROM sessions WHERE sid_hash = ?');
    this.pruneStmt = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
  }

  private expiresAt(sess: session.SessionData): number {
    const expires = sess.cookie?.expires;
    const idle = expires ? new Date(expires).getTime() : Date.now() + this.defaultTtlMs;
    const { endsAt } = sess as StoredFields;
    return typeof endsAt === 'number' ? Math.min(idle, endsAt) : idle;
  }

  private pruneNow(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.pruneStmt.run(now);
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    try {
      const row = this.getStmt.get(sessionKey(sid), Date.now());
      callback(null, row ? (JSON.parse(row.data) as session.SessionData) : null);
    } catch (err) {
      callback(err);
    }
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    try {
      this.pruneNow();
      const { userId } = sess as StoredFields;
      this.setStmt.run(sessionKey(sid), typeof userId === 'number' ? userId : null, JSON.stringify(sess), this.expiresAt(sess));
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    try {
      this.touchStmt.run(this.expiresAt(sess), sessionKey(sid));
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override destroy(sid: string, callback?: Callback): void {
    try {
      this.destroyStmt.run(sessionKey(sid));
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }
}
