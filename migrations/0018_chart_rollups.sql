-- Chart rollups (issue 11, decision 0016): what a chart draws, kept per
-- series by a background step that reads the change feed from its last
-- position (server/charts/rollups.ts), so a chart page's view reads a bounded
-- number of rows instead of every figure it draws on. These tables are
-- derived from the published figures and rebuilt from them at will: their
-- rows are replaced, never the figures'.

-- One chart series: the figures of one indicator, place and originator, with
-- claims and disputed figures apart, running totals apart by start date, per
-- stored measure (what buildPanels in server/charts/series.ts groups by).
CREATE TABLE chart_series (
  id           INTEGER PRIMARY KEY,
  indicator_id INTEGER NOT NULL REFERENCES indicators (id),
  location_id  INTEGER NOT NULL REFERENCES locations (id),
  reported_by  TEXT NOT NULL,
  shown_as     TEXT NOT NULL CHECK (shown_as IN ('', 'claimed', 'disputed')),
  since        TEXT NOT NULL,
  measure      TEXT NOT NULL CHECK (measure IN ('running_total', 'period_count', 'level')),
  -- Published figures in the series, and (period counts) how many of them do not overlap and are summed.
  figures      INTEGER NOT NULL CHECK (figures >= 1),
  kept         INTEGER NOT NULL CHECK (kept BETWEEN 0 AND figures),
  -- The series' first figure in chart order (period end, period start, id).
  first_id     INTEGER NOT NULL,
  first_end    TEXT NOT NULL,
  first_start  TEXT NOT NULL,
  UNIQUE (indicator_id, location_id, reported_by, shown_as, since, measure)
) STRICT;
CREATE INDEX chart_series_location ON chart_series (location_id);

-- The non-overlapping period counts of a series summed by week, month,
-- quarter and year (by the period's start), as a chart draws them beyond
-- its point budget.
CREATE TABLE chart_buckets (
  series_id       INTEGER NOT NULL REFERENCES chart_series (id) ON DELETE CASCADE,
  grain           TEXT NOT NULL CHECK (grain IN ('week', 'month', 'quarter', 'year')),
  bucket_start    TEXT NOT NULL,
  -- Figures of the series whose period starts in the bucket, and how many of them are summed.
  figures         INTEGER NOT NULL CHECK (figures >= 1),
  kept            INTEGER NOT NULL CHECK (kept BETWEEN 0 AND figures),
  value           INTEGER NOT NULL,
  value_low       INTEGER NOT NULL,
  value_high      INTEGER NOT NULL,
  ranged          INTEGER NOT NULL CHECK (ranged IN (0, 1)),
  qualifier       TEXT NOT NULL,
  period_start    TEXT NOT NULL,
  period_end      TEXT NOT NULL,
  -- The first summed figure (its originator, verification and claim label the bar; alone, it is the bar).
  first_figure_id INTEGER,
  -- The documents of the summed figures, as a JSON array of source ids.
  source_ids      TEXT NOT NULL,
  PRIMARY KEY (series_id, grain, bucket_start)
) STRICT, WITHOUT ROWID;

-- Which series each published figure was counted in, at which of its
-- versions: a change-feed entry that moves neither (a rename) costs nothing.
-- A chart reads a series' figures through (series, period end): at most its
-- point budget of them, never the other figures of its indicator and place.
CREATE TABLE chart_members (
  figure_id  INTEGER PRIMARY KEY,
  series_id  INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  period_end TEXT NOT NULL
) STRICT;
CREATE INDEX chart_members_series ON chart_members (series_id, period_end);

-- The change-feed position the rollups are complete up to.
CREATE TABLE chart_rollup_state (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
) STRICT;
INSERT INTO chart_rollup_state (id, position) VALUES (1, 0);
