import type { Db } from '../../db/connection';
import { createTestDb } from '../helpers/app';

/** A valid figure row; each test breaks one thing and expects the database to refuse it. */
function setup(): { db: Db; insert: (overrides: Record<string, unknown>) => void } {
  const db = createTestDb();
  db.exec(`
    INSERT INTO indicators (id, code, name, unit, aggregation, hxl_hashtag) VALUES (1, 'civilian_deaths', 'Civilian deaths', 'people', 'flow', '#affected+killed');
    INSERT INTO locations (id, code, name, admin_level, parent_id) VALUES (1, 'UKR', 'Ukraine', 0, NULL);
    INSERT INTO sources (id, title, publisher) VALUES (1, 'A report', 'UN OCHA');
  `);
  const base: Record<string, unknown> = {
    indicator_id: 1,
    location_id: 1,
    reference_period_start: '2024-01-01',
    reference_period_end: '2024-01-31',
    value: 100,
    value_low: null,
    value_high: null,
    qualifier: 'exact',
    verification: 'reported',
    reported_by: 'UN OCHA',
    claimed_by: null,
    source_id: 1,
    source_quote: '100 people were killed',
    status: 'published',
    retired_reason: null,
  };
  const insert = (overrides: Record<string, unknown>): void => {
    const row = { ...base, ...overrides };
    const columns = Object.keys(row);
    db.prepare(`INSERT INTO figures (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`).run(row);
  };
  return { db, insert };
}

describe('the schema refuses bad figures', () => {
  test('a valid figure is accepted (the baseline the other tests break)', () => {
    const { db, insert } = setup();
    insert({});
    insert({ value_low: 90, value_high: 120, qualifier: 'about' });
    expect(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figures').get()?.n).toBe(2);
  });

  test.each([
    ['a negative value', { value: -1 }, /CHECK constraint failed: value >= 0/],
    ['a fractional value', { value: 2.5 }, /cannot store REAL value in INTEGER column/],
    ['text as the value', { value: 'many' }, /cannot store TEXT value in INTEGER column/],
    ['an end before its start', { reference_period_start: '2024-02-01', reference_period_end: '2024-01-31' }, /CHECK constraint failed: reference_period_end >= reference_period_start/],
    ['an impossible date', { reference_period_start: '2024-02-30' }, /CHECK constraint failed: date\(reference_period_start\)/],
    ['a date that is not ISO', { reference_period_end: '31/01/2024' }, /CHECK constraint failed: date\(reference_period_end\)/],
    ['value_low above the value', { value_low: 101 }, /CHECK constraint failed: value_low IS NULL/],
    ['a value above value_high', { value_high: 99 }, /CHECK constraint failed: value_high IS NULL/],
    ['an unknown qualifier', { qualifier: 'roughly' }, /CHECK constraint failed: qualifier IN/],
    ['an unknown verification', { verification: 'rumoured' }, /CHECK constraint failed: verification IN/],
    ['an unknown status', { status: 'deleted' }, /CHECK constraint failed: status IN/],
    ['a claim that names no claimant', { verification: 'claimed', claimed_by: null }, /CHECK constraint failed: verification <> 'claimed' OR claimed_by IS NOT NULL/],
    ['a retired figure without a reason', { status: 'retired' }, /CHECK constraint failed: \(status = 'retired'\) = \(retired_reason IS NOT NULL\)/],
    ['a figure without an indicator', { indicator_id: null }, /NOT NULL constraint failed: figures.indicator_id/],
    ['a figure without a location', { location_id: null }, /NOT NULL constraint failed: figures.location_id/],
    ['a figure without a source', { source_id: null }, /NOT NULL constraint failed: figures.source_id/],
    ['a figure naming an unknown indicator', { indicator_id: 99 }, /FOREIGN KEY constraint failed/],
    ['a figure naming an unknown location', { location_id: 99 }, /FOREIGN KEY constraint failed/],
    ['a figure naming an unknown source', { source_id: 99 }, /FOREIGN KEY constraint failed/],
    ['a figure without a quote', { source_quote: '  ' }, /CHECK constraint failed: length\(trim\(source_quote\)\)/],
    ['a figure without an originator', { reported_by: '' }, /CHECK constraint failed: length\(trim\(reported_by\)\)/],
  ])('%s', (_name, overrides, message) => {
    const { db, insert } = setup();
    expect(() => insert(overrides)).toThrow(message);
    expect(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figures').get()?.n).toBe(0);
  });

  test('a figure is never deleted', () => {
    const { db, insert } = setup();
    insert({});
    expect(() => db.prepare('DELETE FROM figures').run()).toThrow('figures are never deleted: retire the figure instead');
  });

  test('revisions and the audit log are append-only', () => {
    const { db, insert } = setup();
    insert({});
    db.prepare("INSERT INTO figure_revisions (figure_id, version, action, full_snapshot) VALUES (1, 1, 'create', '{}')").run();
    db.prepare("INSERT INTO audit_log (action, entity_type, entity_id) VALUES ('create', 'figure', '1')").run();
    expect(() => db.prepare("UPDATE figure_revisions SET note = 'x'").run()).toThrow('figure revisions are append-only');
    expect(() => db.prepare('DELETE FROM figure_revisions').run()).toThrow('figure revisions are append-only');
    expect(() => db.prepare("UPDATE audit_log SET action = 'x'").run()).toThrow('the audit log is append-only');
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow('the audit log is append-only');
  });
});

describe('the schema refuses bad reference data', () => {
  test('a location below country level must have a parent, a country must not', () => {
    const db = createTestDb();
    expect(() => db.prepare("INSERT INTO locations (code, name, admin_level) VALUES ('UA14', 'Donetska', 1)").run()).toThrow(/CHECK constraint failed/);
    db.prepare("INSERT INTO locations (id, code, name, admin_level) VALUES (1, 'UKR', 'Ukraine', 0)").run();
    expect(() => db.prepare("INSERT INTO locations (code, name, admin_level, parent_id) VALUES ('RUS', 'Russia', 0, 1)").run()).toThrow(/CHECK constraint failed/);
  });

  test('codes are unique', () => {
    const db = createTestDb();
    db.prepare("INSERT INTO indicators (code, name, unit, aggregation, hxl_hashtag) VALUES ('x_deaths', 'X', 'people', 'flow', '#affected')").run();
    expect(() => db.prepare("INSERT INTO indicators (code, name, unit, aggregation, hxl_hashtag) VALUES ('x_deaths', 'Y', 'people', 'flow', '#affected')").run()).toThrow(/UNIQUE constraint failed: indicators.code/);
  });

  test('an indicator aggregation other than flow or level is refused', () => {
    const db = createTestDb();
    expect(() => db.prepare("INSERT INTO indicators (code, name, unit, aggregation, hxl_hashtag) VALUES ('xy', 'X', 'people', 'sum', '#affected')").run()).toThrow(/CHECK constraint failed: aggregation IN/);
  });

  test('a source URL must be http or https', () => {
    const db = createTestDb();
    expect(() => db.prepare("INSERT INTO sources (title, publisher, url) VALUES ('t', 'p', 'javascript:alert(1)')").run()).toThrow(/CHECK constraint failed/);
    db.prepare("INSERT INTO sources (title, publisher, url) VALUES ('t', 'p', 'https://example.org/report')").run();
  });
});
