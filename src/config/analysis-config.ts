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
  /** Approximate row count, for estimates. */
  rows: z.int().nonnegative().optional(),
  /** Treat as large even without a row count. */
  large: z.boolean().optional(),
});

export const AnalysisConfigSchema = z.strictObject({
  /** The PostgreSQL major version migrations run on. */
  postgresVersion: z.int().min(10).max(19).default(18),
  /** Force a framework for every migration file, when detection picks the wrong one. */
  framework: z.enum(FRAMEWORK_IDS).optional(),
  /** How golang-migrate runs the migrations. */
  golangMigrate: z
    .strictObject({
      multiStatement: z
        .boolean()
        .default(false)
        .describe(
          "The database URL has x-multi-statement=true: golang-migrate sends a file's statements one by one, outside any transaction. Default: each file is sent as one query, which Postgres runs in one transaction when it holds several statements.",
        ),
    })
    .optional(),
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
  /** Per rule: off, or the severity to report it with. Keys are rule ids (or squawk's names); others are errors. */
  // prefault: the default goes through the parse (and shows in the JSON Schema, which .default on a transform does not).
  rules: RuleSettingsSchema.prefault({}),
  /** Known tables by unqualified name. */
  tables: z.record(z.string(), TableSettingSchema).default({}),
  /** Tables with at least this many rows count as large. */
  largeTableRows: z.int().positive().default(1_000_000),
});

export type AnalysisConfig = z.infer<typeof AnalysisConfigSchema>;

export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = AnalysisConfigSchema.parse({});
