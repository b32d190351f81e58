-- Revisions keep what changed (decision 0015). A revision held the whole
-- figure as JSON; most figures never change, so most of those copies repeated
-- the figure row. Now each revision stores at most:
--   full_snapshot   the whole figure, in every 16th revision of a figure
--                   (and wherever a patch could not express the change);
--   previous_patch  how the revision before it differs from it;
--   row_patch       how it differs from the figure row as it stood when it
--                   was written, always with the columns that change later
--                   without a revision (sync_seq, updated_at, submitted_at,
--                   submitted_by); read only while it is the latest.
-- The latest revision is the figure row with its row_patch (or its full
-- copy); each older one is the next one with the next one's previous_patch.
-- A patch is a JSON object of the keys whose value differs, with their
-- value in the patched-to revision (db/revision-patches.ts).
--
-- This migration writes a patch wherever the snapshots' keys allow one (the
-- keys both have in the same order, the keys only the patched-to one has at
-- its end: a pending proposal's `pending`, a column added later); any other
-- revision keeps its whole snapshot, so every revision rebuilds to exactly
-- what it held.

DROP TRIGGER figure_revisions_no_update;
DROP TRIGGER figure_revisions_no_delete;

-- Each revision's place in its figure's history, and its snapshot's keys in order.
CREATE TEMP TABLE revision_shapes (
  id        INTEGER PRIMARY KEY,
  figure_id INTEGER NOT NULL,
  pos       INTEGER NOT NULL,
  prev_id   INTEGER,
  next_id   INTEGER,
  keys      TEXT
);
INSERT INTO revision_shapes (id, figure_id, pos, prev_id, next_id, keys)
SELECT r.id, r.figure_id, row_number() OVER w, lag(r.id) OVER w, lead(r.id) OVER w,
       (SELECT json_group_array(j.key ORDER BY j.id) FROM json_each(r.snapshot) j)
FROM figure_revisions r
WINDOW w AS (PARTITION BY r.figure_id ORDER BY r.id);

-- The figure row as a snapshot, in table order. The latest revision becomes a
-- patch from it only when these are all the table's columns (a figures table
-- of another shape keeps every latest revision whole).
CREATE TEMP TABLE figure_row_keys AS
SELECT CASE WHEN (SELECT json_group_array(name ORDER BY cid) FROM pragma_table_info('figures')) = known THEN known END AS keys
FROM (SELECT json_array(
  'id', 'indicator_id', 'location_id', 'reference_period_start', 'reference_period_end', 'value', 'value_low',
  'value_high', 'qualifier', 'verification', 'reported_by', 'claimed_by', 'source_id', 'source_quote', 'notes',
  'status', 'retired_reason', 'created_by', 'created_at', 'updated_by', 'updated_at', 'version', 'submitted_at',
  'submitted_by', 'measure', 'sync_seq', 'attributed_to', 'disputed_by') AS known);
CREATE TEMP VIEW figure_row_snapshots AS
SELECT w.id AS figure_id,
       json_object('id', w.id, 'indicator_id', w.indicator_id, 'location_id', w.location_id,
         'reference_period_start', w.reference_period_start, 'reference_period_end', w.reference_period_end,
         'value', w.value, 'value_low', w.value_low, 'value_high', w.value_high, 'qualifier', w.qualifier,
         'verification', w.verification, 'reported_by', w.reported_by, 'claimed_by', w.claimed_by,
         'source_id', w.source_id, 'source_quote', w.source_quote, 'notes', w.notes, 'status', w.status,
         'retired_reason', w.retired_reason, 'created_by', w.created_by, 'created_at', w.created_at,
         'updated_by', w.updated_by, 'updated_at', w.updated_at, 'version', w.version,
         'submitted_at', w.submitted_at, 'submitted_by', w.submitted_by, 'measure', w.measure,
         'sync_seq', w.sync_seq, 'attributed_to', w.attributed_to, 'disputed_by', w.disputed_by) AS snapshot
FROM main.figures w
WHERE (SELECT keys FROM figure_row_keys) IS NOT NULL;

-- Whether a revision keeps its whole snapshot: every 16th of a figure, and
-- one that cannot be a patch from the snapshot after it (the next revision's,
-- or for the latest the row's). Most have the same keys as that one, in the
-- same order; otherwise its keys must be the newer one's keys it has, in the
-- newer one's order, then its own new keys.
CREATE TEMP TABLE revision_full (id INTEGER PRIMARY KEY, full INTEGER NOT NULL, same_keys INTEGER NOT NULL);
INSERT INTO revision_full (id, full, same_keys)
SELECT x.id,
       CASE WHEN x.pos % 16 = 0 OR x.newer_keys IS NULL THEN 1
            WHEN x.keys = x.newer_keys THEN 0
            ELSE NOT coalesce((SELECT json_group_array(a.key ORDER BY a.id) FROM json_each(x.older) a) IS (
             SELECT CASE WHEN tail = '[]' THEN head WHEN head = '[]' THEN tail
                         ELSE substr(head, 1, length(head) - 1) || ',' || substr(tail, 2) END
             FROM (SELECT
               (SELECT json_group_array(b.key ORDER BY b.id) FROM json_each(x.newer) b WHERE b.key IN (SELECT a.key FROM json_each(x.older) a)) AS head,
               (SELECT json_group_array(a.key ORDER BY a.id) FROM json_each(x.older) a WHERE a.key NOT IN (SELECT b.key FROM json_each(x.newer) b)) AS tail)), 0) END,
       coalesce(x.keys = x.newer_keys, 0)
FROM (SELECT s.id, s.pos, s.keys, r.snapshot AS older,
             CASE WHEN s.next_id IS NULL THEN (SELECT keys FROM figure_row_keys) ELSE n.keys END AS newer_keys,
             CASE WHEN s.next_id IS NULL THEN (SELECT v.snapshot FROM figure_row_snapshots v WHERE v.figure_id = s.figure_id)
                  ELSE (SELECT o.snapshot FROM figure_revisions o WHERE o.id = s.next_id) END AS newer
      FROM revision_shapes s
      JOIN figure_revisions r ON r.id = s.id
      LEFT JOIN revision_shapes n ON n.id = s.next_id) x;

CREATE TABLE figure_revisions_new (
  id             INTEGER PRIMARY KEY,
  figure_id      INTEGER NOT NULL REFERENCES figures (id),
  version        INTEGER NOT NULL CHECK (version >= 1),
  action         TEXT NOT NULL
                 CHECK (action IN ('seed', 'create', 'edit', 'submit', 'send_back', 'publish', 'retire', 'restore', 'import')),
  full_snapshot  TEXT CHECK (full_snapshot IS NULL OR json_valid(full_snapshot)),
  previous_patch TEXT CHECK (previous_patch IS NULL OR json_valid(previous_patch)),
  row_patch      TEXT CHECK (row_patch IS NULL OR json_valid(row_patch)),
  note           TEXT CHECK (note IS NULL OR length(note) <= 2000),
  user_id        INTEGER REFERENCES users (id),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- A patch from snapshot n to snapshot o: o's value of every key whose value
-- differs or that n lacks (in o's order), and under "-" the keys o lacks.
-- The latest revision's patch from the row compares its values with the
-- row's columns (a JSON value and a column are the same when their type,
-- named alike by json_each and typeof, and their value are).
INSERT INTO figure_revisions_new (id, figure_id, version, action, full_snapshot, previous_patch, row_patch, note, user_id, created_at)
SELECT r.id, r.figure_id, r.version, r.action,
       CASE WHEN f.full THEN r.snapshot END,
       -- The revision before this one, from this one.
       CASE WHEN p.id IS NOT NULL THEN
         (SELECT CASE WHEN dropped = '[]' THEN kept ELSE json_set(kept, '$."-"', json(dropped)) END
          FROM (SELECT
            (SELECT json_group_object(a.key, p.snapshot -> a.fullkey ORDER BY a.id)
             FROM json_each(p.snapshot) a LEFT JOIN json_each(r.snapshot) b ON b.key = a.key
             WHERE b.key IS NULL OR a.type IS NOT b.type OR a.atom IS NOT b.atom) AS kept,
            CASE WHEN pf.same_keys THEN '[]' ELSE
              (SELECT json_group_array(b.key ORDER BY b.id) FROM json_each(r.snapshot) b
               WHERE b.key NOT IN (SELECT a.key FROM json_each(p.snapshot) a)) END AS dropped))
       END,
       -- The latest revision, from the row, always with the columns that drift from the row.
       CASE WHEN w.id IS NOT NULL THEN
         (SELECT CASE WHEN dropped = '[]' THEN kept ELSE json_set(kept, '$."-"', json(dropped)) END
          FROM (SELECT
            (SELECT json_group_object(a.key, r.snapshot -> a.fullkey ORDER BY a.id)
             FROM (SELECT j.id, j.key, j.fullkey, j.type, j.atom,
                          CASE j.key WHEN 'id' THEN w.id WHEN 'indicator_id' THEN w.indicator_id
                                  WHEN 'location_id' THEN w.location_id
                                  WHEN 'reference_period_start' THEN w.reference_period_start
                                  WHEN 'reference_period_end' THEN w.reference_period_end
                                  WHEN 'value' THEN w.value WHEN 'value_low' THEN w.value_low
                                  WHEN 'value_high' THEN w.value_high WHEN 'qualifier' THEN w.qualifier
                                  WHEN 'verification' THEN w.verification
                                  WHEN 'reported_by' THEN w.reported_by WHEN 'claimed_by' THEN w.claimed_by
                                  WHEN 'source_id' THEN w.source_id WHEN 'source_quote' THEN w.source_quote
                                  WHEN 'notes' THEN w.notes WHEN 'status' THEN w.status
                                  WHEN 'retired_reason' THEN w.retired_reason
                                  WHEN 'created_by' THEN w.created_by WHEN 'created_at' THEN w.created_at
                                  WHEN 'updated_by' THEN w.updated_by WHEN 'updated_at' THEN w.updated_at
                                  WHEN 'version' THEN w.version WHEN 'submitted_at' THEN w.submitted_at
                                  WHEN 'submitted_by' THEN w.submitted_by WHEN 'measure' THEN w.measure
                                  WHEN 'sync_seq' THEN w.sync_seq WHEN 'attributed_to' THEN w.attributed_to
                                  WHEN 'disputed_by' THEN w.disputed_by END AS col
                   FROM json_each(r.snapshot) j) a
             WHERE a.type IS NOT typeof(a.col) OR a.atom IS NOT a.col
                OR a.key IN ('sync_seq', 'updated_at', 'submitted_at', 'submitted_by')
                OR a.key NOT IN ('id', 'indicator_id', 'location_id', 'reference_period_start',
                             'reference_period_end', 'value', 'value_low', 'value_high', 'qualifier',
                             'verification', 'reported_by', 'claimed_by', 'source_id', 'source_quote', 'notes',
                             'status', 'retired_reason', 'created_by', 'created_at', 'updated_by',
                             'updated_at', 'version', 'submitted_at', 'submitted_by', 'measure', 'sync_seq',
                             'attributed_to', 'disputed_by')) AS kept,
            CASE WHEN f.same_keys THEN '[]' ELSE
              (SELECT json_group_array(k.value ORDER BY k.id) FROM json_each((SELECT keys FROM figure_row_keys)) k
               WHERE k.value NOT IN (SELECT a.key FROM json_each(r.snapshot) a)) END AS dropped))
       END,
       r.note, r.user_id, r.created_at
FROM figure_revisions r
JOIN revision_shapes s ON s.id = r.id
JOIN revision_full f ON f.id = r.id
LEFT JOIN revision_full pf ON pf.id = s.prev_id
LEFT JOIN figure_revisions p ON p.id = s.prev_id AND NOT pf.full
LEFT JOIN figures w ON w.id = r.figure_id AND s.next_id IS NULL AND NOT f.full
ORDER BY r.id;

DROP TABLE figure_revisions;
ALTER TABLE figure_revisions_new RENAME TO figure_revisions;
CREATE INDEX figure_revisions_figure ON figure_revisions (figure_id, id);
CREATE TRIGGER figure_revisions_no_update BEFORE UPDATE ON figure_revisions
BEGIN
  SELECT RAISE(ABORT, 'figure revisions are append-only');
END;
CREATE TRIGGER figure_revisions_no_delete BEFORE DELETE ON figure_revisions
BEGIN
  SELECT RAISE(ABORT, 'figure revisions are append-only');
END;

DROP TABLE revision_shapes;
DROP VIEW figure_row_snapshots;
DROP TABLE figure_row_keys;
DROP TABLE revision_full;
