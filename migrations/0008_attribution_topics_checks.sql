-- The seeds' whole story (issue 13): who did what as structured fields,
-- topics as data, and relations between indicators that consistency checks
-- hold figures against.

-- Who the source says carried out the act counted, and who denies or
-- contradicts it; beside claimed_by (who asserts the number).
ALTER TABLE figures ADD COLUMN attributed_to TEXT CHECK (attributed_to IS NULL OR length(trim(attributed_to)) BETWEEN 1 AND 200);
ALTER TABLE figures ADD COLUMN disputed_by TEXT CHECK (disputed_by IS NULL OR length(trim(disputed_by)) BETWEEN 1 AND 200);
ALTER TABLE figure_pending_changes ADD COLUMN attributed_to TEXT CHECK (attributed_to IS NULL OR length(trim(attributed_to)) BETWEEN 1 AND 200);
ALTER TABLE figure_pending_changes ADD COLUMN disputed_by TEXT CHECK (disputed_by IS NULL OR length(trim(disputed_by)) BETWEEN 1 AND 200);

-- The two new columns are part of the public row. Rather than list the
-- exported columns again (and miss the next one added), any change to a row
-- that is or was public moves it in the change feed; the rare update that
-- changes nothing a mirror sees costs one identical row in the next pull.
DROP TRIGGER change_feed_figure_update;
CREATE TRIGGER change_feed_figure_update AFTER UPDATE ON figures
WHEN NEW.sync_seq IS OLD.sync_seq AND (OLD.status <> 'draft' OR NEW.status <> 'draft')
BEGIN
  UPDATE change_feed SET position = position + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
  UPDATE figures SET sync_seq = (SELECT position FROM change_feed WHERE id = 1) WHERE id = NEW.id;
END;

-- Shares are whole percents: a figure of a percent indicator is at most 100.
CREATE TRIGGER figures_percent_at_most_100 BEFORE INSERT ON figures
WHEN NEW.value > 100 AND (SELECT unit FROM indicators WHERE id = NEW.indicator_id) = 'percent'
BEGIN
  SELECT RAISE(ABORT, 'a share in percent is at most 100');
END;
CREATE TRIGGER figures_percent_at_most_100_update BEFORE UPDATE OF value, indicator_id ON figures
WHEN NEW.value > 100 AND (SELECT unit FROM indicators WHERE id = NEW.indicator_id) = 'percent'
BEGIN
  SELECT RAISE(ABORT, 'a share in percent is at most 100');
END;

-- Relations an indicator declares, which every figure is checked against:
--   sum:            indicator = sum of its parts (casualties = deaths + injuries),
--                   for the same place, period and originator;
--   at_most:        indicator <= other (child deaths <= civilian deaths), same place, period, originator;
--   non_decreasing: running totals of the indicator never fall for one originator, place and start date.
CREATE TABLE indicator_relations (
  id           INTEGER PRIMARY KEY,
  indicator_id INTEGER NOT NULL REFERENCES indicators (id),
  kind         TEXT NOT NULL CHECK (kind IN ('sum', 'at_most', 'non_decreasing')),
  -- The other indicators: the parts of a sum, the bound of at_most; none for non_decreasing.
  others       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(others) AND json_type(others) = 'array'),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (indicator_id, kind, others)
) STRICT;

-- Topics as data: a page spanning indicators, with filters, that an admin defines.
CREATE TABLE topics (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 2 AND 80 AND slug NOT GLOB '*[^a-z0-9-]*'),
  title       TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 200),
  summary     TEXT NOT NULL CHECK (length(trim(summary)) BETWEEN 1 AND 2000),
  -- Indicator codes drawn on the page, in order.
  indicators  TEXT NOT NULL CHECK (json_valid(indicators) AND json_type(indicators) = 'array'),
  -- Indicator codes shown beside them as related figures (e.g. the casualties of the same strikes).
  related     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(related) AND json_type(related) = 'array'),
  -- Filters as the compare page takes them: {"location": [...], "from": "...", "to": "..."}.
  filters     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filters) AND json_type(filters) = 'object'),
  created_by  INTEGER REFERENCES users (id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- Open inconsistencies of published figures, kept at write time (by the
-- workflow, for the figure and its neighbours) so a figure page and
-- /admin/checks read them by index instead of checking every figure.
CREATE TABLE figure_checks (
  id         INTEGER PRIMARY KEY,
  figure_id  INTEGER NOT NULL REFERENCES figures (id),
  kind       TEXT NOT NULL CHECK (kind IN ('quote_value', 'quote_qualifier', 'sum', 'at_most', 'non_decreasing')),
  message    TEXT NOT NULL CHECK (length(message) BETWEEN 1 AND 1000),
  related    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(related)),
  checked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX figure_checks_figure ON figure_checks (figure_id);
-- The neighbours a check rests on share place, start date and originator
-- (then the end date, or a running total): found through this index.
CREATE INDEX figures_check_neighbours ON figures (location_id, reference_period_start, reported_by) WHERE status = 'published';
