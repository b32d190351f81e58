-- How an import file was read (issue 12): its format, text encoding, separator,
-- decimal mark and sheet, as the preview shows them. JSON; NULL for imports
-- staged before this column (they were all UTF-8, comma-separated CSV).
ALTER TABLE import_batches ADD COLUMN read_as TEXT CHECK (read_as IS NULL OR json_valid(read_as));

-- An admin who publishes an import at once says why, as a self-publish does (issue 12).
ALTER TABLE import_batches ADD COLUMN publish_reason TEXT CHECK (publish_reason IS NULL OR length(publish_reason) BETWEEN 1 AND 2000);
