/** Text as a browser reads it from HTML escaped by EJS or by the chart card's attribute (&#34;, &#39;, &lt;, &gt;, &amp;). */
export function decodeHtml(s: string): string {
  return s.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * The chart JSON of every canvas on a page, as the browser reads it from the
 * data-chart attribute (single-quoted: the JSON's double quotes go as they are,
 * &, ', < and > as character references).
 */
export function chartPanels<T>(html: string): T[] {
  return [...html.matchAll(/data-chart='([^']*)'/g)].map((m) => JSON.parse(decodeHtml(m[1] ?? '')) as T);
}
