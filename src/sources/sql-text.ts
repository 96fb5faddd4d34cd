/** SQL text helpers shared by every statement cxreport writes: quoting and wrapping. */

/**
 * A source's query as a derived table's body: without a trailing semicolon, and on lines of its
 * own so that a trailing `-- comment` does not swallow the closing parenthesis.
 */
export function subquery(query: string): string {
  return `(\n${query.trim().replace(/;\s*$/, '')}\n)`;
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A single-quoted SQL string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
