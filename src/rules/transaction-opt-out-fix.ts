import type { FrameworkId, MigrationSection } from "../migrations/model.js";
import type { Fix, SectionAnalysis } from "./types.js";

/**
 * A fix that Postgres refuses inside the runner's transaction (CONCURRENTLY) is complete only
 * when it also takes the migration out of that transaction. Where the runner's way out is written
 * in the same file, the fix is widened to carry it: its lines then run from the directive down to
 * the statement, the lines between kept as they are. Where it lives in another file (Diesel's
 * metadata.toml, Flyway's `<script>.sql.conf`) or needs a rename (pop's `.autocommit`), no fix can
 * carry it: the finding's advice says what to do.
 */

/** An edit of one line of the file: a line inserted before it, or the line rewritten. */
type DirectiveEdit = { line: number; insert: string } | { line: number; rewrite: string };

interface InFileOptOut {
  /** The directive's text, for the fix's title. */
  directive: string;
  /** Where the directive goes for the statement at `statementLine` of `section`; undefined when it cannot be placed. */
  edit(lines: readonly string[], section: MigrationSection, statementLine: number): DirectiveEdit | undefined;
  /** Which sections the directive takes out of the transaction: the statement's alone, or every one of its file. */
  scope: "section" | "file";
}

/** dbmate's up marker, whose options say `transaction:false`. */
const DBMATE_UP_MARKER = /^--\s*migrate:up\b/;

const IN_FILE_OPT_OUTS: Partial<Record<FrameworkId, InFileOptOut>> = {
  // sqlx reads `-- no-transaction` only as the very first line of the file.
  sqlx: { directive: "-- no-transaction", scope: "section", edit: () => ({ line: 1, insert: "-- no-transaction" }) },
  // goose reads the annotation anywhere in the file; its documentation puts it at the top. It applies to both directions.
  goose: { directive: "-- +goose NO TRANSACTION", scope: "file", edit: () => ({ line: 1, insert: "-- +goose NO TRANSACTION" }) },
  // dbmate reads `transaction:false` among the options of the section's own marker.
  dbmate: {
    directive: "transaction:false",
    scope: "section",
    edit(lines, section, statementLine) {
      if (section.direction !== "up") return undefined;
      for (let line = statementLine - 1; line >= 1; line--) {
        const text = lines[line - 1] ?? "";
        if (DBMATE_UP_MARKER.test(text)) return { line, rewrite: `${text.trimEnd()} transaction:false` };
      }
      return undefined;
    },
  },
};

/** The lines a widened fix may keep unchanged between the directive and the statement: more is not a reviewable suggestion. */
export const MAX_KEPT_LINES = 12;

/**
 * `fix` widened to carry the runner's in-file way out of the transaction, or undefined when the
 * framework has none in the file, the statement runs in a BEGIN … COMMIT of its own, or another
 * statement shares the transaction the directive would end. Alone, because sqlx and dbmate send a
 * migration without transaction as one query (Postgres runs a query of several statements in one
 * implicit transaction block, where CONCURRENTLY is refused again), and because in any runner the
 * other statements would lose the atomicity they had: the advice says to give it a migration of its own.
 */
export function withTransactionOptOut(framework: FrameworkId, fix: Fix, text: string, path: string, sections: readonly SectionAnalysis[]): Fix | undefined {
  const optOut = IN_FILE_OPT_OUTS[framework];
  if (!optOut) return undefined;
  const own = sections.find((s) => s.section.path === path && s.statements.some((st) => st.line >= fix.line && st.endLine <= fix.endLine));
  const statement = own?.statements.find((st) => st.line >= fix.line && st.endLine <= fix.endLine);
  if (!own || !statement || !own.section.inTransaction || statement.inExplicitTransaction) return undefined;
  const affected = optOut.scope === "file" ? sections.filter((s) => s.section.path === path) : [own];
  if (own.statements.length !== 1 || affected.some((s) => s.statements.length > 1)) return undefined;
  const lines = text.split("\n");
  const edit = optOut.edit(lines, own.section, fix.line);
  if (!edit || edit.line > fix.line || ("rewrite" in edit && edit.line === fix.line)) return undefined;
  const kept = lines.slice(edit.line - 1, fix.line - 1);
  if (kept.length > MAX_KEPT_LINES) return undefined;
  const head = "insert" in edit ? [edit.insert, ...kept] : [edit.rewrite, ...kept.slice(1)];
  return {
    title: `${fix.title}, and \`${optOut.directive}\` so that the migration runs outside a transaction`,
    line: edit.line,
    endLine: fix.endLine,
    replacement: [...head, fix.replacement].join("\n"),
  };
}
