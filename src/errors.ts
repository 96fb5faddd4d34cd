/**
 * Errors as values with a location. Every stage throws `CxError` for problems the user can fix
 * (bad config, bad data, missing browser); only the CLI turns them into text and an exit code.
 */

/** Where in a user's file a problem is: a config position (line/column) or a data row/column. */
export interface Location {
  file: string;
  /** 1-based line in a text file (config) */
  line?: number;
  /** 1-based column in a text file (config) */
  column?: number;
  /** the offending source line, shown under the message */
  snippet?: string;
  /** 1-based data row (header excluded) for data errors */
  row?: number;
  /** data column name for data errors */
  field?: string;
}

export type ErrorKind = 'config' | 'data' | 'render' | 'usage';

export class CxError extends Error {
  readonly kind: ErrorKind;
  readonly location?: Location;
  readonly hint?: string;

  constructor(kind: ErrorKind, message: string, options: { location?: Location; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CxError';
    this.kind = kind;
    this.location = options.location;
    this.hint = options.hint;
  }
}

/** Several errors found in one pass (config validation reports all of them at once). */
export class CxErrors extends Error {
  readonly errors: CxError[];
  constructor(errors: CxError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'CxErrors';
    this.errors = errors;
  }
}

/** "file:line:column" or "file:row N column X" for a location. */
export function formatLocation(loc: Location): string {
  if (loc.line !== undefined) return `${loc.file}:${loc.line}:${loc.column ?? 1}`;
  if (loc.row !== undefined) return `${loc.file}:${loc.row}${loc.field ? ` ${loc.field}` : ''}`;
  return loc.file;
}

/** Human-readable text of one error: location, message, the offending line with a caret, the hint. */
export function formatError(error: CxError): string {
  const lines: string[] = [];
  const where = error.location ? `${formatLocation(error.location)}: ` : '';
  // A row error reads "file:row column: value — reason"; everything else names its kind.
  lines.push(error.location?.row !== undefined ? `${where}${error.message}` : `${where}${error.kind} error: ${error.message}`);
  const loc = error.location;
  if (loc?.snippet !== undefined && loc.line !== undefined) {
    const gutter = String(loc.line);
    lines.push(`  ${gutter} | ${loc.snippet}`);
    lines.push(`  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, (loc.column ?? 1) - 1))}^`);
  }
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  return lines.join('\n');
}

/** Text for any thrown value: CxError(s) formatted; anything else is an internal error. */
export function describeError(error: unknown): { text: string; userError: boolean } {
  if (error instanceof CxErrors) return { text: error.errors.map(formatError).join('\n\n'), userError: true };
  if (error instanceof CxError) return { text: formatError(error), userError: error.kind !== 'usage' };
  const message = error instanceof Error ? error.message : String(error);
  return { text: `internal error: ${message}\n  hint: this is a bug in cxreport; set CXREPORT_DEBUG=1 for the stack trace and report it`, userError: false };
}
