-- Staff workflow (issue 4): submission of drafts for review, pending changes to
-- published figures, and lookups the staff pages need. The figures row always
-- holds the public state of a published figure; a proposed change waits in
-- figure_pending_changes until it is itself published.

ALTER TABLE figures ADD COLUMN submitted_at TEXT;
ALTER TABLE figures ADD COLUMN submitted_by INTEGER REFERENCES users (id);

-- At most one pending change per figure: the whole proposed state of the
-- editable columns, the figure version it was based on, who last edited it
-- and whether it has been submitted for review.
CREATE TABLE figure_pending_changes (
  figure_id              INTEGER PRIMARY KEY REFERENCES figures (id),
  base_version           INTEGER NOT NULL CHECK (base_version >= 1),
  indicator_id           INTEGER NOT NULL REFERENCES indicators (id),
  location_id            INTEGER NOT NULL REFERENCES locations (id),
  reference_period_start TEXT NOT NULL CHECK (date(reference_period_start) IS reference_period_start),
  reference_period_end   TEXT NOT NULL CHECK (date(reference_period_end) IS reference_period_end),
  value                  INTEGER NOT NULL CHECK (value >= 0),
  value_low              INTEGER CHECK (value_low IS NULL OR (value_low >= 0 AND value_low <= value)),
  value_high             INTEGER CHECK (value_high IS NULL OR value_high >= value),
  qualifier              TEXT NOT NULL
                         CHECK (qualifier IN ('exact', 'about', 'at_least', 'more_than', 'at_most', 'up_to')),
  verification           TEXT NOT NULL
                         CHECK (verification IN ('verified', 'reported', 'claimed', 'disputed')),
  reported_by            TEXT NOT NULL CHECK (length(trim(reported_by)) BETWEEN 1 AND 200),
  claimed_by             TEXT CHECK (claimed_by IS NULL OR length(trim(claimed_by)) BETWEEN 1 AND 200),
  source_id              INTEGER NOT NULL REFERENCES sources (id),
  source_quote           TEXT NOT NULL CHECK (length(trim(source_quote)) BETWEEN 1 AND 2000),
  notes                  TEXT CHECK (notes IS NULL OR length(notes) <= 5000),
  submitted_at           TEXT,
  submitted_by           INTEGER REFERENCES users (id),
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_by             INTEGER REFERENCES users (id),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (reference_period_end >= reference_period_start),
  CHECK (verification <> 'claimed' OR claimed_by IS NOT NULL)
) STRICT;
CREATE INDEX figure_pending_changes_submitted ON figure_pending_changes (submitted_at);

-- Partial: drafts are few, and an index on status alone would tempt SQLite's
-- planner into reading every published figure through it.
CREATE INDEX figures_drafts ON figures (submitted_at) WHERE status = 'draft';
CREATE INDEX figures_updated_by ON figures (updated_by, status);
CREATE INDEX figures_location ON figures (location_id);
CREATE INDEX audit_log_action ON audit_log (entity_type, at);
