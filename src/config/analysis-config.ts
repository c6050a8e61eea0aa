import { z } from "zod";
import { DIALECT_IDS } from "../migrations/dialect.js";
import { FRAMEWORK_IDS } from "../migrations/model.js";
import { RuleSettingsSchema } from "./rule-settings.js";

/**
 * What the analysis can be told about a repository: the Postgres version, a framework when
 * detection is wrong, rule severities, and table sizes (so lock findings on big tables weigh more
 * and come with an estimate). Part of .github/data-engineer.yml; `data-engineer lint --config`.
 */

export const TableSettingSchema = z.strictObject({
  rows: z
    .int()
    .nonnegative()
    .optional()
    .describe(
      "Approximate row count (pg_class.reltuples is close enough). Lock findings on the table then say how long the lock is held (a scan, rewrite or index build of that many rows), and the Handoff Report uses it; at least largeTableRows makes the table large.",
    ),
  large: z
    .boolean()
    .optional()
    .describe(
      "true: treat the table as large even without a row count, so lock findings on it are errors. Default: large only when rows reaches largeTableRows.",
    ),
});

export const AnalysisConfigSchema = z.strictObject({
  postgresVersion: z
    .int()
    .min(10)
    .max(19)
    .default(18)
    .describe(
      "The PostgreSQL major version the migrations run on, 10 to 19. Findings follow what that version does: ADD COLUMN with a constant default rewrites the table before 11, SET NOT NULL trusts a validated CHECK from 12, DETACH PARTITION CONCURRENTLY exists from 14. Default: 18 (`lint --pg-version` overrides it).",
    ),
  framework: z
    .enum(FRAMEWORK_IDS)
    .optional()
    .describe(
      "Read every migration file as this framework's, when detection picks the wrong one. The framework decides how files pair into up and down, their order, and whether each runs in a transaction, which changes what the CONCURRENTLY and lock findings say. Default: detected per file from its path and content.",
    ),
  golangMigrate: z
    .strictObject({
      multiStatement: z
        .boolean()
        .default(false)
        .describe(
          "The database URL has x-multi-statement=true: golang-migrate sends a file's statements one by one, outside any transaction. Default: each file is sent as one query, which Postgres runs in one transaction when it holds several statements.",
        ),
    })
    .optional()
    .describe("How golang-migrate runs the migrations (read for golang-migrate files only)."),
  /**
   * The SQL dialect of the files under path globs, first match wins, over what their paths say
   * (`x.mysql.up.sql`, `db/migration/sqlite/`). Only `postgres` files are reviewed.
   */
  dialects: z
    .record(z.string().min(1), z.enum(DIALECT_IDS))
    .optional()
    .describe(
      "Path glob → SQL dialect, first match wins, over what the path says (ory/pop's `x.mysql.up.sql`, Flyway's `db/migration/mysql/`). " +
        'Only `postgres` files are reviewed; e.g. `{ "db/cockroach/**": "postgres" }` reviews CockroachDB files as PostgreSQL, ' +
        '`{ "legacy/**": "mysql" }` leaves a MySQL folder out.',
    ),
  // prefault: the default goes through the parse (and shows in the JSON Schema, which .default on a transform does not).
  rules: RuleSettingsSchema.prefault({}).describe(
    "Per rule: `off`, or the tier to report it with: `error` (fails the check with the default failOn), `warning`, or `note` (shown as Policy). Keys are rule ids (one page each in docs/rules/) or squawk's names for them; an unknown key is an error that names the closest ids. Rules not listed keep their default tier.",
  ),
  tables: z
    .record(z.string(), TableSettingSchema)
    .default({})
    .describe(
      "Tables by unqualified name (`orders`, not `public.orders`) with their size. A large table (`large: true`, or `rows` at least largeTableRows) makes lock findings on it errors; `rows` adds how long each lock is held. Default: no sizes known.",
    ),
  largeTableRows: z
    .int()
    .positive()
    .default(1_000_000)
    .describe("A table in `tables` with at least this many rows counts as large: lock findings on it are errors. Default: 1000000."),
});

export type AnalysisConfig = z.infer<typeof AnalysisConfigSchema>;

export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = AnalysisConfigSchema.parse({});
