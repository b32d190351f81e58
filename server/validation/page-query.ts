/**
 * Every query parameter a public or staff HTML page reads. The page cache
 * drops any other one before routing (server/middleware/response-cache.ts),
 * so a page that starts reading a new parameter must list it here;
 * test/perf/page-params.test.ts fails until it does.
 */
export const PAGE_QUERY_PARAMS: ReadonlySet<string> = new Set([
  // chart and list filters (server/validation/chart-query.ts, routes/figures.ts)
  'indicator', 'location', 'originator', 'verification', 'from', 'to', 'by', 'page',
  // one card of an embedded chart (routes/embed.ts), the page's language (server/i18n.ts)
  'panel', 'lang',
  // the sign-in page
  'next', 'signed_out',
  // the audit log's filters (staff only, never cached, listed so the rule has no exception)
  'user', 'type',
  // the staff figure list's search and filters (staff only, never cached)
  'q', 'status', 'source', 'editor',
  // the import preview's pages of changed figures (admin only, never cached)
  'changes_page',
]);
