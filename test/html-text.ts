/** Reading rendered HTML as a reader sees it, for assertions on report text. */

/** Decodes the entities Handlebars and Vega write. */
export function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Visible text plus alt/aria-label/title attributes of a report's `metric` sections (tags and styles removed, entities decoded). */
export function metricSectionText(html: string): string {
  // zh-CN keeps values on one line in no-wrap spans (render/keep-together.ts): their text reads as if they were not there
  const sections = [...html.matchAll(/<section[^>]*data-section-type="metric"[\s\S]*?<\/section>/g)].map((m) => m[0]).join('\n').replace(/<span style="white-space:nowrap">([^<]*)<\/span>/g, '$1');
  const attributes = [...sections.matchAll(/(?:alt|aria-label|title)="([^"]*)"/g)].map((m) => m[1]);
  return decodeEntities([sections.replace(/<style>[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' '), ...attributes].join(' ')).replace(/\s+/g, ' ');
}
