/**
 * A transaction that read before another connection committed cannot write:
 * SQLite answers SQLITE_BUSY at once (the busy timeout does not apply). The
 * chart rollups' worker commits beside the server's own writes, so
 * q.transaction runs such a transaction again from the start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createQueries } from '../../db';
import { openDb } from '../../db/connection';
import { migrate } from '../../db/migrate';
import { migrationsDir } from '../../server/paths';

describe('q.transaction', () => {
  test('a write whose snapshot another connection made stale is run again, and commits once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-retry-'));
    const file = path.join(dir, 'retry.db');
    const a = openDb(file);
    const b = openDb(file);
    try {
      migrate(a, migrationsDir);
      a.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO t VALUES (1, 0);');
      const q = createQueries(a);
      // The other connection never waits: a write lock held by this one shows as its SQLITE_BUSY.
      b.pragma('busy_timeout = 0');
      let runs = 0;
      q.transaction(() => {
        runs += 1;
        const n = (a.prepare('SELECT n FROM t WHERE id = 1').get() as { n: number }).n;
        // The other connection commits between this transaction's read and its write, the first time only.
        if (runs === 1) b.prepare('UPDATE t SET n = n + 10 WHERE id = 1').run();
        // The run again holds the write lock from its start (BEGIN IMMEDIATE): nobody commits in between.
        if (runs === 2) expect(() => b.prepare('UPDATE t SET n = n + 100 WHERE id = 1').run()).toThrow(/busy|locked/i);
        a.prepare('UPDATE t SET n = ? WHERE id = 1').run(n + 1);
      });
      expect(runs).toBe(2);
      expect((b.prepare('SELECT n FROM t WHERE id = 1').get() as { n: number }).n).toBe(11);
      // A write that always meets a newer snapshot fails after a few runs, with SQLite's error.
      expect(() =>
        q.transaction(() => {
          a.prepare('SELECT n FROM t').get();
          q.transaction(() => {
            b.prepare('UPDATE t SET n = n + 1').run();
            a.prepare('UPDATE t SET n = 0').run();
          });
        }),
      ).toThrow(/locked|busy/i);
    } finally {
      a.close();
      b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
