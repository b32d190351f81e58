-- Attribution passes four eyes (issue 15): an edit of a source, indicator or
-- place that a public figure names becomes a change for review, published by
-- a second person like a figure's; and a source is public only once a
-- published figure cites it.

-- 1. Since when a figure that is or was public names the entry. Set once and
-- never cleared: what the public has seen stays citable (a retired figure's
-- page and every public revision keep naming it). It decides whether an edit
-- of the entry is reviewed, and, for a source, whether anonymous readers see it.
ALTER TABLE sources ADD COLUMN public_since TEXT;
ALTER TABLE indicators ADD COLUMN public_since TEXT;
ALTER TABLE locations ADD COLUMN public_since TEXT;

-- Entries named by a public row, or by a public revision (seed, import,
-- publish, retire: what a figure's public history shows) of a figure that
-- has been public.
CREATE TEMP TABLE public_names AS
  SELECT source_id, indicator_id, location_id FROM figures WHERE status <> 'draft' OR sync_seq IS NOT NULL
  UNION
  SELECT json_extract(r.snapshot, '$.source_id'), json_extract(r.snapshot, '$.indicator_id'), json_extract(r.snapshot, '$.location_id')
  FROM figure_revisions r JOIN figures f ON f.id = r.figure_id
  WHERE (f.status <> 'draft' OR f.sync_seq IS NOT NULL) AND r.action IN ('seed', 'import', 'publish', 'retire');
UPDATE sources SET public_since = created_at WHERE id IN (SELECT source_id FROM public_names);
UPDATE indicators SET public_since = created_at WHERE id IN (SELECT indicator_id FROM public_names);
UPDATE locations SET public_since = created_at WHERE id IN (SELECT location_id FROM public_names);
DROP TABLE public_names;

-- By trigger, so every path that makes a figure public (the workflow, an
-- import, the seed, SQL by hand) makes what it names public with it.
CREATE TRIGGER catalogue_public_on_figure_insert AFTER INSERT ON figures
WHEN NEW.status <> 'draft'
BEGIN
  UPDATE sources SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.source_id AND public_since IS NULL;
  UPDATE indicators SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.indicator_id AND public_since IS NULL;
  UPDATE locations SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.location_id AND public_since IS NULL;
END;
CREATE TRIGGER catalogue_public_on_figure_update AFTER UPDATE OF status, source_id, indicator_id, location_id ON figures
WHEN NEW.status <> 'draft'
BEGIN
  UPDATE sources SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.source_id AND public_since IS NULL;
  UPDATE indicators SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.indicator_id AND public_since IS NULL;
  UPDATE locations SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.location_id AND public_since IS NULL;
END;

-- A place that moves (a new parent) moves in or out of every pull filtered by
-- a place "with the places below it": the public figures of the place and of
-- every place below it take a new position, so a filtered `since` pull sends
-- them again, or as `withdrawn` when they left the filter.
CREATE TRIGGER change_feed_location_move AFTER UPDATE OF parent_id ON locations
WHEN NEW.parent_id IS NOT OLD.parent_id
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE sync_seq IS NOT NULL AND location_id IN (
    WITH RECURSIVE tree(id) AS (SELECT NEW.id UNION SELECT l.id FROM locations l JOIN tree t ON l.parent_id = t.id)
    SELECT id FROM tree);
END;

-- 2. Changes of catalogue entries. One row per edit: a proposal waiting for
-- review ('submitted'), returned with a comment ('sent_back'), made public
-- ('published'), dropped by its proposer or a reviewer ('withdrawn'), or an
-- edit of an entry no public figure names, applied at once ('applied').
-- `before` is the entry as it stood when the change was proposed (and, once
-- published or applied, as it stood just before the change was written);
-- `after` the proposed fields. An entry has at most one open change.
CREATE TABLE catalogue_changes (
  id            INTEGER PRIMARY KEY,
  entity_type   TEXT NOT NULL CHECK (entity_type IN ('source', 'indicator', 'location')),
  entity_id     INTEGER NOT NULL CHECK (entity_id >= 1),
  status        TEXT NOT NULL CHECK (status IN ('submitted', 'sent_back', 'published', 'withdrawn', 'applied')),
  before        TEXT NOT NULL CHECK (json_valid(before) AND json_type(before) = 'object'),
  after         TEXT NOT NULL CHECK (json_valid(after) AND json_type(after) = 'object'),
  proposed_by   INTEGER REFERENCES users (id),
  proposed_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- Who last edited the proposal: the four-eyes rule holds them, as for figures.
  updated_by    INTEGER REFERENCES users (id),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  decided_by    INTEGER REFERENCES users (id),
  decided_at    TEXT,
  -- The last reviewer's word: a send-back comment, or the note kept with a publish.
  comment       TEXT CHECK (comment IS NULL OR length(comment) <= 2000),
  CHECK ((status IN ('published', 'withdrawn', 'applied')) = (decided_at IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX catalogue_changes_open ON catalogue_changes (entity_type, entity_id) WHERE status IN ('submitted', 'sent_back');
CREATE INDEX catalogue_changes_entity ON catalogue_changes (entity_type, entity_id, id);
CREATE INDEX catalogue_changes_awaiting ON catalogue_changes (proposed_at) WHERE status = 'submitted';

CREATE TRIGGER catalogue_changes_no_delete BEFORE DELETE ON catalogue_changes
BEGIN
  SELECT RAISE(ABORT, 'catalogue changes are never deleted: withdraw the change instead');
END;
-- A decided change is history: it never changes again.
CREATE TRIGGER catalogue_changes_decided_fixed BEFORE UPDATE ON catalogue_changes
WHEN OLD.status IN ('published', 'withdrawn', 'applied')
BEGIN
  SELECT RAISE(ABORT, 'a published, withdrawn or applied catalogue change is history and is not changed');
END;

-- Every step of a change, append-only: proposed, edited (proposed again),
-- sent back, published, withdrawn, applied at once.
CREATE TABLE catalogue_change_events (
  id         INTEGER PRIMARY KEY,
  change_id  INTEGER NOT NULL REFERENCES catalogue_changes (id),
  action     TEXT NOT NULL CHECK (action IN ('propose', 'edit', 'send_back', 'publish', 'withdraw', 'apply')),
  user_id    INTEGER REFERENCES users (id),
  note       TEXT CHECK (note IS NULL OR length(note) <= 2000),
  -- The proposed fields at this step (propose and edit), so a reviewer's comment keeps what it was about.
  after      TEXT CHECK (after IS NULL OR json_valid(after)),
  at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX catalogue_change_events_change ON catalogue_change_events (change_id, id);
CREATE TRIGGER catalogue_change_events_no_update BEFORE UPDATE ON catalogue_change_events
BEGIN
  SELECT RAISE(ABORT, 'catalogue change events are append-only');
END;
CREATE TRIGGER catalogue_change_events_no_delete BEFORE DELETE ON catalogue_change_events
BEGIN
  SELECT RAISE(ABORT, 'catalogue change events are append-only');
END;
