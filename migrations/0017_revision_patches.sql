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
-- This migration writes only patches between snapshots with the same keys in
-- the same order; any other revision keeps its whole snapshot, so every
-- revision rebuilds to exactly what it held.

DROP TRIGGER figure_revisions_no_update;
DROP TRIGGER figure_revisions_no_delete;

-- Each revision's place in its figure's history and the keys of its snapshot, in order.
CREATE TEMP TABLE revision_shapes (
  id        INTEGER PRIMARY KEY,
  figure_id INTEGER NOT NULL,
  pos       INTEGER NOT NULL,
  prev_id   INTEGER,
  next_id   INTEGER,
  keys      TEXT
);
INSERT INTO revision_shapes (id, figure_id, pos, prev_id, next_id, keys)
SELECT r.id, r.figure_id,
       row_number() OVER w, lag(r.id) OVER w, lead(r.id) OVER w,
       (SELECT json_group_array(j.key ORDER BY j.id) FROM json_each(r.snapshot) j)
FROM figure_revisions r
WINDOW w AS (PARTITION BY r.figure_id ORDER BY r.id);

-- The latest revision is written as a patch from the row only when its keys
-- are the row's columns in table order, and those columns are the ones this
-- migration reads (a figures table of another shape keeps every copy whole).
CREATE TEMP TABLE figure_columns AS
SELECT (SELECT json_group_array(name ORDER BY cid) FROM pragma_table_info('figures')) AS keys,
       json_array('id', 'indicator_id', 'location_id', 'reference_period_start', 'reference_period_end', 'value',
                  'value_low', 'value_high', 'qualifier', 'verification', 'reported_by', 'claimed_by', 'source_id',
                  'source_quote', 'notes', 'status', 'retired_reason', 'created_by', 'created_at', 'updated_by',
                  'updated_at', 'version', 'submitted_at', 'submitted_by', 'measure', 'sync_seq', 'attributed_to',
                  'disputed_by') AS known;

CREATE TEMP TABLE revision_full (id INTEGER PRIMARY KEY, full INTEGER NOT NULL);
INSERT INTO revision_full (id, full)
SELECT s.id,
       CASE
         WHEN s.pos % 16 = 0 THEN 1
         WHEN s.next_id IS NULL THEN s.keys IS NOT (SELECT CASE WHEN keys = known THEN keys END FROM figure_columns)
         ELSE s.keys IS NOT (SELECT n.keys FROM revision_shapes n WHERE n.id = s.next_id)
       END
FROM revision_shapes s;

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

INSERT INTO figure_revisions_new (id, figure_id, version, action, full_snapshot, previous_patch, row_patch, note, user_id, created_at)
SELECT r.id, r.figure_id, r.version, r.action,
       CASE WHEN f.full THEN r.snapshot END,
       -- The revision before this one, as the keys whose value differs here.
       CASE WHEN s.prev_id IS NOT NULL AND NOT (SELECT pf.full FROM revision_full pf WHERE pf.id = s.prev_id) THEN
         (SELECT json_group_object(a.key, p.snapshot -> a.fullkey)
          FROM figure_revisions p, json_each(p.snapshot) a JOIN json_each(r.snapshot) b ON b.key = a.key
          WHERE p.id = s.prev_id AND (a.type IS NOT b.type OR a.atom IS NOT b.atom))
       END,
       -- The latest revision, as the keys whose value differs from the row, and those that drift from it.
       CASE WHEN s.next_id IS NULL AND NOT f.full THEN
         (SELECT json_group_object(a.key, r.snapshot -> a.fullkey)
          FROM figures w,
               json_each(json_object('id', w.id, 'indicator_id', w.indicator_id, 'location_id', w.location_id,
                 'reference_period_start', w.reference_period_start, 'reference_period_end', w.reference_period_end,
                 'value', w.value, 'value_low', w.value_low, 'value_high', w.value_high, 'qualifier', w.qualifier,
                 'verification', w.verification, 'reported_by', w.reported_by, 'claimed_by', w.claimed_by,
                 'source_id', w.source_id, 'source_quote', w.source_quote, 'notes', w.notes, 'status', w.status,
                 'retired_reason', w.retired_reason, 'created_by', w.created_by, 'created_at', w.created_at,
                 'updated_by', w.updated_by, 'updated_at', w.updated_at, 'version', w.version,
                 'submitted_at', w.submitted_at, 'submitted_by', w.submitted_by, 'measure', w.measure,
                 'sync_seq', w.sync_seq, 'attributed_to', w.attributed_to, 'disputed_by', w.disputed_by)) b
               JOIN json_each(r.snapshot) a ON a.key = b.key
          WHERE w.id = r.figure_id
            AND (a.type IS NOT b.type OR a.atom IS NOT b.atom OR a.key IN ('sync_seq', 'updated_at', 'submitted_at', 'submitted_by')))
       END,
       r.note, r.user_id, r.created_at
FROM figure_revisions r
JOIN revision_shapes s ON s.id = r.id
JOIN revision_full f ON f.id = r.id
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
DROP TABLE figure_columns;
DROP TABLE revision_full;
