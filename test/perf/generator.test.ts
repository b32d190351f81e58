import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateDatabase } from '../../bench/generate';
import { openDb } from '../../db/connection';

function citingFigures(file: string, sourceId: number): number {
  const db = openDb(file);
  try {
    return db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM figures WHERE source_id = ?').get(sourceId)?.n ?? 0;
  } finally {
    db.close();
  }
}

describe('the benchmark generator', () => {
  test('makes a valid database: constraints, foreign keys and integrity hold, with the variety the benchmark needs', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tally-gen-')), 'bench.db');
    const result = await generateDatabase(file, { figures: 20_000 });
    expect(result.figures).toBeGreaterThanOrEqual(19_000);
    expect(result.sources).toBe(2001);
    // The document the benchmark renames is cited by every tenth figure.
    const citing = citingFigures(file, result.seriesSource);
    expect(citing).toBeGreaterThanOrEqual(Math.floor(result.figures / 10));
    const db = openDb(file);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const count = (where: string): number => db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM figures WHERE ${where}`).get()?.n ?? 0;
      expect(count('1')).toBe(result.figures);
      expect(count("status = 'draft'")).toBeGreaterThan(0);
      expect(count("status = 'retired' AND retired_reason IS NOT NULL")).toBeGreaterThan(0);
      expect(count("verification = 'claimed' AND claimed_by IS NOT NULL")).toBeGreaterThan(0);
      expect(count("qualifier <> 'exact'")).toBeGreaterThan(0);
      expect(count('value_low IS NOT NULL')).toBeGreaterThan(0);
      // Every figure has its revision, written by the app's own insert code.
      expect(db.prepare<[], { n: number }>('SELECT COUNT(DISTINCT figure_id) AS n FROM figure_revisions').get()?.n).toBe(result.figures);
    } finally {
      db.close();
    }
  }, 60_000);
});
