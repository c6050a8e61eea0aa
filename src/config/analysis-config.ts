import { z } from "zod";
import { DIALECT_IDS } from "../migrations/dialect.js";
import { FRAMEWORK_IDS } from "../migrations/model.js";
import { RuleSettingsSchema } from "./rule-settings.js";

/**
 * What the analysis can be told about a repository: the Postgres version, a framework when
 * detection is wrong, rule severities, and table sizes (so lock findings on big tables weigh more
 * and come with an estimate). Part of .github/data-engineer.yml; `data-engineer lint --config`.
 */

export const TableSettingSchema = z
  .strictObject({
    rows: z
      .int()
      .nonnegative()
      .optional()
      .describe(
        "Approximate row count (pg_class.reltuples is close enough): sets the table's size class (small below smallTableRows, large from largeTableRows) and feeds the duration estimates in lock findings and in the Handoff Report's assumptions.",
      ),
    large: z
      .boolean()
      .optional()
      .describe("true: treat the table as large whatever `rows` says: warnings about it that depend on size become errors. Default: by `rows`."),
    small: z
      .boolean()
      .optional()
      .describe(
        "true: treat the table as small whatever `rows` says: a scan, rewrite or index build under a blocking lock on it is a warning instead of an error (it takes milliseconds). Default: by `rows`.",
      ),
  })
  .refine((table) => !(table.large === true && table.small === true), { message: "a table cannot be both large and small" });

/** The presets: which tier each rule reports at (src/rules/presets.ts). */
export const PRESET_IDS = ["recommended", "strict"] as const;
export type PresetId = (typeof PRESET_IDS)[number];

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
  preset: z
    .enum(PRESET_IDS)
    .default("recommended")
    .describe(
      "recommended: errors are what blocks production or what Postgres refuses (a long blocking lock on an existing table, a down that destroys what existed, NOT NULL without a default), warnings are risks that depend on size or traffic and rollback gaps, policy findings (type preferences, timeouts where nothing blocks, compat bans) are listed once in the review body. " +
        "strict: the policy rules report as warnings, so they are posted inline and fail the check with failOn: warning. `rules:` overrides either preset per rule. Default: recommended.",
    ),
  // prefault: the default goes through the parse (and shows in the JSON Schema, which .default on a transform does not).
  rules: RuleSettingsSchema.prefault({}).describe(
    "Per rule: `off`, or the tier to report it with, over the preset's: `error` (fails the check with the default failOn), `warning`, or `policy` (also spelt `note`; listed in the review body, not inline, under the recommended preset). Keys are rule ids (one page each in docs/rules/) or squawk's names for them; an unknown key is an error that names the closest ids. Rules not listed keep their preset's tier.",
  ),
  tables: z
    .record(z.string(), TableSettingSchema)
    .default({})
    .describe(
      "Tables by unqualified name (`orders`, not `public.orders`) with their size. A long blocking lock (a scan, rewrite or index build) on an existing table is an error unless the table is small; a large table also turns size-dependent warnings into errors; `rows` adds how long each lock is held. Default: no sizes known (medium).",
    ),
  largeTableRows: z
    .int()
    .positive()
    .default(1_000_000)
    .describe("A table in `tables` with at least this many rows counts as large: size-dependent warnings on it become errors. Default: 1000000."),
  /**
   * Tables with fewer rows count as small. 10,000 rows: at the estimates' slowest rate (a rewrite,
   * 500,000 rows/s) that is 20 ms of lock, far under a 2 s lock_timeout, even for rows ten times
   * wider than the estimates assume.
   */
  smallTableRows: z
    .int()
    .positive()
    .default(10_000)
    .describe(
      "Tables configured with fewer rows count as small: a scan, rewrite or index build under a blocking lock on them is a warning, not an error. Default: 10000 (a rewrite of that many rows holds its lock for about 20 ms).",
    ),
});

export type AnalysisConfig = z.infer<typeof AnalysisConfigSchema>;

export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = AnalysisConfigSchema.parse({});
