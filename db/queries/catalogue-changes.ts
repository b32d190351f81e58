import type { Db } from '../connection';

export type CatalogueKind = 'source' | 'indicator' | 'location';
export type CatalogueChangeStatus = 'submitted' | 'sent_back' | 'published' | 'withdrawn' | 'applied';
export type CatalogueChangeAction = 'propose' | 'edit' | 'send_back' | 'publish' | 'withdraw' | 'apply';

/** A change of a source, indicator or place (migration 0009); before and after are the entry's editable fields. */
export interface CatalogueChangeRow {
  id: number;
  entity_type: CatalogueKind;
  entity_id: number;
  status: CatalogueChangeStatus;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  proposed_by: number | null;
  proposed_by_name: string | null;
  proposed_at: string;
  updated_by: number | null;
  updated_by_name: string | null;
  updated_at: string;
  decided_by: number | null;
  decided_by_name: string | null;
  decided_at: string | null;
  comment: string | null;
}

export interface CatalogueChangeEvent {
  id: number;
  change_id: number;
  action: CatalogueChangeAction;
  username: string | null;
  note: string | null;
  at: string;
}

type StoredRow = Omit<CatalogueChangeRow, 'before' | 'after'> & { before: string; after: string };

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
const SELECT = `
  SELECT c.id, c.entity_type, c.entity_id, c.status, c.before, c.after,
         c.proposed_by, pu.username AS proposed_by_name, c.proposed_at,
         c.updated_by, uu.username AS updated_by_name, c.updated_at,
         c.decided_by, du.username AS decided_by_name, c.decided_at, c.comment
  FROM catalogue_changes c
  LEFT JOIN users pu ON pu.id = c.proposed_by
  LEFT JOIN users uu ON uu.id = c.updated_by
  LEFT JOIN users du ON du.id = c.decided_by`;

const parse = (row: StoredRow): CatalogueChangeRow => ({
  ...row,
  before: JSON.parse(row.before) as Record<string, unknown>,
  after: JSON.parse(row.after) as Record<string, unknown>,
});

/** Changes of sources, indicators and places: proposals, their review, and their history. */
export function catalogueChangeQueries(db: Db) {
  const byId = db.prepare<[number], StoredRow>(`${SELECT} WHERE c.id = ?`);
  const open = db.prepare<[string, number], StoredRow>(`${SELECT} WHERE c.entity_type = ? AND c.entity_id = ? AND c.status IN ('submitted', 'sent_back')`);
  const ofEntity = db.prepare<[string, number], StoredRow>(`${SELECT} WHERE c.entity_type = ? AND c.entity_id = ? ORDER BY c.id DESC`);
  const awaiting = db.prepare<[], StoredRow>(`${SELECT} WHERE c.status = 'submitted' ORDER BY c.proposed_at, c.id`);
  const sentBackTo = db.prepare<[number], StoredRow>(`${SELECT} WHERE c.status = 'sent_back' AND c.updated_by = ? ORDER BY c.id DESC`);
  const insert = db.prepare<[{ entity_type: string; entity_id: number; status: string; before: string; after: string; user_id: number | null; decided: number }]>(`
    INSERT INTO catalogue_changes (entity_type, entity_id, status, before, after, proposed_by, updated_by, decided_by, decided_at)
    VALUES (@entity_type, @entity_id, @status, @before, @after, @user_id, @user_id,
            CASE WHEN @decided THEN @user_id END, CASE WHEN @decided THEN ${NOW} END)`);
  const repropose = db.prepare<[string, string, number | null, number]>(`
    UPDATE catalogue_changes SET status = 'submitted', before = ?, after = ?, updated_by = ?, updated_at = ${NOW}
    WHERE id = ? AND status IN ('submitted', 'sent_back')`);
  const sendBack = db.prepare<[string, number | null, number]>(`
    UPDATE catalogue_changes SET status = 'sent_back', comment = ?, decided_by = ? WHERE id = ? AND status = 'submitted'`);
  const decide = db.prepare<[string, string, string | null, number | null, number]>(`
    UPDATE catalogue_changes SET status = ?, before = ?, comment = ?, decided_by = ?, decided_at = ${NOW}
    WHERE id = ? AND status IN ('submitted', 'sent_back')`);
  const openIds = db.prepare<[string], { entity_id: number }>(
    "SELECT entity_id FROM catalogue_changes WHERE entity_type = ? AND status IN ('submitted', 'sent_back')",
  );
  const insertEvent = db.prepare<[number, string, number | null, string | null, string | null]>(
    'INSERT INTO catalogue_change_events (change_id, action, user_id, note, after) VALUES (?, ?, ?, ?, ?)',
  );
  const events = db.prepare<[string, number], CatalogueChangeEvent>(`
    SELECT e.id, e.change_id, e.action, u.username, e.note, e.at
    FROM catalogue_change_events e
    JOIN catalogue_changes c ON c.id = e.change_id
    LEFT JOIN users u ON u.id = e.user_id
    WHERE c.entity_type = ? AND c.entity_id = ?
    ORDER BY e.id`);

  const one = (row: StoredRow | undefined): CatalogueChangeRow | undefined => (row ? parse(row) : undefined);

  return {
    getById: (id: number): CatalogueChangeRow | undefined => one(byId.get(id)),
    /** The entry's change awaiting review or sent back, if any. */
    getOpen: (kind: CatalogueKind, entityId: number): CatalogueChangeRow | undefined => one(open.get(kind, entityId)),
    /** Every change of the entry, newest first. */
    listForEntity: (kind: CatalogueKind, entityId: number): CatalogueChangeRow[] => ofEntity.all(kind, entityId).map(parse),
    /** Every step of every change of the entry, oldest first. */
    eventsForEntity: (kind: CatalogueKind, entityId: number): CatalogueChangeEvent[] => events.all(kind, entityId),
    /** The entries of a kind with an open change. */
    openEntityIds: (kind: CatalogueKind): Set<number> => new Set(openIds.all(kind).map((r) => r.entity_id)),
    awaitingReview: (): CatalogueChangeRow[] => awaiting.all().map(parse),
    /** Changes a reviewer returned to the person who last edited them. */
    sentBackTo: (userId: number): CatalogueChangeRow[] => sentBackTo.all(userId).map(parse),

    /** Records a new change: submitted for review, or (`applied`) written at once by the caller. */
    create: (
      kind: CatalogueKind,
      entityId: number,
      status: 'submitted' | 'applied',
      before: object,
      after: object,
      userId: number | null,
    ): number => {
      const id = Number(
        insert.run({
          entity_type: kind,
          entity_id: entityId,
          status,
          before: JSON.stringify(before),
          after: JSON.stringify(after),
          user_id: userId,
          decided: status === 'applied' ? 1 : 0,
        }).lastInsertRowid,
      );
      insertEvent.run(id, status === 'applied' ? 'apply' : 'propose', userId, null, JSON.stringify(after));
      return id;
    },

    /** Replaces an open change's proposal (its editor answering a send-back, or a second edit); it awaits review again. */
    repropose: (id: number, before: object, after: object, userId: number | null): void => {
      repropose.run(JSON.stringify(before), JSON.stringify(after), userId, id);
      insertEvent.run(id, 'edit', userId, null, JSON.stringify(after));
    },

    sendBack: (id: number, userId: number | null, comment: string): void => {
      sendBack.run(comment, userId, id);
      insertEvent.run(id, 'send_back', userId, comment, null);
    },

    /** Closes an open change as published (before: the entry just before it was written) or withdrawn. */
    decide: (id: number, status: 'published' | 'withdrawn', before: object, note: string | null, userId: number | null): void => {
      decide.run(status, JSON.stringify(before), note, userId, id);
      insertEvent.run(id, status === 'published' ? 'publish' : 'withdraw', userId, note, null);
    },
  };
}

export type CatalogueChangeQueries = ReturnType<typeof catalogueChangeQueries>;
