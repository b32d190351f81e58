import type { FigureFields } from '../../server/domain/figure';
import { MERGE_UNITS, STATEMENT_FIELDS, fieldsFromSnapshot, mergeFigureEdits, resolveConflicts } from '../../server/domain/merge';

const base: FigureFields = {
  indicator_id: 1, location_id: 15, reference_period_start: '2024-03-01', reference_period_end: '2024-03-31', measure: 'period_count',
  value: 42, value_low: null, value_high: null, qualifier: 'at_least', verification: 'reported', reported_by: 'UN OCHA', claimed_by: null,
  attributed_to: null, disputed_by: null, source_id: 2, source_quote: 'at least 42 civilians were killed in March', notes: null,
};

describe('three-way merge of two edits of one figure', () => {
  test('a unit only one side changed takes that side: their notes and my verification are both kept', () => {
    const theirs = { ...base, notes: 'Checked against the PDF' };
    const mine = { ...base, verification: 'verified' as const };
    const result = mergeFigureEdits(base, theirs, mine);
    expect(result.conflicts).toEqual([]);
    expect(result.merged).toEqual({ ...base, notes: 'Checked against the PDF', verification: 'verified' });
    expect(result.outcomes.find((o) => o.unit.name === 'notes')?.change).toBe('theirs');
    expect(result.outcomes.find((o) => o.unit.name === 'verification')?.change).toBe('mine');
    expect(result.outcomes.find((o) => o.unit.name === 'indicator_id')?.change).toBe('unchanged');
  });

  test('what states the number is one unit: their new value and my new quote conflict, never mix', () => {
    const theirs = { ...base, value: 45, source_quote: 'at least 45 civilians were killed in March' };
    const mine = { ...base, reference_period_end: '2024-03-30' };
    const result = mergeFigureEdits(base, theirs, mine);
    expect(result.conflicts.map((u) => u.name)).toEqual(['statement']);
    // Until someone chooses, the form holds mine whole: my end date with the original value, not their 45.
    expect(result.merged).toMatchObject({ value: 42, reference_period_end: '2024-03-30', source_quote: base.source_quote });
  });

  test('a statement changed by one side is taken whole, with the other side\'s other fields', () => {
    const theirs = { ...base, value: 45, qualifier: 'exact' as const, source_quote: '45 civilians were killed in March' };
    const mine = { ...base, reported_by: 'OHCHR' };
    const { merged, conflicts } = mergeFigureEdits(base, theirs, mine);
    expect(conflicts).toEqual([]);
    expect(merged).toEqual({ ...base, value: 45, qualifier: 'exact', source_quote: '45 civilians were killed in March', reported_by: 'OHCHR' });
  });

  test('the same change on both sides is no conflict; different changes to one field are', () => {
    const theirs = { ...base, reported_by: 'OHCHR', claimed_by: 'Ministry A' };
    const mine = { ...base, reported_by: 'OHCHR', claimed_by: 'Ministry B' };
    const result = mergeFigureEdits(base, theirs, mine);
    expect(result.outcomes.find((o) => o.unit.name === 'reported_by')?.change).toBe('same');
    expect(result.conflicts.map((u) => u.name)).toEqual(['claimed_by']);
    expect(result.merged.claimed_by).toBe('Ministry B');
  });

  test('without the starting version every difference is a conflict', () => {
    const result = mergeFigureEdits(null, { ...base, notes: 'x' }, { ...base, value: 43 });
    expect(result.conflicts.map((u) => u.name).sort()).toEqual(['notes', 'statement']);
  });

  test('answers to the conflicts take whole units from their version', () => {
    const theirs = { ...base, value: 45, source_quote: 'q45', claimed_by: 'A' };
    const mine = { ...base, value: 50, source_quote: 'q50', claimed_by: 'B' };
    const resolved = resolveConflicts(mine, theirs, ['statement']);
    expect(resolved).toMatchObject({ value: 45, source_quote: 'q45', claimed_by: 'B' });
    // It works on the form's strings too.
    expect(resolveConflicts({ value: '50', notes: 'mine' }, { value: '45', notes: 'theirs' }, ['notes'])).toEqual({ value: '50', notes: 'theirs' });
  });

  test('every field belongs to exactly one unit; the statement holds value, range, qualifier, measure, period and quote', () => {
    const fields = MERGE_UNITS.flatMap((u) => u.fields);
    expect(new Set(fields).size).toBe(fields.length);
    expect(fields.sort()).toEqual(Object.keys(base).sort());
    expect([...STATEMENT_FIELDS].sort()).toEqual(
      ['measure', 'qualifier', 'reference_period_end', 'reference_period_start', 'source_quote', 'value', 'value_high', 'value_low'],
    );
  });

  test('a snapshot stored before a field existed counts that field as unchanged by them', () => {
    const { measure: _dropped, ...old } = base;
    const theirs = { ...base, measure: 'running_total' as const };
    expect(fieldsFromSnapshot({ ...old, pending: true }, theirs)).toEqual({ ...base, measure: 'running_total' });
  });
});
