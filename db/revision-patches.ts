/**
 * A revision keeps what changed (decision 0015). These pure functions are the
 * only place a stored patch is made or applied; every reader of revisions
 * goes through db/queries/revisions.ts, which uses them.
 *
 * A snapshot is the whole figure as a revision recorded it: a flat JSON
 * object whose keys are in a meaningful order (the row's columns in table
 * order; a pending proposal adds `pending` last; a revision written before a
 * column existed lacks it). A patch turns one snapshot into another, order
 * included: it is a JSON object holding the target's value of every key that
 * differs or is new, and, under the key "-", the keys the target does not
 * have. Applying it walks the base's keys in order (dropping those under "-",
 * taking the patch's value where it has one), then appends the patch's keys
 * the base lacks (or dropped), in the patch's order.
 */

/** A figure as one revision recorded it. */
export type Snapshot = Record<string, unknown>;

/** How one snapshot becomes another; see the module comment. */
export type Patch = Record<string, unknown>;

const DROPPED = '-';

/**
 * Columns the database changes without writing a revision: the change-feed
 * position and updated_at (a rename or move of what a figure names), and the
 * submission an import marks after it records its revision. The figure row
 * cannot stand in for them later, so a patch from the row always carries them.
 * Any other change of a figure row writes a revision. A migration that adds a
 * column to figures must give every latest revision's row patch a "-" entry
 * for it (or a full copy), or those revisions would gain the column.
 */
export const ROW_DRIFTING_COLUMNS = ['sync_seq', 'updated_at', 'submitted_at', 'submitted_by'] as const;

const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);
}

/** Whether two snapshots are the same, key order included (what JSON text of each would show). */
export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++) {
    const key = ak[i] as string;
    if (key !== bk[i] || !same(a[key], b[key])) return false;
  }
  return true;
}

/** Whether `to`'s keys are `from`'s keys it keeps, in `from`'s order, then its own new ones: what a small patch can say. */
function keysFit(fromKeys: readonly string[], toKeys: readonly string[], from: Snapshot, to: Snapshot): boolean {
  if (fromKeys.length === toKeys.length && fromKeys.every((k, i) => k === toKeys[i])) return true;
  const shared = toKeys.filter((k) => has(from, k));
  const sharedInFromOrder = fromKeys.filter((k) => has(to, k));
  const firstNew = toKeys.findIndex((k) => !has(from, k));
  const newOnlyAtEnd = firstNew === -1 || toKeys.slice(firstNew).every((k) => !has(from, k));
  return newOnlyAtEnd && shared.every((k, i) => k === sharedInFromOrder[i]);
}

/** The snapshot the patch makes of `base`. */
export function applyPatch(base: Snapshot, patch: Patch): Snapshot {
  const droppedList = patch[DROPPED];
  if (droppedList !== undefined && !Array.isArray(droppedList)) throw new Error('a revision patch lists its dropped keys in an array');
  const dropped = new Set((droppedList ?? []) as unknown[]);
  const out: Snapshot = {};
  for (const key of Object.keys(base)) {
    if (dropped.has(key)) continue;
    out[key] = has(patch, key) ? patch[key] : base[key];
  }
  for (const key of Object.keys(patch)) {
    if (key === DROPPED) continue;
    if (!has(base, key) || dropped.has(key)) out[key] = patch[key];
  }
  return out;
}

/**
 * The patch that turns `from` into `to`, as small as the key order allows
 * (when `to` reorders keys they share, it holds all of `to`). Checks that
 * applying it gives `to` exactly, order included, and throws if not.
 */
export function patchBetween(from: Snapshot, to: Snapshot, alwaysKeep: readonly string[] = []): Patch {
  if (has(from, DROPPED) || has(to, DROPPED)) throw new Error(`a snapshot has no key "${DROPPED}"`);
  const fromKeys = Object.keys(from);
  const toKeys = Object.keys(to);
  let patch: Patch;
  if (keysFit(fromKeys, toKeys, from, to)) {
    patch = {};
    for (const key of toKeys) if (!has(from, key) || !same(from[key], to[key]) || alwaysKeep.includes(key)) patch[key] = to[key];
    const dropped = fromKeys.filter((k) => !has(to, k));
    if (dropped.length > 0) patch[DROPPED] = dropped;
  } else {
    patch = { ...to, [DROPPED]: fromKeys };
  }
  if (!sameSnapshot(applyPatch(from, patch), to)) throw new Error('a revision patch does not rebuild its snapshot exactly');
  return patch;
}
