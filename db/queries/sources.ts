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
  return {
    getById: (id: number): SourceRow | undefined => byId.get(id),
    create: (source: NewSource, userId: number | null): number =>
      Number(insert.run({ ...source, user_id: userId }).lastInsertRowid),
  };
}
