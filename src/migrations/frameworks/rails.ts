import type { SourceText } from "../../sql/source-text.js";
import type { Migration, RollbackIssue, SourceFile } from "../model.js";
import { callArguments, hasKeyword, positionalCount } from "./code/call-arguments.js";
import type { CodeBlock } from "./code/code-block.js";
import { lineOf, upDownIssues, upDownSections } from "./code/down-checks.js";
import { maskCode } from "./code/mask.js";
import { withGeneratedSql } from "./code/orm-statements-sql.js";
import { railsUpStatements } from "./code/orm-statements-rails.js";
import { findRubyMethods, rubyBlockRanges } from "./code/ruby-blocks.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, hasExtension } from "./support/paths.js";
import { sourceOf } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

const MIGRATION_FILE = /^(\d+)_(\w+)\.rb$/;

/**
 * Calls that ActiveRecord's CommandRecorder cannot invert inside `change`, and the argument check
 * that makes each one reversible after all (undefined: never reversible).
 */
const IRREVERSIBLE_IN_CHANGE: Record<string, { reversibleIf?: (call: ReturnType<typeof callArguments>) => boolean; detail: string }> = {
  execute: { detail: "`execute` in `change` cannot be reversed: use `reversible` or `up`/`down`" },
  remove_column: {
    reversibleIf: (call) => positionalCount(call.args) >= 3,
    detail: "`remove_column` without a column type in `change` cannot be reversed",
  },
  remove_columns: {
    reversibleIf: (call) => hasKeyword(call.args, "type"),
    detail: "`remove_columns` without `type:` in `change` cannot be reversed",
  },
  drop_table: {
    reversibleIf: (call) => call.hasBlock,
    detail: "`drop_table` without a block (the table definition) in `change` cannot be reversed",
  },
  change_column: { detail: "`change_column` in `change` cannot be reversed: use `up`/`down`" },
  change_column_default: {
    reversibleIf: (call) => hasKeyword(call.args, "from") && hasKeyword(call.args, "to"),
    detail: "`change_column_default` without `from:` and `to:` in `change` cannot be reversed",
  },
  remove_index: {
    reversibleIf: (call) => positionalCount(call.args) >= 2 || hasKeyword(call.args, "column"),
    detail: "`remove_index` without a column in `change` cannot be reversed",
  },
  // Inside `change_table`: `t.remove` needs `type:`, `t.change` never inverts.
  "t.remove": {
    reversibleIf: (call) => hasKeyword(call.args, "type"),
    detail: "`t.remove` without `type:` in `change` cannot be reversed",
  },
  "t.change": { detail: "`t.change` in `change` cannot be reversed: use `up`/`down`" },
};

const CALL =
  /(?<![\w:@$])((?:[A-Za-z_]\w*\.)?)(execute|remove_columns|remove_column|drop_table|change_column_default|change_column|remove_index|remove|change)\b(?![?!:=])/g;

function changeIssues(source: SourceText, masked: string, change: CodeBlock): RollbackIssue[] {
  const issues: RollbackIssue[] = [];
  const exempt = rubyBlockRanges(masked, change.bodyStart, change.bodyEnd, ["reversible", "up_only"]);
  const call = new RegExp(CALL.source, "g");
  call.lastIndex = change.bodyStart;
  for (let match = call.exec(masked); match && match.index < change.bodyEnd; match = call.exec(masked)) {
    const receiver = match[1] ?? "";
    const method = match[2] ?? "";
    // With a receiver only `x.execute` (a connection) and the change_table forms count.
    const key = receiver === "" ? method : method === "execute" ? "execute" : `t.${method}`;
    const rule = IRREVERSIBLE_IN_CHANGE[key];
    if (!rule || (receiver === "" && (method === "remove" || method === "change"))) continue;
    if (exempt.some(([from, to]) => match.index >= from && match.index < to)) continue;
    if (rule.reversibleIf?.(callArguments(masked, match.index + match[0].length))) continue;
    issues.push({ kind: "irreversible-operation", path: source.path, line: lineOf(source, match.index), detail: rule.detail });
  }
  return issues;
}

function readRailsMigration(file: SourceFile, allFiles: readonly SourceFile[]): Migration {
  const source = sourceOf(file);
  const masked = maskCode(file.text, "ruby");
  const methods = findRubyMethods(masked, ["change", "up", "down"]);
  const change = methods.find((method) => method.name === "change");
  // ActiveRecord runs `change` (inverted on rollback) when it is defined, else `up`/`down`.
  const up = change ?? methods.find((method) => method.name === "up");
  const down = change ? undefined : methods.find((method) => method.name === "down");
  const code = { source, masked, language: "ruby", up, down } as const;
  const rollbackIssues = change
    ? changeIssues(source, masked, change)
    : upDownIssues({ ...code, upLabel: "`up`", downLabel: "`down`", refusal: /\braise\s+(?:::)?(?:ActiveRecord::)?IrreversibleMigration\b/ });
  return buildMigration(
    {
      framework: "rails",
      ...splitVersionAndName(basename(file.path).replace(/\.rb$/, ""), /^(\d+)_(\w+)$/),
      files: [file.path],
      folder: dirname(file.path),
      sections: upDownSections(code, !/\bdisable_ddl_transaction!/.test(masked)).map((section) =>
        // The up runs the calls' SQL; a down is read for rollback issues only (rollbackIssues).
        section.direction === "up" && up ? withGeneratedSql(section, railsUpStatements(source, masked, up)) : section,
      ),
      rollback: "required",
      rollbackIssues,
    },
    allFiles,
  );
}

function isRailsMigration(file: SourceFile, forced: boolean): boolean {
  if (!hasExtension(file.path, "rb")) return false;
  if (/<\s*(?:::)?ActiveRecord::Migration\b/.test(file.text)) return true;
  const inMigrateFolder = basename(dirname(file.path)).endsWith("migrate") && MIGRATION_FILE.test(basename(file.path));
  return inMigrateFolder || (forced && /\bdef\s+(?:self\.)?(?:change|up)\b/.test(file.text));
}

/**
 * Rails (ActiveRecord): `db/migrate/<timestamp>_<name>.rb` (also `db/post_migrate`, …) with
 * `change` (auto-inverted) or `up`/`down`. Sections are the method bodies; the migration runs in a
 * transaction unless it calls `disable_ddl_transaction!`.
 */
export const railsFramework: Framework<"rails"> = {
  id: "rails",
  paths: ["**/migrate/**", "db/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "disable_ddl_transaction!" },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in Rails, call `disable_ddl_transaction!` in the migration class",
    concurrentIndex:
      "Build it with `add_index …, algorithm: :concurrently` (CREATE INDEX CONCURRENTLY), and call `disable_ddl_transaction!` in the migration: CONCURRENTLY cannot run inside the transaction Rails wraps it in. Keep it in a migration of its own.",
    notValidForeignKey:
      "Add it with `validate: false` (`add_foreign_key …, validate: false`, or `foreign_key: { validate: false }`): NOT VALID, no scan, a brief lock. Then call `validate_foreign_key` in a later migration: validation takes only SHARE UPDATE EXCLUSIVE on the table and ROW SHARE on the referenced one, so reads and writes go on.",
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isRailsMigration(file, context.forced));
    return {
      migrations: sortMigrations(mine.map((file) => readRailsMigration(file, [file]))),
      claimed: mine.map((file) => file.path),
    };
  },
};
