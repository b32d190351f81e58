import { quoteChecks, relationChecks, type CheckedFigure, type CheckResult, type Relation, type RelationKind } from '../../server/domain/checks';
import type { FigureFields } from '../../server/domain/figure';
import type { Db } from '../connection';

const CHECKED = `f.id, i.code AS indicator, l.code AS location, f.reference_period_start AS start, f.reference_period_end AS "end",
  f.measure, f.value, f.value_low, f.value_high, f.qualifier, f.reported_by, f.source_quote`;

/** A stored finding, with what a list of them shows. */
export interface CheckRow {
  id: number;
  figure_id: number;
  kind: string;
  message: string;
  related: string;
  checked_at: string;
  indicator_name: string;
  location_name: string;
  reference_period_start: string;
  reference_period_end: string;
  reported_by: string;
}

/** Relations between indicators and the stored findings of the consistency checks. */
export function checkQueries(db: Db) {
  const relations = db.prepare<[], { indicator: string; kind: RelationKind; others: string }>(`
    SELECT i.code AS indicator, r.kind, r.others FROM indicator_relations r JOIN indicators i ON i.id = r.indicator_id ORDER BY r.id`);
  const addRelation = db.prepare<[string, string, string]>(`
    INSERT OR IGNORE INTO indicator_relations (indicator_id, kind, others) SELECT id, ?, ? FROM indicators WHERE code = ?`);
  const checked = db.prepare<[number], CheckedFigure & { status: string }>(`
    SELECT ${CHECKED}, f.status FROM figures f JOIN indicators i ON i.id = f.indicator_id JOIN locations l ON l.id = f.location_id WHERE f.id = ?`);
  // The published figures a finding about this one can rest on: the same
  // place, period and originator (sums, bounds), and the same running count.
  const neighbours = db.prepare<[string, string, string, string], CheckedFigure>(`
    SELECT ${CHECKED} FROM figures f JOIN indicators i ON i.id = f.indicator_id JOIN locations l ON l.id = f.location_id
    WHERE f.status = 'published' AND f.location_id = (SELECT id FROM locations WHERE code = ?)
      AND f.reference_period_start = ? AND f.reported_by = ?
      AND (f.reference_period_end = ? OR f.measure = 'running_total')`);
  const forFigure = db.prepare<[number], { kind: string; message: string; related: string }>(
    'SELECT kind, message, related FROM figure_checks WHERE figure_id = ? ORDER BY id',
  );
  const open = db.prepare<[number, number], CheckRow>(`
    SELECT c.*, i.name AS indicator_name, l.name AS location_name, f.reference_period_start, f.reference_period_end, f.reported_by
    FROM figure_checks c JOIN figures f ON f.id = c.figure_id
    JOIN indicators i ON i.id = f.indicator_id JOIN locations l ON l.id = f.location_id
    ORDER BY c.id DESC LIMIT ? OFFSET ?`);
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figure_checks');

  const allPublished = db.prepare<[], { id: number }>("SELECT id FROM figures WHERE status = 'published' ORDER BY id");
  const listRelations = (): Relation[] =>
    relations.all().map((r) => ({ indicator: r.indicator, kind: r.kind, others: JSON.parse(r.others) as string[] }));
  const neighboursOf = (f: Pick<CheckedFigure, 'location' | 'start' | 'end' | 'reported_by'>): CheckedFigure[] =>
    neighbours.all(f.location, f.start, f.reported_by, f.end);

  // For the re-check: a figure, and a neighbourhood (place id, start, originator) through figures_check_neighbours.
  // Codes are named in JavaScript from the catalogue (a few hundred rows) rather than joined for every figure.
  const BARE = `f.id, f.indicator_id, f.location_id, f.reference_period_start AS start, f.reference_period_end AS "end",
    f.measure, f.value, f.value_low, f.value_high, f.qualifier, f.reported_by, f.source_quote`;
  // Rows as arrays in BARE's order (then status): recheck makes each into its object once (the driver's row
  // objects, made again by recheck, cost the re-check of an import's 100,000 figures about a third of its time).
  const checkedOne = db.prepare<[number], unknown[]>(`SELECT ${BARE}, f.status FROM figures f WHERE f.id = ?`).raw();
  const checkedRange = db.prepare<[number, number], unknown[]>(`SELECT ${BARE}, f.status FROM figures f WHERE f.id BETWEEN ? AND ? ORDER BY f.id`).raw();
  /** Whether ids run one after another (an import's new figures): then they are read in one range read, not one by one. */
  const consecutive = (ids: readonly number[]): boolean => {
    for (let i = 1; i < ids.length; i++) if (ids[i] !== (ids[i - 1] as number) + 1) return false;
    return ids.length > 1;
  };
  const neighbourhood = db
    .prepare<[number, string, string], unknown[]>(`
    SELECT ${BARE} FROM figures f
    WHERE f.location_id = ? AND f.reference_period_start = ? AND f.reported_by = ? AND f.status = 'published'
    ORDER BY f.id`)
    .raw();
  const indicatorCodes = db.prepare<[], { id: number; code: string }>('SELECT id, code FROM indicators');
  const locationCodes = db.prepare<[], { id: number; code: string }>('SELECT id, code FROM locations');
  const clearMany = db.prepare<[string]>('DELETE FROM figure_checks WHERE figure_id IN (SELECT value FROM json_each(?))');
  const insertMany = db.prepare<[string]>(`
    INSERT INTO figure_checks (figure_id, kind, message, related)
    SELECT k.value ->> 0, k.value ->> 1, k.value ->> 2, k.value ->> 3 FROM json_each(?) k ORDER BY k.key`);
  /** Figures re-checked per round: bounds what one round holds in memory (its figures and their neighbourhoods). */
  const RECHECK_ROUND = 20_000;

  /**
   * Re-checks the figures and every published neighbour (the figures their
   * findings rest on, and that rest on them) with the domain's checks, and
   * stores what they find. Call inside the transaction that changed them.
   * Each neighbourhood is read once, without joins (codes are named from the
   * catalogue in JavaScript); a round's findings are replaced by one DELETE
   * and one INSERT. (Reading a round's figures and neighbourhoods through
   * json_each in one statement each was measured slower than these indexed
   * point reads: see docs/decisions/0014.) `knownQuoteFindings` gives what
   * a figure's quote check finds when the caller already knows it (an import
   * checked each new row's quote when staging it); undefined: check it here.
   */
  function recheck(ids: Iterable<number>, knownQuoteFindings?: (id: number) => readonly CheckResult[] | undefined): void {
    // What a figure's quote says, from the caller when it already knows (an import checked each row's quote when staging it).
    const quoteOf = (f: CheckedFigure): readonly CheckResult[] => knownQuoteFindings?.(f.id) ?? quoteChecks(f);
    const rels = listRelations();
    // A figure of an indicator no relation names has only its quote to check, and no neighbour's finding rests on it.
    const related = new Set(rels.flatMap((r) => [r.indicator, ...r.others]));
    const done = new Set<number>();
    const all = [...ids];
    const indicators = new Map(indicatorCodes.all().map((r) => [r.id, r.code]));
    const locations = new Map(locationCodes.all().map((r) => [r.id, r.code]));
    type Named = CheckedFigure & { location_id: number; status?: string };
    // A row of BARE (and, for the figures re-checked, their status), named from the catalogue.
    const named = (r: unknown[]): Named =>
      ({
        id: r[0], indicator: indicators.get(r[1] as number) ?? '', location: locations.get(r[2] as number) ?? '', location_id: r[2],
        start: r[3], end: r[4], measure: r[5], value: r[6], value_low: r[7], value_high: r[8],
        qualifier: r[9], reported_by: r[10], source_quote: r[11], status: r[12],
      }) as Named;
    for (let from = 0; from < all.length; from += RECHECK_ROUND) {
      const figures: Named[] = [];
      const round = all.slice(from, from + RECHECK_ROUND);
      if (consecutive(round)) {
        for (const f of checkedRange.all(round[0] as number, round[round.length - 1] as number)) figures.push(named(f));
      } else {
        for (const id of round) {
          const f = checkedOne.get(id);
          if (f) figures.push(named(f));
        }
      }
      // Each neighbourhood read once (this call writes findings only, never figures, so they stay true).
      const keyOf = (f: Named): string => `${f.location_id}\u0000${f.start}\u0000${f.reported_by}`;
      const groups = new Map<string, Named[]>();
      const groupOf = (f: Named): Named[] => {
        const key = keyOf(f);
        let group = groups.get(key);
        if (!group) {
          group = neighbourhood.all(f.location_id, f.start, f.reported_by).map(named);
          groups.set(key, group);
        }
        return group;
      };
      const neighboursIn = (f: Named): Named[] =>
        groupOf(f).filter((g) => g.end === f.end || g.measure === 'running_total');
      const cleared: number[] = [];
      const findings: [number, string, string, string][] = [];
      const replace = (figureId: number, results: readonly CheckResult[]): void => {
        cleared.push(figureId);
        for (const r of results) findings.push([figureId, r.kind, r.message, JSON.stringify(r.related)]);
      };
      for (const f of figures) {
        if (!related.has(f.indicator)) {
          if (done.has(f.id)) continue;
          done.add(f.id);
          replace(f.id, f.status === 'published' ? quoteOf(f) : []);
          continue;
        }
        for (const member of [f, ...neighboursIn(f)]) {
          if (done.has(member.id)) continue;
          done.add(member.id);
          // A neighbour is published (it came from the neighbourhood); the figure itself may not be.
          const published = member.id === f.id ? f.status === 'published' : true;
          replace(member.id, published ? [...quoteOf(member), ...relationChecks(member, rels, neighboursIn(member))] : []);
        }
      }
      clearMany.run(JSON.stringify(cleared));
      if (findings.length > 0) insertMany.run(JSON.stringify(findings));
    }
  }

  const codes = db.prepare<[number, number], { indicator: string; location: string }>(
    'SELECT (SELECT code FROM indicators WHERE id = ?) AS indicator, (SELECT code FROM locations WHERE id = ?) AS location',
  );

  /** What the checks would say of content not yet published (a draft, a pending change, an import row): warnings for staff. */
  function preview(id: number | null, fields: FigureFields, relations: readonly Relation[] = listRelations()): CheckResult[] {
    const named = codes.get(fields.indicator_id, fields.location_id);
    if (!named?.indicator || !named.location) return [];
    const f: CheckedFigure = {
      id: id ?? 0,
      indicator: named.indicator,
      location: named.location,
      start: fields.reference_period_start,
      end: fields.reference_period_end,
      measure: fields.measure,
      value: fields.value,
      value_low: fields.value_low,
      value_high: fields.value_high,
      qualifier: fields.qualifier,
      reported_by: fields.reported_by,
      source_quote: fields.source_quote,
    };
    const others = neighboursOf(f).filter((o) => o.id !== f.id);
    return [...quoteChecks(f), ...relationChecks(f, relations, others)];
  }

  return {
    recheck,
    preview,
    /** Re-checks every published figure (after loading a dataset). */
    recheckAll: (): void => recheck(allPublished.all().map((r) => r.id)),
    relations: listRelations,
    /** Declares a relation (ignored when it exists). */
    addRelation: (indicator: string, kind: RelationKind, others: readonly string[]): void => {
      addRelation.run(kind, JSON.stringify(others), indicator);
    },
    figure: (id: number): (CheckedFigure & { status: string }) | undefined => checked.get(id),
    neighbours: neighboursOf,
    forFigure: (figureId: number): { kind: string; message: string; related: number[] }[] =>
      forFigure.all(figureId).map((r) => ({ ...r, related: JSON.parse(r.related) as number[] })),
    open: (page: { limit: number; offset: number }): CheckRow[] => open.all(page.limit, page.offset),
    countOpen: (): number => count.get()?.n ?? 0,
  };
}

export type CheckQueries = ReturnType<typeof checkQueries>;
