/**
 * Two people edited one figure from the same version: their edits are
 * combined three ways (the version both started from, theirs, yours). What
 * states the number — value, range, qualifier, measure, period and quote — is
 * one unit, taken whole from one side: mixing one side's value with the
 * other's period or quote would state something neither source said. Every
 * other field is a unit of its own. A unit only one side changed takes that
 * side's content; one both changed differently is a conflict for a person to
 * decide. The result must be validated again (the figure's schema) before it
 * is saved: units from two sides may disagree with each other.
 */
import { FIGURE_FIELDS, type FigureFields } from './figure';

export type FigureField = (typeof FIGURE_FIELDS)[number];

/** The fields that together state the number, never split between two versions. */
export const STATEMENT_FIELDS = [
  'value', 'value_low', 'value_high', 'qualifier', 'measure', 'reference_period_start', 'reference_period_end', 'source_quote',
] as const satisfies readonly FigureField[];

export interface MergeUnit {
  /** `statement`, or the one field the unit is. */
  name: string;
  fields: readonly FigureField[];
}

const statementSet = new Set<string>(STATEMENT_FIELDS);

/** The units, in the form's order: the statement where its first field would be. */
export const MERGE_UNITS: readonly MergeUnit[] = (() => {
  const units: MergeUnit[] = [];
  for (const field of FIGURE_FIELDS) {
    if (!statementSet.has(field)) units.push({ name: field, fields: [field] });
    else if (!units.some((u) => u.name === 'statement')) units.push({ name: 'statement', fields: STATEMENT_FIELDS });
  }
  return units;
})();

export type Side = 'base' | 'theirs' | 'mine';

/** What happened to one unit. */
export interface UnitOutcome {
  unit: MergeUnit;
  /** unchanged: nobody changed it; theirs / mine: only that side did; same: both made the same change; both: a conflict. */
  change: 'unchanged' | 'theirs' | 'mine' | 'same' | 'both';
}

export interface MergeResult {
  /** Every unit taken from the side that changed it; a conflicting unit holds yours until a person chooses. */
  merged: FigureFields;
  outcomes: UnitOutcome[];
  conflicts: MergeUnit[];
}

function sameUnit(a: FigureFields, b: FigureFields, unit: MergeUnit): boolean {
  return unit.fields.every((f) => a[f] === b[f]);
}

function take(target: FigureFields, from: FigureFields, unit: MergeUnit): FigureFields {
  const out: Record<string, unknown> = { ...target };
  for (const f of unit.fields) out[f] = from[f];
  return out as unknown as FigureFields;
}

/**
 * Combines their saved version and yours, both made from `base`. With no
 * base (the starting version is unknown), every unit that differs is a conflict.
 */
export function mergeFigureEdits(base: FigureFields | null, theirs: FigureFields, mine: FigureFields): MergeResult {
  let merged = { ...mine };
  const outcomes: UnitOutcome[] = [];
  const conflicts: MergeUnit[] = [];
  for (const unit of MERGE_UNITS) {
    const mineEqualsTheirs = sameUnit(mine, theirs, unit);
    let change: UnitOutcome['change'];
    if (base === null) change = mineEqualsTheirs ? 'unchanged' : 'both';
    else {
      const theirsChanged = !sameUnit(base, theirs, unit);
      const mineChanged = !sameUnit(base, mine, unit);
      if (!theirsChanged && !mineChanged) change = 'unchanged';
      else if (theirsChanged && !mineChanged) change = 'theirs';
      else if (!theirsChanged) change = 'mine';
      else change = mineEqualsTheirs ? 'same' : 'both';
    }
    if (change === 'theirs') merged = take(merged, theirs, unit);
    if (change === 'both') conflicts.push(unit);
    outcomes.push({ unit, change });
  }
  return { merged, outcomes, conflicts };
}

/**
 * Applies a person's answers to the conflicts: each unit named in
 * `takeTheirs` is taken whole from their version (figure fields or the form's strings alike).
 */
export function resolveConflicts<T extends Partial<Record<FigureField, unknown>>>(mine: T, theirs: T, takeTheirs: readonly string[]): T {
  const out: T = { ...mine };
  for (const unit of MERGE_UNITS) {
    if (!takeTheirs.includes(unit.name)) continue;
    for (const f of unit.fields) out[f] = theirs[f];
  }
  return out;
}

/**
 * The version both started from, read back from a stored revision snapshot.
 * A field the snapshot predates (it was added later) counts as unchanged by them: it takes their value.
 */
export function fieldsFromSnapshot(snapshot: Record<string, unknown>, theirs: FigureFields): FigureFields {
  const out: Record<string, unknown> = {};
  for (const f of FIGURE_FIELDS) out[f] = f in snapshot ? snapshot[f] : theirs[f];
  return out as unknown as FigureFields;
}
