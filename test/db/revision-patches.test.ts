import { applyPatch, patchBetween } from '../../db/revision-patches';

const exact = (o: unknown): string => JSON.stringify(o);

describe('revision patches', () => {
  test('a patch holds only the keys whose value changed, and rebuilds the target in the base order', () => {
    const base = { id: 1, value: 10, value_low: null, qualifier: 'exact', notes: 'a "quote", a comma\nand a line' };
    const target = { id: 1, value: 12, value_low: 10, qualifier: 'exact', notes: null };
    const patch = patchBetween(base, target);
    expect(patch).toEqual({ value: 12, value_low: 10, notes: null });
    expect(exact(applyPatch(base, JSON.parse(JSON.stringify(patch)) as Record<string, unknown>))).toBe(exact(target));
  });

  test('keys only the target has come last; keys it lacks are listed under "-"', () => {
    const row = { id: 1, value: 10, measure: 'period_count', updated_at: 'x' };
    const pending = { id: 1, value: 11, measure: 'period_count', updated_at: 'y', pending: true };
    const older = { id: 1, value: 9, updated_at: 'w' };
    expect(patchBetween(row, pending)).toEqual({ value: 11, updated_at: 'y', pending: true });
    expect(patchBetween(pending, row)).toEqual({ value: 10, updated_at: 'x', '-': ['pending'] });
    expect(patchBetween(row, older)).toEqual({ value: 9, updated_at: 'w', '-': ['measure'] });
    for (const [from, to] of [[row, pending], [pending, row], [row, older], [older, pending]] as const) {
      expect(exact(applyPatch(from, patchBetween(from, to)))).toBe(exact(to));
    }
  });

  test('keys kept always are in the patch even when unchanged', () => {
    expect(patchBetween({ id: 1, sync_seq: 4, value: 3 }, { id: 1, sync_seq: 4, value: 3 }, ['sync_seq'])).toEqual({ sync_seq: 4 });
  });

  test('a target whose shared keys are in another order is kept whole, and still rebuilds exactly', () => {
    const from = { a: 1, b: 2, c: 3 };
    const to = { c: 3, a: 1, b: 5 };
    const patch = patchBetween(from, to);
    expect(patch).toEqual({ c: 3, a: 1, b: 5, '-': ['a', 'b', 'c'] });
    expect(exact(applyPatch(from, patch))).toBe(exact(to));
  });

  test('a snapshot with a key named "-" is refused', () => {
    expect(() => patchBetween({ '-': 1 }, { a: 1 })).toThrow('a snapshot has no key "-"');
  });
});
