-- The staging table keeps what the commit selects and joins on in columns of
-- their own (issue 11, decision 0018): a staged row's outcome (new, changed,
-- unchanged) and the document it cites (the JSON of StagedRow.source, the key
-- the commit resolves once per document). Reading them out of every row's
-- JSON cost the commit of 94,555 rows about 1.8 s of CPU (grouping the
-- sources, counting outcomes, choosing the new rows). The row's JSON is no
-- longer re-parsed by a CHECK on every insert: only addRows writes it, from
-- JSON.stringify. A row also keeps what its quote check found at staging
-- (quote_findings: '' for nothing, else a JSON array of [kind, message]; NULL
-- when not known), so the commit's re-check reuses it instead of checking
-- every new figure's quote again. Batches previewed before this migration
-- keep their rows (their quotes are checked again at commit, as before).
CREATE TABLE import_rows_0020 (
  batch_id   INTEGER NOT NULL REFERENCES import_batches (id),
  row_number INTEGER NOT NULL,
  outcome    TEXT NOT NULL CHECK (outcome IN ('new', 'changed', 'unchanged')),
  source     TEXT NOT NULL,
  quote_findings TEXT,
  data       TEXT NOT NULL,
  PRIMARY KEY (batch_id, row_number)
) STRICT, WITHOUT ROWID;

INSERT INTO import_rows_0020 (batch_id, row_number, outcome, source, data)
SELECT batch_id, row_number, data ->> '$.outcome', data ->> '$.source', data FROM import_rows;

DROP TABLE import_rows;
ALTER TABLE import_rows_0020 RENAME TO import_rows;
