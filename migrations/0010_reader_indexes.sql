-- Reads bounded by an index on the public pages (issue 11, decision 0010).

-- /sources counts each listed document's published figures: with the status
-- in the index the count reads index entries only, never the figure rows.
-- It replaces the index on source_id alone (every query that used it, the
-- rename trigger and the export's source filter, uses this one's prefix).
DROP INDEX figures_source;
CREATE INDEX figures_source_status ON figures (source_id, status);

-- The originators a chart can be narrowed by: read by skipping from one name
-- to the next through this index (a few index seeks per originator), not by
-- reading every published figure.
CREATE INDEX figures_published_originator ON figures (reported_by) WHERE status = 'published';
