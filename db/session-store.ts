import session from 'express-session';
import type { Db } from './connection';

const PRUNE_EVERY_MS = 10 * 60 * 1000;

type Callback<T = void> = (err?: unknown, value?: T) => void;

/**
 * express-session's store on the `sessions` table, so sessions survive a
 * restart and several processes on one host share them. Expired rows are
 * pruned lazily on write (at most every ten minutes): no timer keeps the
 * process alive.
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
    this.getStmt = db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?');
    this.setStmt = db.prepare<[string, string, number]>(
      'INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at',
    );
    this.touchStmt = db.prepare<[number, string]>('UPDATE sessions SET expires_at = ? WHERE sid = ?');
    this.destroyStmt = db.prepare<[string]>('DELETE FROM sessions WHERE sid = ?');
    this.pruneStmt = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
  }

  private expiresAt(sess: session.SessionData): number {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires).getTime() : Date.now() + this.defaultTtlMs;
  }

  private pruneNow(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.pruneStmt.run(now);
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    try {
      const row = this.getStmt.get(sid, Date.now());
      callback(null, row ? (JSON.parse(row.data) as session.SessionData) : null);
    } catch (err) {
      callback(err);
    }
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    try {
      this.pruneNow();
      this.setStmt.run(sid, JSON.stringify(sess), this.expiresAt(sess));
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    try {
      this.touchStmt.run(this.expiresAt(sess), sid);
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }

  override destroy(sid: string, callback?: Callback): void {
    try {
      this.destroyStmt.run(sid);
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }
}
