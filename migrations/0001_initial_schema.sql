-- Tally's data model (see DESIGN.md): what is counted, where, from which document,
-- and every figure with its period, qualifier, range, verification and history.
-- The application validates for good messages; these constraints guard the data.

CREATE TABLE settings (
  key        TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE
                CHECK (length(username) BETWEEN 2 AND 64 AND username NOT GLOB '*[^A-Za-z0-9._-]*'),
  password_hash TEXT NOT NULL CHECK (length(password_hash) > 0),
  role          TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
  disabled_at   TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE sessions (
  sid        TEXT PRIMARY KEY,
  data       TEXT NOT NULL CHECK (json_valid(data)),
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE indicators (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE
              CHECK (length(code) BETWEEN 2 AND 64 AND code NOT GLOB '*[^a-z0-9_]*'),
  name        TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
  description TEXT,
  unit        TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 32 AND unit NOT GLOB '*[^a-z0-9_]*'),
  aggregation TEXT NOT NULL CHECK (aggregation IN ('flow', 'level')),
  hxl_hashtag TEXT NOT NULL CHECK (hxl_hashtag GLOB '#[a-z]*' AND hxl_hashtag NOT GLOB '*[^a-z0-9_+#]*'),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- Countries (ISO 3166-1 alpha-3) sit at admin level 0 with no parent;
-- every lower level names the place it belongs to.
CREATE TABLE locations (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE
              CHECK (length(code) BETWEEN 2 AND 32 AND code NOT GLOB '*[^A-Za-z0-9_-]*'),
  name        TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
  admin_level INTEGER NOT NULL CHECK (admin_level BETWEEN 0 AND 5),
  parent_id   INTEGER REFERENCES locations (id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK ((admin_level = 0) = (parent_id IS NULL)),
  CHECK (parent_id IS NULL OR parent_id <> id)
) STRICT;
CREATE INDEX locations_parent_id ON locations (parent_id);

CREATE TABLE sources (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 500),
  publisher    TEXT NOT NULL CHECK (length(trim(publisher)) BETWEEN 1 AND 200),
  url          TEXT CHECK (url IS NULL OR ((url GLOB 'http://?*' OR url GLOB 'https://?*') AND length(url) <= 2000)),
  published_on TEXT CHECK (published_on IS NULL OR date(published_on) IS published_on),
  accessed_on  TEXT CHECK (accessed_on IS NULL OR date(accessed_on) IS accessed_on),
  notes        TEXT CHECK (notes IS NULL OR length(notes) <= 5000),
  created_by   INTEGER REFERENCES users (id),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
-- One document, one source row: imports match on URL first.
CREATE UNIQUE INDEX sources_url ON sources (url) WHERE url IS NOT NULL;
CREATE INDEX sources_publisher_title ON sources (publisher, title, published_on);

-- A figure: one number one originator stated about one indicator, place and
-- period (both ends inclusive), found in one document.
CREATE TABLE figures (
  id                     INTEGER PRIMARY KEY,
  indicator_id           INTEGER NOT NULL REFERENCES indicators (id),
  location_id            INTEGER NOT NULL REFERENCES locations (id),
  reference_period_start TEXT NOT NULL CHECK (date(reference_period_start) IS reference_period_start),
  reference_period_end   TEXT NOT NULL CHECK (date(reference_period_end) IS reference_period_end),
  value                  INTEGER NOT NULL CHECK (value >= 0),
  value_low              INTEGER CHECK (value_low IS NULL OR (value_low >= 0 AND value_low <= value)),
  value_high             INTEGER CHECK (value_high IS NULL OR value_high >= value),
  qualifier              TEXT NOT NULL DEFAULT 'exact'
                         CHECK (qualifier IN ('exact', 'about', 'at_least', 'more_than', 'at_most', 'up_to')),
  verification           TEXT NOT NULL
                         CHECK (verification IN ('verified', 'reported', 'claimed', 'disputed')),
  reported_by            TEXT NOT NULL CHECK (length(trim(reported_by)) BETWEEN 1 AND 200),
  claimed_by             TEXT CHECK (claimed_by IS NULL OR length(trim(claimed_by)) BETWEEN 1 AND 200),
  source_id              INTEGER NOT NULL REFERENCES sources (id),
  source_quote           TEXT NOT NULL CHECK (length(trim(source_quote)) BETWEEN 1 AND 2000),
  notes                  TEXT CHECK (notes IS NULL OR length(notes) <= 5000),
  status                 TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'retired')),
  retired_reason         TEXT CHECK (retired_reason IS NULL OR length(trim(retired_reason)) BETWEEN 1 AND 2000),
  created_by             INTEGER REFERENCES users (id),
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_by             INTEGER REFERENCES users (id),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  version                INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
  CHECK (reference_period_end >= reference_period_start),
  CHECK (verification <> 'claimed' OR claimed_by IS NOT NULL),
  CHECK ((status = 'retired') = (retired_reason IS NOT NULL))
) STRICT;
CREATE INDEX figures_indicator_location_period
  ON figures (indicator_id, location_id, reference_period_end) WHERE status = 'published';
CREATE INDEX figures_published_period ON figures (reference_period_end, id) WHERE status = 'published';
CREATE INDEX figures_source ON figures (source_id);
CREATE INDEX figures_published_updated_at ON figures (updated_at) WHERE status = 'published';

-- Nothing is physically deleted through the application: a figure is retired.
CREATE TRIGGER figures_no_delete BEFORE DELETE ON figures
BEGIN
  SELECT RAISE(ABORT, 'figures are never deleted: retire the figure instead');
END;

-- Every change to a figure writes one revision holding the whole figure as it
-- was after the change. Append-only.
CREATE TABLE figure_revisions (
  id         INTEGER PRIMARY KEY,
  figure_id  INTEGER NOT NULL REFERENCES figures (id),
  version    INTEGER NOT NULL CHECK (version >= 1),
  action     TEXT NOT NULL
             CHECK (action IN ('seed', 'create', 'edit', 'submit', 'publish', 'retire', 'restore', 'import')),
  snapshot   TEXT NOT NULL CHECK (json_valid(snapshot)),
  note       TEXT CHECK (note IS NULL OR length(note) <= 2000),
  user_id    INTEGER REFERENCES users (id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX figure_revisions_figure ON figure_revisions (figure_id, id);

CREATE TRIGGER figure_revisions_no_update BEFORE UPDATE ON figure_revisions
BEGIN
  SELECT RAISE(ABORT, 'figure revisions are append-only');
END;
CREATE TRIGGER figure_revisions_no_delete BEFORE DELETE ON figure_revisions
BEGIN
  SELECT RAISE(ABORT, 'figure revisions are append-only');
END;

-- Every change by anyone: figures, sources, users, logins.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  user_id     INTEGER REFERENCES users (id),
  action      TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  entity_type TEXT NOT NULL CHECK (length(entity_type) BETWEEN 1 AND 64),
  entity_id   TEXT,
  details     TEXT CHECK (details IS NULL OR json_valid(details))
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user_at ON audit_log (user_id, at);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
