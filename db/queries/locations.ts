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
  const byId = db.prepare<[number], LocationRow>(
    'SELECT id, code, name, admin_level, parent_id FROM locations WHERE id = ?',
  );
  const update = db.prepare<[Omit<NewLocation, 'code'> & { id: number }]>(`
    UPDATE locations SET name = @name, admin_level = @admin_level, parent_id = @parent_id,
      updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id`);
  // In use: named by a figure, a pending change, a revision, or as another place's parent.
  // A revision names it only if its figure row or a stored copy or patch does, and those name only what revisions held (decision 0015).
  const uses = db.prepare<[number, number, number, number], { n: number }>(`
    SELECT (SELECT COUNT(*) FROM figures WHERE location_id = ?)
         + (SELECT COUNT(*) FROM figure_pending_changes WHERE location_id = ?)
         + (SELECT COUNT(*) FROM figure_revisions WHERE ? IN (json_extract(full_snapshot, '$.location_id'), json_extract(previous_patch, '$.location_id'), json_extract(row_patch, '$.location_id')))
         + (SELECT COUNT(*) FROM locations WHERE parent_id = ?) AS n`);
  const remove = db.prepare<[number]>('DELETE FROM locations WHERE id = ?');
  const publicSince = db.prepare<[number], { public_since: string | null }>('SELECT public_since FROM locations WHERE id = ?');
  const withCounts = db.prepare<[], LocationRow & { figure_count: number }>(`
    SELECT l.id, l.code, l.name, l.admin_level, l.parent_id,
      (SELECT COUNT(*) FROM figures f WHERE f.location_id = l.id AND f.status = 'published') AS figure_count
    FROM locations l ORDER BY l.admin_level, l.name`);
  return {
    /** Since when a public figure names it (migration 0009); null while none has. */
    publicSince: (id: number): string | null => publicSince.get(id)?.public_since ?? null,
    getById: (id: number): LocationRow | undefined => byId.get(id),
    update: (id: number, location: Omit<NewLocation, 'code'>): void => void update.run({ ...location, id }),
    isInUse: (id: number): boolean => (uses.get(id, id, id, id)?.n ?? 0) > 0,
    remove: (id: number): void => void remove.run(id),
    list: (): LocationRow[] => all.all(),
    /** Every place with its number of published figures, by admin level then name. */
    listWithCounts: (): (LocationRow & { figure_count: number })[] => withCounts.all(),
    getByCode: (code: string): LocationRow | undefined => byCode.get(code),
    create: (location: NewLocation): number => Number(insert.run(location).lastInsertRowid),
  };
}
