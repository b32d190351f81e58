/**
 * Cold start must not grow with the number of figures: what start-up runs on
 * a database that already holds data (the migration check and the "is it
 * empty?" test before seeding) reads a bounded number of rows. Held here by
 * the query plans of every statement it prepares, not by a timing.
 */
import { migrate } from '../../db/migrate';
import { seedIfEmpty } from '../../db/seed/load';
import { migrationsDir } from '../../server/paths';
import { createTestDb } from '../helpers/app';

describe('start-up on a database with figures', () => {
  test('neither scans nor counts the figures', () => {
    const db = createTestDb();
    expect(seedIfEmpty(db)).toBeGreaterThan(0);
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    });
    migrate(db, migrationsDir);
    expect(seedIfEmpty(db)).toBe(0);
    db.prepare = prepare;
    const reads = prepared.filter((sql) => /^\s*SELECT/i.test(sql) && !sql.includes('?'));
    expect(reads.length).toBeGreaterThan(0);
    for (const sql of reads) {
      const plan = db.prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => r.detail);
      // An EXISTS probe searches or scans until its first row; a COUNT(*) scans them all.
      expect({ sql, counts: /COUNT\(\*\)/i.test(sql) && plan.some((d) => /^SCAN (figures|sources)\b/.test(d)) }).toEqual({ sql, counts: false });
    }
  });
});
