import type { Db } from '../connection';
import type { SourceRow } from '../types';

export interface NewSource {
  title: string;
  publisher: string;
  url: string | null;
  published_on: string | null;
  accessed_on: string | null;
  notes: string | null;
}

export function sourceQueries(db: Db) {
  const byId = db.prepare<[number], SourceRow>(
    'SELECT id, title, publisher, url, published_on, accessed_on, notes FROM sources WHERE id = ?',
  );
  const insert = db.prepare<[NewSource & { user_id: number | null }]>(`
    INSERT INTO sources (title, publisher, url, published_on, accessed_on, notes, created_by)
    VALUES (@title, @publisher, @url, @published_on, @accessed_on, @notes, @user_id)`);
  const withCounts = db.prepare<[], SourceRow & { figure_count: number }>(`
    SELECT s.id, s.title, s.publisher, s.url, s.published_on, s.accessed_on, s.notes,
           (SELECT COUNT(*) FROM figures f WHERE f.source_id = s.id AND f.status = 'published') AS figure_count
    FROM sources s ORDER BY s.published_on IS NULL, s.published_on DESC, s.title`);
  return {
    /** Every source with how many published figures cite it, newest document first. */
    listWithCounts: (): (SourceRow & { figure_count: number })[] => withCounts.all(),
    getById: (id: number): SourceRow | undefined => byId.get(id),
    create: (source: NewSource, userId: number | null): number =>
      Number(insert.run({ ...source, user_id: userId }).lastInsertRowid),
  };
}
