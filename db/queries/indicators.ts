import type { Db } from '../connection';
import type { Aggregation, IndicatorRow } from '../types';

export interface NewIndicator {
  code: string;
  name: string;
  description: string | null;
  unit: string;
  aggregation: Aggregation;
  hxl_hashtag: string;
}

export function indicatorQueries(db: Db) {
  const all = db.prepare<[], IndicatorRow>(
    'SELECT id, code, name, description, unit, aggregation, hxl_hashtag FROM indicators ORDER BY name',
  );
  const byCode = db.prepare<[string], IndicatorRow>(
    'SELECT id, code, name, description, unit, aggregation, hxl_hashtag FROM indicators WHERE code = ?',
  );
  const insert = db.prepare<[NewIndicator]>(`
    INSERT INTO indicators (code, name, description, unit, aggregation, hxl_hashtag)
    VALUES (@code, @name, @description, @unit, @aggregation, @hxl_hashtag)`);
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM indicators');
  const byId = db.prepare<[number], IndicatorRow>(
    'SELECT id, code, name, description, unit, aggregation, hxl_hashtag FROM indicators WHERE id = ?',
  );
  const update = db.prepare<[Omit<NewIndicator, 'code'> & { id: number }]>(`
    UPDATE indicators SET name = @name, description = @description, unit = @unit, aggregation = @aggregation,
      hxl_hashtag = @hxl_hashtag, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id`);
  // In use: named by a figure, a pending change, or any revision (so history stays restorable).
  // A revision names it only if its figure row or a stored copy or patch does, and those name only what revisions held (decision 0015).
  const uses = db.prepare<[number, number, number], { n: number }>(`
    SELECT (SELECT COUNT(*) FROM figures WHERE indicator_id = ?)
         + (SELECT COUNT(*) FROM figure_pending_changes WHERE indicator_id = ?)
         + (SELECT COUNT(*) FROM figure_revisions WHERE ? IN (json_extract(full_snapshot, '$.indicator_id'), json_extract(previous_patch, '$.indicator_id'), json_extract(row_patch, '$.indicator_id'))) AS n`);
  const remove = db.prepare<[number]>('DELETE FROM indicators WHERE id = ?');
  const publicSince = db.prepare<[number], { public_since: string | null }>('SELECT public_since FROM indicators WHERE id = ?');
  return {
    /** Since when a public figure names it (migration 0009); null while none has. */
    publicSince: (id: number): string | null => publicSince.get(id)?.public_since ?? null,
    getById: (id: number): IndicatorRow | undefined => byId.get(id),
    update: (id: number, indicator: Omit<NewIndicator, 'code'>): void => void update.run({ ...indicator, id }),
    isInUse: (id: number): boolean => (uses.get(id, id, id)?.n ?? 0) > 0,
    remove: (id: number): void => void remove.run(id),
    list: (): IndicatorRow[] => all.all(),
    getByCode: (code: string): IndicatorRow | undefined => byCode.get(code),
    create: (indicator: NewIndicator): number => Number(insert.run(indicator).lastInsertRowid),
    count: (): number => count.get()?.n ?? 0,
  };
}
