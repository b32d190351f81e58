import { ipKeyGenerator } from 'express-rate-limit';

export interface BackoffRule {
  /** Failures allowed before any wait. */
  free: number;
  /** The first wait; each further failure doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A key with no failure for this long is forgotten. */
  forgetAfterMs: number;
}

/** For one account from one address: a person mistyping is never slowed; a guesser soon is. */
export const PER_ACCOUNT_AND_ADDRESS: BackoffRule = { free: 5, firstDelayMs: 1000, maxDelayMs: 15 * 60 * 1000, forgetAfterMs: 60 * 60 * 1000 };
/** From one address whatever the username: guessing many accounts from one place. */
export const PER_ADDRESS: BackoffRule = { free: 30, firstDelayMs: 1000, maxDelayMs: 15 * 60 * 1000, forgetAfterMs: 60 * 60 * 1000 };

/** Counters are kept for at most this many keys each, so random usernames cannot grow memory without bound. */
const MAX_KEYS = 10_000;

interface Entry {
  failures: number;
  lastFailureAt: number;
}

/** Failures per key with a wait that doubles after the free ones. Kept in process memory. */
export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly rule: BackoffRule) {}

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailureAt > this.rule.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  waitMs(key: string, now: number): number {
    const entry = this.live(key, now);
    if (!entry || entry.failures < this.rule.free) return 0;
    const delay = Math.min(this.rule.maxDelayMs, this.rule.firstDelayMs * 2 ** Math.min(30, entry.failures - this.rule.free));
    return Math.max(0, entry.lastFailureAt + delay - now);
  }

  fail(key: string, now: number): void {
    const entry = this.live(key, now) ?? { failures: 0, lastFailureAt: now };
    entry.failures += 1;
    entry.lastFailureAt = now;
    // Re-inserted so the Map's order is least recently failed first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > MAX_KEYS) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Sign-in throttling by growing delays, per (username, address) and per
 * address, never per username alone: someone guessing from one address slows
 * only themselves there, and cannot lock the real user out from another. A
 * successful sign-in clears its (username, address) counter.
 */
export class LoginThrottle {
  readonly account = new Backoff(PER_ACCOUNT_AND_ADDRESS);
  readonly address = new Backoff(PER_ADDRESS);

  private static keys(username: string, ip: string | undefined): { account: string; address: string } {
    // IPv6 clients are counted by /56, as one household or customer usually holds such a block.
    const address = ipKeyGenerator(ip ?? 'unknown');
    return { address, account: `${username.trim().toLowerCase()}\u0000${address}` };
  }

  /** Seconds to wait before this attempt may be checked; 0 when it may be now. */
  waitSeconds(username: string, ip: string | undefined, now = Date.now()): number {
    const k = LoginThrottle.keys(username, ip);
    const ms = Math.max(this.account.waitMs(k.account, now), this.address.waitMs(k.address, now));
    return Math.ceil(ms / 1000);
  }

  failed(username: string, ip: string | undefined, now = Date.now()): void {
    const k = LoginThrottle.keys(username, ip);
    this.account.fail(k.account, now);
    this.address.fail(k.address, now);
  }

  succeeded(username: string, ip: string | undefined): void {
    this.account.forget(LoginThrottle.keys(username, ip).account);
  }
}
