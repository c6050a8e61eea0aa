import type { SourceText } from "../../sql/source-text.js";
import type { Migration, RollbackIssue, SourceFile } from "../model.js";
import { callArguments, positionalCount } from "./code/call-arguments.js";
import type { CodeBlock } from "./code/code-block.js";
import { lineOf, upDownIssues, upDownSections } from "./code/down-checks.js";
import { findElixirFunctions } from "./code/elixir-blocks.js";
import { maskCode } from "./code/mask.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, hasExtension } from "./support/paths.js";
import { sourceOf } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";
import { ectoUpStatements } from "./code/ecto-sql.js";
import { withGeneratedUpSql } from "./code/orm-call-sql-sections.js";

const ONE_ARGUMENT_DETAILS: Record<string, string> = {
  execute: "`execute/1` in `change` cannot be reversed: use `execute/2` (up and down SQL) or `up`/`down`",
  remove: "`remove/1` in `change` cannot be reversed: give the column type (`remove/2`, `remove/3`)",
};

/** `execute/1` and `remove/1` inside `change`: Ecto cannot invert them. */
function changeIssues(source: SourceText, masked: string, change: CodeBlock): RollbackIssue[] {
  const issues: RollbackIssue[] = [];
  const call = /(?<![\w.:@])(execute|remove)\b(?![?!:])/g;
  call.lastIndex = change.bodyStart;
  for (let match = call.exec(masked); match && match.index < change.bodyEnd; match = call.exec(masked)) {
    const name = match[1] ?? "";
    const { args } = callArguments(masked, match.index + match[0].length);
    if (positionalCount(args) !== 1) continue;
    issues.push({ kind: "irreversible-operation", path: source.path, line: lineOf(source, match.index), detail: ONE_ARGUMENT_DETAILS[name] ?? name });
  }
  return issues;
}

function readEctoMigration(file: SourceFile): Migration {
  const source = sourceOf(file);
  const masked = maskCode(file.text, "elixir");
  const functions = findElixirFunctions(masked, ["change", "up", "down"]);
  const change = functions.find((block) => block.name === "change");
  const up = change ?? functions.find((block) => block.name === "up");
  const down = change ? undefined : functions.find((block) => block.name === "down");
  const code = { source, masked, language: "elixir", up, down } as const;
  const inTransaction = !/@disable_ddl_transaction\s+true\b/.test(masked);
  return buildMigration(
    {
      framework: "ecto",
      ...splitVersionAndName(basename(file.path).replace(/\.exs?$/, ""), /^(\d+)_(.+)$/),
      files: [file.path],
      folder: dirname(file.path),
      sections: withGeneratedUpSql(upDownSections(code, inTransaction), ectoUpStatements(source, masked, up, inTransaction)),
      rollback: "required",
      rollbackIssues: change ? changeIssues(source, masked, change) : upDownIssues({ ...code, upLabel: "`up`", downLabel: "`down`", refusal: /\braise\b/ }),
    },
    [file],
  );
}

function isEctoMigration(file: SourceFile, forced: boolean): boolean {
  if (!hasExtension(file.path, "exs", "ex")) return false;
  if (/\buse\s+Ecto\.Migration\b/.test(file.text)) return true;
  if (/(?:^|\/)priv\/[^/]+\/migrations\/[^/]+\.exs$/.test(file.path)) return true;
  return forced && /\bdef\s+(?:change|up)\b/.test(file.text);
}

/**
 * Ecto: `priv/repo/migrations/<timestamp>_<name>.exs` with `change` (auto-inverted) or
 * `up`/`down`. Runs in a transaction unless `@disable_ddl_transaction true`. The up (or change)
 * section carries the SQL of its schema commands (./code/ecto-sql.ts).
 */
export const ectoFramework: Framework<"ecto"> = {
  id: "ecto",
  paths: ["**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "@disable_ddl_transaction true" },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in Ecto, add `@disable_ddl_transaction true` and `@disable_migration_lock true` to the migration module",
    concurrentIndex:
      "Use `create index(…, concurrently: true)` in a migration with `@disable_ddl_transaction true` and `@disable_migration_lock true` (CREATE INDEX CONCURRENTLY cannot run in a transaction, and the migration lock would hold other nodes' migrations for the whole build).",
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isEctoMigration(file, context.forced));
    return { migrations: sortMigrations(mine.map(readEctoMigration)), claimed: mine.map((file) => file.path) };
  },
};
