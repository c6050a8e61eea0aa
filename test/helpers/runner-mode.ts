import type { PGlite } from "@electric-sql/pglite";
import type { FrameworkId, MigrationSection, SourceFile } from "../../src/migrations/model.js";
import type { AnalysisResult } from "../../src/rules/engine.js";

/**
 * Runs migrations in PGlite the way their runner sends them, to prove a fixed migration runs:
 * - a section the runner wraps: BEGIN, the section's text, COMMIT;
 * - a section outside a transaction, for runners that send it as one query (sqlx and Diesel
 *   execute the whole file, dbmate the whole section, golang-migrate the whole file unless
 *   x-multi-statement): the text as one query, which Postgres runs in an implicit transaction
 *   block when it holds several statements;
 * - otherwise (goose, Flyway, golang-migrate with x-multi-statement, psql for plain SQL): one
 *   statement after the other.
 */

/** Runners that send a section run outside a transaction as one query. */
const ONE_QUERY_WHEN_UNWRAPPED: ReadonlySet<FrameworkId> = new Set(["sqlx", "dbmate", "diesel"]);

/** Frameworks whose migrations are SQL files run as written: the ones a fixed file can be run for. */
export const PLAIN_SQL_FRAMEWORKS: ReadonlySet<FrameworkId> = new Set(["sqlx", "goose", "dbmate", "flyway", "golang-migrate", "diesel", "plain-sql", "pop"]);

export interface RunStep {
  framework: FrameworkId;
  section: MigrationSection;
  /** The parsed statements of the section, in order, as the analysis split them. */
  statements: readonly string[];
}

/** The steps for the sections of `direction` of the analysed migrations, in order. */
export function stepsOf(analysis: AnalysisResult, direction: "up" | "down", which: (index: number) => boolean = () => true): RunStep[] {
  return analysis.migrations.flatMap((analysed, index) =>
    which(index)
      ? analysed.sections
          .filter((s) => s.section.direction === direction)
          .map((s) => ({ framework: analysed.migration.framework, section: s.section, statements: s.statements.map((st) => st.text) }))
      : [],
  );
}

/** Runs one section as its runner would; throws Postgres's error when it fails. */
export async function runLikeRunner(db: PGlite, files: readonly SourceFile[], step: RunStep): Promise<void> {
  const text = files.find((file) => file.path === step.section.path)?.text ?? "";
  const body = text.slice(step.section.start, step.section.end);
  if (step.section.inTransaction) {
    await db.exec("BEGIN");
    try {
      await db.exec(body);
      await db.exec("COMMIT");
    } catch (error) {
      await db.exec("ROLLBACK");
      throw error;
    }
    return;
  }
  if (step.section.oneQuery === true || ONE_QUERY_WHEN_UNWRAPPED.has(step.framework)) {
    await db.exec(body);
    return;
  }
  for (const statement of step.statements) await db.exec(statement);
}

/** A clean public schema, for the next case in the same PGlite. */
export async function resetSchema(db: PGlite): Promise<void> {
  await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}
