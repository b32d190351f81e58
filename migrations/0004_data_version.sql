-- One counter that moves whenever published data may have changed: the ETag
-- and Last-Modified of exports, API answers and cached pages derive from it.
-- Triggers keep it exact whatever code path writes (forms, imports, SQL by hand).
CREATE TABLE data_version (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  version    INTEGER NOT NULL CHECK (version >= 1),
  changed_at TEXT NOT NULL
) STRICT;
INSERT INTO data_version (id, version, changed_at) VALUES (1, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- Drafts are not public: creating or editing one moves nothing.
CREATE TRIGGER data_version_figures_insert AFTER INSERT ON figures
WHEN NEW.status <> 'draft'
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER data_version_figures_update AFTER UPDATE ON figures
WHEN OLD.status <> 'draft' OR NEW.status <> 'draft'
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER data_version_sources_insert AFTER INSERT ON sources
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER data_version_sources_update AFTER UPDATE ON sources
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER data_version_indicators_insert AFTER INSERT ON indicators
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER data_version_indicators_update AFTER UPDATE ON indicators
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER data_version_locations_insert AFTER INSERT ON locations
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER data_version_locations_update AFTER UPDATE ON locations
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;

-- A figure's updated_at moves with every change, even one made by code that
-- forgot to set it, so `updated_since` pulls never miss a change.
CREATE TRIGGER figures_touch_updated_at AFTER UPDATE ON figures
WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE figures SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

-- Imports match a row to an existing figure by what it states: indicator,
-- place, period and originator (then the source).
CREATE INDEX figures_natural_key
  ON figures (indicator_id, location_id, reference_period_start, reference_period_end, reported_by);
