/** Config schemas of the source types. */
import { z } from 'zod';
import { formatProblem } from './dates.js';
import { isTimeZone } from './timezone.js';

const columnType = z.enum(['number', 'integer', 'string', 'date', 'boolean']);

const strftime = z
  .string()
  .min(1)
  .superRefine((f, ctx) => {
    const problem = formatProblem(f);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a date format cxreport reads: ${problem}` });
  })
  .describe('How the dates are written, strftime-style: %Y (4-digit year), %y (2-digit year: 69–99 → 1969–1999, 00–68 → 2000–2068), %m, %d, %b (Jan), %B (January), %H, %I with %p (AM/PM), %M, %S, %f (fraction of a second), %z (Z or ±hh:mm); or "%s" (Unix epoch seconds) or "excel" (Excel serial days) alone. Without it, a column a metric reads as dates is checked as a whole against the common shapes.')
  .meta({ examples: ['%m/%d/%y %H:%M', '%d.%m.%Y', '%d-%b-%y', '%Y%m%d', 'excel'] });

const columnSpec = z
  .strictObject({
    type: columnType.optional().describe('Declared type: number, integer, string, date, boolean.'),
    format: strftime.optional(),
    levels: z
      .array(z.string().min(1))
      .min(2)
      .refine((l) => new Set(l.map((x) => x.replace(/[\s\u00a0]+/g, ' ').trim().toLowerCase())).size === l.length, { message: 'levels must differ (ignoring case and spaces)' })
      .optional()
      .describe('Ordered text labels, lowest first, read as scores 1…k (case, extra and non-breaking spaces ignored); a label not in the list is excluded from scores and counted by its value.')
      .meta({ examples: [['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied']] }),
    label: z.string().min(1).optional().describe('How the column is named in the report (chart titles, tables), e.g. the question text.'),
    values: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe('How the column’s values are shown in the report (chart bars, table rows, verbatim attributes, segments), e.g. a translation: { email: 邮件 }. Values not listed are shown as they are in the data; filters and the config still use the data’s values.')
      .meta({ examples: [{ email: '邮件', phone: '电话' }] }),
  })
  .refine((c) => !(c.levels && (c.format || (c.type && c.type !== 'integer' && c.type !== 'number'))), { message: 'levels give scores: they go with no type (or number/integer) and no format' })
  .refine((c) => !(c.format && c.type && c.type !== 'date'), { message: 'format is for date columns: use type: date (or leave type out)' });

const columns = z
  .record(z.string(), z.union([columnType, columnSpec]))
  .optional()
  .describe('Declared columns (otherwise types are inferred and reported in the methods appendix): a type name — number, integer, string (keeps e.g. leading zeros), date, boolean — or { type, format, levels, label, values }.')
  .meta({ examples: [{ customer_id: 'string', nps_score: 'integer', submitted_at: { type: 'date', format: '%m/%d/%y %H:%M' }, satisfaction: { levels: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'] } }] });

const onInvalid = z
  .enum(['exclude', 'error'])
  .default('exclude')
  .describe('What a row that fails a metric’s rules does: exclude (counted by reason in metrics.json and the methods appendix) or error (the build stops at the first one: file:row column: value — reason).');

const pushdown = z
  .boolean()
  .default(true)
  .describe('Aggregate in the database: score metrics (nps, csat, ces, reviews) send GROUP BY queries and read back only their sufficient statistics; other metrics read the rows they need. false reads every row into memory first.');

const timezone = z
  .string()
  .refine(isTimeZone, { message: 'not a time zone this system knows: give an IANA name such as Europe/Berlin or America/New_York' })
  .optional()
  .describe('IANA time zone of date-times written without one (e.g. "2026-10-31 23:30"); they are converted to UTC instants. Dates without a time and values with a zone or offset are read as written. Default: UTC.')
  .meta({ examples: ['Europe/Berlin'] });

/** How the source is named in the report's text ("Source: Survey responses"); the source's key otherwise. */
const label = z
  .string()
  .min(1)
  .optional()
  .describe('How the source is named in the report (captions’ "Source:", the methods appendix), e.g. "Survey responses" or 调查回复. Default: the source’s name in `sources:`.')
  .meta({ examples: ['Survey responses', '调查回复'] });

const path = (example: string) => z.string().min(1).describe('File path, relative to this config file.').meta({ examples: [example] });

export const csvSourceSchema = z
  .strictObject({
    type: z.literal('csv'),
    path: path('data/responses.csv'),
    delimiter: z
      .union([z.string().length(1), z.literal('whitespace')])
      .optional()
      .describe('Field delimiter: one character such as "," ";" "\\t" "|", or "whitespace" (fields separated by runs of spaces or tabs, leading spaces ignored, no quoting: e.g. fixed-width text exports). Default: detected from the first lines among , ; tab | (tab for .tsv files) and reported.')
      .meta({ examples: [',', ';', '\t', 'whitespace'] }),
    encoding: z
      .enum(['utf8', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'])
      .optional()
      .describe('Text encoding. Default: detected — UTF-8 (with or without byte-order mark), UTF-16 with a byte-order mark, or Windows-1252 when the bytes are not UTF-8 (reported).'),
    header_rows: z
      .number()
      .int()
      .min(0)
      .max(10)
      .optional()
      .describe('Rows holding column names (after skip_rows). 0: no header (columns are named column_1, column_2…); 2 or more: the first row names the column and later rows add to it (a blank cell continues the question to its left, as in SurveyMonkey exports: "Question – Option"). Default 1; Qualtrics and SurveyMonkey exports are recognised without it.')
      .meta({ examples: [0, 2] }),
    skip_rows: z.number().int().min(0).default(0).describe('Rows to skip before the header (titles, notes above the table).').meta({ examples: [2] }),
    timezone,
    columns,
    label,
    on_invalid: onInvalid,
  })
  .describe('A delimited text file (CSV, TSV…) with a header row: RFC 4180 quoting, fields may contain line breaks. The delimiter and encoding are detected unless given; Qualtrics and SurveyMonkey exports are recognised (their question text becomes the column label).');

export const jsonSourceSchema = z
  .strictObject({
    type: z.literal('json'),
    path: path('data/responses.json'),
    records: z.string().optional().describe('Dotted path to the array of rows inside the document, when it is not the document itself.').meta({ examples: ['data.items'] }),
    timezone,
    columns,
    label,
    on_invalid: onInvalid,
  })
  .describe('A JSON document holding an array of row objects.');

export const ndjsonSourceSchema = z
  .strictObject({ type: z.literal('ndjson'), path: path('data/responses.ndjson'), timezone, columns, label, on_invalid: onInvalid })
  .describe('Newline-delimited JSON: one row object per line.');

export const parquetSourceSchema = z
  .strictObject({
    type: z.literal('parquet'),
    path: path('data/responses.parquet'),
    engine: z
      .enum(['auto', 'memory', 'duckdb'])
      .default('auto')
      .describe('How the file is read: memory reads every row into memory; duckdb leaves it in an embedded DuckDB, which aggregates for the score metrics (as a duckdb source with pushdown) and reads other metrics only the columns they need; auto (the default) is duckdb for a file of 4 MB or more (about 250,000 survey rows) when no column declares a type or format, else memory.'),
    columns,
    label,
    on_invalid: onInvalid,
  })
  .describe('An Apache Parquet file (snappy, gzip, zstd, brotli and lz4 compression supported).');

export const arrowSourceSchema = z
  .strictObject({ type: z.literal('arrow'), path: path('data/responses.arrow'), columns, label, on_invalid: onInvalid })
  .describe('An Apache Arrow IPC file or stream.');

export const xlsxSourceSchema = z
  .strictObject({
    type: z.literal('xlsx'),
    path: path('data/responses.xlsx'),
    sheet: z
      .union([z.string().min(1), z.number().int().positive()])
      .optional()
      .describe('Worksheet to read: its name (as on the tab) or its 1-based position. Default: the first sheet.')
      .meta({ examples: ['Responses', 2] }),
    header_row: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('1-based spreadsheet row holding the column names; rows above it (titles, notes) are skipped. Row numbers in messages are the spreadsheet’s.')
      .meta({ examples: [1, 3] }),
    timezone,
    columns,
    label,
    on_invalid: onInvalid,
  })
  .describe('An Excel workbook (.xlsx): one worksheet with a header row. Date cells become ISO dates; formula cells give their saved value.');

export const duckdbSourceSchema = z
  .strictObject({
    type: z.literal('duckdb'),
    query: z.string().min(1).describe('SQL run by DuckDB; relative file paths resolve against this config file.').meta({ examples: ["select * from read_parquet('exports/responses-*.parquet')"] }),
    timeout: z.number().positive().default(60).describe('Seconds before a statement is interrupted with an error.'),
    pushdown,
    columns,
    label,
    on_invalid: onInvalid,
  })
  .describe('A DuckDB SQL query over local files (Parquet, CSV, JSON), e.g. a folder of exports.');

export const postgresSourceSchema = z
  .strictObject({
    type: z.literal('postgres'),
    connection: z.string().min(1).describe('Connection string, best taken from the environment; never printed.').meta({ examples: ['${CX_DATABASE_URL}'] }),
    table: z.string().optional().describe('Table to read (schema.table).').meta({ examples: ['public.survey_responses'] }),
    query: z.string().optional().describe('SQL query to read instead of a table.').meta({ examples: ["select * from survey_responses where submitted_at >= '2025-01-01'"] }),
    timeout: z.number().positive().default(30).describe('Seconds before connecting or querying gives up.'),
    pushdown,
    columns,
    label,
    on_invalid: onInvalid,
  })
  .refine((s) => (s.table === undefined) !== (s.query === undefined), { message: 'give either `table` or `query` (exactly one)' })
  .describe('A PostgreSQL table or query.');

export const sourceSchema = z.discriminatedUnion('type', [csvSourceSchema, jsonSourceSchema, ndjsonSourceSchema, parquetSourceSchema, arrowSourceSchema, xlsxSourceSchema, duckdbSourceSchema, postgresSourceSchema]);

/** A configured source, typed by its type's schema. */
export type SourceDef = z.infer<typeof sourceSchema>;
