import type { Db } from '../connection';

export interface AuditRow {
  id: number;
  at: string;
  user_id: number | null;
  username: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  details: string | null;
}

export interface AuditEntry {
  userId: number | null;
  action: string;
  entityType: string;
  entityId: string | number | null;
  details?: Record<string, unknown> | null;
}

export interface AuditFilter {
  userId?: number | undefined;
  entityType?: string | undefined;
  /** ISO dates, both inclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

/** The WHERE clause of an audit search; every value is bound. */
function auditWhere(filter: AuditFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.userId !== undefined) {
    clauses.push('a.user_id = ?');
    params.push(filter.userId);
  }
  if (filter.entityType !== undefined) {
    clauses.push('a.entity_type = ?');
    params.push(filter.entityType);
  }
  if (filter.from !== undefined) {
    clauses.push('a.at >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    // `at` is a full timestamp: everything before the next day.
    clauses.push("a.at < strftime('%Y-%m-%d', ?, '+1 day')");
    params.push(filter.to);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function auditQueries(db: Db) {
  const insert = db.prepare<[number | null, string, string, string | null, string | null]>(
    'INSERT INTO audit_log (user_id, action, entity_type, entity_id, details) VALUES (?, ?, ?, ?, ?)',
  );
  const types = db.prepare<[], { entity_type: string }>('SELECT DISTINCT entity_type FROM audit_log ORDER BY entity_type');
  return {
    record(entry: AuditEntry): void {
      insert.run(
        entry.userId,
        entry.action,
        entry.entityType,
        entry.entityId === null ? null : String(entry.entityId),
        entry.details ? JSON.stringify(entry.details) : null,
      );
    },

    /** Audit rows matching the filter, newest first. */
    search(filter: AuditFilter, page: { limit: number; offset: number }): AuditRow[] {
      const where = auditWhere(filter);
      return db
        .prepare<unknown[], AuditRow>(
          `SELECT a.*, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
           ${where.sql} ORDER BY a.id DESC LIMIT ? OFFSET ?`,
        )
        .all(...where.params, page.limit, page.offset);
    },

    count(filter: AuditFilter): number {
      const where = auditWhere(filter);
      return db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM audit_log a ${where.sql}`).get(...where.params)?.n ?? 0;
    },

    entityTypes: (): string[] => types.all().map((r) => r.entity_type),
  };
}

export type AuditQueries = ReturnType<typeof auditQueries>;
