import type { Db } from '../connection';

/** A topic page: indicators drawn together, related ones beside them, and filters as /compare takes them. */
export interface Topic {
  id: number;
  slug: string;
  title: string;
  summary: string;
  indicators: string[];
  related: string[];
  filters: { location?: string[] | undefined; from?: string | undefined; to?: string | undefined };
}

export type NewTopic = Omit<Topic, 'id'>;

interface TopicRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  indicators: string;
  related: string;
  filters: string;
}

const parse = (r: TopicRow): Topic => ({
  ...r,
  indicators: JSON.parse(r.indicators) as string[],
  related: JSON.parse(r.related) as string[],
  filters: JSON.parse(r.filters) as Topic['filters'],
});

export function topicQueries(db: Db) {
  const all = db.prepare<[], TopicRow>('SELECT id, slug, title, summary, indicators, related, filters FROM topics ORDER BY title');
  const bySlug = db.prepare<[string], TopicRow>('SELECT id, slug, title, summary, indicators, related, filters FROM topics WHERE slug = ?');
  const byId = db.prepare<[number], TopicRow>('SELECT id, slug, title, summary, indicators, related, filters FROM topics WHERE id = ?');
  const insert = db.prepare<[string, string, string, string, string, string, number | null]>(
    'INSERT INTO topics (slug, title, summary, indicators, related, filters, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const update = db.prepare<[string, string, string, string, string, string, number]>(`
    UPDATE topics SET slug = ?, title = ?, summary = ?, indicators = ?, related = ?, filters = ?,
      updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`);
  return {
    list: (): Topic[] => all.all().map(parse),
    getBySlug: (slug: string): Topic | undefined => {
      const row = bySlug.get(slug);
      return row ? parse(row) : undefined;
    },
    getById: (id: number): Topic | undefined => {
      const row = byId.get(id);
      return row ? parse(row) : undefined;
    },
    create: (t: NewTopic, userId: number | null): number =>
      Number(insert.run(t.slug, t.title, t.summary, JSON.stringify(t.indicators), JSON.stringify(t.related), JSON.stringify(t.filters), userId).lastInsertRowid),
    update: (id: number, t: NewTopic): void => {
      update.run(t.slug, t.title, t.summary, JSON.stringify(t.indicators), JSON.stringify(t.related), JSON.stringify(t.filters), id);
    },
  };
}

export type TopicQueries = ReturnType<typeof topicQueries>;
