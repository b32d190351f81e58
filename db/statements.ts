import type { Statement } from 'better-sqlite3';
import type { Db } from './connection';

/**
 * Prepared statements kept by their SQL, for queries whose text depends on a
 * filter's shape (which lists are set, how many values each): each shape is
 * prepared once, not on every request. Past `limit` shapes (a client trying
 * many) the cache starts again. `prepare` makes the statement for SQL not
 * kept yet (as arrays, plucked, …); by default a plain prepare.
 */
export function statementsBySql(db: Db, limit = 200) {
  const kept = new Map<string, Statement<unknown[], unknown>>();
  return <R>(sql: string, prepare: (sql: string) => Statement<unknown[], R> = (s) => db.prepare<unknown[], R>(s)): Statement<unknown[], R> => {
    let stmt = kept.get(sql) as Statement<unknown[], R> | undefined;
    if (!stmt) {
      stmt = prepare(sql);
      if (kept.size >= limit) kept.clear();
      kept.set(sql, stmt);
    }
    return stmt;
  };
}
