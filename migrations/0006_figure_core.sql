-- The figure core (issue 10): a stored measure on every figure, and an
-- ordered change feed that lets another service mirror the published data
-- exactly (Sync-Token and ?since=).

-- 1. What the number is. Existing rows get the rule charts used to guess
-- with (domain inferMeasure): a level indicator's figures are levels; a flow
-- figure is a running total when flow figures of its place share its start
-- date with at least two different ends and one of them spans more than 31
-- days; every other flow figure is a count for its period. From now on
-- nothing infers it: forms, imports and the seed state it.
ALTER TABLE figures ADD COLUMN measure TEXT NOT NULL DEFAULT 'period_count'
  CHECK (measure IN ('running_total', 'period_count', 'level'));
ALTER TABLE figure_pending_changes ADD COLUMN measure TEXT NOT NULL DEFAULT 'period_count'
  CHECK (measure IN ('running_total', 'period_count', 'level'));

WITH flows AS (
  SELECT location_id, reference_period_start AS start, reference_period_end AS end FROM figures f
  JOIN indicators i ON i.id = f.indicator_id WHERE i.aggregation = 'flow'
  UNION ALL
  SELECT location_id, reference_period_start, reference_period_end FROM figure_pending_changes p
  JOIN indicators i ON i.id = p.indicator_id WHERE i.aggregation = 'flow'
),
origins AS (
  SELECT location_id, start FROM flows GROUP BY location_id, start
  HAVING COUNT(DISTINCT end) >= 2 AND MAX(julianday(end) - julianday(start) + 1) > 31
)
UPDATE figures SET measure = CASE
  WHEN (SELECT aggregation FROM indicators WHERE id = figures.indicator_id) = 'level' THEN 'level'
  WHEN EXISTS (SELECT 1 FROM origins o WHERE o.location_id = figures.location_id AND o.start = figures.reference_period_start)
    THEN 'running_total'
  ELSE 'period_count' END;

WITH flows AS (
  SELECT location_id, reference_period_start AS start, reference_period_end AS end FROM figures f
  JOIN indicators i ON i.id = f.indicator_id WHERE i.aggregation = 'flow'
  UNION ALL
  SELECT location_id, reference_period_start, reference_period_end FROM figure_pending_changes p
  JOIN indicators i ON i.id = p.indicator_id WHERE i.aggregation = 'flow'
),
origins AS (
  SELECT location_id, start FROM flows GROUP BY location_id, start
  HAVING COUNT(DISTINCT end) >= 2 AND MAX(julianday(end) - julianday(start) + 1) > 31
)
UPDATE figure_pending_changes SET measure = CASE
  WHEN (SELECT aggregation FROM indicators WHERE id = figure_pending_changes.indicator_id) = 'level' THEN 'level'
  WHEN EXISTS (SELECT 1 FROM origins o WHERE o.location_id = figure_pending_changes.location_id
                AND o.start = figure_pending_changes.reference_period_start)
    THEN 'running_total'
  ELSE 'period_count' END;

-- A flow indicator's figures are counted (running totals or period counts); a
-- level indicator's are levels. The application says so beside the field;
-- these triggers guard the data whatever writes it.
CREATE TRIGGER figures_measure_matches_indicator BEFORE INSERT ON figures
WHEN (NEW.measure = 'level') <> ((SELECT aggregation FROM indicators WHERE id = NEW.indicator_id) = 'level')
BEGIN
  SELECT RAISE(ABORT, 'measure does not fit the indicator: flow indicators take running_total or period_count, level indicators take level');
END;
CREATE TRIGGER figures_measure_matches_indicator_update BEFORE UPDATE OF measure, indicator_id ON figures
WHEN (NEW.measure = 'level') <> ((SELECT aggregation FROM indicators WHERE id = NEW.indicator_id) = 'level')
BEGIN
  SELECT RAISE(ABORT, 'measure does not fit the indicator: flow indicators take running_total or period_count, level indicators take level');
END;
-- An indicator in use keeps its aggregation: changing it would change the meaning of every figure.
CREATE TRIGGER indicators_aggregation_fixed_in_use BEFORE UPDATE OF aggregation ON indicators
WHEN NEW.aggregation <> OLD.aggregation AND EXISTS (SELECT 1 FROM figures WHERE indicator_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'an indicator with figures keeps its aggregation');
END;

-- 2. The change feed. Every change to what a figure's published row says
-- (publish, a published correction, retire, leaving the public set by any
-- path, a rename of its indicator, place or source) takes the next position
-- and records it on the figure as sync_seq, by the triggers below, so no
-- write path (the workflow, an import, the seed, SQL by hand) can forget it. A pull is read "as of" one
-- position: rows with sync_seq <= it. A `since` pull returns the figures whose
-- sync_seq lies after the client's position. Drafts and pending changes move
-- nothing. database_id makes tokens from another database recognisable.
CREATE TABLE change_feed (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  position    INTEGER NOT NULL CHECK (position >= 1),
  database_id TEXT NOT NULL CHECK (length(database_id) = 32 AND database_id NOT GLOB '*[^0-9a-f]*'),
  changed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
INSERT INTO change_feed (id, position, database_id) VALUES (1, 1, lower(hex(randomblob(16))));

ALTER TABLE figures ADD COLUMN sync_seq INTEGER CHECK (sync_seq IS NULL OR sync_seq >= 1);
UPDATE figures SET sync_seq = 1 WHERE status IN ('published', 'retired');
CREATE INDEX figures_sync_seq ON figures (sync_seq) WHERE sync_seq IS NOT NULL;

-- A figure's own changes take their position here, whatever code path writes
-- (the workflow, an import, the seed, SQL by hand), so none can be forgotten:
-- a figure inserted as public, and any change to a row that is or was public
-- in a column the export carries. A writer that sets sync_seq itself (a bulk
-- import giving all its rows one position) bypasses them. Drafts move nothing.
CREATE TRIGGER change_feed_figure_insert AFTER INSERT ON figures
WHEN NEW.status <> 'draft' AND NEW.sync_seq IS NULL
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER change_feed_figure_update AFTER UPDATE ON figures
WHEN NEW.sync_seq IS OLD.sync_seq
 AND (OLD.status <> 'draft' OR NEW.status <> 'draft')
 AND (NEW.status IS NOT OLD.status OR NEW.version IS NOT OLD.version OR NEW.updated_at IS NOT OLD.updated_at
      OR NEW.indicator_id IS NOT OLD.indicator_id OR NEW.location_id IS NOT OLD.location_id
      OR NEW.reference_period_start IS NOT OLD.reference_period_start OR NEW.reference_period_end IS NOT OLD.reference_period_end
      OR NEW.measure IS NOT OLD.measure OR NEW.value IS NOT OLD.value OR NEW.value_low IS NOT OLD.value_low
      OR NEW.value_high IS NOT OLD.value_high OR NEW.qualifier IS NOT OLD.qualifier OR NEW.verification IS NOT OLD.verification
      OR NEW.reported_by IS NOT OLD.reported_by OR NEW.claimed_by IS NOT OLD.claimed_by OR NEW.source_id IS NOT OLD.source_id
      OR NEW.source_quote IS NOT OLD.source_quote OR NEW.notes IS NOT OLD.notes)
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1) WHERE id = NEW.id;
END;
-- A rename changes every public row that names the renamed thing: one
-- position for all of them, set-based (one statement per rename, not a
-- trigger per figure), and their updated_at moves so `updated_since` pullers
-- see them too. Drafts were never public (sync_seq IS NULL) and stay as they are.
CREATE TRIGGER change_feed_source_rename AFTER UPDATE ON sources
WHEN NEW.title IS NOT OLD.title OR NEW.publisher IS NOT OLD.publisher OR NEW.url IS NOT OLD.url OR NEW.published_on IS NOT OLD.published_on
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE source_id = NEW.id AND sync_seq IS NOT NULL;
END;
CREATE TRIGGER change_feed_indicator_rename AFTER UPDATE ON indicators
WHEN NEW.code IS NOT OLD.code OR NEW.name IS NOT OLD.name OR NEW.unit IS NOT OLD.unit
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE indicator_id = NEW.id AND sync_seq IS NOT NULL;
END;
CREATE TRIGGER change_feed_location_rename AFTER UPDATE ON locations
WHEN NEW.code IS NOT OLD.code OR NEW.name IS NOT OLD.name OR NEW.admin_level IS NOT OLD.admin_level
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE location_id = NEW.id AND sync_seq IS NOT NULL;
END;

-- Setting sync_seq is bookkeeping, not a change a puller needs to see in updated_at.
DROP TRIGGER figures_touch_updated_at;
CREATE TRIGGER figures_touch_updated_at AFTER UPDATE ON figures
WHEN NEW.updated_at = OLD.updated_at AND NEW.sync_seq IS OLD.sync_seq
BEGIN
  UPDATE figures SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;
-- Import matches rows to figures by id first; a natural key lookup stays for files without ids.

-- 3. "Send back" is a workflow step of its own: a reviewer returns a
-- submitted draft or change to its editor with a comment kept in history.
-- SQLite cannot alter a CHECK, so the append-only revisions table is rebuilt.
DROP TRIGGER figure_revisions_no_update;
DROP TRIGGER figure_revisions_no_delete;
CREATE TABLE figure_revisions_new (
  id         INTEGER PRIMARY KEY,
  figure_id  INTEGER NOT NULL REFERENCES figures (id),
  version    INTEGER NOT NULL CHECK (version >= 1),
  action     TEXT NOT NULL
             CHECK (action IN ('seed', 'create', 'edit', 'submit', 'send_back', 'publish', 'retire', 'restore', 'import')),
  snapshot   TEXT NOT NULL CHECK (json_valid(snapshot)),
  note       TEXT CHECK (note IS NULL OR length(note) <= 2000),
  user_id    INTEGER REFERENCES users (id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
INSERT INTO figure_revisions_new SELECT id, figure_id, version, action, snapshot, note, user_id, created_at FROM figure_revisions;
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

-- 4. Imports keep identity: a row's figure_id names the figure it corrects.
-- The preview lists which figures change, field by field, and says what it
-- decided for the reader (measures inferred for a file without the column,
-- ids that name no figure here).
ALTER TABLE import_batches ADD COLUMN match_mode TEXT NOT NULL DEFAULT 'id' CHECK (match_mode IN ('id', 'natural'));
ALTER TABLE import_batches ADD COLUMN inferred_measure_count INTEGER NOT NULL DEFAULT 0 CHECK (inferred_measure_count >= 0);
ALTER TABLE import_batches ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings));
ALTER TABLE import_batches ADD COLUMN warning_count INTEGER NOT NULL DEFAULT 0 CHECK (warning_count >= 0);
ALTER TABLE import_batches ADD COLUMN changes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changes));
