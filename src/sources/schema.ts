/** Config schemas of the source types. */
import { z } from 'zod';
import { isTimeZone } from './timezone.js';

const columns = z
  .record(z.string(), z.enum(['number', 'integer', 'string', 'date', 'boolean']))
  .optional()
  .describe('Declared column types (otherwise inferred and reported in the methods appendix): number, integer, string (keeps e.g. leading zeros), date, boolean.')
  .meta({ examples: [{ customer_id: 'string', nps_score: 'integer', submitted_at: 'date' }] });

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

const path = (example: string) => z.string().min(1).describe('File path, relative to this config file.').meta({ examples: [example] });

export const csvSourceSchema = z
  .strictObject({
    type: z.literal('csv'),
    path: path('data/responses.csv'),
    delimiter: z.string().length(1).default(',').describe('Field delimiter (one character), e.g. "," ";" or "\\t".').meta({ examples: [',', ';'] }),
    encoding: z.enum(['utf8', 'utf-8', 'latin1']).default('utf8').describe('Text encoding; a UTF-8 byte-order mark is ignored.'),
    timezone,
    columns,
    on_invalid: onInvalid,
  })
  .describe('A CSV file with a header row (RFC 4180 quoting; fields may contain line breaks).');

export const jsonSourceSchema = z
  .strictObject({
    type: z.literal('json'),
    path: path('data/responses.json'),
    records: z.string().optional().describe('Dotted path to the array of rows inside the document, when it is not the document itself.').meta({ examples: ['data.items'] }),
    timezone,
    columns,
    on_invalid: onInvalid,
  })
  .describe('A JSON document holding an array of row objects.');

export const ndjsonSourceSchema = z
  .strictObject({ type: z.literal('ndjson'), path: path('data/responses.ndjson'), timezone, columns, on_invalid: onInvalid })
  .describe('Newline-delimited JSON: one row object per line.');

export const parquetSourceSchema = z
  .strictObject({ type: z.literal('parquet'), path: path('data/responses.parquet'), columns, on_invalid: onInvalid })
  .describe('An Apache Parquet file (snappy, gzip, zstd, brotli and lz4 compression supported).');

export const arrowSourceSchema = z
  .strictObject({ type: z.literal('arrow'), path: path('data/responses.arrow'), columns, on_invalid: onInvalid })
  .describe('An Apache Arrow IPC file or stream.');

export const duckdbSourceSchema = z
  .strictObject({
    type: z.literal('duckdb'),
    query: z.string().min(1).describe('SQL run by DuckDB; relative file paths resolve against this config file.').meta({ examples: ["select * from read_parquet('exports/responses-*.parquet')"] }),
    pushdown,
    columns,
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
    on_invalid: onInvalid,
  })
  .refine((s) => (s.table === undefined) !== (s.query === undefined), { message: 'give either `table` or `query` (exactly one)' })
  .describe('A PostgreSQL table or query.');

export const sourceSchema = z.discriminatedUnion('type', [csvSourceSchema, jsonSourceSchema, ndjsonSourceSchema, parquetSourceSchema, arrowSourceSchema, duckdbSourceSchema, postgresSourceSchema]);
