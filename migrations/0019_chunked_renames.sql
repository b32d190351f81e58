-- Renames that touch many figures never hold the writer for long (issue 11).
--
-- A rename of a source, indicator or place (and a place's move to a new
-- parent) gives every public figure that names it a new change-feed position,
-- so a mirror pulls those rows again (migrations 0006 and 0009). With a
-- million figures one rename can touch a hundred thousand of them: one
-- statement of that size holds the write lock, and the event loop of the
-- process that runs it, for seconds.
--
-- Now the trigger moves the figures at once only when there are at most 1,000
-- of them (bounded: the count stops at 1,001). Beyond that it queues a
-- backfill: server/workflow/feed-backfill.ts moves the figures a few hundred
-- at a time, each chunk in its own short transaction at its own new
-- position, in figure order, until none is left. The name is public at once;
-- every figure that names it reaches a new position within seconds, so a
-- mirror that keeps pulling ends exact. A backfill is kept after it is done
-- (done_at); a second rename while one waits starts it again from the first
-- figure. An unfinished backfill resumes when the server starts.

CREATE TABLE feed_backfills (
  id               INTEGER PRIMARY KEY,
  entity_type      TEXT NOT NULL CHECK (entity_type IN ('source', 'indicator', 'location', 'location_tree')),
  entity_id        INTEGER NOT NULL CHECK (entity_id >= 1),
  -- Figures up to this id have been moved.
  after_figure_id  INTEGER NOT NULL DEFAULT 0,
  queued_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  done_at          TEXT
);
CREATE UNIQUE INDEX feed_backfills_pending ON feed_backfills (entity_type, entity_id) WHERE done_at IS NULL;

DROP TRIGGER change_feed_source_rename;
CREATE TRIGGER change_feed_source_rename AFTER UPDATE ON sources
WHEN NEW.title IS NOT OLD.title OR NEW.publisher IS NOT OLD.publisher OR NEW.url IS NOT OLD.url OR NEW.published_on IS NOT OLD.published_on
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE source_id = NEW.id AND sync_seq IS NOT NULL AND (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE source_id = NEW.id AND sync_seq IS NOT NULL LIMIT 1001)) <= 1000;
  UPDATE feed_backfills SET after_figure_id = 0 WHERE entity_type = 'source' AND entity_id = NEW.id AND done_at IS NULL;
  INSERT INTO feed_backfills (entity_type, entity_id)
  SELECT 'source', NEW.id WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE source_id = NEW.id AND sync_seq IS NOT NULL LIMIT 1001)) > 1000
    AND NOT EXISTS (SELECT 1 FROM feed_backfills WHERE entity_type = 'source' AND entity_id = NEW.id AND done_at IS NULL);
END;

DROP TRIGGER change_feed_indicator_rename;
CREATE TRIGGER change_feed_indicator_rename AFTER UPDATE ON indicators
WHEN NEW.code IS NOT OLD.code OR NEW.name IS NOT OLD.name OR NEW.unit IS NOT OLD.unit
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE indicator_id = NEW.id AND sync_seq IS NOT NULL AND (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE indicator_id = NEW.id AND sync_seq IS NOT NULL LIMIT 1001)) <= 1000;
  UPDATE feed_backfills SET after_figure_id = 0 WHERE entity_type = 'indicator' AND entity_id = NEW.id AND done_at IS NULL;
  INSERT INTO feed_backfills (entity_type, entity_id)
  SELECT 'indicator', NEW.id WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE indicator_id = NEW.id AND sync_seq IS NOT NULL LIMIT 1001)) > 1000
    AND NOT EXISTS (SELECT 1 FROM feed_backfills WHERE entity_type = 'indicator' AND entity_id = NEW.id AND done_at IS NULL);
END;

DROP TRIGGER change_feed_location_rename;
CREATE TRIGGER change_feed_location_rename AFTER UPDATE ON locations
WHEN NEW.code IS NOT OLD.code OR NEW.name IS NOT OLD.name OR NEW.admin_level IS NOT OLD.admin_level
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE location_id = NEW.id AND sync_seq IS NOT NULL AND (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE location_id = NEW.id AND sync_seq IS NOT NULL LIMIT 1001)) <= 1000;
  UPDATE feed_backfills SET after_figure_id = 0 WHERE entity_type = 'location' AND entity_id = NEW.id AND done_at IS NULL;
  INSERT INTO feed_backfills (entity_type, entity_id)
  SELECT 'location', NEW.id WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE location_id = NEW.id AND sync_seq IS NOT NULL LIMIT 1001)) > 1000
    AND NOT EXISTS (SELECT 1 FROM feed_backfills WHERE entity_type = 'location' AND entity_id = NEW.id AND done_at IS NULL);
END;

DROP TRIGGER change_feed_location_move;
CREATE TRIGGER change_feed_location_move AFTER UPDATE OF parent_id ON locations
WHEN NEW.parent_id IS NOT OLD.parent_id
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE location_id IN (WITH RECURSIVE tree(id) AS (SELECT NEW.id UNION SELECT l.id FROM locations l JOIN tree t ON l.parent_id = t.id) SELECT id FROM tree) AND sync_seq IS NOT NULL AND (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE location_id IN (WITH RECURSIVE tree(id) AS (SELECT NEW.id UNION SELECT l.id FROM locations l JOIN tree t ON l.parent_id = t.id) SELECT id FROM tree) AND sync_seq IS NOT NULL LIMIT 1001)) <= 1000;
  UPDATE feed_backfills SET after_figure_id = 0 WHERE entity_type = 'location_tree' AND entity_id = NEW.id AND done_at IS NULL;
  INSERT INTO feed_backfills (entity_type, entity_id)
  SELECT 'location_tree', NEW.id WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM figures WHERE location_id IN (WITH RECURSIVE tree(id) AS (SELECT NEW.id UNION SELECT l.id FROM locations l JOIN tree t ON l.parent_id = t.id) SELECT id FROM tree) AND sync_seq IS NOT NULL LIMIT 1001)) > 1000
    AND NOT EXISTS (SELECT 1 FROM feed_backfills WHERE entity_type = 'location_tree' AND entity_id = NEW.id AND done_at IS NULL);
END;
