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
  /** the row as its file numbers it: a text file's physical line (header and quoted line breaks counted), a spreadsheet's row, else the 1-based record */
  row?: number;
  /** data column name for data errors */
  field?: string;
}

export type ErrorKind = 'config' | 'data' | 'render' | 'output' | 'usage';

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

/**
 * Secrets are never printed: every error text (message, snippet, hint; terminal, `--json`, the
 * preview) goes through `redactSecrets`, which hides the password of a connection string
 * (`scheme://user:PASSWORD@host`), the value of a `password=` / `password:` parameter and the
 * value of every environment variable a config referenced with `${VAR}` (shown as `${VAR}`).
 */
const secrets = new Map<string, string>();

/** Remembers an environment value a config used, so that no error text ever shows it. */
export function rememberSecret(value: string, name: string): void {
  // shorter values are not secrets worth hiding and would garble every message they occur in
  if (value.length >= 4) secrets.set(value, `\${${name}}`);
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s'"]*)@/gi;
const PASSWORD_PARAM = /\b(password|passwd|pwd)(\s*[=:]\s*)('[^']*'?|"[^"]*"?|[^\s&;,'"}\]]+)/gi;

/** The text with every known secret replaced (env values by `${NAME}`, passwords by `***`). */
export function redactSecrets(text: string): string {
  let out = text;
  if (secrets.size > 0) {
    for (const [value, shown] of [...secrets].sort((a, b) => b[0].length - a[0].length)) if (out.includes(value)) out = out.split(value).join(shown);
  }
  return out.replace(URL_PASSWORD, '$1***@').replace(PASSWORD_PARAM, '$1$2***');
}

/** A location's snippet with secrets redacted, and its column moved to the same character. */
export function redactedSnippet(loc: Location): { snippet: string; column: number } | undefined {
  if (loc.snippet === undefined || loc.line === undefined) return undefined;
  const column = loc.column ?? 1;
  const snippet = redactSecrets(loc.snippet);
  return { snippet, column: Math.min(redactSecrets(loc.snippet.slice(0, column - 1)).length + 1, snippet.length + 1) };
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
  const shown = loc && redactedSnippet(loc);
  if (loc && shown) {
    const gutter = String(loc.line);
    lines.push(`  ${gutter} | ${shown.snippet}`);
    lines.push(`  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, shown.column - 1))}^`);
  }
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  return redactSecrets(lines.join('\n'));
}

/** Text for any thrown value: CxError(s) formatted; anything else is an internal error. */
export function describeError(error: unknown): { text: string; userError: boolean } {
  if (error instanceof CxErrors) return { text: error.errors.map(formatError).join('\n\n'), userError: true };
  if (error instanceof CxError) return { text: formatError(error), userError: error.kind !== 'usage' };
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  return { text: `internal error: ${message}\n  hint: this is a bug in cxreport; set CXREPORT_DEBUG=1 for the stack trace and report it`, userError: false };
}
