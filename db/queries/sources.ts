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
  const countsSelect = `
    SELECT s.id, s.title, s.publisher, s.url, s.published_on, s.accessed_on, s.notes,
           (SELECT COUNT(*) FROM figures f WHERE f.source_id = s.id AND f.status = 'published') AS figure_count
    FROM sources s`;
  const countsOrder = 'ORDER BY s.published_on IS NULL, s.published_on DESC, s.title';
  const withCounts = db.prepare<[], SourceRow & { figure_count: number; public_since: string | null }>(
    `${countsSelect.replace('s.notes,', 's.notes, s.public_since,')} ${countsOrder}`,
  );
  const publicWithCounts = db.prepare<[], SourceRow & { figure_count: number }>(`${countsSelect} WHERE s.public_since IS NOT NULL ${countsOrder}`);
  // For pickers: the public sources a published figure cites now, each answered by its first index entry
  // (ordered here rather than in SQL, so no sort runs in a statement that reads figures).
  const citedPublic = db.prepare<[], SourceRow>(`
    SELECT s.id, s.title, s.publisher, s.url, s.published_on, s.accessed_on, s.notes FROM sources s
    WHERE s.public_since IS NOT NULL AND EXISTS (SELECT 1 FROM figures f WHERE f.source_id = s.id AND f.status = 'published')`);
  const newestFirst = (a: SourceRow, b: SourceRow): number =>
    Number(a.published_on === null) - Number(b.published_on === null) ||
    (b.published_on ?? '').localeCompare(a.published_on ?? '') ||
    a.title.localeCompare(b.title);
  const publicById = db.prepare<[number], SourceRow>(
    'SELECT id, title, publisher, url, published_on, accessed_on, notes FROM sources WHERE id = ? AND public_since IS NOT NULL',
  );
  const publicSince = db.prepare<[number], { public_since: string | null }>('SELECT public_since FROM sources WHERE id = ?');
  // One page of the public list: the public sources of the page first (ordered, offset over sources only),
  // then each one's published figures counted through the (source, status) index.
  const publicPage = db.prepare<[number, number], SourceRow & { figure_count: number }>(`
    SELECT s.id, s.title, s.publisher, s.url, s.published_on, s.accessed_on, s.notes,
           (SELECT COUNT(*) FROM figures f WHERE f.source_id = s.id AND f.status = 'published') AS figure_count
    FROM (SELECT * FROM sources WHERE public_since IS NOT NULL ORDER BY published_on IS NULL, published_on DESC, title, id LIMIT ? OFFSET ?) s
    ORDER BY s.published_on IS NULL, s.published_on DESC, s.title, s.id`);
  // The API's pages: public sources in id order from a cursor (new sources come last, so a paged pull never skips one).
  const publicAfter = db.prepare<[number, number], SourceRow & { figure_count: number }>(`${countsSelect} WHERE s.public_since IS NOT NULL AND s.id > ? ORDER BY s.id LIMIT ?`);
  const publicCount = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sources WHERE public_since IS NOT NULL');
  const update = db.prepare<[NewSource & { id: number }]>(`
    UPDATE sources SET title = @title, publisher = @publisher, url = @url, published_on = @published_on,
      accessed_on = @accessed_on, notes = @notes, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id`);
  const byUrl = db.prepare<[string], SourceRow>(
    'SELECT id, title, publisher, url, published_on, accessed_on, notes FROM sources WHERE url = ?',
  );
  const pickList = db.prepare<[], SourceRow>(
    'SELECT id, title, publisher, url, published_on, accessed_on, notes FROM sources ORDER BY publisher, published_on DESC, title',
  );
  const dataVersion = db.prepare<[], { version: number }>('SELECT version FROM data_version WHERE id = 1');
  // Read again only when the data version moves (any change to a figure or a source moves it).
  let cited: { version: number; rows: SourceRow[] } | null = null;

  return {
    /** Every source (staff see them all) with how many published figures cite it, newest document first. */
    listWithCounts: (): (SourceRow & { figure_count: number; public_since: string | null })[] => withCounts.all(),
    /** The sources a published figure has cited (migration 0009): what anonymous readers may see. */
    /** The public sources a published figure cites now, newest document first (the compare picker). */
    listCitedPublic(): SourceRow[] {
      const version = dataVersion.get()?.version ?? 0;
      if (!cited || cited.version !== version) cited = { version, rows: citedPublic.all().sort(newestFirst) };
      return cited.rows;
    },
    listPublicWithCounts: (): (SourceRow & { figure_count: number })[] => publicWithCounts.all(),
    /** One page of the public sources with their published figure counts, in the order of listPublicWithCounts. */
    listPublicWithCountsPage: (limit: number, offset: number): (SourceRow & { figure_count: number })[] =>
      publicPage.all(limit, offset),
    /** Up to `limit` public sources after id `afterId`, in id order, with their published figure counts. */
    listPublicAfter: (afterId: number, limit: number): (SourceRow & { figure_count: number })[] => publicAfter.all(afterId, limit),
    /** How many sources are public. */
    countPublic: (): number => publicCount.get()?.n ?? 0,
    /** A source as anonymous readers may see it: only once a published figure has cited it. */
    getPublicById: (id: number): SourceRow | undefined => publicById.get(id),
    /** Since when a public figure names it; null while none has. */
    publicSince: (id: number): string | null => publicSince.get(id)?.public_since ?? null,
    getById: (id: number): SourceRow | undefined => byId.get(id),
    create: (source: NewSource, userId: number | null): number =>
      Number(insert.run({ ...source, user_id: userId }).lastInsertRowid),
    update: (id: number, source: NewSource): void => void update.run({ ...source, id }),
    getByUrl: (url: string): SourceRow | undefined => byUrl.get(url),
    /** Every source ordered for a picker: by publisher, newest document first. */
    listForPicker: (): SourceRow[] => pickList.all(),
  };
}
