/**
 * Sync tokens and page cursors of the change feed. A token names a position
 * of one database's feed; it is opaque to clients (base64url) but readable
 * here. A cursor carries the position its pull started at, so every page of
 * a paged pull reads at the same position.
 */
import type { Response } from 'express';
import type { FeedWindow } from '../../db/queries/export';
import { CONTRACT_VERSION } from '../domain/figure';
import { HttpError } from '../errors';

export interface FeedState {
  position: number;
  databaseId: string;
}

const TOKEN = /^t1\.([0-9a-f]{32})\.(\d{1,15})$/;
const CURSOR = /^c1\.([0-9a-f]{32})\.(\d{1,15})\.(\d{1,15})$/;

const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const decode = (value: string): string => (/^[A-Za-z0-9_-]{1,200}$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '');

export function encodeToken(state: FeedState): string {
  return encode(`t1.${state.databaseId}.${state.position}`);
}

/** A position read from a token or cursor must belong to this database and not lie in its future. */
function checkPosition(databaseId: string, position: number, current: FeedState, what: string): void {
  if (databaseId !== current.databaseId || position > current.position) {
    throw new HttpError(
      410,
      `this ${what} comes from another Tally database (another server, or this one before it was restored from a backup): pull the full export again without since or cursor, and keep the Sync-Token it returns`,
    );
  }
}

/** The position a `since` token names; 400 when it is not a token, 410 when it is another database's. */
export function parseSince(value: unknown, current: FeedState): number | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw new HttpError(400, 'since may be given only once');
  const match = TOKEN.exec(decode(value));
  if (!match) {
    throw new HttpError(400, 'since must be a Sync-Token this Tally returned (the Sync-Token header, or meta.sync_token of the API): this one is not');
  }
  const position = Number(match[2]);
  checkPosition(match[1] as string, position, current, 'token');
  return position;
}

export function encodeCursor(state: FeedState, afterId: number): string {
  return encode(`c1.${state.databaseId}.${state.position}.${afterId}`);
}

/** Where a page starts: the cursor's position and last id, or (first page) the feed's position now. */
export function parseCursor(value: unknown, current: FeedState): { asOf: number; afterId: number } {
  if (value === undefined || value === '') return { asOf: current.position, afterId: 0 };
  const match = typeof value === 'string' ? CURSOR.exec(decode(value)) : null;
  if (!match) throw new HttpError(400, 'cursor is not one this Tally gave out: use next_cursor (or the Link header) of the previous page');
  const asOf = Number(match[2]);
  checkPosition(match[1] as string, asOf, current, 'cursor');
  return { asOf, afterId: Number(match[3]) };
}

/** Where one page of a pull reads, and the position its Sync-Token names. */
export interface FeedRead {
  window: FeedWindow;
  afterId: number;
  state: FeedState;
  token: string;
}

/**
 * Reads `since` and `cursor` against the feed's position now, and names the
 * position the page is read at in the response (Sync-Token, contract
 * version): the one place the CSV export and the API agree on it.
 */
export function readFeed(query: Record<string, unknown>, current: FeedState, res: Response): FeedRead {
  const since = parseSince(query.since, current);
  const { asOf, afterId } = parseCursor(query.cursor, current);
  const window = feedWindow(asOf, since);
  const state = { position: asOf, databaseId: current.databaseId };
  const token = encodeToken(state);
  res.set('Sync-Token', token);
  res.set('Tally-Contract-Version', String(CONTRACT_VERSION));
  return { window, afterId, state, token };
}

/** The window a pull reads: as of the cursor's (or the feed's current) position, changes after `since` only. */
export function feedWindow(asOf: number, since: number | null): FeedWindow {
  if (since !== null && since > asOf) throw new HttpError(400, 'since is after the position this pull reads at: start the pull again without cursor');
  return { asOf, since };
}
