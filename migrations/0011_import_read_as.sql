-- How an import file was read (issue 12): its format, text encoding, separator,
-- decimal mark and sheet, as the preview shows them. JSON; NULL for imports
-- staged before this column (they were all UTF-8, comma-separated CSV).
ALTER TABLE import_batches ADD COLUMN read_as TEXT CHECK (read_as IS NULL OR json_valid(read_as));
