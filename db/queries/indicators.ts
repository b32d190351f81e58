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
  return {
    list: (): IndicatorRow[] => all.all(),
    getByCode: (code: string): IndicatorRow | undefined => byCode.get(code),
    create: (indicator: NewIndicator): number => Number(insert.run(indicator).lastInsertRowid),
    count: (): number => count.get()?.n ?? 0,
  };
}
