-- A CSV import is staged first: its rows are parsed and checked into
-- import_rows and summarised on the batch (the preview). Only when someone
-- confirms is the batch applied, in one transaction. Staged rows are a copy of
-- the uploaded file, not data: they are cleared once the batch is committed or
-- discarded.
CREATE TABLE import_batches (
  id              INTEGER PRIMARY KEY,
  file_name       TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  created_by      INTEGER REFERENCES users (id),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  publish         INTEGER NOT NULL CHECK (publish IN (0, 1)),
  state           TEXT NOT NULL CHECK (state IN ('previewed', 'committed', 'discarded', 'failed')),
  file_error      TEXT,
  row_count       INTEGER NOT NULL DEFAULT 0 CHECK (row_count >= 0),
  new_count       INTEGER NOT NULL DEFAULT 0 CHECK (new_count >= 0),
  changed_count   INTEGER NOT NULL DEFAULT 0 CHECK (changed_count >= 0),
  unchanged_count INTEGER NOT NULL DEFAULT 0 CHECK (unchanged_count >= 0),
  error_count     INTEGER NOT NULL DEFAULT 0 CHECK (error_count >= 0),
  errors          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(errors)),
  finished_at     TEXT,
  CHECK ((state = 'failed') = (file_error IS NOT NULL))
) STRICT;

CREATE TABLE import_rows (
  batch_id   INTEGER NOT NULL REFERENCES import_batches (id),
  row_number INTEGER NOT NULL,
  data       TEXT NOT NULL CHECK (json_valid(data)),
  PRIMARY KEY (batch_id, row_number)
) STRICT, WITHOUT ROWID;
