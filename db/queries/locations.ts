import type { Db } from '../connection';
import type { LocationRow } from '../types';

export interface NewLocation {
  code: string;
  name: string;
  admin_level: number;
  parent_id: number | null;
}

export function locationQueries(db: Db) {
  const all = db.prepare<[], LocationRow>(
    'SELECT id, code, name, admin_level, parent_id FROM locations ORDER BY admin_level, name',
  );
  const byCode = db.prepare<[string], LocationRow>(
    'SELECT id, code, name, admin_level, parent_id FROM locations WHERE code = ?',
  );
  const insert = db.prepare<[NewLocation]>(
    'INSERT INTO locations (code, name, admin_level, parent_id) VALUES (@code, @name, @admin_level, @parent_id)',
  );
  return {
    list: (): LocationRow[] => all.all(),
    getByCode: (code: string): LocationRow | undefined => byCode.get(code),
    create: (location: NewLocation): number => Number(insert.run(location).lastInsertRowid),
  };
}
