-- Imports write their new figures with one INSERT … SELECT (issue 11). While
-- bulk_mode.active is 1 (only ever inside the import's own transaction, so no
-- other connection sees it), the per-row AFTER INSERT triggers that keep the
-- data version and the catalogue's public_since stand aside: the import does
-- the same work once, set-wise (db/queries/imports.ts, bulkFigures). The
-- checks that reject a figure (measure, percent) still run for every row.
CREATE TABLE bulk_mode (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
) STRICT;
INSERT INTO bulk_mode (id, active) VALUES (1, 0);

DROP TRIGGER data_version_figures_insert;
CREATE TRIGGER data_version_figures_insert AFTER INSERT ON figures
WHEN NEW.status <> 'draft' AND (SELECT active FROM bulk_mode WHERE id = 1) = 0
BEGIN
  UPDATE data_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1;
END;

DROP TRIGGER catalogue_public_on_figure_insert;
CREATE TRIGGER catalogue_public_on_figure_insert AFTER INSERT ON figures
WHEN NEW.status <> 'draft' AND (SELECT active FROM bulk_mode WHERE id = 1) = 0
BEGIN
  UPDATE sources SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.source_id AND public_since IS NULL;
  UPDATE indicators SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.indicator_id AND public_since IS NULL;
  UPDATE locations SET public_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.location_id AND public_since IS NULL;
END;
