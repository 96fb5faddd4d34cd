/**
 * Page flow of the printed report: what a section heading must keep on its page. The templates wrap
 * a heading, its lead sentence and the section's first figure in one `.keep` block that the print
 * stylesheet does not break inside, so a heading never sits at the bottom of a page while its chart
 * starts the next one (checked on the flagship PDF by test/page-flow.test.ts).
 */

/** A table this short goes with the heading when it is the section's first figure. */
export const LEAD_TABLE_ROWS = 12;

/** Metric sections: the blocks that go with the heading — up to and including the first chart
 * when it comes within the first three blocks (text before it is the chart's lead), else the first
 * block if it is text or a short table (a long table breaks on its own, its header repeated). */
export function splitLead<T extends { kind: string; table?: { rows: unknown[] } }>(blocks: T[]): { lead: T[]; rest: T[] } {
  const chart = blocks.findIndex((b) => b.kind === 'chart');
  const first = blocks[0];
  const n = chart >= 0 && chart < 3 ? chart + 1 : first && (first.kind === 'text' || (first.kind === 'table' && (first.table?.rows.length ?? Infinity) <= LEAD_TABLE_ROWS)) ? 1 : 0;
  return { lead: blocks.slice(0, n), rest: blocks.slice(n) };
}

/** Verbatims: the first row of quotes (two columns) goes with the heading and the introduction. */
export const LEAD_QUOTES = 2;
